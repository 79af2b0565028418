/**
 * The cluster stream is the consistency boundary for everything that shares the cluster's
 * capacity: its bindable capacity (allocatable × over-commit), the bindings on it (one per
 * workspace) and every namespace allocated on it (name uniqueness, quota within its binding).
 */
import type { Resources } from '../quantity';
import type { ClusterEvent, ClusterInventory } from './events';
import { PersistentMap } from '../persistent-map';

export interface NamespaceAllocation extends Resources {
  workspaceId: string;
}

export interface RegisteredCluster {
  status: 'registered';
  clusterId: string;
  displayName: string;
  server: string;
  contextName: string;
  credentialRef: string;
  credentialFingerprint: string;
  inventory: ClusterInventory;
  cpuRatio: number;
  memoryRatio: number;
  /** Bound resources by workspace id. */
  bindings: ReadonlyMap<string, Resources>;
  /** Namespace allocations by namespace name. */
  namespaces: ReadonlyMap<string, NamespaceAllocation>;
  /** Sum of `namespaces` per workspace, kept with them so a quota check need not add them all up. */
  allocatedByWorkspace: ReadonlyMap<string, Resources>;
}

export interface RemovedCluster {
  status: 'removed';
  clusterId: string;
  credentialRef: string;
}

export type ClusterState = { status: 'absent' } | RegisteredCluster | RemovedCluster;

export const initialState: ClusterState = { status: 'absent' };

function withEntry<V>(map: ReadonlyMap<string, V>, key: string, value: V): ReadonlyMap<string, V> {
  const next = new Map(map);
  next.set(key, value);
  return next;
}

function withoutEntry<V>(map: ReadonlyMap<string, V>, key: string): ReadonlyMap<string, V> {
  const next = new Map(map);
  next.delete(key);
  return next;
}

/** States built by hand (tests) may hold a plain Map. */
function persistent<V>(map: ReadonlyMap<string, V>): PersistentMap<V> {
  return map instanceof PersistentMap ? map : PersistentMap.from(map);
}

function addAllocation(sums: ReadonlyMap<string, Resources>, a: NamespaceAllocation, sign: 1 | -1): ReadonlyMap<string, Resources> {
  const current = sums.get(a.workspaceId) ?? { cpuMillis: 0, memoryBytes: 0 };
  const next = { cpuMillis: current.cpuMillis + sign * a.cpuMillis, memoryBytes: current.memoryBytes + sign * a.memoryBytes };
  return next.cpuMillis === 0 && next.memoryBytes === 0 ? withoutEntry(sums, a.workspaceId) : withEntry(sums, a.workspaceId, next);
}

function releaseAllocation(sums: ReadonlyMap<string, Resources>, previous: NamespaceAllocation | undefined): ReadonlyMap<string, Resources> {
  return previous ? addAllocation(sums, previous, -1) : sums;
}

/**
 * Events are facts: an event that does not apply to the current state (which decide never
 * produces) leaves the state unchanged rather than making the stream unreadable.
 */
export function evolve(state: ClusterState, event: ClusterEvent): ClusterState {
  switch (event.type) {
    case 'ClusterRegistered': {
      const d = event.data;
      return {
        status: 'registered',
        clusterId: d.clusterId,
        displayName: d.displayName,
        server: d.server,
        contextName: d.contextName,
        credentialRef: d.credentialRef,
        credentialFingerprint: d.credentialFingerprint,
        inventory: d.inventory,
        cpuRatio: d.cpuRatio,
        memoryRatio: d.memoryRatio,
        bindings: new Map(),
        namespaces: PersistentMap.empty(),
        allocatedByWorkspace: new Map(),
      };
    }
    case 'ClusterRemoved':
      return { status: 'removed', clusterId: event.data.clusterId, credentialRef: event.data.credentialRef };
    default:
      break;
  }
  if (state.status !== 'registered') return state;
  switch (event.type) {
    case 'ClusterInventoryRefreshed':
      return { ...state, inventory: event.data.inventory };
    case 'ClusterOvercommitSet':
      return { ...state, cpuRatio: event.data.cpuRatio, memoryRatio: event.data.memoryRatio };
    case 'ClusterResourcesBound':
    case 'ClusterBindingChanged': {
      const { workspaceId, cpuMillis, memoryBytes } = event.data;
      return { ...state, bindings: withEntry(state.bindings, workspaceId, { cpuMillis, memoryBytes }) };
    }
    case 'ClusterBindingRemoved':
      return { ...state, bindings: withoutEntry(state.bindings, event.data.workspaceId) };
    case 'ClusterNamespaceAllocated':
    case 'ClusterNamespaceAllocationChanged': {
      const { namespace, workspaceId, cpuMillis, memoryBytes } = event.data;
      const allocation = { workspaceId, cpuMillis, memoryBytes };
      const released = releaseAllocation(state.allocatedByWorkspace, state.namespaces.get(namespace));
      return {
        ...state,
        namespaces: persistent(state.namespaces).with(namespace, allocation),
        allocatedByWorkspace: addAllocation(released, allocation, 1),
      };
    }
    case 'ClusterNamespaceReleased':
      return {
        ...state,
        namespaces: persistent(state.namespaces).without(event.data.namespace),
        allocatedByWorkspace: releaseAllocation(state.allocatedByWorkspace, state.namespaces.get(event.data.namespace)),
      };
    default:
      return state;
  }
}
