/**
 * "Who could do P on namespace N between T1 and T2?" answered from the period tables: the grants
 * of a role carrying P (built-in roles as domain/permissions.ts defines them, custom roles while
 * they carried P and were grantable at the grant's scope kind), whose scope covered N (the
 * platform always; a workspace while N belonged to it; N itself while it belonged to the grant's
 * workspace), held by a user directly or through a group while the user was a member.
 */
import { sql, type Kysely } from 'kysely';
import { builtInRoles, type Permission } from '../../domain/permissions';
import { normalizeRow, defineTable } from '../rows';
import { intersectAll, intervalOf, overlapsWindow, type Interval } from './intervals';
import {
  columnsOf,
  grantPeriods,
  groupMembershipPeriods,
  namespaceWorkspacePeriods,
  roleGrantablePeriods,
  rolePermissionPeriods,
  type GrantPeriodRow,
  type GroupMembershipPeriodRow,
  type NamespaceWorkspacePeriodRow,
  type PeriodTable,
  type RoleGrantablePeriodRow,
  type RolePermissionPeriodRow,
} from './tables';

export interface WhoHeldQuery {
  permission: Permission;
  clusterId: string;
  namespace: string;
  /** The window, both ends inclusive (ISO-8601). */
  from: string;
  to: string;
}

export interface GrantDto {
  subject: { kind: 'user' | 'group'; id: string };
  roleId: string;
  scope: { kind: 'platform' | 'workspace' | 'namespace'; workspaceId: string | null; clusterId: string | null; namespace: string | null };
  grantedAt: string;
  grantedBy: string;
  grantedAtPosition: number;
  revokedAt: string | null;
  revokedBy: string | null;
}

export interface HeldPeriod {
  /** When the user came to hold the permission through this grant (ISO-8601), and its position. */
  from: string;
  fromPosition: number;
  /** When it ended; null: still held. */
  to: string | null;
  toPosition: number | null;
  via: { kind: 'user' } | { kind: 'group'; group: string };
  grant: GrantDto;
}

export interface PermissionHolder {
  userId: string;
  displayName: string | null;
  periods: HeldPeriod[];
}

const rowTables = new Map<string, ReturnType<typeof defineTable<any>>>();
function rowsOf<Row>(table: PeriodTable, raw: readonly Record<string, unknown>[]): Row[] {
  let t = rowTables.get(table.name);
  if (!t) rowTables.set(table.name, (t = defineTable<any>(table.name, [], columnsOf(table) as any)));
  return raw.map((r) => normalizeRow(t!, r) as Row);
}

