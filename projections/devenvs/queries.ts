/** Queries of the dev environments read model. Every function takes the database explicitly. */
import type { Kysely } from 'kysely';
import { normalizeRow } from '../rows';
import { devEnvsTable, type DevEnvStatus } from './tables';

export interface DevEnvDto {
  id: string;
  clusterId: string;
  namespace: string;
  workspaceId: string;
  name: string;
  ownerId: string;
  image: string;
  cpuMillis: number;
  memoryBytes: number;
  desired: 'running' | 'stopped';
  status: DevEnvStatus;
  statusReason: string | null;
  generation: number;
  createdAt: string;
  updatedAt: string;
}

export function toDevEnvDto(raw: Record<string, unknown>): DevEnvDto {
  const r = normalizeRow(devEnvsTable, raw);
  return {
    id: r.id,
    clusterId: r.cluster_id,
    namespace: r.namespace,
    workspaceId: r.workspace_id,
    name: r.name,
    ownerId: r.owner_id,
    image: r.image,
    cpuMillis: Number(r.cpu_millis),
    memoryBytes: Number(r.memory_bytes),
    desired: r.desired,
    status: r.status,
    statusReason: r.status_reason,
    generation: r.generation,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

export interface DevEnvFilter {
  ownerId?: string;
  clusterId?: string;
  namespace?: string;
  /** Deleted environments are left out unless asked for. */
  includeDeleted?: boolean;
}

export async function listDevEnvs(db: Kysely<any>, filter: DevEnvFilter = {}): Promise<DevEnvDto[]> {
  let q = db.selectFrom('devenvs').selectAll().orderBy('cluster_id').orderBy('namespace').orderBy('name');
  if (filter.ownerId !== undefined) q = q.where('owner_id', '=', filter.ownerId);
  if (filter.clusterId !== undefined) q = q.where('cluster_id', '=', filter.clusterId);
  if (filter.namespace !== undefined) q = q.where('namespace', '=', filter.namespace);
  if (!filter.includeDeleted) q = q.where('status', '!=', 'deleted');
  return (await q.execute()).map(toDevEnvDto);
}

export async function getDevEnv(db: Kysely<any>, clusterId: string, namespace: string, name: string): Promise<DevEnvDto | null> {
  const row = await db
    .selectFrom('devenvs')
    .selectAll()
    .where('cluster_id', '=', clusterId)
    .where('namespace', '=', namespace)
    .where('name', '=', name)
    .executeTakeFirst();
  return row ? toDevEnvDto(row) : null;
}
