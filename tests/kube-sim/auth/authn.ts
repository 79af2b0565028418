/** Bearer-token authentication (a static token file, as kube-apiserver's --token-auth-file). */
import type { Authenticator, UserInfo } from '../hooks';
import { verifyServiceAccountToken } from './sa-token';

export interface SimUser {
  name: string;
  token: string;
  groups: string[];
}

export const ALL_AUTHENTICATED = 'system:authenticated';
export const ALL_UNAUTHENTICATED = 'system:unauthenticated';

export const defaultUsers: SimUser[] = [
  { name: 'admin', token: 'admin-token', groups: ['system:masters'] },
  { name: 'alice', token: 'alice-token', groups: [] },
];

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Authenticates `Authorization: Bearer <token>` against the given users. Like the real token
 * authenticator plus the authenticated-group adder, the user gets `system:authenticated` appended.
 * Service-account JWTs minted by `signServiceAccountToken` are accepted too. The returned
 * authenticator is mutable through `addUser`.
 */
export function createAuthenticator(users: SimUser[]): Authenticator & { addUser(u: SimUser): void } {
  const byToken = new Map<string, SimUser>();
  for (const u of users) byToken.set(u.token, u);
  return {
    addUser(u: SimUser) {
      byToken.set(u.token, u);
    },
    authenticate(headers): UserInfo | null {
      const auth = header(headers, 'authorization');
      if (!auth) return null;
      const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
      if (!m) return null;
      const token = m[1].trim();
      if (!token) return null;
      const u = byToken.get(token);
      if (!u) return verifyServiceAccountToken(token);
      const groups = [...u.groups];
      if (!groups.includes(ALL_AUTHENTICATED)) groups.push(ALL_AUTHENTICATED);
      return { name: u.name, groups };
    },
  };
}