/** Rows of `table` matching `where` whose period meets the window. */
async function periods<Row>(db: Kysely<any>, table: PeriodTable, where: ReturnType<typeof sql>, q: WhoHeldQuery): Promise<Row[]> {
  const { rows } = await sql<Record<string, unknown>>`
    SELECT * FROM ${sql.table(table.name)}
    WHERE ${where} AND from_time <= ${q.to}::timestamptz AND (to_time IS NULL OR to_time > ${q.from}::timestamptz)`.execute(db);
  return rowsOf<Row>(table, rows);
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

const builtInWith = (permission: Permission) =>
  new Map(
    Object.entries(builtInRoles)
      .filter(([, role]) => (role.permissions as readonly string[]).includes(permission))
      .map(([id, role]) => [id, role.grantableAt as readonly string[]]),
  );

function grantDto(g: GrantPeriodRow): GrantDto {
  return {
    subject: { kind: g.subject_kind, id: g.subject_id },
    roleId: g.role_id,
    scope: { kind: g.scope_kind, workspaceId: g.workspace_id, clusterId: g.cluster_id, namespace: g.namespace },
    grantedAt: g.from_time,
    grantedBy: g.from_actor,
    grantedAtPosition: g.from_position,
    revokedAt: g.to_time,
    revokedBy: g.to_actor,
  };
}

export async function whoHeldPermission(db: Kysely<any>, q: WhoHeldQuery): Promise<PermissionHolder[]> {
  if (Date.parse(q.from) > Date.parse(q.to)) return [];
  const builtIn = builtInWith(q.permission);
  const [customPermissions, namespacePeriods] = await Promise.all([
    periods<RolePermissionPeriodRow>(db, rolePermissionPeriods, sql`permission = ${q.permission}`, q),
    periods<NamespaceWorkspacePeriodRow>(db, namespaceWorkspacePeriods, sql`cluster_id = ${q.clusterId} AND namespace = ${q.namespace}`, q),
  ]);
  const custom = groupBy(
    customPermissions.filter((p) => !builtIn.has(p.role_id)),
    (p) => p.role_id,
  );
  const roleIds = [...builtIn.keys(), ...custom.keys()];
  const workspaceIds = [...new Set(namespacePeriods.map((p) => p.workspace_id))];

  const inRoles = sql`role_id IN (${sql.join(roleIds)})`;
  const [grants, grantable] = await Promise.all([
    periods<GrantPeriodRow>(
      db,
      grantPeriods,
      sql`${inRoles} AND (scope_kind = 'platform'
        ${workspaceIds.length ? sql`OR (scope_kind = 'workspace' AND workspace_id IN (${sql.join(workspaceIds)}))` : sql``}
        OR (scope_kind = 'namespace' AND cluster_id = ${q.clusterId} AND namespace = ${q.namespace}))`,
      q,
    ),
    custom.size ? periods<RoleGrantablePeriodRow>(db, roleGrantablePeriods, sql`role_id IN (${sql.join([...custom.keys()])})`, q) : Promise.resolve([]),
  ]);
  const groups = [...new Set(grants.filter((g) => g.subject_kind === 'group').map((g) => g.subject_id))];
  const memberships = groups.length
    ? groupBy(await periods<GroupMembershipPeriodRow>(db, groupMembershipPeriods, sql`group_name IN (${sql.join(groups)})`, q), (m) => m.group_name)
    : new Map<string, GroupMembershipPeriodRow[]>();
  const grantableByRole = groupBy(grantable, (g) => `${g.role_id}\u0000${g.scope_kind}`);
  const namespaceByWorkspace = groupBy(namespacePeriods, (p) => p.workspace_id);

  const holders = new Map<string, HeldPeriod[]>();
  const add = (userId: string, intervals: readonly Interval[], via: HeldPeriod['via'], grant: GrantPeriodRow) => {
    for (const i of intervals) {
      if (!overlapsWindow(i, q.from, q.to)) continue;
      let list = holders.get(userId);
      if (!list) holders.set(userId, (list = []));
      list.push({ from: i.from.time, fromPosition: i.from.position, to: i.to?.time ?? null, toPosition: i.to?.position ?? null, via, grant: grantDto(grant) });
    }
  };

  for (const g of grants) {
    let held: Interval[] = [intervalOf(g)];
    const grantableAt = builtIn.get(g.role_id);
    if (grantableAt) {
      if (!grantableAt.includes(g.scope_kind)) continue;
    } else {
      held = intersectAll(held, (custom.get(g.role_id) ?? []).map(intervalOf));
      held = intersectAll(held, (grantableByRole.get(`${g.role_id}\u0000${g.scope_kind}`) ?? []).map(intervalOf));
    }
    if (g.scope_kind !== 'platform') held = intersectAll(held, (namespaceByWorkspace.get(g.workspace_id ?? '') ?? []).map(intervalOf));
    if (held.length === 0) continue;
    if (g.subject_kind === 'user') {
      add(g.subject_id, held, { kind: 'user' }, g);
    } else {
      for (const m of memberships.get(g.subject_id) ?? []) add(m.user_id, intersectAll(held, [intervalOf(m)]), { kind: 'group', group: g.subject_id }, g);
    }
  }

  const userIds = [...holders.keys()].sort();
  const names = new Map<string, string>();
  if (userIds.length) {
    const rows = await db.selectFrom('users').select(['user_id', 'display_name']).where('user_id', 'in', userIds).execute();
    for (const r of rows) names.set(r.user_id as string, r.display_name as string);
  }
  return userIds.map((userId) => ({
    userId,
    displayName: names.get(userId) ?? null,
    periods: holders.get(userId)!.sort((a, b) => a.fromPosition - b.fromPosition || (a.toPosition ?? Infinity) - (b.toPosition ?? Infinity)),
  }));
}
