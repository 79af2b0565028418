/**
 * A namespace's own life. `generation` counts changes of its desired state and keeps counting
 * across a deletion and re-creation (same stream), so an outcome reported for an old incarnation
 * can never be mistaken for the current one. 'ready' and 'failed' always describe the current
 * generation: a quota change sends the namespace back to 'pending'.
 */
import type { Resources } from '../quantity';
import type { ContainerDefaults, NamespaceEvent } from './events';

interface NamespaceSpec {
  clusterId: string;
  name: string;
  workspaceId: string;
  quota: Resources;
  defaults: ContainerDefaults;
  generation: number;
}

export type LiveNamespace =
  | (NamespaceSpec & { status: 'pending'; /** Reason of the last failure, if any. */ lastReason: string | null })
  | (NamespaceSpec & { status: 'ready'; lastReason: null })
  | (NamespaceSpec & { status: 'failed'; lastReason: string });

export interface DeletedNamespace {
  status: 'deleted';
  clusterId: string;
  name: string;
  workspaceId: string;
  generation: number;
}

export type NamespaceState = { status: 'absent' } | LiveNamespace | DeletedNamespace;

export const initialState: NamespaceState = { status: 'absent' };

export function isLive(state: NamespaceState): state is LiveNamespace {
  return state.status === 'pending' || state.status === 'ready' || state.status === 'failed';
}

/** Events that do not apply to the current state leave it unchanged (decide never emits them). */
export function evolve(state: NamespaceState, event: NamespaceEvent): NamespaceState {
  switch (event.type) {
    case 'NamespaceCreated':
    case 'NamespaceQuotaChanged': {
      const d = event.data;
      return {
        status: 'pending',
        clusterId: d.clusterId,
        name: d.name,
        workspaceId: d.workspaceId,
        quota: { cpuMillis: d.quotaCpuMillis, memoryBytes: d.quotaMemoryBytes },
        defaults: d.defaults,
        generation: d.generation,
        lastReason: event.type === 'NamespaceQuotaChanged' && isLive(state) ? state.lastReason : null,
      };
    }
    case 'NamespaceProvisioned':
      if (!isLive(state) || event.data.generation !== state.generation) return state;
      return { ...state, status: 'ready', lastReason: null };
    case 'NamespaceProvisioningFailed':
      if (!isLive(state) || event.data.generation !== state.generation) return state;
      return { ...state, status: 'failed', lastReason: event.data.reason };
    case 'NamespaceDeleted':
      if (!isLive(state)) return state;
      return {
        status: 'deleted',
        clusterId: state.clusterId,
        name: state.name,
        workspaceId: state.workspaceId,
        generation: state.generation,
      };
    default:
      return state;
  }
}
