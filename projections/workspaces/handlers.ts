/**
 * Pure handlers of the workspaces read model: a workspace row and one row per (workspace, cluster)
 * binding. Namespace allocations come from the cluster stream (ClusterNamespace*), which records
 * them inside the cluster's consistency boundary.
 */
import type { StoredEvent } from '../../eventstore/types';
import { fold, type RowUpdate } from '../rows';
import { workspaceBindingsTable, workspacesTable, type Amounts, type WorkspaceBindingRow, type WorkspaceRow } from './tables';

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

function deriveBinding(row: WorkspaceBindingRow): WorkspaceBindingRow {
  const namespaces = Object.values(row.namespaces);
  return {
    ...row,
    allocated_cpu_millis: sum(namespaces, 'cpuMillis'),
    allocated_memory_bytes: sum(namespaces, 'memoryBytes'),
    namespace_count: namespaces.length,
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
  const base: WorkspaceBindingRow = current ?? {
    workspace_id: d.workspaceId,
    cluster_id: d.clusterId,
    cpu_millis: 0,
    memory_bytes: 0,
    allocated_cpu_millis: 0,
    allocated_memory_bytes: 0,
    namespace_count: 0,
    namespaces: {},
    bound: false,
    bound_at: null,
    updated_at: at,
    position: event.position,
  };
  switch (event.type) {
    case 'WorkspaceResourcesBound':
    case 'WorkspaceBindingChanged':
      return {
        ...base,
        cpu_millis: d.cpuMillis,
        memory_bytes: d.memoryBytes,
        bound: true,
        bound_at: base.bound ? base.bound_at : at,
        updated_at: at,
      };
    case 'WorkspaceBindingRemoved':
      return current ? null : current;
    case 'ClusterNamespaceAllocated':
    case 'ClusterNamespaceAllocationChanged':
      return deriveBinding({ ...base, namespaces: { ...base.namespaces, [d.namespace]: { cpuMillis: d.cpuMillis, memoryBytes: d.memoryBytes } }, updated_at: at });
    case 'ClusterNamespaceReleased': {
      if (!current) return current;
      const { [d.namespace]: _gone, ...namespaces } = current.namespaces;
      return deriveBinding({ ...current, namespaces, updated_at: at });
    }
    default:
      return current;
  }
}

export function workspaceUpdates(event: StoredEvent): RowUpdate[] {
  const d = event.data as { workspaceId?: string; clusterId?: string };
  if (!d.workspaceId) return [];
  const updates: RowUpdate[] = event.type.startsWith('ClusterNamespace')
    ? [] // allocations live on the binding rows; the workspace sums them at query time
    : [fold(workspacesTable, { workspace_id: d.workspaceId }, (current) => evolveWorkspace(current, event))];
  if (d.clusterId && event.type !== 'WorkspaceCreated') {
    updates.push(
      fold(workspaceBindingsTable, { workspace_id: d.workspaceId, cluster_id: d.clusterId }, (current) => evolveBinding(current, event)),
    );
  }
  return updates;
}
