/** Commands on a cluster alone: register, refresh inventory, set over-commit, remove. */
import { DomainError, invalid } from '../errors';
import { validateDisplayName, validateDnsLabel } from '../names';
import { isTwoDecimalRatio, requireQuantity, resourceKinds, showValue } from '../quantity';
import { streamIds } from '../streams';
import { assertNever, type CommandDecider, type Decision, stateOf, type StreamStates } from '../decider';
import { allocatable, bindableCapacity, totalBound } from './capacity';
import type { ClusterEvent, ClusterInventory } from './events';
import { type ClusterState, initialState, type RegisteredCluster } from './state';

export interface RegisterCluster {
  type: 'RegisterCluster';
  clusterId: string;
  displayName: string;
  /** API server URL; never carries credentials. */
  server: string;
  contextName: string;
  credentialRef: string;
  credentialFingerprint: string;
  inventory: ClusterInventory;
}

export interface RefreshClusterInventory {
  type: 'RefreshClusterInventory';
  clusterId: string;
  inventory: ClusterInventory;
}

export interface SetClusterOvercommit {
  type: 'SetClusterOvercommit';
  clusterId: string;
  cpuRatio: number;
  memoryRatio: number;
}

export interface RemoveCluster {
  type: 'RemoveCluster';
  clusterId: string;
}

export type ClusterCommand = RegisterCluster | RefreshClusterInventory | SetClusterOvercommit | RemoveCluster;

export const DEFAULT_OVERCOMMIT_RATIO = 1;
export const MAX_OVERCOMMIT_RATIO = 10;

/** The cluster's state, refusing with not_found unless it is registered. */
export function registeredCluster(states: StreamStates, clusterId: string): RegisteredCluster {
  const state = stateOf<ClusterState>(states, streamIds.cluster(clusterId), initialState);
  if (state.status !== 'registered') {
    throw new DomainError('not_found', `clusterId: cluster "${clusterId}" is not registered`, {
      field: 'clusterId',
      details: { clusterId },
    });
  }
  return state;
}

