/**
 * Tables of periods. A period opens at one event and closes at another (or is still open); both
 * ends carry the event's global position (exact order) and its occurredAt (what people ask about).
 *
 * Every table has the same shape: a *family* (who or what the periods belong to), a *member* (what
 * is held), a few attributes fixed when the period opens, and the two ends. The key is family +
 * member + from_position, so a member can come and go any number of times.
 */
import type { ColumnKind } from '../rows';

export interface PeriodTable {
  readonly name: string;
  readonly family: readonly string[];
  readonly member: readonly string[];
  /** Fixed when the period opens. */
  readonly attributes: Readonly<Record<string, ColumnKind>>;
}

/** The ends of every period. */
export const periodColumns = {
  from_position: 'int8',
  from_time: 'timestamptz',
  from_actor: 'text',
  to_position: 'int8',
  to_time: 'timestamptz',
  to_actor: 'text',
} as const satisfies Record<string, ColumnKind>;

export interface PeriodEnds {
  from_position: number;
  from_time: string;
  from_actor: string;
  to_position: number | null;
  to_time: string | null;
  to_actor: string | null;
}

export function columnsOf(table: PeriodTable): Record<string, ColumnKind> {
  const columns: Record<string, ColumnKind> = {};
  for (const c of [...table.family, ...table.member]) columns[c] = 'text';
  return { ...columns, ...table.attributes, ...periodColumns };
}

/** A role granted to a user or group at a scope. `scope_key`: '' (platform), workspace id, or `cluster/namespace`. */
export interface GrantPeriodRow extends PeriodEnds {
  subject_kind: 'user' | 'group';
  subject_id: string;
  role_id: string;
  scope_key: string;
  scope_kind: 'platform' | 'workspace' | 'namespace';
  workspace_id: string | null;
  cluster_id: string | null;
  namespace: string | null;
}

export const grantPeriods: PeriodTable = {
  name: 'grant_periods',
  family: ['subject_kind', 'subject_id'],
  member: ['role_id', 'scope_key'],
  attributes: { scope_kind: 'text', workspace_id: 'text', cluster_id: 'text', namespace: 'text' },
};

/** A permission a custom role carried. Built-in roles are fixed in domain/permissions.ts. */
export interface RolePermissionPeriodRow extends PeriodEnds {
  role_id: string;
  permission: string;
}

export const rolePermissionPeriods: PeriodTable = { name: 'role_permission_periods', family: ['role_id'], member: ['permission'], attributes: {} };

/** A scope kind a custom role could be granted at (a grant at another kind confers nothing). */
export interface RoleGrantablePeriodRow extends PeriodEnds {
  role_id: string;
  scope_kind: string;
}

export const roleGrantablePeriods: PeriodTable = { name: 'role_grantable_periods', family: ['role_id'], member: ['scope_kind'], attributes: {} };

/** A user's membership of an identity-provider group, from UserProfileSynced. */
export interface GroupMembershipPeriodRow extends PeriodEnds {
  user_id: string;
  group_name: string;
}

export const groupMembershipPeriods: PeriodTable = { name: 'group_membership_periods', family: ['user_id'], member: ['group_name'], attributes: {} };

/** The workspace a namespace belonged to, from its creation to its deletion. */
export interface NamespaceWorkspacePeriodRow extends PeriodEnds {
  cluster_id: string;
  namespace: string;
  workspace_id: string;
}

export const namespaceWorkspacePeriods: PeriodTable = {
  name: 'namespace_workspace_periods',
  family: ['cluster_id', 'namespace'],
  member: ['workspace_id'],
  attributes: {},
};

export const accessHistoryTables = [grantPeriods, rolePermissionPeriods, roleGrantablePeriods, groupMembershipPeriods, namespaceWorkspacePeriods] as const;
