import { defineTable } from '../rows';

export interface Amounts {
  cpuMillis: number;
  memoryBytes: number;
}

export type WorkspaceStatus = 'active' | 'deleted';

export interface WorkspaceRow {
  workspace_id: string;
  display_name: string;
  description: string;
  ceiling_cpu_millis: number;
  ceiling_memory_bytes: number;
  /** Sum of the workspace's bindings. */
  bound_cpu_millis: number;
  bound_memory_bytes: number;
  cluster_count: number;
  /** clusterId → bound amounts. */
  bindings: Record<string, Amounts>;
  status: WorkspaceStatus;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  position: number;
}

export interface WorkspaceBindingRow {
  workspace_id: string;
  cluster_id: string;
  cpu_millis: number;
  memory_bytes: number;
  /** Always true for rows written now (rows only allocations had created are gone, see the migration). */
  bound: boolean;
  bound_at: string | null;
  updated_at: string;
  position: number;
}

export const workspacesTable = defineTable<WorkspaceRow>('workspaces', ['workspace_id'], {
  workspace_id: 'text',
  display_name: 'text',
  description: 'text',
  ceiling_cpu_millis: 'int8',
  ceiling_memory_bytes: 'int8',
  bound_cpu_millis: 'int8',
  bound_memory_bytes: 'int8',
  cluster_count: 'int4',
  bindings: 'jsonb',
  status: 'text',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
  deleted_at: 'timestamptz',
  position: 'int8',
});

export const workspaceBindingsTable = defineTable<WorkspaceBindingRow>('workspace_bindings', ['workspace_id', 'cluster_id'], {
  workspace_id: 'text',
  cluster_id: 'text',
  cpu_millis: 'int8',
  memory_bytes: 'int8',
  bound: 'bool',
  bound_at: 'timestamptz',
  updated_at: 'timestamptz',
  position: 'int8',
});

/**
 * A namespace quota held inside a workspace's binding on a cluster (from the ClusterNamespace*
 * events); queries sum these per binding and per workspace.
 */
export interface WorkspaceBindingAllocationRow {
  cluster_id: string;
  namespace: string;
  workspace_id: string;
  cpu_millis: number;
  memory_bytes: number;
  updated_at: string;
  position: number;
}

export const workspaceBindingAllocationsTable = defineTable<WorkspaceBindingAllocationRow>('workspace_binding_allocations', ['cluster_id', 'namespace'], {
  cluster_id: 'text',
  namespace: 'text',
  workspace_id: 'text',
  cpu_millis: 'int8',
  memory_bytes: 'int8',
  updated_at: 'timestamptz',
  position: 'int8',
});
