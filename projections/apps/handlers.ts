/** Pure handlers of the apps read models: current applications and every revision. */
import type { StoredEvent } from '../../eventstore/types';
import { fold, type RowUpdate } from '../rows';
import { appRevisionsTable, appsTable, type AppRevisionRow, type AppRow } from './tables';

export const appEventTypes = [
  'AppGenerated',
  'AppPublished',
  'AppRevised',
  'AppUnpublished',
  'AppDeleted',
  'AppDeployed',
  'AppDeployFailed',
  'AppUndeployed',
] as const;

function app(event: StoredEvent, change: (current: AppRow) => Partial<AppRow>): RowUpdate {
  const d = event.data as { appId: string };
  return fold(appsTable, { app_id: d.appId }, (current) =>
    current ? { ...current, ...change(current), updated_at: event.metadata.occurredAt, position: event.position } : current,
  );
}

function revisionRow(event: StoredEvent, d: any, reason: AppRevisionRow['reason']): RowUpdate {
  return fold(appRevisionsTable, { app_id: d.appId, revision: d.revision }, () => ({
    app_id: d.appId,
    revision: d.revision,
    template_version: d.templateVersion,
    values: d.values,
    manifests: d.manifests,
    requests: d.requests,
    limits: d.limits,
    reason,
    from_revision: d.fromRevision ?? null,
    created_at: event.metadata.occurredAt,
    created_by: event.metadata.actor?.id ?? 'system',
    position: event.position,
  }));
}

export function appUpdates(event: StoredEvent): RowUpdate[] {
  const d = event.data as any;
  const at = event.metadata.occurredAt;
  switch (event.type) {
    case 'AppGenerated':
      return [
        fold(appsTable, { app_id: d.appId }, () => ({
          app_id: d.appId,
          cluster_id: d.clusterId,
          namespace: d.namespace,
          workspace_id: d.workspaceId,
          name: d.name,
          description: d.description,
          template_id: d.templateId,
          template_version: d.templateVersion,
          revision: 1,
          published: false,
          status: 'draft' as const,
          status_reason: null,
          deployed_revision: null,
          requests: d.requests,
          limits: d.limits,
          created_by: event.metadata.actor?.id ?? 'system',
          created_at: at,
          updated_at: at,
          deleted: false,
          position: event.position,
        })),
        revisionRow(event, d, 'generate'),
      ];
    case 'AppPublished':
      return [app(event, () => ({ published: true, status: 'deploying', status_reason: null }))];
    case 'AppRevised':
      return [
        app(event, (current) => ({
          revision: d.revision,
          template_version: d.templateVersion,
          requests: d.requests,
          limits: d.limits,
          status: current.published ? 'deploying' : current.status,
          status_reason: null,
        })),
        revisionRow(event, d, d.reason),
      ];
    case 'AppUnpublished':
      return [app(event, () => ({ published: false, status: 'undeploying', status_reason: null }))];
    case 'AppDeployed':
      return [
        app(event, (current) =>
          current.published && current.revision === d.revision ? { status: 'deployed', status_reason: null, deployed_revision: d.revision } : {},
        ),
      ];
    case 'AppDeployFailed':
      return [app(event, (current) => (current.published && current.revision === d.revision ? { status: 'failed', status_reason: d.reason } : {}))];
    case 'AppUndeployed':
      return [app(event, (current) => (current.published ? {} : { status: 'undeployed', status_reason: null, deployed_revision: null }))];
    case 'AppDeleted':
      return [app(event, () => ({ deleted: true }))];
    default:
      return [];
  }
}
