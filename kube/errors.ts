import { ApiException } from '@kubernetes/client-node';
import type { ClusterCredentials } from './kubeconfig';

/**
 * Turns whatever a client-node call threw (fetch/undici network errors, TLS errors, aborts,
 * ApiException) into a typed error with a message fit for an admin, never containing a credential.
 */

export type ClusterErrorKind = 'unreachable' | 'tls' | 'unauthorized' | 'forbidden' | 'timeout' | 'bad_response';

export class ClusterProbeError extends Error {
  constructor(
    readonly kind: ClusterErrorKind,
    message: string,
    /** HTTP status when the API server answered. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ClusterProbeError';
  }
}

export interface ClassifyContext {
  server: string;
  timeoutMs: number;
  /** What was being done, e.g. "GET /version"; used in bad_response messages. */
  operation?: string;
  /** Values to scrub from any text that came from the server or the network stack. */
  credentials?: ClusterCredentials;
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  EPIPE: 'connection closed by the server',
  ENOTFOUND: 'host not found (DNS lookup failed)',
  EAI_AGAIN: 'host not found (DNS lookup timed out)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CLOSED: 'connection closed',
};

const TIMEOUT_ERRORS = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

export function classifyClusterError(error: unknown, context: ClassifyContext): ClusterProbeError {
  if (error instanceof ClusterProbeError) return error;
  const scrub = (text: string) => redact(text, context.credentials);
  const { server, timeoutMs } = context;

  if (error instanceof ApiException) return fromStatus(error, context, scrub);

  if (isTimeout(error)) {
    return new ClusterProbeError('timeout', `no answer from ${server} within ${formatDuration(timeoutMs)}`);
  }

  const cause = networkCause(error);
  if (cause) return fromNetworkError(cause, context, scrub);
  const message = error instanceof Error ? error.message : String(error);
  return new ClusterProbeError('bad_response', `unexpected response from ${server}${context.operation ? ` to ${context.operation}` : ''}: ${scrub(message)}`);
}

function fromNetworkError(cause: CodedError, context: ClassifyContext, scrub: (s: string) => string): ClusterProbeError {
  const { server } = context;
  const code = cause.code;
  if (TIMEOUT_ERRORS.has(code)) {
    return new ClusterProbeError('timeout', `connecting to ${server} timed out`);
  }
  if (code in NETWORK_ERRORS) {
    // A TLS-only port hangs up on plain HTTP.
    const hint = server.startsWith('http:') && (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET') ? ' (is it an https:// address?)' : '';
    return new ClusterProbeError('unreachable', `cannot reach ${server}: ${NETWORK_ERRORS[code]}${hint}`);
  }
  if (UNTRUSTED_CERTIFICATE.has(code)) {
    return new ClusterProbeError('tls',
      `TLS verification failed: ${scrub(cause.message)} — paste the cluster's certificate-authority-data`);
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new ClusterProbeError('tls',
      `TLS verification failed: the server's certificate is not valid for ${hostOf(server)} — check the server address, or set tls-server-name to a name the certificate lists`);
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new ClusterProbeError('tls', `TLS verification failed: ${scrub(cause.message)}`);
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
    return new ClusterProbeError('tls', `TLS handshake with ${server} failed: the server does not speak TLS there (is it an http:// address?)`);
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.startsWith('CERT_') || code.includes('_CERT')) {
    return new ClusterProbeError('tls', `TLS handshake with ${server} failed: ${scrub(cause.message)}`);
  }
  return new ClusterProbeError('unreachable', `cannot reach ${server}: ${scrub(cause.message)} (${code})`);
}

function fromStatus(error: ApiException<unknown>, context: ClassifyContext, scrub: (s: string) => string): ClusterProbeError {
  const status = error.code;
  const serverMessage = statusMessage(error.body);
  if (status === 401) {
    return new ClusterProbeError('unauthorized', 'the API server rejected the credentials (401 Unauthorized)', status);
  }
  if (status === 403) {
    const detail = serverMessage ? `: ${scrub(serverMessage)}` : '';
    return new ClusterProbeError('forbidden', `the credentials are not allowed to do this (403 Forbidden)${detail}`, status);
  }
  const what = context.operation ? ` to ${context.operation}` : '';
  const detail = serverMessage ? `: ${scrub(serverMessage)}` : '';
  return new ClusterProbeError('bad_response',
    `unexpected response from ${context.server}${what}: HTTP ${status}${detail} — is this a Kubernetes API server?`, status);
}

function statusMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (parsed && typeof parsed === 'object' && typeof (parsed as { message?: unknown }).message === 'string') {
    return truncate((parsed as { message: string }).message, 300);
  }
  return undefined;
}

function isTimeout(error: unknown): boolean {
  for (const e of causeChain(error)) {
    if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'KubeTimeoutError')) return true;
  }
  return false;
}

interface CodedError extends Error {
  code: string;
}

function networkCause(error: unknown): CodedError | undefined {
  for (const e of causeChain(error)) {
    if (e instanceof Error && typeof (e as Partial<CodedError>).code === 'string') return e as CodedError;
  }
  return undefined;
}

function* causeChain(error: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  let current = error;
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    yield current;
    if (current instanceof AggregateError) yield* current.errors;
    current = (current as { cause?: unknown }).cause;
  }
}

function redact(text: string, credentials: ClusterCredentials | undefined): string {
  if (!credentials) return text;
  const secrets =
    credentials.kind === 'token' ? [credentials.token]
    : credentials.kind === 'basic' ? [credentials.password]
    : [credentials.keyData];
  return secrets.filter((s) => s.length >= 4).reduce((t, s) => t.split(s).join('[redacted]'), text);
}

function hostOf(server: string): string {
  try {
    return new URL(server).hostname;
  } catch {
    return server;
  }
}

function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
