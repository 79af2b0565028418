import type { Kysely } from 'kysely';
import { builtInRoles, type Access, type RoleDefinition } from '../../domain/permissions';
import { scopeOfRow, type ApiKeyRow, type GrantRow, type RoleDefinitionRow, type UserRow } from './tables';

export async function getUser(db: Kysely<any>, userId: string): Promise<UserRow | undefined> {
  return (await db.selectFrom('users').selectAll().where('user_id', '=', userId).executeTakeFirst()) as UserRow | undefined;
}

export async function listUsers(db: Kysely<any>, options: { search?: string; userIds?: readonly string[] } = {}): Promise<UserRow[]> {
  let query = db.selectFrom('users').selectAll().orderBy('user_id');
  if (options.search) {
    const pattern = `%${options.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb('user_id', 'ilike', pattern), eb('display_name', 'ilike', pattern), eb('email', 'ilike', pattern)]));
  }
  if (options.userIds) {
    if (options.userIds.length === 0) return [];
    query = query.where('user_id', 'in', options.userIds);
  }
  return (await query.execute()) as UserRow[];
}

export async function listCustomRoles(db: Kysely<any>, includeDeleted = false): Promise<RoleDefinitionRow[]> {
  let query = db.selectFrom('role_definitions').selectAll().orderBy('role_id');
  if (!includeDeleted) query = query.where('deleted', '=', false);
  return (await query.execute()) as RoleDefinitionRow[];
}

/** Built-in roles plus the custom roles in force. */
export async function rolesInForce(db: Kysely<any>): Promise<Record<string, RoleDefinition>> {
  const roles: Record<string, RoleDefinition> = { ...builtInRoles };
  for (const row of await listCustomRoles(db)) {
    roles[row.role_id] = { displayName: { en: row.display_name, 'zh-CN': row.display_name }, grantableAt: row.grantable_at, permissions: row.permissions };
  }
  return roles;
}

export interface GrantFilter {
  subject?: { kind: 'user' | 'group'; id: string };
  workspaceId?: string;
  clusterId?: string;
  namespace?: string;
  scopeKind?: 'platform' | 'workspace' | 'namespace';
}

export async function listGrants(db: Kysely<any>, filter: GrantFilter = {}): Promise<GrantRow[]> {
  let query = db.selectFrom('grants').selectAll().orderBy(['scope_kind', 'scope_key', 'subject_kind', 'subject_id', 'role_id']);
  if (filter.subject) query = query.where('subject_kind', '=', filter.subject.kind).where('subject_id', '=', filter.subject.id);
  if (filter.workspaceId) query = query.where('workspace_id', '=', filter.workspaceId);
  if (filter.clusterId) query = query.where('cluster_id', '=', filter.clusterId);
  if (filter.namespace) query = query.where('namespace', '=', filter.namespace);
  if (filter.scopeKind) query = query.where('scope_kind', '=', filter.scopeKind);
  return (await query.execute()) as GrantRow[];
}

/** The grants a user holds directly and through their groups, and the roles in force. No key limit. */
export async function accessOf(db: Kysely<any>, userId: string, groups: readonly string[]): Promise<Access> {
  const [rows, roles] = await Promise.all([
    db
      .selectFrom('grants')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb.and([eb('subject_kind', '=', 'user'), eb('subject_id', '=', userId)]),
          ...(groups.length > 0 ? [eb.and([eb('subject_kind', '=', 'group'), eb('subject_id', 'in', groups)])] : []),
        ]),
      )
      .execute() as Promise<GrantRow[]>,
    rolesInForce(db),
  ]);
  return {
    grants: rows.map((row) => ({ role: row.role_id, scope: scopeOfRow(row), via: { kind: row.subject_kind, id: row.subject_id } })),
    roles,
    keyLimit: null,
  };
}

export async function findApiKeyBySecret(db: Kysely<any>, secretSha256: string): Promise<ApiKeyRow | undefined> {
  return (await db.selectFrom('api_keys').selectAll().where('secret_sha256', '=', secretSha256).executeTakeFirst()) as ApiKeyRow | undefined;
}

export async function listApiKeys(db: Kysely<any>, userId: string): Promise<Omit<ApiKeyRow, 'secret_sha256'>[]> {
  const rows = (await db.selectFrom('api_keys').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').execute()) as ApiKeyRow[];
  return rows.map(({ secret_sha256: _secret, ...rest }) => rest);
}
