/**
 * Commands on a workspace. The binding commands span two streams, [workspace, cluster]: the
 * workspace stream guards the ceiling and the cluster stream guards the cluster's capacity and the
 * namespaces held inside the binding; both are appended atomically with their expected revisions.
 */
import { DomainError } from '../errors';
import { validateDescription, validateDisplayName, validateDnsLabel } from '../names';
import { type Resources, requireQuantity, resourceKinds, sameResources, sumResources, zeroResources } from '../quantity';
import { streamIds } from '../streams';
import { assertNever, type CommandDecider, type Decision, stateOf, type StreamStates } from '../decider';
import { assertClusterRoom, namespacesOfWorkspace } from '../cluster/capacity';
import { registeredCluster } from '../cluster/decide';
import type { ClusterEvent } from '../cluster/events';
import type { RegisteredCluster } from '../cluster/state';
import type { WorkspaceEvent } from './events';
import { type ActiveWorkspace, initialState, type WorkspaceState } from './state';

export interface CreateWorkspace {
  type: 'CreateWorkspace';
  workspaceId: string;
  displayName: string;
  description: string;
  ceilingCpuMillis: number;
  ceilingMemoryBytes: number;
}

export interface ChangeWorkspaceCeiling {
  type: 'ChangeWorkspaceCeiling';
  workspaceId: string;
  ceilingCpuMillis: number;
  ceilingMemoryBytes: number;
}

export interface DeleteWorkspace {
  type: 'DeleteWorkspace';
  workspaceId: string;
}

export interface BindClusterResources {
  type: 'BindClusterResources';
  workspaceId: string;
  clusterId: string;
  cpuMillis: number;
  memoryBytes: number;
}

export interface ChangeClusterBinding {
  type: 'ChangeClusterBinding';
  workspaceId: string;
  clusterId: string;
  cpuMillis: number;
  memoryBytes: number;
}

export interface RemoveClusterBinding {
  type: 'RemoveClusterBinding';
  workspaceId: string;
  clusterId: string;
}

export type WorkspaceCommand =
  | CreateWorkspace
  | ChangeWorkspaceCeiling
  | DeleteWorkspace
  | BindClusterResources
  | ChangeClusterBinding
  | RemoveClusterBinding;

type BindingCommand = BindClusterResources | ChangeClusterBinding | RemoveClusterBinding;

function activeWorkspace(states: StreamStates, workspaceId: string): ActiveWorkspace {
  const state = stateOf<WorkspaceState>(states, streamIds.workspace(workspaceId), initialState);
  if (state.status !== 'active') {
    throw new DomainError('not_found', `workspaceId: workspace "${workspaceId}" does not exist`, {
      field: 'workspaceId',
      details: { workspaceId },
    });
  }
  return state;
}

function ceilingOf(cmd: { ceilingCpuMillis: number; ceilingMemoryBytes: number }): Resources {
  return {
    cpuMillis: requireQuantity(cmd.ceilingCpuMillis, 'ceilingCpuMillis'),
    memoryBytes: requireQuantity(cmd.ceilingMemoryBytes, 'ceilingMemoryBytes'),
  };
}

function requestedOf(cmd: { cpuMillis: number; memoryBytes: number }): Resources {
  return {
    cpuMillis: requireQuantity(cmd.cpuMillis, 'cpuMillis'),
    memoryBytes: requireQuantity(cmd.memoryBytes, 'memoryBytes'),
  };
}

function bindingList(bindings: ReadonlyMap<string, Resources>, key: keyof Resources, bare: (n: number) => string): string {
  return [...bindings]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, r]) => `${id} ${bare(r[key])}`)
    .join(', ');
}

function create(cmd: CreateWorkspace, state: WorkspaceState): WorkspaceEvent[] {
  const workspaceId = validateDnsLabel(cmd.workspaceId, 'workspaceId');
  if (state.status === 'active') {
    throw new DomainError('already_exists', `workspaceId: workspace "${workspaceId}" already exists`, {
      field: 'workspaceId',
      details: { workspaceId },
    });
  }
  const ceiling = ceilingOf(cmd);
  return [
    {
      type: 'WorkspaceCreated',
      data: {
        workspaceId,
        displayName: validateDisplayName(cmd.displayName, 'displayName'),
        description: validateDescription(cmd.description, 'description'),
        ceilingCpuMillis: ceiling.cpuMillis,
        ceilingMemoryBytes: ceiling.memoryBytes,
      },
    },
  ];
}

