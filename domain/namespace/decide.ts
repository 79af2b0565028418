/**
 * Commands on a namespace. Create, quota change and delete span [namespace, cluster]: the cluster
 * stream guards name uniqueness on the cluster and the sum of quotas inside the workspace's
 * binding. Provisioning outcomes, reported by the reconciler, touch only the namespace stream.
 */
import { DomainError, invalid } from '../errors';
import { validateDnsLabel, validateNamespaceName } from '../names';
import { type Resources, describeCpu, formatMemory, requireQuantity, sameResources, showValue } from '../quantity';
import { streamIds } from '../streams';
import { assertNever, type CommandDecider, type Decision, stateOf, type StreamStates } from '../decider';
import { assertBindingRoom } from '../cluster/capacity';
import { registeredCluster } from '../cluster/decide';
import type { ClusterEvent } from '../cluster/events';
import type { ContainerDefaults, NamespaceEvent } from './events';
import { initialState, isLive, type LiveNamespace, type NamespaceState } from './state';
import { assertQuotaCoversReservations } from './reservations';

export interface CreateNamespace {
  type: 'CreateNamespace';
  clusterId: string;
  name: string;
  workspaceId: string;
  quotaCpuMillis: number;
  quotaMemoryBytes: number;
  defaults: ContainerDefaults;
}

export interface ChangeNamespaceQuota {
  type: 'ChangeNamespaceQuota';
  clusterId: string;
  name: string;
  quotaCpuMillis: number;
  quotaMemoryBytes: number;
  /** Omitted: keep the current defaults (which must still fit the new quota). */
  defaults?: ContainerDefaults;
}

export interface DeleteNamespace {
  type: 'DeleteNamespace';
  clusterId: string;
  name: string;
}

/** Issued by the reconciler (system actor) when the namespace's objects were applied. */
export interface RecordNamespaceProvisioned {
  type: 'RecordNamespaceProvisioned';
  clusterId: string;
  name: string;
  generation: number;
}

/** Issued by the reconciler (system actor) when applying the namespace's objects failed. */
export interface RecordNamespaceProvisioningFailed {
  type: 'RecordNamespaceProvisioningFailed';
  clusterId: string;
  name: string;
  reason: string;
  generation: number;
}

export type NamespaceCommand =
  | CreateNamespace
  | ChangeNamespaceQuota
  | DeleteNamespace
  | RecordNamespaceProvisioned
  | RecordNamespaceProvisioningFailed;

/** Failure reasons are stored bounded; longer ones are cut (deterministically) to this length. */
export const MAX_REASON_LENGTH = 1000;

function quotaOf(cmd: { quotaCpuMillis: number; quotaMemoryBytes: number }): Resources {
  return {
    cpuMillis: requireQuantity(cmd.quotaCpuMillis, 'quotaCpuMillis'),
    memoryBytes: requireQuantity(cmd.quotaMemoryBytes, 'quotaMemoryBytes'),
  };
}

/** request ≤ limit ≤ quota, per resource; limits must be positive. */
export function validateDefaults(defaults: ContainerDefaults | undefined, quota: Resources): ContainerDefaults {
  if (typeof defaults !== 'object' || defaults === null) throw invalid('defaults', 'Required value');
  const d: ContainerDefaults = {
    requestCpuMillis: requireQuantity(defaults.requestCpuMillis, 'defaults.requestCpuMillis'),
    requestMemoryBytes: requireQuantity(defaults.requestMemoryBytes, 'defaults.requestMemoryBytes'),
    limitCpuMillis: requireQuantity(defaults.limitCpuMillis, 'defaults.limitCpuMillis'),
    limitMemoryBytes: requireQuantity(defaults.limitMemoryBytes, 'defaults.limitMemoryBytes'),
  };
  const checks = [
    { label: 'cpu', request: 'requestCpuMillis', limit: 'limitCpuMillis', quota: quota.cpuMillis, fmt: describeCpu },
    { label: 'memory', request: 'requestMemoryBytes', limit: 'limitMemoryBytes', quota: quota.memoryBytes, fmt: formatMemory },
  ] as const;
  for (const c of checks) {
    const request = d[c.request];
    const limit = d[c.limit];
    if (limit === 0) throw invalid(`defaults.${c.limit}`, `default ${c.label} limit must be greater than 0`);
    if (request > limit) {
      throw invalid(`defaults.${c.request}`, `default ${c.label} request ${c.fmt(request)} exceeds the default limit ${c.fmt(limit)}`, {
        request,
        limit,
      });
    }
    if (limit > c.quota) {
      throw invalid(`defaults.${c.limit}`, `default ${c.label} limit ${c.fmt(limit)} exceeds the namespace quota ${c.fmt(c.quota)}`, {
        limit,
        quota: c.quota,
      });
    }
  }
  return d;
}

