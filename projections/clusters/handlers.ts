/** Pure handlers of the clusters read model: one cluster row folded from its stream. */
import type { StoredEvent } from '../../eventstore/types';
import { scaleByRatio } from '../../domain/quantity';
import { fold, type RowUpdate } from '../rows';
import { clusterAllocationsTable, clustersTable, type Amounts, type ClusterAllocationRow, type ClusterRow } from './tables';

export const clusterEventTypes = [
  'ClusterRegistered',
  'ClusterInventoryRefreshed',
  'ClusterOvercommitSet',
  'ClusterRemoved',
  'ClusterResourcesBound',
  'ClusterBindingChanged',
  'ClusterBindingRemoved',
  'ClusterNamespaceAllocated',
  'ClusterNamespaceAllocationChanged',
  'ClusterNamespaceReleased',
] as const;

interface Inventory {
  kubernetesVersion: string;
  nodeCount: number;
  allocatableCpuMillis: number;
  allocatableMemoryBytes: number;
}

/** Recomputes every derived column from the row's own facts. */
function derive(row: ClusterRow): ClusterRow {
  const bindings = Object.values(row.bindings);
  return {
    ...row,
    bindable_cpu_millis: scaleByRatio(row.allocatable_cpu_millis, row.cpu_ratio),
    bindable_memory_bytes: scaleByRatio(row.allocatable_memory_bytes, row.memory_ratio),
    bound_cpu_millis: bindings.reduce((s, b) => s + b.cpuMillis, 0),
    bound_memory_bytes: bindings.reduce((s, b) => s + b.memoryBytes, 0),
    workspace_count: bindings.length,
  };
}

function withInventory(row: ClusterRow, inventory: Inventory): ClusterRow {
  return {
    ...row,
    kubernetes_version: inventory.kubernetesVersion,
    node_count: inventory.nodeCount,
    allocatable_cpu_millis: inventory.allocatableCpuMillis,
    allocatable_memory_bytes: inventory.allocatableMemoryBytes,
  };
}

/** The next state of one cluster row; `current` itself when the event changes nothing. */
export function evolveCluster(current: ClusterRow | undefined, event: StoredEvent): ClusterRow | undefined {
  const d = event.data as any;
  const at = event.metadata.occurredAt;
  if (event.type === 'ClusterRegistered') {
    // A re-registered cluster continues its old stream and starts from a clean row.
    return derive(
      withInventory(
        {
          cluster_id: d.clusterId,
          display_name: d.displayName,
          server: d.server,
          context_name: d.contextName,
          credential_ref: d.credentialRef,
          credential_fingerprint: d.credentialFingerprint,
          kubernetes_version: '',
          node_count: 0,
          allocatable_cpu_millis: 0,
          allocatable_memory_bytes: 0,
          cpu_ratio: d.cpuRatio ?? 1,
          memory_ratio: d.memoryRatio ?? 1,
          bindable_cpu_millis: 0,
          bindable_memory_bytes: 0,
          bound_cpu_millis: 0,
          bound_memory_bytes: 0,
          workspace_count: 0,
          bindings: {},
          status: 'registered',
          registered_at: at,
          updated_at: at,
          removed_at: null,
          position: event.position,
        },
        d.inventory,
      ),
    );
  }
  if (!current) return current; // an event for a cluster this model never saw registered
  const row: ClusterRow = { ...current, updated_at: at };
  switch (event.type) {
    case 'ClusterInventoryRefreshed':
      return derive(withInventory(row, d.inventory));
    case 'ClusterOvercommitSet':
      return derive({ ...row, cpu_ratio: d.cpuRatio, memory_ratio: d.memoryRatio });
    case 'ClusterRemoved':
      return { ...row, status: 'removed', removed_at: at };
    case 'ClusterResourcesBound':
    case 'ClusterBindingChanged': {
      const amounts: Amounts = { cpuMillis: d.cpuMillis, memoryBytes: d.memoryBytes };
      return derive({ ...row, bindings: { ...row.bindings, [d.workspaceId]: amounts } });
    }
    case 'ClusterBindingRemoved': {
      const { [d.workspaceId]: _gone, ...bindings } = row.bindings;
      return derive({ ...row, bindings });
    }
    default:
      return current;
  }
}

/** The next state of one namespace's allocation on a cluster; null when released. */
export function evolveAllocation(current: ClusterAllocationRow | undefined, event: StoredEvent): ClusterAllocationRow | null | undefined {
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

export function clusterUpdates(event: StoredEvent): RowUpdate[] {
  const d = event.data as { clusterId?: string; namespace?: string };
  if (!d.clusterId) return [];
  if (event.type.startsWith('ClusterNamespace')) {
    if (!d.namespace) return [];
    return [fold(clusterAllocationsTable, { cluster_id: d.clusterId, namespace: d.namespace }, (current) => evolveAllocation(current, event))];
  }
  return [fold(clustersTable, { cluster_id: d.clusterId }, (current) => evolveCluster(current, event))];
}