function changeCeiling(cmd: ChangeWorkspaceCeiling, workspace: ActiveWorkspace): WorkspaceEvent[] {
  const ceiling = ceilingOf(cmd);
  if (sameResources(ceiling, workspace.ceiling)) return [];
  const bound = sumResources(workspace.bindings.values());
  for (const kind of resourceKinds) {
    if (ceiling[kind.key] >= bound[kind.key]) continue;
    const field = kind.key === 'cpuMillis' ? 'ceilingCpuMillis' : 'ceilingMemoryBytes';
    throw new DomainError(
      'conflict',
      `${field}: ${kind.label} ceiling ${kind.describe(ceiling[kind.key])} of workspace "${workspace.workspaceId}" is below ` +
        `the ${kind.describe(bound[kind.key])} bound to clusters (${bindingList(workspace.bindings, kind.key, kind.bare)})`,
      {
        field,
        details: { resource: kind.label, workspaceId: workspace.workspaceId, ceiling: ceiling[kind.key], bound: bound[kind.key] },
      },
    );
  }
  return [
    {
      type: 'WorkspaceCeilingChanged',
      data: { workspaceId: workspace.workspaceId, ceilingCpuMillis: ceiling.cpuMillis, ceilingMemoryBytes: ceiling.memoryBytes },
    },
  ];
}

function deleteWorkspace(workspace: ActiveWorkspace): WorkspaceEvent[] {
  const clusters = [...workspace.bindings.keys()].sort();
  if (clusters.length > 0) {
    throw new DomainError(
      'conflict',
      `workspaceId: workspace "${workspace.workspaceId}" still has bindings on clusters ${clusters.join(', ')} (unbind first)`,
      { field: 'workspaceId', details: { workspaceId: workspace.workspaceId, clusters } },
    );
  }
  return [{ type: 'WorkspaceDeleted', data: { workspaceId: workspace.workspaceId } }];
}

/** Refuses when `requested` would lift the workspace's bindings above its ceiling (growth only). */
function assertCeilingRoom(workspace: ActiveWorkspace, clusterId: string, requested: Resources, current: Resources): void {
  const others = sumResources([...workspace.bindings].filter(([id]) => id !== clusterId).map(([, r]) => r));
  const change = workspace.bindings.has(clusterId);
  for (const kind of resourceKinds) {
    const want = requested[kind.key];
    if (want <= current[kind.key]) continue;
    const left = workspace.ceiling[kind.key] - others[kind.key];
    if (want <= left) continue;
    throw new DomainError(
      'insufficient_capacity',
      `${kind.label}: requested ${kind.describe(want)} but workspace "${workspace.workspaceId}" has ` +
        `${kind.describe(Math.max(0, left))} left under its ceiling (ceiling ${kind.bare(workspace.ceiling[kind.key])}, ` +
        `bound${change ? ' on other clusters' : ''} ${kind.bare(others[kind.key])})`,
      {
        field: kind.key,
        details: {
          resource: kind.label,
          workspaceId: workspace.workspaceId,
          requested: want,
          available: Math.max(0, left),
          ceiling: workspace.ceiling[kind.key],
          bound: others[kind.key],
        },
      },
    );
  }
}

/** Refuses shrinking a binding below what the workspace's namespaces on the cluster hold. */
function assertCoversNamespaces(cluster: RegisteredCluster, workspaceId: string, requested: Resources): void {
  const namespaces = namespacesOfWorkspace(cluster, workspaceId);
  const held = sumResources(namespaces);
  for (const kind of resourceKinds) {
    if (requested[kind.key] >= held[kind.key]) continue;
    throw new DomainError(
      'conflict',
      `${kind.label}: cannot shrink the binding of workspace "${workspaceId}" on cluster "${cluster.clusterId}" to ` +
        `${kind.describe(requested[kind.key])}: its namespaces hold ${kind.describe(held[kind.key])} ` +
        `(${namespaces.map((n) => `${n.name} ${kind.bare(n[kind.key])}`).join(', ')})`,
      {
        field: kind.key,
        details: {
          resource: kind.label,
          clusterId: cluster.clusterId,
          workspaceId,
          requested: requested[kind.key],
          held: held[kind.key],
          namespaces: namespaces.map((n) => n.name),
        },
      },
    );
  }
}

function noBinding(workspaceId: string, clusterId: string): DomainError {
  return new DomainError('not_found', `clusterId: workspace "${workspaceId}" has no binding on cluster "${clusterId}"`, {
    field: 'clusterId',
    details: { workspaceId, clusterId },
  });
}

