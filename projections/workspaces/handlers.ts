/**
 * Pure handlers of the workspaces read model: a workspace row, one row per (workspace, cluster)
 * binding, and one row per namespace quota held in a binding. Namespace allocations come from the
 * cluster stream (ClusterNamespace*), which records them inside the cluster's consistency boundary;
 * queries sum them, so an allocation event touches its own row only.
 */
import type { StoredEvent } from '../../eventstore/types';
import { fold, type RowUpdate } from '../rows';
import {
  workspaceBindingAllocationsTable,
  workspaceBindingsTable,
  workspacesTable,
  type Amounts,
  type WorkspaceBindingAllocationRow,
  type WorkspaceBindingRow,
  type WorkspaceRow,
} from './tables';

export const workspaceEventTypes = [
  'WorkspaceCreated',
  'WorkspaceCeilingChanged',
  'WorkspaceDeleted',
  'WorkspaceResourcesBound',
  'WorkspaceBindingChanged',
  'WorkspaceBindingRemoved',
  'ClusterNamespaceAllocated',
  'ClusterNamespaceAllocationChanged',
  'ClusterNamespaceReleased',
] as const;

const sum = (items: Amounts[], key: keyof Amounts) => items.reduce((s, a) => s + a[key], 0);

function deriveWorkspace(row: WorkspaceRow): WorkspaceRow {
  const bindings = Object.values(row.bindings);
  return {
    ...row,
    bound_cpu_millis: sum(bindings, 'cpuMillis'),
    bound_memory_bytes: sum(bindings, 'memoryBytes'),
    cluster_count: bindings.length,
  };
}

export function evolveWorkspace(current: WorkspaceRow | undefined, event: StoredEvent): WorkspaceRow | undefined {
  const d = event.data as any;
  const at = event.metadata.occurredAt;
  if (event.type === 'WorkspaceCreated') {
    return deriveWorkspace({
      workspace_id: d.workspaceId,
      display_name: d.displayName,
      description: d.description ?? '',
      ceiling_cpu_millis: d.ceilingCpuMillis,
      ceiling_memory_bytes: d.ceilingMemoryBytes,
      bound_cpu_millis: 0,
      bound_memory_bytes: 0,
      cluster_count: 0,
      bindings: {},
      status: 'active',
      created_at: at,
      updated_at: at,
      deleted_at: null,
      position: event.position,
    });
  }
  if (!current) return current;
  const row: WorkspaceRow = { ...current, updated_at: at };
  switch (event.type) {
    case 'WorkspaceCeilingChanged':
      return { ...row, ceiling_cpu_millis: d.ceilingCpuMillis, ceiling_memory_bytes: d.ceilingMemoryBytes };
    case 'WorkspaceDeleted':
      return { ...row, status: 'deleted', deleted_at: at };
    case 'WorkspaceResourcesBound':
    case 'WorkspaceBindingChanged':
      return deriveWorkspace({ ...row, bindings: { ...row.bindings, [d.clusterId]: { cpuMillis: d.cpuMillis, memoryBytes: d.memoryBytes } } });
    case 'WorkspaceBindingRemoved': {
      const { [d.clusterId]: _gone, ...bindings } = row.bindings;
      return deriveWorkspace({ ...row, bindings });
    }
    default:
      return current;
  }
}

export function evolveBinding(current: WorkspaceBindingRow | undefined, event: StoredEvent): WorkspaceBindingRow | null | undefined {
  const d = event.data as any;
  const at = event.metadata.occurredAt;
  switch (event.type) {
    case 'WorkspaceResourcesBound':
    case 'WorkspaceBindingChanged':
      return {
        workspace_id: d.workspaceId,
        cluster_id: d.clusterId,
        cpu_millis: d.cpuMillis,
        memory_bytes: d.memoryBytes,
        bound: true,
        bound_at: current?.bound ? current.bound_at : at,
        updated_at: at,
        position: event.position,
      };
    case 'WorkspaceBindingRemoved':
      return current ? null : current;
    default:
      return current;
  }
}

/** The next state of one namespace's quota in its workspace's binding; null when released. */
export function evolveBindingAllocation(
  current: WorkspaceBindingAllocationRow | undefined,
  event: StoredEvent,
): WorkspaceBindingAllocationRow | null | undefined {
  const d = event.data as any;
  switch (event.type) {
    case 'ClusterNamespaceAllocated':
    case 'ClusterNamespaceAllocationChanged':
      return {
        cluster_id: d.clusterId,
        namespace: d.namespace,
        workspace_id: d.workspaceId,
        cpu_millis: d.cpuMillis,
        memory_bytes: d.memoryBytes,
        updated_at: event.metadata.occurredAt,
        position: event.position,
      };
    case 'ClusterNamespaceReleased':
      return current ? null : current;
    default:
      return current;
  }
}

export function workspaceUpdates(event: StoredEvent): RowUpdate[] {
  const d = event.data as { workspaceId?: string; clusterId?: string; namespace?: string };
  if (!d.workspaceId) return [];
  if (event.type.startsWith('ClusterNamespace')) {
    // Allocations have rows of their own; bindings and workspaces sum them at query time.
    if (!d.clusterId || !d.namespace) return [];
    return [fold(workspaceBindingAllocationsTable, { cluster_id: d.clusterId, namespace: d.namespace }, (current) => evolveBindingAllocation(current, event))];
  }
  const updates: RowUpdate[] = [fold(workspacesTable, { workspace_id: d.workspaceId }, (current) => evolveWorkspace(current, event))];
  if (d.clusterId && event.type !== 'WorkspaceCreated') {
    updates.push(
      fold(workspaceBindingsTable, { workspace_id: d.workspaceId, cluster_id: d.clusterId }, (current) => evolveBinding(current, event)),
    );
  }
  return updates;
}
