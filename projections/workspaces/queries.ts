/** Queries of the workspaces read model. Every function takes the database explicitly. */
import { sql, type Kysely } from 'kysely';
import { normalizeRow } from '../rows';
import { workspaceBindingsTable, workspacesTable, type Amounts, type WorkspaceStatus } from './tables';

export interface WorkspaceDto {
  workspaceId: string;
  displayName: string;
  description: string;
  ceiling: Amounts;
  /** Sum of bindings. */
  bound: Amounts;
  /** Sum of namespace quotas. */
  allocated: Amounts;
  clusterCount: number;
  namespaceCount: number;
  status: WorkspaceStatus;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
  position: number;
}

export interface WorkspaceBindingDto {
  workspaceId: string;
  clusterId: string;
  bound: Amounts;
  /** Sum of the quotas of the workspace's namespaces on the cluster. */
  allocated: Amounts;
  /** bound − allocated (never below 0). */
  available: Amounts;
  namespaceCount: number;
  boundAt: string | null;
  updatedAt: string;
  position: number;
}

/** A workspace row joined with the sums of its namespace allocations (see `workspaceRows`). */
export function toWorkspaceDto(raw: Record<string, unknown>): WorkspaceDto {
  const r = normalizeRow(workspacesTable, raw);
  return {
    workspaceId: r.workspace_id,
    displayName: r.display_name,
    description: r.description,
    ceiling: { cpuMillis: r.ceiling_cpu_millis, memoryBytes: r.ceiling_memory_bytes },
    bound: { cpuMillis: r.bound_cpu_millis, memoryBytes: r.bound_memory_bytes },
    allocated: { cpuMillis: Number(raw.allocated_cpu_millis ?? 0), memoryBytes: Number(raw.allocated_memory_bytes ?? 0) },
    clusterCount: r.cluster_count,
    namespaceCount: Number(raw.namespace_count ?? 0),
    status: r.status,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    deletedAt: r.deleted_at,
    position: r.position,
  };
}

/** A binding row joined with the sums of its namespace allocations (see `listWorkspaceBindings`). */
export function toWorkspaceBindingDto(raw: Record<string, unknown>): WorkspaceBindingDto {
  const r = normalizeRow(workspaceBindingsTable, raw);
  const allocatedCpu = Number(raw.allocated_cpu_millis ?? 0);
  const allocatedMemory = Number(raw.allocated_memory_bytes ?? 0);
  return {
    workspaceId: r.workspace_id,
    clusterId: r.cluster_id,
    bound: { cpuMillis: r.cpu_millis, memoryBytes: r.memory_bytes },
    allocated: { cpuMillis: allocatedCpu, memoryBytes: allocatedMemory },
    available: {
      cpuMillis: Math.max(0, r.cpu_millis - allocatedCpu),
      memoryBytes: Math.max(0, r.memory_bytes - allocatedMemory),
    },
    namespaceCount: Number(raw.namespace_count ?? 0),
    boundAt: r.bound_at,
    updatedAt: r.updated_at,
    position: r.position,
  };
}

export interface ListWorkspacesOptions {
  includeDeleted?: boolean;
  /** Restrict to these workspaces (e.g. the ones a workspace admin may see). */
  workspaceIds?: readonly string[];
}

/** Workspace rows with the sums of their namespace allocations. */
function workspaceRows(db: Kysely<any>) {
  const sums = db
    .selectFrom('workspace_binding_allocations')
    .select([
      'workspace_id',
      sql<string>`sum(cpu_millis)`.as('allocated_cpu_millis'),
      sql<string>`sum(memory_bytes)`.as('allocated_memory_bytes'),
      sql<string>`count(*)`.as('namespace_count'),
    ])
    .groupBy('workspace_id')
    .as('a');
  return db
    .selectFrom('workspaces as w')
    .leftJoin(sums, 'a.workspace_id', 'w.workspace_id')
    .selectAll('w')
    .select(['a.allocated_cpu_millis', 'a.allocated_memory_bytes', 'a.namespace_count']);
}

export async function listWorkspaces(db: Kysely<any>, options: ListWorkspacesOptions = {}): Promise<WorkspaceDto[]> {
  if (options.workspaceIds && options.workspaceIds.length === 0) return [];
  let q = workspaceRows(db).orderBy('w.workspace_id');
  if (!options.includeDeleted) q = q.where('w.status', '=', 'active');
  if (options.workspaceIds) q = q.where('w.workspace_id', 'in', [...options.workspaceIds]);
  return (await q.execute()).map(toWorkspaceDto);
}

export async function getWorkspace(db: Kysely<any>, workspaceId: string): Promise<(WorkspaceDto & { bindings: WorkspaceBindingDto[] }) | null> {
  const row = await workspaceRows(db).where('w.workspace_id', '=', workspaceId).executeTakeFirst();
  if (!row) return null;
  return { ...toWorkspaceDto(row), bindings: await listWorkspaceBindings(db, { workspaceId }) };
}

export interface ListBindingsOptions {
  workspaceId?: string;
  clusterId?: string;
}

export async function listWorkspaceBindings(db: Kysely<any>, options: ListBindingsOptions = {}): Promise<WorkspaceBindingDto[]> {
  let sums = db
    .selectFrom('workspace_binding_allocations')
    .select([
      'workspace_id',
      'cluster_id',
      sql<string>`sum(cpu_millis)`.as('allocated_cpu_millis'),
      sql<string>`sum(memory_bytes)`.as('allocated_memory_bytes'),
      sql<string>`count(*)`.as('namespace_count'),
    ])
    .groupBy(['workspace_id', 'cluster_id']);
  if (options.workspaceId) sums = sums.where('workspace_id', '=', options.workspaceId);
  if (options.clusterId) sums = sums.where('cluster_id', '=', options.clusterId);
  let q = db
    .selectFrom('workspace_bindings as b')
    .leftJoin(sums.as('a'), (join) => join.onRef('a.workspace_id', '=', 'b.workspace_id').onRef('a.cluster_id', '=', 'b.cluster_id'))
    .selectAll('b')
    .select(['a.allocated_cpu_millis', 'a.allocated_memory_bytes', 'a.namespace_count'])
    .where('b.bound', '=', true)
    .orderBy('b.workspace_id')
    .orderBy('b.cluster_id');
  if (options.workspaceId) q = q.where('b.workspace_id', '=', options.workspaceId);
  if (options.clusterId) q = q.where('b.cluster_id', '=', options.clusterId);
  return (await q.execute()).map(toWorkspaceBindingDto);
}
