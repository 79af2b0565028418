/** Pure handlers of the identity read models: users, custom roles, grants in force, API keys. */
import type { StoredEvent } from '../../eventstore/types';
import { fold, type RowUpdate } from '../rows';
import { apiKeysTable, grantsTable, roleDefinitionsTable, scopeKey, usersTable, type GrantRow, type UserRow } from './tables';

export const identityEventTypes = [
  'UserCreated',
  'UserProfileSynced',
  'UserDisabled',
  'UserEnabled',
  'ApiKeyCreated',
  'ApiKeyRevoked',
  'RoleGranted',
  'RoleRevoked',
  'RoleDefined',
  'RoleUpdated',
  'RoleDeleted',
] as const;

function user(event: StoredEvent, change: (current: UserRow) => Partial<UserRow>): RowUpdate {
  const d = event.data as { userId: string };
  return fold(usersTable, { user_id: d.userId }, (current) =>
    current ? { ...current, ...change(current), updated_at: event.metadata.occurredAt, position: event.position } : current,
  );
}

export function identityUpdates(event: StoredEvent): RowUpdate[] {
  const d = event.data as any;
  const at = event.metadata.occurredAt;
  switch (event.type) {
    case 'UserCreated':
      return [
        fold(usersTable, { user_id: d.userId }, () => ({
          user_id: d.userId,
          display_name: d.displayName,
          email: d.email,
          source: d.source,
          external_subject: d.externalSubject,
          status: 'active' as const,
          groups: [],
          created_at: at,
          updated_at: at,
          position: event.position,
        })),
      ];
    case 'UserProfileSynced':
      return [user(event, () => ({ display_name: d.displayName, email: d.email, groups: d.groups }))];
    case 'UserDisabled':
      return [user(event, () => ({ status: 'disabled' as const }))];
    case 'UserEnabled':
      return [user(event, () => ({ status: 'active' as const }))];
    case 'ApiKeyCreated':
      return [
        fold(apiKeysTable, { key_id: d.keyId }, () => ({
          key_id: d.keyId,
          user_id: d.userId,
          name: d.name,
          prefix: d.prefix,
          secret_sha256: d.secretSha256,
          permissions: d.permissions,
          scopes: d.scopes,
          expires_at: d.expiresAt,
          created_at: at,
          revoked_at: null,
          position: event.position,
        })),
      ];
    case 'ApiKeyRevoked':
      return [fold(apiKeysTable, { key_id: d.keyId }, (current) => (current ? { ...current, revoked_at: at, position: event.position } : current))];
    case 'RoleGranted':
    case 'RoleRevoked': {
      const key = { subject_kind: d.subject.kind, subject_id: d.subject.id, role_id: d.roleId, scope_key: scopeKey(d.scope) };
      if (event.type === 'RoleRevoked') return [fold(grantsTable, key, () => null)];
      const row: GrantRow = {
        ...key,
        scope_kind: d.scope.kind,
        workspace_id: d.scope.workspaceId ?? null,
        cluster_id: d.scope.clusterId ?? null,
        namespace: d.scope.namespace ?? null,
        granted_at: at,
        granted_by: event.metadata.actor?.id ?? 'system',
        position: event.position,
      };
      return [fold(grantsTable, key, () => row)];
    }
    case 'RoleDefined':
    case 'RoleUpdated':
      return [
        fold(roleDefinitionsTable, { role_id: d.roleId }, () => ({
          role_id: d.roleId,
          display_name: d.displayName,
          description: d.description,
          permissions: d.permissions,
          grantable_at: d.grantableAt,
          deleted: false,
          updated_at: at,
          position: event.position,
        })),
      ];
    case 'RoleDeleted':
      return [fold(roleDefinitionsTable, { role_id: d.roleId }, (current) => (current ? { ...current, deleted: true, updated_at: at, position: event.position } : current))];
    default:
      return [];
  }
}
