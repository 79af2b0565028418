/**
 * Service-account tokens: JWTs shaped like kube-apiserver's bound tokens (iss/sub/aud/exp and the
 * `kubernetes.io` claim), signed with a per-process HMAC key (real ones are RS256). The TokenRequest
 * handler (serviceaccounts/token) can mint them with `signServiceAccountToken`; every authenticator
 * from `createAuthenticator` accepts them.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { UserInfo } from '../hooks';
import { serviceAccountGroups, serviceAccountUsername } from './rbac';

const KEY = randomBytes(32);
export const SA_TOKEN_ISSUER = 'https://kubernetes.default.svc.cluster.local';

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export interface ServiceAccountTokenOptions {
  namespace: string;
  name: string;
  uid?: string;
  audiences?: string[];
  /** default 3600 */
  expirationSeconds?: number;
  /** bound object (pod/secret), echoed in the claims */
  boundObjectRef?: { kind: string; name: string; uid?: string };
  now?: Date;
}

export function signServiceAccountToken(o: ServiceAccountTokenOptions): { token: string; expirationTimestamp: string } {
  const now = Math.floor((o.now ?? new Date()).getTime() / 1000);
  const exp = now + (o.expirationSeconds ?? 3600);
  const k8s: any = { namespace: o.namespace, serviceaccount: { name: o.name, uid: o.uid ?? '' } };
  if (o.boundObjectRef) k8s[o.boundObjectRef.kind.toLowerCase()] = { name: o.boundObjectRef.name, uid: o.boundObjectRef.uid ?? '' };
  const payload = {
    aud: o.audiences ?? [SA_TOKEN_ISSUER],
    exp,
    iat: now,
    iss: SA_TOKEN_ISSUER,
    'kubernetes.io': k8s,
    nbf: now,
    sub: serviceAccountUsername(o.namespace, o.name),
  };
  const head = b64url(JSON.stringify({ alg: 'HS256', kid: 'kube-sim' }));
  const body = b64url(JSON.stringify(payload));
  const sig = createHmac('sha256', KEY).update(`${head}.${body}`).digest('base64url');
  return { token: `${head}.${body}.${sig}`, expirationTimestamp: new Date(exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

/** The service-account user of a valid, unexpired token minted here; null otherwise. */
export function verifyServiceAccountToken(token: string, nowMs = Date.now()): UserInfo | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const expected = createHmac('sha256', KEY).update(`${parts[0]}.${parts[1]}`).digest();
  let given: Buffer;
  try {
    given = Buffer.from(parts[2], 'base64url');
  } catch {
    return null;
  }
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let p: any;
  try {
    p = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof p?.exp !== 'number' || p.exp * 1000 <= nowMs) return null;
  const ns = p?.['kubernetes.io']?.namespace;
  const name = p?.['kubernetes.io']?.serviceaccount?.name;
  if (!ns || !name) return null;
  return { name: serviceAccountUsername(ns, name), groups: [...serviceAccountGroups(ns), 'system:authenticated'] };
}
