/** Queries of the clusters read model. Every function takes the database explicitly. */
import type { Kysely } from 'kysely';
import { normalizeRow } from '../rows';
import { clustersTable, type Amounts, type ClusterRow, type ClusterStatus } from './tables';

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

export function toClusterDto(raw: Record<string, unknown>): ClusterDto {
  const r: ClusterRow = normalizeRow(clustersTable, raw);
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
    allocated: { cpuMillis: r.allocated_cpu_millis, memoryBytes: r.allocated_memory_bytes },
    bindings: Object.entries(r.bindings ?? {})
      .map(([workspaceId, a]) => ({ workspaceId, cpuMillis: a.cpuMillis, memoryBytes: a.memoryBytes }))
      .sort((a, b) => a.workspaceId.localeCompare(b.workspaceId)),
    workspaceCount: r.workspace_count,
    namespaceCount: r.namespace_count,
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

export async function listClusters(db: Kysely<any>, options: ListClustersOptions = {}): Promise<ClusterDto[]> {
  let q = db.selectFrom('clusters').selectAll().orderBy('cluster_id');
  if (!options.includeRemoved) q = q.where('status', '=', 'active');
  return (await q.execute()).map(toClusterDto);
}

export async function getCluster(db: Kysely<any>, clusterId: string): Promise<ClusterDto | null> {
  const row = await db.selectFrom('clusters').selectAll().where('cluster_id', '=', clusterId).executeTakeFirst();
  return row ? toClusterDto(row) : null;
}
