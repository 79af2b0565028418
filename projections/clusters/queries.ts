/** Queries of the clusters read model. Every function takes the database explicitly. */
import { sql, type Kysely } from 'kysely';
import { normalizeRow } from '../rows';
import { clusterAllocationsTable, clustersTable, type Amounts, type ClusterRow, type ClusterStatus } from './tables';

export interface ClusterDto {
  clusterId: string;
  displayName: string;
  server: string;
  contextName: string;
  credentialFingerprint: string;
  kubernetesVersion: string;
  nodeCount: number;
  allocatable: Amounts;
  ratios: { cpu: number; memory: number };
  /** allocatable × ratio. */
  bindable: Amounts;
  /** Sum of workspace bindings. */
  bound: Amounts;
  /** bindable − bound (never below 0). */
  unbound: Amounts;
  /** Sum of namespace quotas. */
  allocated: Amounts;
  bindings: Array<{ workspaceId: string } & Amounts>;
  workspaceCount: number;
  namespaceCount: number;
  status: ClusterStatus;
  registeredAt: string;
  updatedAt: string;
  removedAt: string | null;
  /** Position of the last event folded into this cluster. */
  position: number;
}

/** A cluster row joined with the sums of its allocations (see `clusterRows`). */
export function toClusterDto(raw: Record<string, unknown>): ClusterDto {
  const r: ClusterRow = normalizeRow(clustersTable, raw);
  const allocatedCpu = Number(raw.allocated_cpu_millis ?? 0);
  const allocatedMemory = Number(raw.allocated_memory_bytes ?? 0);
  return {
    clusterId: r.cluster_id,
    displayName: r.display_name,
    server: r.server,
    contextName: r.context_name,
    credentialFingerprint: r.credential_fingerprint,
    kubernetesVersion: r.kubernetes_version,
    nodeCount: r.node_count,
    allocatable: { cpuMillis: r.allocatable_cpu_millis, memoryBytes: r.allocatable_memory_bytes },
    ratios: { cpu: r.cpu_ratio, memory: r.memory_ratio },
    bindable: { cpuMillis: r.bindable_cpu_millis, memoryBytes: r.bindable_memory_bytes },
    bound: { cpuMillis: r.bound_cpu_millis, memoryBytes: r.bound_memory_bytes },
    unbound: {
      cpuMillis: Math.max(0, r.bindable_cpu_millis - r.bound_cpu_millis),
      memoryBytes: Math.max(0, r.bindable_memory_bytes - r.bound_memory_bytes),
    },
    allocated: { cpuMillis: allocatedCpu, memoryBytes: allocatedMemory },
    bindings: Object.entries(r.bindings ?? {})
      .map(([workspaceId, a]) => ({ workspaceId, cpuMillis: a.cpuMillis, memoryBytes: a.memoryBytes }))
      .sort((a, b) => a.workspaceId.localeCompare(b.workspaceId)),
    workspaceCount: r.workspace_count,
    namespaceCount: Number(raw.namespace_count ?? 0),
    status: r.status,
    registeredAt: r.registered_at,
    updatedAt: r.updated_at,
    removedAt: r.removed_at,
    position: r.position,
  };
}

export interface ListClustersOptions {
  /** Removed clusters are left out unless asked for. */
  includeRemoved?: boolean;
}

/** Cluster rows with their allocation sums. */
function clusterRows(db: Kysely<any>) {
  const sums = db
    .selectFrom('cluster_allocations')
    .select([
      'cluster_id',
      sql<string>`sum(cpu_millis)`.as('allocated_cpu_millis'),
      sql<string>`sum(memory_bytes)`.as('allocated_memory_bytes'),
      sql<string>`count(*)`.as('namespace_count'),
    ])
    .groupBy('cluster_id')
    .as('a');
  return db
    .selectFrom('clusters as c')
    .leftJoin(sums, 'a.cluster_id', 'c.cluster_id')
    .selectAll('c')
    .select(['a.allocated_cpu_millis', 'a.allocated_memory_bytes', 'a.namespace_count']);
}

export async function listClusters(db: Kysely<any>, options: ListClustersOptions = {}): Promise<ClusterDto[]> {
  let q = clusterRows(db).orderBy('c.cluster_id');
  if (!options.includeRemoved) q = q.where('c.status', '=', 'registered');
  return (await q.execute()).map(toClusterDto);
}

export async function getCluster(db: Kysely<any>, clusterId: string): Promise<ClusterDto | null> {
  const row = await clusterRows(db).where('c.cluster_id', '=', clusterId).executeTakeFirst();
  return row ? toClusterDto(row) : null;
}

export interface ClusterAllocationDto {
  clusterId: string;
  namespace: string;
  workspaceId: string;
  quota: Amounts;
  updatedAt: string;
}

export function toClusterAllocationDto(raw: Record<string, unknown>): ClusterAllocationDto {
  const r = normalizeRow(clusterAllocationsTable, raw);
  return { clusterId: r.cluster_id, namespace: r.namespace, workspaceId: r.workspace_id, quota: { cpuMillis: r.cpu_millis, memoryBytes: r.memory_bytes }, updatedAt: r.updated_at };
}

/** The namespace quotas held on a cluster, optionally of one workspace. */
export async function listClusterAllocations(db: Kysely<any>, clusterId: string, workspaceId?: string): Promise<ClusterAllocationDto[]> {
  let q = db.selectFrom('cluster_allocations').selectAll().where('cluster_id', '=', clusterId).orderBy('namespace');
  if (workspaceId) q = q.where('workspace_id', '=', workspaceId);
  return (await q.execute()).map(toClusterAllocationDto);
}
