/**
 * Where and how the proxy reaches a cluster's API server: URL, TLS material and credentials from the
 * cluster's KubeConfig (client-node's own `applyToHTTPSOptions`, so every credential kind it
 * supports works), one keep-alive agent per KubeConfig, and the header rules of the proxy.
 */
import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { KUBE_ALL_USERS_GROUP, kubeGroupName, kubeUserName } from '../../kube/identities';

export interface Upstream {
  secure: boolean;
  hostname: string;
  port: number;
  /** The server URL's own path prefix, without a trailing slash ('' for most clusters). */
  basePath: string;
  /** `host` header value. */
  host: string;
  /** The cluster's credentials as headers (Authorization). */
  authHeaders: Record<string, string>;
  /** Basic credentials (`user:password`), when the cluster uses them. */
  auth?: string;
  /** TLS options for a connection of its own (upgrades), and the shared keep-alive agent for the rest. */
  tls: Pick<https.RequestOptions, (typeof TLS_FIELDS)[number]>;
  agent: http.Agent;
}

const agents = new WeakMap<KubeConfig, http.Agent>();

const TLS_FIELDS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

export async function upstreamFor(kubeConfig: KubeConfig): Promise<Upstream> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the cluster has no server in its kubeconfig');
  const url = new URL(cluster.server);
  const secure = url.protocol === 'https:';
  const opts: https.RequestOptions & { headers?: Record<string, string> } = {};
  await kubeConfig.applyToHTTPSOptions(opts);
  const tls: Pick<https.RequestOptions, (typeof TLS_FIELDS)[number]> = {};
  for (const field of TLS_FIELDS) if (opts[field] !== undefined) (tls as Record<string, unknown>)[field] = opts[field];
  let agent = agents.get(kubeConfig);
  if (!agent) {
    agent = secure ? new https.Agent({ ...tls, keepAlive: true }) : new http.Agent({ keepAlive: true });
    agents.set(kubeConfig, agent);
  }
  const authHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(opts.headers ?? {})) {
    // Only credentials; an impersonation configured in the stored kubeconfig would be replaced by the caller's anyway.
    if (name.toLowerCase() === 'authorization') authHeaders.authorization = String(value);
  }
  return {
    secure,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 443 : 80,
    basePath: url.pathname.replace(/\/+$/, ''),
    host: url.host,
    authHeaders,
    auth: typeof opts.auth === 'string' ? opts.auth : undefined,
    tls,
    agent,
  };
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) plus the ones this proxy must never pass on. */
const DROPPED_REQUEST_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  // Node's server has already answered `100 Continue` to the caller.
  'expect',
  // Bosun's credentials stay with Bosun.
  'authorization',
  'cookie',
  'x-bosun-csrf',
  // Set by the proxy itself, never taken from the caller.
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
]);

const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  // A page served through pods/proxy must not set cookies on Bosun's origin.
  'set-cookie',
]);

/** Headers that would make the cluster treat the request as someone else: only Bosun impersonates. */
export function isIdentityHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('impersonate-') || lower.startsWith('x-remote-');
}

export function carriesImpersonation(headers: IncomingHttpHeaders): boolean {
  return Object.keys(headers).some((name) => name.toLowerCase().startsWith('impersonate-'));
}

function connectionTokens(value: string | string[] | undefined): Set<string> {
  const tokens = new Set<string>();
  for (const v of Array.isArray(value) ? value : value ? [value] : []) for (const t of v.split(',')) if (t.trim()) tokens.add(t.trim().toLowerCase());
  return tokens;
}

export interface Caller {
  userId: string;
  groups: readonly string[];
  clientIp: string;
}

/** The request headers sent upstream: the caller's, cleaned, plus the cluster's credentials and the impersonation of the caller. */
export function upstreamRequestHeaders(incoming: IncomingHttpHeaders, upstream: Upstream, caller: Caller): OutgoingHttpHeaders {
  const named = connectionTokens(incoming.connection);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(incoming)) {
    const lower = name.toLowerCase();
    if (value === undefined || DROPPED_REQUEST_HEADERS.has(lower) || named.has(lower) || isIdentityHeader(lower)) continue;
    out[lower] = value;
  }
  out.host = upstream.host;
  Object.assign(out, upstream.authHeaders);
  out['impersonate-user'] = headerValue(kubeUserName(caller.userId))!;
  // One header line per group (as kube-apiserver reads them), never joined with commas: group names may hold commas (LDAP DNs).
  const groups = caller.groups.map((g) => headerValue(kubeGroupName(g))).filter((g): g is string => g !== null);
  out['impersonate-group'] = [...new Set([...groups, KUBE_ALL_USERS_GROUP])];
  out['x-forwarded-for'] = caller.clientIp;
  return out;
}

/**
 * A name as a header value: UTF-8 on the wire, as kube-apiserver reads header bytes (a group synced
 * from a directory may be "开发组"); Node writes a latin1 string byte for byte. Null for a name with
 * control characters, which no header can carry.
 */
export function headerValue(name: string): string | null {
  if (/[\u0000-\u001f\u007f]/.test(name)) return null;
  return /^[\u0020-\u007e]*$/.test(name) ? name : Buffer.from(name, 'utf8').toString('latin1');
}

/** The response headers passed back to the caller, as name → value(s), from the raw list (repeated headers kept). */
export function downstreamResponseHeaders(rawHeaders: string[]): Record<string, string | string[]> {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) pairs.push([rawHeaders[i].toLowerCase(), rawHeaders[i + 1]]);
  const named = connectionTokens(pairs.filter(([n]) => n === 'connection').map(([, v]) => v));
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of pairs) {
    if (DROPPED_RESPONSE_HEADERS.has(name) || named.has(name)) continue;
    const existing = out[name];
    out[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}
