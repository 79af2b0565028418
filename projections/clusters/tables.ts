import { defineTable } from '../rows';

export interface Amounts {
  cpuMillis: number;
  memoryBytes: number;
}

export interface ClusterAllocation extends Amounts {
  workspaceId: string;
}

export type ClusterStatus = 'active' | 'removed';

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
  /** Sum of the namespace quotas allocated on this cluster. */
  allocated_cpu_millis: number;
  allocated_memory_bytes: number;
  workspace_count: number;
  namespace_count: number;
  /** workspaceId → bound amounts. */
  bindings: Record<string, Amounts>;
  /** namespace → allocation. */
  allocations: Record<string, ClusterAllocation>;
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
  allocated_cpu_millis: 'int8',
  allocated_memory_bytes: 'int8',
  workspace_count: 'int4',
  namespace_count: 'int4',
  bindings: 'jsonb',
  allocations: 'jsonb',
  status: 'text',
  registered_at: 'timestamptz',
  updated_at: 'timestamptz',
  removed_at: 'timestamptz',
  position: 'int8',
});
