import { defineTable } from '../rows';
import type { Permission, Scope, ScopeKind } from '../../domain/permissions';

export interface UserRow {
  user_id: string;
  display_name: string;
  email: string | null;
  source: 'local' | 'oidc' | 'ldap';
  external_subject: string | null;
  status: 'active' | 'disabled';
  groups: string[];
  created_at: string;
  updated_at: string;
  position: number;
}

export const usersTable = defineTable<UserRow>('users', ['user_id'], {
  user_id: 'text',
  display_name: 'text',
  email: 'text',
  source: 'text',
  external_subject: 'text',
  status: 'text',
  groups: 'jsonb',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
  position: 'int8',
});

export interface RoleDefinitionRow {
  role_id: string;
  display_name: string;
  description: string;
  permissions: Permission[];
  grantable_at: ScopeKind[];
  deleted: boolean;
  updated_at: string;
  position: number;
}

export const roleDefinitionsTable = defineTable<RoleDefinitionRow>('role_definitions', ['role_id'], {
  role_id: 'text',
  display_name: 'text',
  description: 'text',
  permissions: 'jsonb',
  grantable_at: 'jsonb',
  deleted: 'bool',
  updated_at: 'timestamptz',
  position: 'int8',
});

/** One row per grant in force. `scope_key` is '' (platform), the workspace id, or `cluster/namespace`. */
export interface GrantRow {
  subject_kind: 'user' | 'group';
  subject_id: string;
  role_id: string;
  scope_key: string;
  scope_kind: ScopeKind;
  workspace_id: string | null;
  cluster_id: string | null;
  namespace: string | null;
  granted_at: string;
  granted_by: string;
  position: number;
}

export const grantsTable = defineTable<GrantRow>('grants', ['subject_kind', 'subject_id', 'role_id', 'scope_key'], {
  subject_kind: 'text',
  subject_id: 'text',
  role_id: 'text',
  scope_key: 'text',
  scope_kind: 'text',
  workspace_id: 'text',
  cluster_id: 'text',
  namespace: 'text',
  granted_at: 'timestamptz',
  granted_by: 'text',
  position: 'int8',
});

export interface ApiKeyRow {
  key_id: string;
  user_id: string;
  name: string;
  prefix: string;
  secret_sha256: string;
  permissions: Permission[];
  scopes: Scope[] | null;
  expires_at: string;
  created_at: string;
  revoked_at: string | null;
  position: number;
}

export const apiKeysTable = defineTable<ApiKeyRow>('api_keys', ['key_id'], {
  key_id: 'text',
  user_id: 'text',
  name: 'text',
  prefix: 'text',
  secret_sha256: 'text',
  permissions: 'jsonb',
  scopes: 'jsonb',
  expires_at: 'timestamptz',
  created_at: 'timestamptz',
  revoked_at: 'timestamptz',
  position: 'int8',
});

export function scopeKey(scope: Scope): string {
  if (scope.kind === 'platform') return '';
  if (scope.kind === 'workspace') return scope.workspaceId;
  return `${scope.clusterId}/${scope.namespace}`;
}

export function scopeOfRow(row: Pick<GrantRow, 'scope_kind' | 'workspace_id' | 'cluster_id' | 'namespace'>): Scope {
  if (row.scope_kind === 'platform') return { kind: 'platform' };
  if (row.scope_kind === 'workspace') return { kind: 'workspace', workspaceId: row.workspace_id! };
  return { kind: 'namespace', workspaceId: row.workspace_id!, clusterId: row.cluster_id!, namespace: row.namespace! };
}
