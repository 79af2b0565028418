import type { Kysely } from 'kysely';
import type { TemplateRow, TemplateVersionRow } from './tables';

export interface TemplateFilter {
  scope?: 'platform' | 'workspace';
  workspaceId?: string;
  includeDeleted?: boolean;
}

export async function listTemplates(db: Kysely<any>, filter: TemplateFilter = {}): Promise<TemplateRow[]> {
  let query = db.selectFrom('templates').selectAll().orderBy('template_id');
  if (!filter.includeDeleted) query = query.where('deleted', '=', false);
  if (filter.scope) query = query.where('scope_kind', '=', filter.scope);
  if (filter.workspaceId) query = query.where('workspace_id', '=', filter.workspaceId);
  return (await query.execute()) as TemplateRow[];
}

export async function getTemplate(db: Kysely<any>, templateId: string): Promise<TemplateRow | undefined> {
  return (await db.selectFrom('templates').selectAll().where('template_id', '=', templateId).executeTakeFirst()) as TemplateRow | undefined;
}

export async function getTemplateVersion(db: Kysely<any>, templateId: string, version: number): Promise<TemplateVersionRow | undefined> {
  return (await db
    .selectFrom('template_versions')
    .selectAll()
    .where('template_id', '=', templateId)
    .where('version', '=', version)
    .executeTakeFirst()) as TemplateVersionRow | undefined;
}

/** Every version's metadata (no documents), newest first. */
export async function listTemplateVersions(db: Kysely<any>, templateId: string): Promise<Array<Omit<TemplateVersionRow, 'documents' | 'parameters'>>> {
  return (await db
    .selectFrom('template_versions')
    .select(['template_id', 'version', 'note', 'saved_at', 'saved_by', 'position'])
    .where('template_id', '=', templateId)
    .orderBy('version', 'desc')
    .execute()) as Array<Omit<TemplateVersionRow, 'documents' | 'parameters'>>;
}

/** Whether a platform template is offered to a workspace. */
export function sharedWithWorkspace(row: Pick<TemplateRow, 'scope_kind' | 'shared_with'>, workspaceId: string): boolean {
  if (row.scope_kind !== 'platform') return false;
  return row.shared_with === 'all' || (Array.isArray(row.shared_with) && row.shared_with.includes(workspaceId));
}
