import type { Kysely } from 'kysely';
import { normalizeRow } from '../rows';
import { appRevisionsTable, appsTable, type AppRevisionRow, type AppRow } from './tables';

export interface AppFilter {
  clusterId?: string;
  namespace?: string;
  workspaceIds?: readonly string[];
  /** Only published applications (what the reconciler deploys). */
  published?: boolean;
  includeDeleted?: boolean;
}

export async function listApps(db: Kysely<any>, filter: AppFilter = {}): Promise<AppRow[]> {
  let query = db.selectFrom('apps').selectAll().orderBy('cluster_id').orderBy('namespace').orderBy('name');
  if (!filter.includeDeleted) query = query.where('deleted', '=', false);
  if (filter.clusterId) query = query.where('cluster_id', '=', filter.clusterId);
  if (filter.namespace) query = query.where('namespace', '=', filter.namespace);
  if (filter.workspaceIds) {
    if (filter.workspaceIds.length === 0) return [];
    query = query.where('workspace_id', 'in', [...filter.workspaceIds]);
  }
  if (filter.published !== undefined) query = query.where('published', '=', filter.published);
  return (await query.execute()).map((row) => normalizeRow(appsTable, row as Record<string, unknown>));
}

export async function getApp(db: Kysely<any>, appId: string): Promise<AppRow | undefined> {
  const row = await db.selectFrom('apps').selectAll().where('app_id', '=', appId).executeTakeFirst();
  return row ? normalizeRow(appsTable, row as Record<string, unknown>) : undefined;
}

export async function getAppRevision(db: Kysely<any>, appId: string, revision: number): Promise<AppRevisionRow | undefined> {
  const row = await db.selectFrom('app_revisions').selectAll().where('app_id', '=', appId).where('revision', '=', revision).executeTakeFirst();
  return row ? normalizeRow(appRevisionsTable, row as Record<string, unknown>) : undefined;
}

/** Every revision's metadata (no manifests), newest first. */
export async function listAppRevisions(db: Kysely<any>, appId: string): Promise<Array<Omit<AppRevisionRow, 'manifests'>>> {
  const rows = await db
    .selectFrom('app_revisions')
    .select(['app_id', 'revision', 'template_version', 'values', 'requests', 'limits', 'reason', 'from_revision', 'created_at', 'created_by', 'position'])
    .where('app_id', '=', appId)
    .orderBy('revision', 'desc')
    .execute();
  return rows.map((row) => {
    const { manifests: _m, ...rest } = normalizeRow(appRevisionsTable, { ...(row as Record<string, unknown>), manifests: null });
    return rest;
  });
}

/** The apps of a cluster the reconciler looks after: published, or unpublished and still being undeployed. */
export async function listAppsToReconcile(db: Kysely<any>, clusterId: string): Promise<Array<{ namespace: string; name: string }>> {
  return db
    .selectFrom('apps')
    .select(['namespace', 'name'])
    .where('cluster_id', '=', clusterId)
    .where('deleted', '=', false)
    .where((eb) => eb.or([eb('published', '=', true), eb('status', '=', 'undeploying')]))
    .execute() as Promise<Array<{ namespace: string; name: string }>>;
}

/** Clusters with any application (published or being undeployed). */
export async function listAppClusters(db: Kysely<any>): Promise<string[]> {
  const rows = await db.selectFrom('apps').select('cluster_id').distinct().where('deleted', '=', false).execute();
  return rows.map((r) => (r as { cluster_id: string }).cluster_id);
}