function validateServer(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw invalid('server', 'Required value');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('server', `"${value}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid('server', `must be an http(s) URL, got "${url.protocol}"`);
  }
  if (url.username !== '' || url.password !== '') {
    throw invalid('server', 'must not carry credentials (store them in the credential store and pass credentialRef)');
  }
  return value;
}

function validateText(value: unknown, field: string, max = 253): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(field, 'Required value');
  if (value.length > max) throw invalid(field, `must be no more than ${max} characters`);
  return value;
}

export function validateInventory(inventory: ClusterInventory | undefined): ClusterInventory {
  if (typeof inventory !== 'object' || inventory === null) throw invalid('inventory', 'Required value');
  return {
    kubernetesVersion: validateText(inventory.kubernetesVersion, 'inventory.kubernetesVersion', 64),
    nodeCount: requireQuantity(inventory.nodeCount, 'inventory.nodeCount'),
    allocatableCpuMillis: requireQuantity(inventory.allocatableCpuMillis, 'inventory.allocatableCpuMillis'),
    allocatableMemoryBytes: requireQuantity(inventory.allocatableMemoryBytes, 'inventory.allocatableMemoryBytes'),
  };
}

function sameInventory(a: ClusterInventory, b: ClusterInventory): boolean {
  return (
    a.kubernetesVersion === b.kubernetesVersion &&
    a.nodeCount === b.nodeCount &&
    a.allocatableCpuMillis === b.allocatableCpuMillis &&
    a.allocatableMemoryBytes === b.allocatableMemoryBytes
  );
}

export function validateRatio(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(field, `must be a number, got ${showValue(value)}`);
  if (value < DEFAULT_OVERCOMMIT_RATIO || value > MAX_OVERCOMMIT_RATIO) {
    throw invalid(field, `over-commit ratio must be between ${DEFAULT_OVERCOMMIT_RATIO} and ${MAX_OVERCOMMIT_RATIO}, got ${value}`);
  }
  if (!isTwoDecimalRatio(value)) throw invalid(field, `over-commit ratio must have at most 2 decimals, got ${value}`);
  return value;
}

function register(cmd: RegisterCluster, state: ClusterState): ClusterEvent[] {
  const clusterId = validateDnsLabel(cmd.clusterId, 'clusterId');
  if (state.status === 'registered') {
    throw new DomainError('already_exists', `clusterId: cluster "${clusterId}" is already registered`, {
      field: 'clusterId',
      details: { clusterId },
    });
  }
  return [
    {
      type: 'ClusterRegistered',
      data: {
        clusterId,
        displayName: validateDisplayName(cmd.displayName, 'displayName'),
        server: validateServer(cmd.server),
        contextName: validateText(cmd.contextName, 'contextName'),
        credentialRef: validateText(cmd.credentialRef, 'credentialRef'),
        credentialFingerprint: validateText(cmd.credentialFingerprint, 'credentialFingerprint'),
        inventory: validateInventory(cmd.inventory),
        cpuRatio: DEFAULT_OVERCOMMIT_RATIO,
        memoryRatio: DEFAULT_OVERCOMMIT_RATIO,
      },
    },
  ];
}

/** Inventory is a fact about the nodes: recorded even when it leaves the cluster over-bound. */
function refreshInventory(cmd: RefreshClusterInventory, cluster: RegisteredCluster): ClusterEvent[] {
  const inventory = validateInventory(cmd.inventory);
  if (sameInventory(inventory, cluster.inventory)) return [];
  return [{ type: 'ClusterInventoryRefreshed', data: { clusterId: cluster.clusterId, inventory } }];
}

function setOvercommit(cmd: SetClusterOvercommit, cluster: RegisteredCluster): ClusterEvent[] {
  const cpuRatio = validateRatio(cmd.cpuRatio, 'cpuRatio');
  const memoryRatio = validateRatio(cmd.memoryRatio, 'memoryRatio');
  if (cpuRatio === cluster.cpuRatio && memoryRatio === cluster.memoryRatio) return [];
  const next = { inventory: cluster.inventory, cpuRatio, memoryRatio };
  const bindable = bindableCapacity(next);
  const bound = totalBound(cluster);
  const alloc = allocatable(cluster);
  const newRatio = { cpuMillis: cpuRatio, memoryBytes: memoryRatio };
  const oldRatio = { cpuMillis: cluster.cpuRatio, memoryBytes: cluster.memoryRatio };
  for (const kind of resourceKinds) {
    // Lowering a ratio must leave room for what is bound; raising one is always allowed.
    if (newRatio[kind.key] >= oldRatio[kind.key] || bindable[kind.key] >= bound[kind.key]) continue;
    const field = kind.key === 'cpuMillis' ? 'cpuRatio' : 'memoryRatio';
    throw new DomainError(
      'conflict',
      `${field}: over-commit ${newRatio[kind.key]} would make ${kind.label} bindable on cluster "${cluster.clusterId}" ` +
        `${kind.describe(bindable[kind.key])} (allocatable ${kind.bare(alloc[kind.key])} × ${newRatio[kind.key]}), ` +
        `below the ${kind.describe(bound[kind.key])} already bound`,
      {
        field,
        details: {
          resource: kind.label,
          clusterId: cluster.clusterId,
          ratio: newRatio[kind.key],
          allocatable: alloc[kind.key],
          bindable: bindable[kind.key],
          bound: bound[kind.key],
        },
      },
    );
  }
  return [{ type: 'ClusterOvercommitSet', data: { clusterId: cluster.clusterId, cpuRatio, memoryRatio } }];
}

function remove(cluster: RegisteredCluster): ClusterEvent[] {
  const namespaces = [...cluster.namespaces.keys()].sort();
  const workspaces = [...cluster.bindings.keys()].sort();
  if (namespaces.length > 0 || workspaces.length > 0) {
    const reasons: string[] = [];
    if (namespaces.length > 0) reasons.push(`namespaces ${namespaces.join(', ')} (delete them first)`);
    if (workspaces.length > 0) reasons.push(`bindings of workspaces ${workspaces.join(', ')} (unbind first)`);
    throw new DomainError('conflict', `clusterId: cluster "${cluster.clusterId}" is still in use: ${reasons.join('; ')}`, {
      field: 'clusterId',
      details: { clusterId: cluster.clusterId, namespaces, workspaces },
    });
  }
  return [{ type: 'ClusterRemoved', data: { clusterId: cluster.clusterId, credentialRef: cluster.credentialRef } }];
}

function decide(cmd: ClusterCommand, states: StreamStates): Decision<ClusterEvent> {
  const streamId = streamIds.cluster(cmd.clusterId);
  switch (cmd.type) {
    case 'RegisterCluster':
      return { [streamId]: register(cmd, stateOf<ClusterState>(states, streamId, initialState)) };
    case 'RefreshClusterInventory':
      return { [streamId]: refreshInventory(cmd, registeredCluster(states, cmd.clusterId)) };
    case 'SetClusterOvercommit':
      return { [streamId]: setOvercommit(cmd, registeredCluster(states, cmd.clusterId)) };
    case 'RemoveCluster':
      return { [streamId]: remove(registeredCluster(states, cmd.clusterId)) };
    default:
      return assertNever(cmd);
  }
}

export const clusterDecider: CommandDecider<ClusterCommand, ClusterEvent> = {
  streams: (cmd) => [streamIds.cluster(cmd.clusterId)],
  decide,
};