function sameDefaults(a: ContainerDefaults, b: ContainerDefaults): boolean {
  return (
    a.requestCpuMillis === b.requestCpuMillis &&
    a.requestMemoryBytes === b.requestMemoryBytes &&
    a.limitCpuMillis === b.limitCpuMillis &&
    a.limitMemoryBytes === b.limitMemoryBytes
  );
}

function validateGeneration(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw invalid('generation', `must be a positive integer, got ${showValue(value)}`);
  }
  return value;
}

function validateReason(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid('reason', 'Required value');
  const chars = [...value];
  return chars.length > MAX_REASON_LENGTH ? `${chars.slice(0, MAX_REASON_LENGTH - 1).join('')}…` : value;
}

function liveNamespace(state: NamespaceState, clusterId: string, name: string): LiveNamespace {
  if (!isLive(state)) {
    throw new DomainError('not_found', `name: namespace "${name}" does not exist on cluster "${clusterId}"`, {
      field: 'name',
      details: { clusterId, name },
    });
  }
  return state;
}

type Outcome = Decision<NamespaceEvent | ClusterEvent>;

function create(cmd: CreateNamespace, state: NamespaceState, states: StreamStates): Outcome {
  const name = validateNamespaceName(cmd.name, 'name');
  const workspaceId = validateDnsLabel(cmd.workspaceId, 'workspaceId');
  const quota = quotaOf(cmd);
  const defaults = validateDefaults(cmd.defaults, quota);
  const cluster = registeredCluster(states, cmd.clusterId);
  const taken = cluster.namespaces.get(name);
  if (isLive(state) || taken !== undefined) {
    const owner = taken?.workspaceId ?? (isLive(state) ? state.workspaceId : workspaceId);
    throw new DomainError('already_exists', `name: namespace "${name}" already exists on cluster "${cluster.clusterId}" (workspace "${owner}")`, {
      field: 'name',
      details: { clusterId: cluster.clusterId, name, workspaceId: owner },
    });
  }
  if (!cluster.bindings.has(workspaceId)) {
    throw new DomainError(
      'precondition_failed',
      `workspaceId: workspace "${workspaceId}" has no binding on cluster "${cluster.clusterId}" (bind cluster resources first)`,
      { field: 'workspaceId', details: { clusterId: cluster.clusterId, workspaceId } },
    );
  }
  assertBindingRoom(cluster, workspaceId, name, quota);
  const generation = (state.status === 'deleted' ? state.generation : 0) + 1;
  const clusterId = cluster.clusterId;
  return {
    [streamIds.namespace(clusterId, name)]: [
      {
        type: 'NamespaceCreated',
        data: { clusterId, name, workspaceId, quotaCpuMillis: quota.cpuMillis, quotaMemoryBytes: quota.memoryBytes, defaults, generation },
      },
    ],
    [streamIds.cluster(clusterId)]: [
      { type: 'ClusterNamespaceAllocated', data: { clusterId, namespace: name, workspaceId, ...quota } },
    ],
  };
}

function changeQuota(cmd: ChangeNamespaceQuota, state: NamespaceState, states: StreamStates): Outcome {
  const ns = liveNamespace(state, cmd.clusterId, cmd.name);
  const quota = quotaOf(cmd);
  const defaults = validateDefaults(cmd.defaults ?? ns.defaults, quota);
  if (sameResources(quota, ns.quota) && sameDefaults(defaults, ns.defaults)) return {};
  assertQuotaCoversReservations(ns, quota);
  const cluster = registeredCluster(states, ns.clusterId);
  const allocation = cluster.namespaces.get(ns.name);
  if (allocation === undefined || allocation.workspaceId !== ns.workspaceId) {
    throw new DomainError('conflict', `name: cluster "${ns.clusterId}" holds no allocation for namespace "${ns.name}" of workspace "${ns.workspaceId}"`, {
      field: 'name',
      details: { clusterId: ns.clusterId, name: ns.name, workspaceId: ns.workspaceId },
    });
  }
  assertBindingRoom(cluster, ns.workspaceId, ns.name, quota, allocation);
  const { clusterId, name, workspaceId } = ns;
  const result: Outcome = {
    [streamIds.namespace(clusterId, name)]: [
      {
        type: 'NamespaceQuotaChanged',
        data: {
          clusterId,
          name,
          workspaceId,
          quotaCpuMillis: quota.cpuMillis,
          quotaMemoryBytes: quota.memoryBytes,
          defaults,
          generation: ns.generation + 1,
        },
      },
    ],
  };
  if (!sameResources(quota, allocation)) {
    result[streamIds.cluster(clusterId)] = [
      { type: 'ClusterNamespaceAllocationChanged', data: { clusterId, namespace: name, workspaceId, ...quota } },
    ];
  }
  return result;
}

