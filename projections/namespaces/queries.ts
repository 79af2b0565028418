/** Queries of the namespaces read model. Every function takes the database explicitly. */
import type { Kysely } from 'kysely';
import { normalizeRow } from '../rows';
import { namespacesTable, type NamespaceDefaults, type NamespaceQuota, type NamespaceStatus } from './tables';

export interface NamespaceDto {
  clusterId: string;
  name: string;
  workspaceId: string;
  quota: NamespaceQuota;
  defaults: NamespaceDefaults;
  status: NamespaceStatus;
  reason: string | null;
  generation: number;
  observedGeneration: number;
  createdAt: string;
  updatedAt: string;
  provisionedAt: string | null;
  deletedAt: string | null;
  position: number;
}

export function toNamespaceDto(raw: Record<string, unknown>): NamespaceDto {
  const r = normalizeRow(namespacesTable, raw);
  return {
    clusterId: r.cluster_id,
    name: r.name,
    workspaceId: r.workspace_id,
    quota: { cpuMillis: r.quota_cpu_millis, memoryBytes: r.quota_memory_bytes },
    defaults: r.defaults,
    status: r.status,
    reason: r.reason,
    generation: r.generation,
    observedGeneration: r.observed_generation,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    provisionedAt: r.provisioned_at,
    deletedAt: r.deleted_at,
    position: r.position,
  };
}

export interface ListNamespacesOptions {
  workspaceId?: string;
  /** Restrict to these workspaces (what a user may see); [] yields nothing. */
  workspaceIds?: readonly string[];
  clusterId?: string;
  status?: NamespaceStatus | readonly NamespaceStatus[];
  /** Deleted namespaces are left out unless asked for (or a status filter names them). */
  includeDeleted?: boolean;
}

export async function listNamespaces(db: Kysely<any>, options: ListNamespacesOptions = {}): Promise<NamespaceDto[]> {
  if (options.workspaceIds && options.workspaceIds.length === 0) return [];
  let q = db.selectFrom('namespaces').selectAll().orderBy('cluster_id').orderBy('name');
  if (options.workspaceId) q = q.where('workspace_id', '=', options.workspaceId);
  if (options.workspaceIds) q = q.where('workspace_id', 'in', [...options.workspaceIds]);
  if (options.clusterId) q = q.where('cluster_id', '=', options.clusterId);
  if (options.status !== undefined) {
    const statuses = typeof options.status === 'string' ? [options.status] : [...options.status];
    q = q.where('status', 'in', statuses);
  } else if (!options.includeDeleted) {
    q = q.where('status', '!=', 'deleted');
  }
  return (await q.execute()).map(toNamespaceDto);
}

export async function getNamespace(db: Kysely<any>, clusterId: string, name: string): Promise<NamespaceDto | null> {
  const row = await db.selectFrom('namespaces').selectAll().where('cluster_id', '=', clusterId).where('name', '=', name).executeTakeFirst();
  return row ? toNamespaceDto(row) : null;
}
