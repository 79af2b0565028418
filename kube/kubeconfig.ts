import { X509Certificate, createPrivateKey } from 'node:crypto';
import { LineCounter, parseDocument, type ErrorCode } from 'yaml';
import { fingerprintOf } from '../secrets/fingerprint';

/**
 * Parses and validates a kubeconfig pasted by a platform admin. Pure: no files, no network.
 *
 * Bosun only accepts kubeconfigs whose credentials are fully inline: anything that would make the
 * Bosun server run a program (exec plugins, auth providers) or read its own files is refused.
 * Error messages name the offending field and never repeat a credential value.
 */

export class KubeconfigError extends Error {
  constructor(
    /** Path of the offending entry, e.g. `contexts[1].context.cluster`, `users[0].user.exec`; '' for the whole document. */
    readonly field: string,
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

export interface KubeconfigContext {
  name: string;
  cluster: string;
  user: string;
  namespace?: string;
}

export interface ParsedKubeconfig {
  contexts: KubeconfigContext[];
  currentContext?: string;
}

export type ClusterCredentials =
  | { kind: 'token'; token: string }
  /** PEM text (decoded from client-certificate-data / client-key-data). */
  | { kind: 'clientCert'; certData: string; keyData: string }
  | { kind: 'basic'; username: string; password: string };

export interface ResolvedKubeconfig {
  contextName: string;
  /** Without trailing slash. */
  server: string;
  tlsServerName?: string;
  insecureSkipTlsVerify: boolean;
  /** PEM text (decoded from certificate-authority-data). */
  caData?: string;
  namespace?: string;
  credentials: ClusterCredentials;
}

type Mapping = Record<string, unknown>;

interface NamedEntry {
  name: string;
  index: number;
  body: Mapping;
}

interface KubeconfigDocument {
  clusters: NamedEntry[];
  users: NamedEntry[];
  contexts: NamedEntry[];
  currentContext?: string;
}

export function parseKubeconfig(text: string): ParsedKubeconfig {
  const doc = loadDocument(text);
  return {
    contexts: doc.contexts.map(contextOf),
    ...(doc.currentContext ? { currentContext: doc.currentContext } : {}),
  };
}

/** Resolves `contextName` (default: current-context, or the only context) to a server and inline credentials. */
export function resolveContext(text: string, contextName?: string): ResolvedKubeconfig {
  const doc = loadDocument(text);
  const contextEntry = chooseContext(doc, contextName);
  const context = contextOf(contextEntry);
  const contextField = `contexts[${contextEntry.index}].context`;

  const cluster = doc.clusters.find((c) => c.name === context.cluster);
  if (!cluster) {
    throw new KubeconfigError(
      `${contextField}.cluster`,
      `context "${context.name}" refers to cluster "${context.cluster}", which is not defined; defined clusters: ${listOrNone(doc.clusters)}`,
    );
  }
  const user = doc.users.find((u) => u.name === context.user);
  if (!user) {
    throw new KubeconfigError(
      `${contextField}.user`,
      `context "${context.name}" refers to user "${context.user}", which is not defined; defined users: ${listOrNone(doc.users)}`,
    );
  }

  return {
    contextName: context.name,
    ...resolveCluster(cluster),
    ...(context.namespace ? { namespace: context.namespace } : {}),
    credentials: resolveCredentials(user),
  };
}

/** A stable, secret-free reference to credentials (`sha256:` + 16 hex digits). */
export function fingerprint(credentials: ClusterCredentials): string {
  return fingerprintOf(credentials);
}

// ---------------------------------------------------------------------------------------------
// Document

const YAML_PROBLEMS: Partial<Record<ErrorCode, string>> = {
  BAD_INDENT: 'bad indentation',
  TAB_AS_INDENT: 'tabs are not allowed as indentation',
  BLOCK_AS_IMPLICIT_KEY: 'a nested mapping cannot be a key (is a colon missing a space or quotes?)',
  MULTILINE_IMPLICIT_KEY: 'a key cannot span several lines',
  DUPLICATE_KEY: 'duplicate key',
  MISSING_CHAR: 'missing closing character (quote or bracket)',
  UNEXPECTED_TOKEN: 'unexpected token',
  MULTIPLE_DOCS: 'several YAML documents; paste a single kubeconfig',
  BAD_DQ_ESCAPE: 'invalid escape sequence in a double-quoted string',
  BAD_SCALAR_START: 'a plain value cannot start with this character',
  BAD_ALIAS: 'unresolved alias',
  BLOCK_IN_FLOW: 'block collection inside a flow collection',
  KEY_OVER_1024_CHARS: 'key longer than 1024 characters',
  RESOURCE_EXHAUSTION: 'too many aliases',
};

function loadDocument(text: string): KubeconfigDocument {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new KubeconfigError('', 'the kubeconfig is empty');
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlError = document.errors[0];
  if (yamlError) {
    // The yaml library's own message may quote the offending source line, which can hold a credential.
    const { line, col } = lineCounter.linePos(yamlError.pos[0]);
    const problem = YAML_PROBLEMS[yamlError.code] ?? `syntax error (${yamlError.code})`;
    throw new KubeconfigError('', `invalid YAML at line ${line}, column ${col}: ${problem}`, line, col);
  }

  let root: unknown;
  try {
    root = document.toJS({ maxAliasCount: 100 });
  } catch {
    throw new KubeconfigError('', 'invalid YAML: aliases expand too far');
  }
  if (!isMapping(root)) {
    throw new KubeconfigError('', 'not a kubeconfig: expected a mapping with apiVersion, kind, clusters, users and contexts');
  }
  if (root.kind === undefined || root.kind === null) {
    throw new KubeconfigError('kind', 'not a kubeconfig: "kind: Config" is missing');
  }
  if (root.kind !== 'Config') {
    throw new KubeconfigError('kind', 'not a kubeconfig: kind must be "Config"');
  }
  if (root.apiVersion === undefined || root.apiVersion === null) {
    throw new KubeconfigError('apiVersion', 'not a kubeconfig: "apiVersion: v1" is missing');
  }
  if (root.apiVersion !== 'v1') {
    throw new KubeconfigError('apiVersion', 'unsupported kubeconfig apiVersion; expected "v1"');
  }
  if (root.clusters === undefined || root.clusters === null) {
    throw new KubeconfigError('clusters', 'not a kubeconfig: "clusters" is missing');
  }
  if (root.contexts === undefined || root.contexts === null) {
    throw new KubeconfigError('contexts', 'the kubeconfig has no contexts');
  }
  const currentContext = root['current-context'];
  if (currentContext !== undefined && currentContext !== null && typeof currentContext !== 'string') {
    throw new KubeconfigError('current-context', 'current-context must be a context name');
  }

  const contexts = namedEntries(root, 'contexts', 'context');
  if (contexts.length === 0) throw new KubeconfigError('contexts', 'the kubeconfig has no contexts');
  return {
    clusters: namedEntries(root, 'clusters', 'cluster'),
    users: namedEntries(root, 'users', 'user'),
    contexts,
    ...(currentContext ? { currentContext } : {}),
  };
}

function namedEntries(root: Mapping, listKey: string, bodyKey: string): NamedEntry[] {
  const list = root[listKey] ?? [];
  if (!Array.isArray(list)) throw new KubeconfigError(listKey, `${listKey} must be a list`);
  const entries: NamedEntry[] = [];
  list.forEach((item, index) => {
    const field = `${listKey}[${index}]`;
    if (!isMapping(item)) throw new KubeconfigError(field, `${field} must be a mapping with "name" and "${bodyKey}"`);
    if (typeof item.name !== 'string' || item.name === '') {
      throw new KubeconfigError(`${field}.name`, `${field} has no name`);
    }
    if (entries.some((e) => e.name === item.name)) {
      throw new KubeconfigError(`${field}.name`, `${listKey} has two entries named "${item.name}"`);
    }
    const body = item[bodyKey] ?? {};
    if (!isMapping(body)) throw new KubeconfigError(`${field}.${bodyKey}`, `${field}.${bodyKey} must be a mapping`);
    entries.push({ name: item.name, index, body });
  });
  return entries;
}

function contextOf(entry: NamedEntry): KubeconfigContext {
  const field = `contexts[${entry.index}].context`;
  const cluster = optionalString(entry.body, 'cluster', field);
  if (!cluster) throw new KubeconfigError(`${field}.cluster`, `context "${entry.name}" names no cluster`);
  const user = optionalString(entry.body, 'user', field);
  if (!user) throw new KubeconfigError(`${field}.user`, `context "${entry.name}" names no user`);
  const namespace = optionalString(entry.body, 'namespace', field);
  return { name: entry.name, cluster, user, ...(namespace ? { namespace } : {}) };
}

function chooseContext(doc: KubeconfigDocument, requested: string | undefined): NamedEntry {
  const available = `available contexts: ${listOrNone(doc.contexts)}`;
  if (requested !== undefined) {
    const found = doc.contexts.find((c) => c.name === requested);
    if (!found) throw new KubeconfigError('context', `context "${requested}" not found; ${available}`);
    return found;
  }
  if (doc.currentContext) {
    const found = doc.contexts.find((c) => c.name === doc.currentContext);
    if (!found) {
      throw new KubeconfigError('current-context', `current-context "${doc.currentContext}" not found; ${available}`);
    }
    return found;
  }
  if (doc.contexts.length === 1) return doc.contexts[0];
  throw new KubeconfigError('current-context', `no current-context is set; choose one of the ${available}`);
}

// ---------------------------------------------------------------------------------------------
// Cluster

function resolveCluster(entry: NamedEntry): Pick<ResolvedKubeconfig, 'server' | 'tlsServerName' | 'insecureSkipTlsVerify' | 'caData'> {
  const field = `clusters[${entry.index}].cluster`;
  const c = entry.body;

  refuseIfPresent(c, 'certificate-authority', field,
    `cluster "${entry.name}" refers to a local file (certificate-authority), which Bosun will not read from its own disk; inline the CA instead as certificate-authority-data (base64 of the PEM)`);
  refuseIfPresent(c, 'proxy-url', field, `cluster "${entry.name}" uses proxy-url, which Bosun does not support; remove it`);

  const server = resolveServer(c, field, entry.name);
  const insecure = c['insecure-skip-tls-verify'] ?? false;
  if (typeof insecure !== 'boolean') {
    throw new KubeconfigError(`${field}.insecure-skip-tls-verify`, 'insecure-skip-tls-verify must be true or false');
  }
  const caBase64 = optionalString(c, 'certificate-authority-data', field);
  const caData = caBase64 ? decodeCertificate(caBase64, `${field}.certificate-authority-data`) : undefined;
  if (caData && insecure) {
    throw new KubeconfigError(`${field}.insecure-skip-tls-verify`,
      `cluster "${entry.name}" sets both certificate-authority-data and insecure-skip-tls-verify; keep only one`);
  }
  const tlsServerName = optionalString(c, 'tls-server-name', field);

  return {
    server,
    ...(tlsServerName ? { tlsServerName } : {}),
    insecureSkipTlsVerify: insecure,
    ...(caData ? { caData } : {}),
  };
}

function resolveServer(c: Mapping, field: string, clusterName: string): string {
  const raw = optionalString(c, 'server', field);
  if (!raw) throw new KubeconfigError(`${field}.server`, `cluster "${clusterName}" has no server`);
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new KubeconfigError(`${field}.server`, `cluster "${clusterName}": server is not a URL; expected https://host:port`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new KubeconfigError(`${field}.server`, `cluster "${clusterName}": server must be an https:// or http:// URL`);
  }
  if (url.username || url.password) {
    throw new KubeconfigError(`${field}.server`,
      `cluster "${clusterName}": server URL must not contain credentials; put them in the user entry`);
  }
  return url.toString().replace(/\/+$/, '');
}

// ---------------------------------------------------------------------------------------------
// User

const USER_REFUSALS: [key: string, message: (user: string) => string][] = [
  ['exec', (u) => `user "${u}" uses an exec credential plugin, which would run a program on the Bosun server; paste a token instead (for example a ServiceAccount token from "kubectl create token")`],
  ['auth-provider', (u) => `user "${u}" uses an auth-provider, which Bosun does not run; paste a token instead (for example a ServiceAccount token from "kubectl create token")`],
  ['tokenFile', (u) => `user "${u}" refers to a local file (tokenFile), which Bosun will not read from its own disk; inline it as token`],
  ['client-certificate', (u) => `user "${u}" refers to a local file (client-certificate), which Bosun will not read from its own disk; inline it as client-certificate-data (base64 of the PEM)`],
  ['client-key', (u) => `user "${u}" refers to a local file (client-key), which Bosun will not read from its own disk; inline it as client-key-data (base64 of the PEM)`],
  ['as', (u) => `user "${u}" impersonates another identity (as), which Bosun does not support; use that identity's own credentials`],
  ['as-groups', (u) => `user "${u}" impersonates groups (as-groups), which Bosun does not support; use that identity's own credentials`],
  ['as-uid', (u) => `user "${u}" impersonates a uid (as-uid), which Bosun does not support; use that identity's own credentials`],
  ['as-user-extra', (u) => `user "${u}" impersonates (as-user-extra), which Bosun does not support; use that identity's own credentials`],
];

function resolveCredentials(entry: NamedEntry): ClusterCredentials {
  const field = `users[${entry.index}].user`;
  const u = entry.body;
  for (const [key, message] of USER_REFUSALS) refuseIfPresent(u, key, field, message(entry.name));

  const token = optionalString(u, 'token', field);
  const certBase64 = optionalString(u, 'client-certificate-data', field);
  const keyBase64 = optionalString(u, 'client-key-data', field);
  const username = optionalString(u, 'username', field);
  const password = optionalString(u, 'password', field);

  const kinds = [
    token ? 'token' : undefined,
    certBase64 || keyBase64 ? 'client certificate' : undefined,
    username || password ? 'username/password' : undefined,
  ].filter((k): k is string => k !== undefined);
  if (kinds.length === 0) {
    throw new KubeconfigError(field,
      `user "${entry.name}" has no credentials; provide token, client-certificate-data with client-key-data, or username with password`);
  }
  if (kinds.length > 1) {
    throw new KubeconfigError(field, `user "${entry.name}" has more than one kind of credential (${kinds.join(', ')}); keep only one`);
  }

  if (token) {
    const trimmed = token.trim();
    if (/\s/.test(trimmed)) throw new KubeconfigError(`${field}.token`, `user "${entry.name}": token must not contain whitespace`);
    return { kind: 'token', token: trimmed };
  }
  if (certBase64 || keyBase64) {
    if (!certBase64) throw new KubeconfigError(`${field}.client-certificate-data`, `user "${entry.name}" has client-key-data but no client-certificate-data`);
    if (!keyBase64) throw new KubeconfigError(`${field}.client-key-data`, `user "${entry.name}" has client-certificate-data but no client-key-data`);
    return {
      kind: 'clientCert',
      certData: decodeCertificate(certBase64, `${field}.client-certificate-data`),
      keyData: decodePrivateKey(keyBase64, `${field}.client-key-data`),
    };
  }
  if (!username) throw new KubeconfigError(`${field}.username`, `user "${entry.name}" has a password but no username`);
  if (!password) throw new KubeconfigError(`${field}.password`, `user "${entry.name}" has a username but no password`);
  return { kind: 'basic', username, password };
}

// ---------------------------------------------------------------------------------------------
// Helpers

function isMapping(value: unknown): value is Mapping {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function optionalString(body: Mapping, key: string, field: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new KubeconfigError(`${field}.${key}`, `${key} must be a string`);
  return value;
}

function refuseIfPresent(body: Mapping, key: string, field: string, message: string): void {
  if (body[key] !== undefined && body[key] !== null) throw new KubeconfigError(`${field}.${key}`, message);
}

function listOrNone(entries: NamedEntry[]): string {
  return entries.length === 0 ? '(none)' : entries.map((e) => e.name).join(', ');
}

function decodeBase64Pem(value: string, field: string, what: string): string {
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 === 1) {
    throw new KubeconfigError(field, `${fieldKey(field)} is not base64; it must be the base64 of a PEM ${what}`);
  }
  const pem = Buffer.from(compact, 'base64').toString('utf8');
  if (!pem.includes('-----BEGIN ')) {
    throw new KubeconfigError(field, `${fieldKey(field)} does not decode to a PEM ${what}; it must be the base64 of the PEM text`);
  }
  return pem.replace(/\r\n/g, '\n');
}

function decodeCertificate(value: string, field: string): string {
  const pem = decodeBase64Pem(value, field, 'certificate');
  try {
    new X509Certificate(pem);
  } catch {
    throw new KubeconfigError(field, `${fieldKey(field)} does not contain a valid PEM certificate`);
  }
  return pem;
}

function decodePrivateKey(value: string, field: string): string {
  const pem = decodeBase64Pem(value, field, 'private key');
  try {
    createPrivateKey(pem);
  } catch {
    throw new KubeconfigError(field, `${fieldKey(field)} does not contain a valid, unencrypted PEM private key`);
  }
  return pem;
}

function fieldKey(field: string): string {
  return field.slice(field.lastIndexOf('.') + 1);
}