function decideBinding(cmd: BindingCommand, states: StreamStates): Decision<WorkspaceEvent | ClusterEvent> {
  const workspace = activeWorkspace(states, cmd.workspaceId);
  const cluster = registeredCluster(states, cmd.clusterId);
  const { workspaceId, clusterId } = cmd;
  const wsStream = streamIds.workspace(workspaceId);
  const clusterStream = streamIds.cluster(clusterId);
  const current = cluster.bindings.get(workspaceId);

  switch (cmd.type) {
    case 'BindClusterResources': {
      const requested = requestedOf(cmd);
      if (current !== undefined || workspace.bindings.has(clusterId)) {
        throw new DomainError(
          'already_exists',
          `clusterId: workspace "${workspaceId}" is already bound to cluster "${clusterId}" (change the binding instead)`,
          { field: 'clusterId', details: { workspaceId, clusterId } },
        );
      }
      assertClusterRoom(cluster, workspaceId, requested);
      assertCeilingRoom(workspace, clusterId, requested, zeroResources);
      const data = { workspaceId, clusterId, ...requested };
      return {
        [wsStream]: [{ type: 'WorkspaceResourcesBound', data }],
        [clusterStream]: [{ type: 'ClusterResourcesBound', data }],
      };
    }
    case 'ChangeClusterBinding': {
      const requested = requestedOf(cmd);
      if (current === undefined) throw noBinding(workspaceId, clusterId);
      if (sameResources(requested, current)) return {};
      assertCoversNamespaces(cluster, workspaceId, requested);
      assertClusterRoom(cluster, workspaceId, requested, current);
      assertCeilingRoom(workspace, clusterId, requested, workspace.bindings.get(clusterId) ?? zeroResources);
      const data = { workspaceId, clusterId, ...requested };
      return {
        [wsStream]: [{ type: 'WorkspaceBindingChanged', data }],
        [clusterStream]: [{ type: 'ClusterBindingChanged', data }],
      };
    }
    case 'RemoveClusterBinding': {
      if (current === undefined) throw noBinding(workspaceId, clusterId);
      const namespaces = namespacesOfWorkspace(cluster, workspaceId).map((n) => n.name);
      if (namespaces.length > 0) {
        throw new DomainError(
          'conflict',
          `clusterId: workspace "${workspaceId}" still has namespaces on cluster "${clusterId}": ${namespaces.join(', ')} (delete them first)`,
          { field: 'clusterId', details: { workspaceId, clusterId, namespaces } },
        );
      }
      const data = { workspaceId, clusterId };
      return {
        [wsStream]: [{ type: 'WorkspaceBindingRemoved', data }],
        [clusterStream]: [{ type: 'ClusterBindingRemoved', data }],
      };
    }
    default:
      return assertNever(cmd);
  }
}

function decide(cmd: WorkspaceCommand, states: StreamStates): Decision<WorkspaceEvent | ClusterEvent> {
  const streamId = streamIds.workspace(cmd.workspaceId);
  switch (cmd.type) {
    case 'CreateWorkspace':
      return { [streamId]: create(cmd, stateOf<WorkspaceState>(states, streamId, initialState)) };
    case 'ChangeWorkspaceCeiling':
      return { [streamId]: changeCeiling(cmd, activeWorkspace(states, cmd.workspaceId)) };
    case 'DeleteWorkspace':
      return { [streamId]: deleteWorkspace(activeWorkspace(states, cmd.workspaceId)) };
    case 'BindClusterResources':
    case 'ChangeClusterBinding':
    case 'RemoveClusterBinding':
      return decideBinding(cmd, states);
    default:
      return assertNever(cmd);
  }
}

function streams(cmd: WorkspaceCommand): string[] {
  switch (cmd.type) {
    case 'CreateWorkspace':
    case 'ChangeWorkspaceCeiling':
    case 'DeleteWorkspace':
      return [streamIds.workspace(cmd.workspaceId)];
    case 'BindClusterResources':
    case 'ChangeClusterBinding':
    case 'RemoveClusterBinding':
      return [streamIds.workspace(cmd.workspaceId), streamIds.cluster(cmd.clusterId)];
    default:
      return assertNever(cmd);
  }
}

export const workspaceDecider: CommandDecider<WorkspaceCommand, WorkspaceEvent | ClusterEvent> = { streams, decide };
