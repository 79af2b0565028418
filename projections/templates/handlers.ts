/** Pure handlers of the template read models: current templates and every saved version. */
import type { StoredEvent } from '../../eventstore/types';
import { fold, type RowUpdate } from '../rows';
import { templatesTable, templateVersionsTable, type TemplateRow } from './tables';

export const templateEventTypes = ['TemplateCreated', 'TemplateVersionSaved', 'TemplateShared', 'TemplateDeleted'] as const;

function template(event: StoredEvent, change: (current: TemplateRow) => Partial<TemplateRow>): RowUpdate {
  const d = event.data as { templateId: string };
  return fold(templatesTable, { template_id: d.templateId }, (current) =>
    current ? { ...current, ...change(current), updated_at: event.metadata.occurredAt, position: event.position } : current,
  );
}

export function templateUpdates(event: StoredEvent): RowUpdate[] {
  const d = event.data as any;
  const at = event.metadata.occurredAt;
  switch (event.type) {
    case 'TemplateCreated':
      return [
        fold(templatesTable, { template_id: d.templateId }, (current) => ({
          template_id: d.templateId,
          display_name: d.displayName,
          description: d.description,
          scope_kind: d.scope.kind,
          workspace_id: d.scope.kind === 'workspace' ? d.scope.workspaceId : null,
          shared_with: d.scope.kind === 'platform' ? d.scope.sharedWith : null,
          // A re-created template continues its stream's numbering.
          latest_version: current?.latest_version ?? 0,
          created_at: at,
          updated_at: at,
          deleted: false,
          position: event.position,
        })),
      ];
    case 'TemplateVersionSaved':
      return [
        template(event, (current) => ({ latest_version: Math.max(current.latest_version, d.version) })),
        fold(templateVersionsTable, { template_id: d.templateId, version: d.version }, () => ({
          template_id: d.templateId,
          version: d.version,
          documents: d.documents,
          parameters: d.parameters,
          note: d.note,
          saved_at: at,
          saved_by: event.metadata.actor?.id ?? 'system',
          position: event.position,
        })),
      ];
    case 'TemplateShared':
      return [template(event, () => ({ shared_with: d.sharedWith }))];
    case 'TemplateDeleted':
      return [template(event, () => ({ deleted: true }))];
    default:
      return [];
  }
}