function deleteNamespace(cmd: DeleteNamespace, state: NamespaceState): Outcome {
  const { clusterId, name, workspaceId } = liveNamespace(state, cmd.clusterId, cmd.name);
  return {
    [streamIds.namespace(clusterId, name)]: [{ type: 'NamespaceDeleted', data: { clusterId, name, workspaceId } }],
    [streamIds.cluster(clusterId)]: [{ type: 'ClusterNamespaceReleased', data: { clusterId, namespace: name, workspaceId } }],
  };
}

/**
 * The live namespace an outcome applies to, or null when the report is stale (for an older
 * generation, or for a namespace deleted since): stale reports record nothing.
 */
function outcomeTarget(cmd: RecordNamespaceProvisioned | RecordNamespaceProvisioningFailed, state: NamespaceState): LiveNamespace | null {
  const generation = validateGeneration(cmd.generation);
  if (state.status === 'absent') {
    throw new DomainError('not_found', `name: namespace "${cmd.name}" does not exist on cluster "${cmd.clusterId}"`, {
      field: 'name',
      details: { clusterId: cmd.clusterId, name: cmd.name },
    });
  }
  if (generation > state.generation) {
    throw invalid('generation', `namespace "${cmd.name}" is at generation ${state.generation}, not ${generation}`, {
      generation,
      current: state.generation,
    });
  }
  if (!isLive(state) || generation < state.generation) return null;
  return state;
}

function recordProvisioned(cmd: RecordNamespaceProvisioned, state: NamespaceState): Outcome {
  const ns = outcomeTarget(cmd, state);
  if (ns === null || ns.status === 'ready') return {};
  return {
    [streamIds.namespace(ns.clusterId, ns.name)]: [
      { type: 'NamespaceProvisioned', data: { clusterId: ns.clusterId, name: ns.name, generation: ns.generation } },
    ],
  };
}

function recordFailed(cmd: RecordNamespaceProvisioningFailed, state: NamespaceState): Outcome {
  const reason = validateReason(cmd.reason);
  const ns = outcomeTarget(cmd, state);
  if (ns === null || (ns.status === 'failed' && ns.lastReason === reason)) return {};
  return {
    [streamIds.namespace(ns.clusterId, ns.name)]: [
      { type: 'NamespaceProvisioningFailed', data: { clusterId: ns.clusterId, name: ns.name, generation: ns.generation, reason } },
    ],
  };
}

function decide(cmd: NamespaceCommand, states: StreamStates): Outcome {
  const state = stateOf<NamespaceState>(states, streamIds.namespace(cmd.clusterId, cmd.name), initialState);
  switch (cmd.type) {
    case 'CreateNamespace':
      return create(cmd, state, states);
    case 'ChangeNamespaceQuota':
      return changeQuota(cmd, state, states);
    case 'DeleteNamespace':
      return deleteNamespace(cmd, state);
    case 'RecordNamespaceProvisioned':
      return recordProvisioned(cmd, state);
    case 'RecordNamespaceProvisioningFailed':
      return recordFailed(cmd, state);
    default:
      return assertNever(cmd);
  }
}

function streams(cmd: NamespaceCommand): string[] {
  const namespace = streamIds.namespace(cmd.clusterId, cmd.name);
  switch (cmd.type) {
    case 'CreateNamespace':
    case 'ChangeNamespaceQuota':
    case 'DeleteNamespace':
      return [namespace, streamIds.cluster(cmd.clusterId)];
    case 'RecordNamespaceProvisioned':
    case 'RecordNamespaceProvisioningFailed':
      return [namespace];
    default:
      return assertNever(cmd);
  }
}

export const namespaceDecider: CommandDecider<NamespaceCommand, NamespaceEvent | ClusterEvent> = { streams, decide };
