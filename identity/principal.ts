/**
 * Who is calling and what they may do, resolved per request from a session or an API key, always
 * from the read models: a disabled user, a revoked or expired key, a revoked grant take effect on
 * the next request.
 */
import type { Kysely } from 'kysely';
import type { Access } from '../domain/permissions';
import { accessOf, findApiKeyBySecret, getUser } from '../projections/identity/queries';
import { apiKeyDigest, looksLikeApiKey } from './api-keys';

export interface Principal {
  kind: 'user' | 'apiKey';
  id: string;
  name: string;
  groups: readonly string[];
  /** The API key's id when the caller used one. */
  keyId: string | null;
  access: Access;
}

export async function principalForUser(db: Kysely<any>, userId: string): Promise<Principal | null> {
  const user = await getUser(db, userId);
  if (!user || user.status !== 'active') return null;
  return { kind: 'user', id: user.user_id, name: user.display_name, groups: user.groups, keyId: null, access: await accessOf(db, user.user_id, user.groups) };
}

export type ApiKeyRefusal = 'unknown' | 'revoked' | 'expired' | 'user_disabled';

/** The principal behind an API key, or why the key is refused. */
export async function principalForApiKey(db: Kysely<any>, key: string, now: Date): Promise<Principal | ApiKeyRefusal> {
  if (!looksLikeApiKey(key)) return 'unknown';
  const row = await findApiKeyBySecret(db, apiKeyDigest(key));
  if (!row) return 'unknown';
  if (row.revoked_at) return 'revoked';
  if (new Date(row.expires_at).getTime() <= now.getTime()) return 'expired';
  const user = await principalForUser(db, row.user_id);
  if (!user) return 'user_disabled';
  return {
    ...user,
    kind: 'apiKey',
    keyId: row.key_id,
    access: { ...user.access, keyLimit: { permissions: row.permissions, scopes: row.scopes } },
  };
}
