import type { Grant, Permission, Scope } from '../permissions';
import { evolveGrants } from '../grant/state';
import type { UserEvent } from './events';

export interface ApiKeySummary {
  name: string;
  permissions: readonly Permission[];
  scopes: readonly Scope[] | null;
  expiresAt: string;
  revoked: boolean;
}

export interface ExistingUser {
  status: 'active' | 'disabled';
  userId: string;
  displayName: string;
  email: string | null;
  source: 'local' | 'oidc' | 'ldap';
  externalSubject: string | null;
  groups: readonly string[];
  apiKeys: Readonly<Record<string, ApiKeySummary>>;
  grants: readonly Grant[];
}

export type UserState = { status: 'absent'; grants: readonly Grant[] } | ExistingUser;

export const initialState: UserState = { status: 'absent', grants: [] };

export const userExists = (state: UserState): state is ExistingUser => state.status !== 'absent';

export function evolve(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'RoleGranted':
    case 'RoleRevoked':
      return { ...state, grants: evolveGrants(state.grants, event) };
    case 'UserCreated':
      return { status: 'active', ...event.data, groups: [], apiKeys: {}, grants: state.grants };
    default:
      break;
  }
  if (!userExists(state)) return state;
  switch (event.type) {
    case 'UserProfileSynced':
      return { ...state, displayName: event.data.displayName, email: event.data.email, groups: event.data.groups };
    case 'UserDisabled':
      return { ...state, status: 'disabled' };
    case 'UserEnabled':
      return { ...state, status: 'active' };
    case 'UserPasswordReset':
    case 'UserPasswordChanged':
      return state;
    case 'ApiKeyCreated': {
      const { keyId, name, permissions, scopes, expiresAt } = event.data;
      return { ...state, apiKeys: { ...state.apiKeys, [keyId]: { name, permissions, scopes, expiresAt, revoked: false } } };
    }
    case 'ApiKeyRevoked': {
      const key = state.apiKeys[event.data.keyId];
      if (!key) return state;
      return { ...state, apiKeys: { ...state.apiKeys, [event.data.keyId]: { ...key, revoked: true } } };
    }
  }
}
