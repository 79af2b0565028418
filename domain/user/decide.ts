/**
 * Commands on one user's stream: their life (create, sync from an identity provider, disable,
 * enable), password events (the hash itself is kept outside events) and API keys.
 */
import { DomainError, invalid } from '../errors';
import { streamIds } from '../streams';
import { stateOf, type CommandDecider, type StreamStates } from '../decider';
import type { Permission, Scope } from '../permissions';
import type { UserEvent } from './events';
import { initialState, userExists, type ExistingUser, type UserState } from './state';

export interface CreateUser {
  type: 'CreateUser';
  userId: string;
  displayName: string;
  email: string | null;
  source: 'local' | 'oidc' | 'ldap';
  externalSubject: string | null;
}
export interface SyncUserProfile {
  type: 'SyncUserProfile';
  userId: string;
  displayName: string;
  email: string | null;
  groups: string[];
}
/** `by` is the acting user: nobody disables themselves (a platform would lose its last admin that way). */
export interface DisableUser {
  type: 'DisableUser';
  userId: string;
  by: string;
}
export interface EnableUser {
  type: 'EnableUser';
  userId: string;
}
export interface RecordPasswordReset {
  type: 'RecordPasswordReset';
  userId: string;
}
export interface RecordPasswordChanged {
  type: 'RecordPasswordChanged';
  userId: string;
}
export interface CreateApiKey {
  type: 'CreateApiKey';
  userId: string;
  keyId: string;
  name: string;
  prefix: string;
  secretSha256: string;
  permissions: Permission[];
  scopes: Scope[] | null;
  expiresAt: string;
  /** The command's time, to refuse an expiry in the past. */
  now: string;
}
export interface RevokeApiKey {
  type: 'RevokeApiKey';
  userId: string;
  keyId: string;
}

export type UserCommand =
  | CreateUser
  | SyncUserProfile
  | DisableUser
  | EnableUser
  | RecordPasswordReset
  | RecordPasswordChanged
  | CreateApiKey
  | RevokeApiKey;

export const MAX_API_KEY_DAYS = 366;

export function existingUser(states: StreamStates, userId: string, field = 'userId'): ExistingUser {
  const state = stateOf<UserState>(states, streamIds.user(userId), initialState);
  if (!userExists(state)) throw new DomainError('not_found', `${field}: user "${userId}" does not exist`, { field, details: { userId } });
  return state;
}

export const userDecider: CommandDecider<UserCommand, UserEvent> = {
  streams: (cmd) => [streamIds.user(cmd.userId)],
  decide(cmd, states) {
    const stream = streamIds.user(cmd.userId);
    const emit = (...events: UserEvent[]) => ({ [stream]: events });
    switch (cmd.type) {
      case 'CreateUser': {
        const state = stateOf<UserState>(states, stream, initialState);
        if (userExists(state)) {
          throw new DomainError('already_exists', `userId: user "${cmd.userId}" already exists`, { field: 'userId', details: { userId: cmd.userId } });
        }
        const { type: _type, ...data } = cmd;
        return emit({ type: 'UserCreated', data });
      }
      case 'SyncUserProfile': {
        const user = existingUser(states, cmd.userId);
        const groups = [...new Set(cmd.groups)].sort();
        const unchanged =
          user.displayName === cmd.displayName && user.email === cmd.email && groups.join('\n') === [...user.groups].join('\n');
        return unchanged ? {} : emit({ type: 'UserProfileSynced', data: { userId: cmd.userId, displayName: cmd.displayName, email: cmd.email, groups } });
      }
      case 'DisableUser': {
        const user = existingUser(states, cmd.userId);
        if (cmd.by === cmd.userId) throw new DomainError('forbidden', 'userId: you cannot disable your own account', { field: 'userId' });
        return user.status === 'disabled' ? {} : emit({ type: 'UserDisabled', data: { userId: cmd.userId } });
      }
      case 'EnableUser': {
        const user = existingUser(states, cmd.userId);
        return user.status === 'active' ? {} : emit({ type: 'UserEnabled', data: { userId: cmd.userId } });
      }
      case 'RecordPasswordReset':
      case 'RecordPasswordChanged': {
        const user = existingUser(states, cmd.userId);
        if (user.source !== 'local') {
          throw new DomainError('precondition_failed', `userId: user "${cmd.userId}" signs in through ${user.source.toUpperCase()}; change the password there`, { field: 'userId' });
        }
        return emit({ type: cmd.type === 'RecordPasswordReset' ? 'UserPasswordReset' : 'UserPasswordChanged', data: { userId: cmd.userId } });
      }
      case 'CreateApiKey': {
        const user = existingUser(states, cmd.userId);
        if (user.status === 'disabled') throw new DomainError('forbidden', `userId: user "${cmd.userId}" is disabled`, { field: 'userId' });
        if (Object.hasOwn(user.apiKeys, cmd.keyId)) throw new DomainError('already_exists', `keyId: key ${cmd.keyId} already exists`, { field: 'keyId' });
        if (Object.values(user.apiKeys).some((k) => !k.revoked && k.name === cmd.name)) {
          throw new DomainError('already_exists', `name: you already have a key named "${cmd.name}"`, { field: 'name' });
        }
        const expires = Date.parse(cmd.expiresAt);
        const now = Date.parse(cmd.now);
        if (!(expires > now)) throw invalid('expiresAt', 'must be in the future');
        if (expires - now > MAX_API_KEY_DAYS * 86_400_000) throw invalid('expiresAt', `must be at most ${MAX_API_KEY_DAYS} days ahead`);
        if (cmd.permissions.length === 0) throw invalid('permissions', 'choose at least one permission');
        const { type: _type, now: _now, ...data } = cmd;
        return emit({ type: 'ApiKeyCreated', data: { ...data, permissions: [...new Set(data.permissions)].sort() } });
      }
      case 'RevokeApiKey': {
        const user = existingUser(states, cmd.userId);
        const key = user.apiKeys[cmd.keyId];
        if (!key) throw new DomainError('not_found', `keyId: user "${cmd.userId}" has no key ${cmd.keyId}`, { field: 'keyId' });
        return key.revoked ? {} : emit({ type: 'ApiKeyRevoked', data: { userId: cmd.userId, keyId: cmd.keyId } });
      }
    }
  },
};
