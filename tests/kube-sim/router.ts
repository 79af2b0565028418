/** Request paths → request info, as k8s.io/apiserver's RequestInfoFactory parses them. */

export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  verb: string; // get list watch create update patch delete deletecollection (or http verb lowercased for non-resource)
  apiPrefix: 'api' | 'apis' | '';
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** /api, /apis, /apis/<g>, /api/v1, /apis/<g>/<v> discovery documents */
  discovery?: 'api' | 'apis' | 'group' | 'groupVersion';
}

const bool = (v: string | null) => v === 'true' || v === '1';

export function parseRequest(method: string, pathname: string, query: URLSearchParams): RequestInfo {
  const path = pathname;
  const parts = pathname.split('/').filter((p) => p !== '');
  const info: RequestInfo = { isResourceRequest: false, path, verb: method.toLowerCase(), apiPrefix: '', apiGroup: '', apiVersion: '', namespace: '', resource: '', subresource: '', name: '' };
  if (parts[0] !== 'api' && parts[0] !== 'apis') return info;
  info.apiPrefix = parts[0] as 'api' | 'apis';
  let rest = parts.slice(1);
  if (info.apiPrefix === 'api') {
    if (rest.length === 0) return { ...info, discovery: 'api' };
    info.apiVersion = rest[0];
    rest = rest.slice(1);
  } else {
    if (rest.length === 0) return { ...info, discovery: 'apis' };
    info.apiGroup = rest[0];
    if (rest.length === 1) return { ...info, discovery: 'group' };
    info.apiVersion = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length === 0) return { ...info, discovery: 'groupVersion' };
  info.isResourceRequest = true;
  const m = method.toUpperCase();
  info.verb = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[m] ?? m.toLowerCase();
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    info.verb = 'watch';
    rest = rest.slice(1);
  }
  if (rest[0] === 'namespaces' && rest.length > 1) {
    info.namespace = rest[1];
    // namespaces/<ns>/<resource>... unless <resource> is a namespace subresource (status, finalize)
    if (rest.length > 2 && rest[2] !== 'status' && rest[2] !== 'finalize') rest = rest.slice(2);
  }
  info.resource = rest[0];
  info.name = rest[1] ?? '';
  info.subresource = rest[2] ?? '';
  if (info.verb === 'get' && !info.name) info.verb = bool(query.get('watch')) || legacyWatch ? 'watch' : 'list';
  if (info.verb === 'get' && bool(query.get('watch'))) info.verb = 'watch';
  if (info.verb === 'delete' && !info.name) info.verb = 'deletecollection';
  return info;
}
