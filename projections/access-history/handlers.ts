/**
 * Pure handlers: which periods one event opens or closes. No database, no clock.
 *
 * - RoleGranted / RoleRevoked (on `user-…` and `group-…` streams): a grant period of the subject.
 * - RoleDefined / RoleUpdated / RoleDeleted: the permissions and grantable scope kinds of a custom role.
 * - UserProfileSynced: the user's groups, as the identity provider last reported them.
 * - NamespaceCreated / NamespaceDeleted: the workspace a namespace belongs to.
 */
import type { StoredEvent } from '../../eventstore/types';
import {
  grantPeriods,
  groupMembershipPeriods,
  namespaceWorkspacePeriods,
  roleGrantablePeriods,
  rolePermissionPeriods,
  type PeriodTable,
} from './tables';

export const accessHistoryEventTypes = [
  'RoleGranted',
  'RoleRevoked',
  'RoleDefined',
  'RoleUpdated',
  'RoleDeleted',
  'UserProfileSynced',
  'NamespaceCreated',
  'NamespaceDeleted',
] as const;

export interface Member {
  /** Values of the table's member columns. */
  key: Readonly<Record<string, string>>;
  /** Values of the table's attribute columns, fixed when the period opens. */
  attributes?: Readonly<Record<string, unknown>>;
}

/**
 * `open`: these members are held from now on (no change for one already held);
 * `close`: these are no longer held; `set`: exactly these are held now.
 */
export interface PeriodChange {
  kind: 'open' | 'close' | 'set';
  table: PeriodTable;
  family: Readonly<Record<string, string>>;
  members: readonly Member[];
}

interface Scope {
  kind: 'platform' | 'workspace' | 'namespace';
  workspaceId?: string;
  clusterId?: string;
  namespace?: string;
}

export function scopeKey(scope: Scope): string {
  if (scope.kind === 'platform') return '';
  if (scope.kind === 'workspace') return scope.workspaceId ?? '';
  return `${scope.clusterId}/${scope.namespace}`;
}

function grantMember(roleId: string, scope: Scope): Member {
  return {
    key: { role_id: roleId, scope_key: scopeKey(scope) },
    attributes: {
      scope_kind: scope.kind,
      workspace_id: scope.workspaceId ?? null,
      cluster_id: scope.kind === 'namespace' ? (scope.clusterId ?? null) : null,
      namespace: scope.kind === 'namespace' ? (scope.namespace ?? null) : null,
    },
  };
}

const each = (column: string, values: readonly string[]): Member[] => [...new Set(values)].map((v) => ({ key: { [column]: v } }));

export function accessHistoryChanges(event: StoredEvent): PeriodChange[] {
  const d = event.data as any;
  switch (event.type) {
    case 'RoleGranted':
    case 'RoleRevoked':
      return [
        {
          kind: event.type === 'RoleGranted' ? 'open' : 'close',
          table: grantPeriods,
          family: { subject_kind: d.subject.kind, subject_id: d.subject.id },
          members: [grantMember(d.roleId, d.scope)],
        },
      ];
    case 'RoleDefined':
    case 'RoleUpdated':
      return [
        { kind: 'set', table: rolePermissionPeriods, family: { role_id: d.roleId }, members: each('permission', d.permissions) },
        { kind: 'set', table: roleGrantablePeriods, family: { role_id: d.roleId }, members: each('scope_kind', d.grantableAt) },
      ];
    case 'RoleDeleted':
      return [
        { kind: 'set', table: rolePermissionPeriods, family: { role_id: d.roleId }, members: [] },
        { kind: 'set', table: roleGrantablePeriods, family: { role_id: d.roleId }, members: [] },
      ];
    case 'UserProfileSynced':
      return [{ kind: 'set', table: groupMembershipPeriods, family: { user_id: d.userId }, members: each('group_name', d.groups) }];
    case 'NamespaceCreated':
      return [{ kind: 'set', table: namespaceWorkspacePeriods, family: { cluster_id: d.clusterId, namespace: d.name }, members: each('workspace_id', [d.workspaceId]) }];
    case 'NamespaceDeleted':
      return [{ kind: 'set', table: namespaceWorkspacePeriods, family: { cluster_id: d.clusterId, namespace: d.name }, members: [] }];
    default:
      return [];
  }
}
