import { defineTable } from '../rows';

export interface Amounts {
  cpuMillis: number;
  memoryBytes: number;
}


export type ClusterStatus = 'registered' | 'removed';

export interface ClusterRow {
  cluster_id: string;
  display_name: string;
  server: string;
  context_name: string;
  credential_ref: string;
  credential_fingerprint: string;
  kubernetes_version: string;
  node_count: number;
  allocatable_cpu_millis: number;
  allocatable_memory_bytes: number;
  cpu_ratio: number;
  memory_ratio: number;
  /** allocatable × ratio, rounded down (domain/cluster/capacity). */
  bindable_cpu_millis: number;
  bindable_memory_bytes: number;
  /** Sum of the workspace bindings on this cluster. */
  bound_cpu_millis: number;
  bound_memory_bytes: number;
  workspace_count: number;
  /** workspaceId → bound amounts. */
  bindings: Record<string, Amounts>;
  status: ClusterStatus;
  registered_at: string;
  updated_at: string;
  removed_at: string | null;
  position: number;
}

export const clustersTable = defineTable<ClusterRow>('clusters', ['cluster_id'], {
  cluster_id: 'text',
  display_name: 'text',
  server: 'text',
  context_name: 'text',
  credential_ref: 'text',
  credential_fingerprint: 'text',
  kubernetes_version: 'text',
  node_count: 'int4',
  allocatable_cpu_millis: 'int8',
  allocatable_memory_bytes: 'int8',
  cpu_ratio: 'float8',
  memory_ratio: 'float8',
  bindable_cpu_millis: 'int8',
  bindable_memory_bytes: 'int8',
  bound_cpu_millis: 'int8',
  bound_memory_bytes: 'int8',
  workspace_count: 'int4',
  bindings: 'jsonb',
  status: 'text',
  registered_at: 'timestamptz',
  updated_at: 'timestamptz',
  removed_at: 'timestamptz',
  position: 'int8',
});

/** A namespace quota held on a cluster; queries sum these per cluster. */
export interface ClusterAllocationRow {
  cluster_id: string;
  namespace: string;
  workspace_id: string;
  cpu_millis: number;
  memory_bytes: number;
  updated_at: string;
  position: number;
}

export const clusterAllocationsTable = defineTable<ClusterAllocationRow>('cluster_allocations', ['cluster_id', 'namespace'], {
  cluster_id: 'text',
  namespace: 'text',
  workspace_id: 'text',
  cpu_millis: 'int8',
  memory_bytes: 'int8',
  updated_at: 'timestamptz',
  position: 'int8',
});
