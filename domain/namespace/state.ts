/**
 * A namespace's own life. `generation` counts changes of its desired state and keeps counting
 * across a deletion and re-creation (same stream), so an outcome reported for an old incarnation
 * can never be mistaken for the current one. 'ready' and 'failed' always describe the current
 * generation: a quota change sends the namespace back to 'pending'.
 */
import type { Resources } from '../quantity';
import type { ContainerDefaults, NamespaceEvent } from './events';

/** CPU/memory requests and limits one holder reserves. */
export interface ReservedAmounts {
  requests: Resources;
  limits: Resources;
}

interface NamespaceSpec {
  clusterId: string;
  name: string;
  workspaceId: string;
  quota: Resources;
  defaults: ContainerDefaults;
  generation: number;
  /** What Bosun-deployed things hold of the quota, by holder (`app:<name>`, `devenv:<name>`). */
  reservations: Readonly<Record<string, ReservedAmounts>>;
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
        reservations: event.type === 'NamespaceQuotaChanged' && isLive(state) ? state.reservations : {},
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
    case 'NamespaceResourcesReserved': {
      if (!isLive(state)) return state;
      const { holder, requests, limits } = event.data;
      return { ...state, reservations: { ...state.reservations, [holder]: { requests, limits } } };
    }
    case 'NamespaceResourcesReleased': {
      if (!isLive(state) || !Object.hasOwn(state.reservations, event.data.holder)) return state;
      const { [event.data.holder]: _released, ...rest } = state.reservations;
      return { ...state, reservations: rest };
    }
    default:
      return state;
  }
}
