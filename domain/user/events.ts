/**
 * Events of a user's stream: who the user is, whether they may log in, their API keys, and the
 * roles granted to them. Passwords are not here: their hashes live in `local_accounts`, which can be
 * overwritten and destroyed, as an event cannot. An API key's SHA-256 is here: it is a digest of 256
 * random bits, so it cannot be turned back into the key, and it lets replay rebuild the key table.
 */
import { z } from 'zod';
import { nonEmptyStringSchema } from '../schemas';
import { grantEventDataSchemas, scopeSchema, userIdSchema, groupNameSchema, type GrantEvent } from '../grant/events';
import { permissionSchema } from '../role/events';

export const userSourceSchema = z.enum(['local', 'oidc', 'ldap']);

export const UserCreatedData = z.object({
  userId: userIdSchema,
  displayName: nonEmptyStringSchema.max(200),
  email: z.string().max(254).nullable(),
  source: userSourceSchema,
  /** The identity provider's stable id (OIDC `sub`, LDAP DN); null for local users. */
  externalSubject: z.string().max(1000).nullable(),
});
export const UserProfileSyncedData = z.object({
  userId: userIdSchema,
  displayName: nonEmptyStringSchema.max(200),
  email: z.string().max(254).nullable(),
  groups: z.array(groupNameSchema).max(1000),
});
export const UserDisabledData = z.object({ userId: userIdSchema });
export const UserEnabledData = z.object({ userId: userIdSchema });
export const UserPasswordResetData = z.object({ userId: userIdSchema });
export const UserPasswordChangedData = z.object({ userId: userIdSchema });
export const ApiKeyCreatedData = z.object({
  userId: userIdSchema,
  keyId: z.uuid(),
  name: nonEmptyStringSchema.max(100),
  /** First characters of the key, shown in lists so a user can tell keys apart; not enough to use it. */
  prefix: z.string().max(16),
  secretSha256: z.string().regex(/^[0-9a-f]{64}$/),
  permissions: z.array(permissionSchema).min(1),
  /** Scopes the key is limited to; null: every scope the user holds. */
  scopes: z.array(scopeSchema).min(1).nullable(),
  expiresAt: z.iso.datetime(),
});
export const ApiKeyRevokedData = z.object({ userId: userIdSchema, keyId: z.uuid() });

export const userEventDataSchemas = {
  UserCreated: UserCreatedData,
  UserProfileSynced: UserProfileSyncedData,
  UserDisabled: UserDisabledData,
  UserEnabled: UserEnabledData,
  UserPasswordReset: UserPasswordResetData,
  UserPasswordChanged: UserPasswordChangedData,
  ApiKeyCreated: ApiKeyCreatedData,
  ApiKeyRevoked: ApiKeyRevokedData,
  ...grantEventDataSchemas,
} as const;

type Of<T extends keyof typeof userEventDataSchemas> = { type: T; data: z.infer<(typeof userEventDataSchemas)[T]> };

export type UserEvent =
  | Of<'UserCreated'>
  | Of<'UserProfileSynced'>
  | Of<'UserDisabled'>
  | Of<'UserEnabled'>
  | Of<'UserPasswordReset'>
  | Of<'UserPasswordChanged'>
  | Of<'ApiKeyCreated'>
  | Of<'ApiKeyRevoked'>
  | GrantEvent;
