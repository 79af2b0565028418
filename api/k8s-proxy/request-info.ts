/**
 * What a Kubernetes API request asks for, parsed from its method, path and query the way
 * kube-apiserver's RequestInfoFactory does (staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go).
 * Pure: the proxy uses it to name audit records and to decide what is a mutation.
 */

export interface KubeRequestInfo {
  /** False for discovery and other non-resource paths (`/version`, `/api`, `/apis/apps/v1`, `/healthz`). */
  isResourceRequest: boolean;
  /** get, list, watch, create, update, patch, delete, deletecollection; for non-resource paths the lower-cased method. */
  verb: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  /** The path as parsed (no query). */
  path: string;
}

/** Subresources that start an interactive session (WebSocket upgrade); kube-apiserver ≥ 1.31 authorizes them as `create`. */
export const SESSION_SUBRESOURCES: ReadonlySet<string> = new Set(['exec', 'attach', 'portforward']);

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);
const MUTATING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Go's strconv.ParseBool, which kube-apiserver uses for `watch`. */
function parseBool(value: string | null): boolean {
  return value !== null && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value);
}

function splitPath(path: string): string[] {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? [] : trimmed.split('/');
}

export function parseKubeRequest(method: string, path: string, query: URLSearchParams = new URLSearchParams()): KubeRequestInfo {
  const upper = method.toUpperCase();
  const info: KubeRequestInfo = {
    isResourceRequest: false,
    verb: upper.toLowerCase(),
    apiGroup: '',
    apiVersion: '',
    resource: '',
    subresource: '',
    namespace: '',
    name: '',
    path,
  };
  let parts = splitPath(path).map(decodeSegment);
  if (parts[0] === 'api') {
    if (parts.length < 2) return info;
    info.apiVersion = parts[1];
    parts = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length < 3) return info;
    info.apiGroup = parts[1];
    info.apiVersion = parts[2];
    parts = parts.slice(3);
  } else {
    return info;
  }
  if (parts.length === 0) return info; // `/api/v1`, `/apis/apps/v1`: discovery
  info.isResourceRequest = true;

  switch (upper) {
    case 'POST':
      info.verb = 'create';
      break;
    case 'GET':
    case 'HEAD':
      info.verb = 'get';
      break;
    case 'PUT':
      info.verb = 'update';
      break;
    case 'PATCH':
      info.verb = 'patch';
      break;
    case 'DELETE':
      info.verb = 'delete';
      break;
    default:
      info.verb = '';
  }

  if (parts[0] === 'watch') {
    parts = parts.slice(1);
    if (info.verb === 'get') info.verb = 'watch';
  }

  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      info.namespace = parts[1];
      // `namespaces/<ns>/<resource>…` names a resource in the namespace; `namespaces/<ns>/status` is the namespace's own subresource.
      if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2])) parts = parts.slice(2);
    }
  }

  info.resource = parts[0] ?? '';
  if (parts.length >= 2) info.name = parts[1];
  if (parts.length >= 3) info.subresource = parts[2];

  if (!info.name && info.verb === 'get') info.verb = parseBool(query.get('watch')) ? 'watch' : 'list';
  else if (info.name && info.verb === 'get' && parseBool(query.get('watch'))) info.verb = 'watch';
  if (!info.name && info.verb === 'delete') info.verb = 'deletecollection';
  // An exec/attach/port-forward session is opened with GET (WebSocket) or POST (SPDY); either way it is a `create`.
  if (info.subresource && SESSION_SUBRESOURCES.has(info.subresource) && info.resource === 'pods' && upper === 'GET') info.verb = 'create';
  return info;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Changes something (or opens a session into a container): audited. */
export function isMutating(method: string, info: KubeRequestInfo): boolean {
  return MUTATING_METHODS.has(method.toUpperCase()) || (info.resource === 'pods' && SESSION_SUBRESOURCES.has(info.subresource));
}

/** Streams for as long as it stays open: no response deadline. */
export function isLongRunning(info: KubeRequestInfo, query: URLSearchParams): boolean {
  if (info.verb === 'watch') return true;
  if (info.subresource === 'log' && parseBool(query.get('follow'))) return true;
  if (info.subresource === 'proxy' || SESSION_SUBRESOURCES.has(info.subresource)) return true;
  return false;
}

/** The audit action: `patch deployments`, `create pods/exec`, `delete namespaces`; `post /some/path` for non-resource paths. */
export function auditAction(info: KubeRequestInfo): string {
  if (!info.isResourceRequest) return `${info.verb} ${info.path}`;
  return `${info.verb} ${info.resource}${info.subresource ? `/${info.subresource}` : ''}`;
}

