import { createHash, randomBytes } from 'node:crypto';

/** Bosun API keys look like `bsk_<43 base64url characters>`: 256 random bits behind a recognisable prefix. */
export const API_KEY_PREFIX = 'bsk_';

export function generateApiKey(): { key: string; prefix: string; secretSha256: string } {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, prefix: key.slice(0, API_KEY_PREFIX.length + 6), secretSha256: apiKeyDigest(key) };
}

export const apiKeyDigest = (key: string) => createHash('sha256').update(key).digest('hex');

export const looksLikeApiKey = (token: string) => token.startsWith(API_KEY_PREFIX) && token.length === API_KEY_PREFIX.length + 43;
