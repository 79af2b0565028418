/**
 * An application's life. `revision` is the current revision (what a published app runs);
 * `revisions` keeps every revision's content so any of them can be rolled back to.
 *
 * status: draft (never published) → deploying (published; the current revision not yet applied)
 * → deployed | failed; unpublishing → undeploying → undeployed. The reconciler reports outcomes.
 */
import type { KubernetesObject } from '../template/objects';
import type { ParameterValues } from '../template/parameters';
import type { ReservedAmounts } from '../namespace/state';
import type { AppEvent } from './events';

export type AppStatus = 'draft' | 'deploying' | 'deployed' | 'failed' | 'undeploying' | 'undeployed';

export interface AppRevision extends ReservedAmounts {
  revision: number;
  templateVersion: number;
  values: ParameterValues;
  manifests: KubernetesObject[];
  reason: 'generate' | 'update' | 'rollback';
  fromRevision: number | null;
}

export interface ExistingApp {
  status: 'defined';
  appId: string;
  clusterId: string;
  namespace: string;
  workspaceId: string;
  name: string;
  description: string;
  templateId: string;
  /** The current revision. */
  revision: number;
  revisions: Readonly<Record<number, AppRevision>>;
  published: boolean;
  deploy: AppStatus;
  /** The revision last reported applied (while published), else null. */
  deployedRevision: number | null;
  /** Reason of the last failure reported for the current revision. */
  lastReason: string | null;
}

export type AppState = { status: 'absent' } | ExistingApp | { status: 'deleted' };

export const initialState: AppState = { status: 'absent' };

/** Events that do not apply to the current state leave it unchanged (decide never emits them). */
export function evolve(state: AppState, event: AppEvent): AppState {
  if (event.type === 'AppGenerated') {
    const d = event.data;
    const first: AppRevision = {
      revision: 1,
      templateVersion: d.templateVersion,
      values: d.values,
      manifests: d.manifests as KubernetesObject[],
      requests: d.requests,
      limits: d.limits,
      reason: 'generate',
      fromRevision: null,
    };
    return {
      status: 'defined',
      appId: d.appId,
      clusterId: d.clusterId,
      namespace: d.namespace,
      workspaceId: d.workspaceId,
      name: d.name,
      description: d.description,
      templateId: d.templateId,
      revision: 1,
      revisions: { 1: first },
      published: false,
      deploy: 'draft',
      deployedRevision: null,
      lastReason: null,
    };
  }
  if (state.status !== 'defined') return state;
  switch (event.type) {
    case 'AppPublished':
      return { ...state, published: true, deploy: 'deploying', lastReason: null };
    case 'AppRevised': {
      const d = event.data;
      const revision: AppRevision = {
        revision: d.revision,
        templateVersion: d.templateVersion,
        values: d.values,
        manifests: d.manifests as KubernetesObject[],
        requests: d.requests,
        limits: d.limits,
        reason: d.reason,
        fromRevision: d.fromRevision ?? null,
      };
      return {
        ...state,
        revision: d.revision,
        revisions: { ...state.revisions, [d.revision]: revision },
        deploy: state.published ? 'deploying' : state.deploy,
        lastReason: null,
      };
    }
    case 'AppUnpublished':
      return { ...state, published: false, deploy: 'undeploying', lastReason: null };
    case 'AppDeployed':
      if (!state.published || event.data.revision !== state.revision) return state;
      return { ...state, deploy: 'deployed', deployedRevision: event.data.revision, lastReason: null };
    case 'AppDeployFailed':
      if (!state.published || event.data.revision !== state.revision) return state;
      return { ...state, deploy: 'failed', lastReason: event.data.reason };
    case 'AppUndeployed':
      if (state.published) return state;
      return { ...state, deploy: 'undeployed', deployedRevision: null, lastReason: null };
    case 'AppDeleted':
      return { status: 'deleted' };
    default:
      return state;
  }
}
