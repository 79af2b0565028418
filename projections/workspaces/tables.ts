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
  /** Sum of the quotas of the workspace's namespaces on this cluster. */
  allocated_cpu_millis: number;
  allocated_memory_bytes: number;
  namespace_count: number;
  /** namespace → quota. */
  namespaces: Record<string, Amounts>;
  /** False while only allocations are known (never the case with a consistent log). */
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
  allocated_cpu_millis: 'int8',
  allocated_memory_bytes: 'int8',
  namespace_count: 'int4',
  namespaces: 'jsonb',
  bound: 'bool',
  bound_at: 'timestamptz',
  updated_at: 'timestamptz',
  position: 'int8',
});
