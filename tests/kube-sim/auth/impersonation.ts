/** Impersonation filter (staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go). */
import { StatusError } from '../errors';
import type { Authorizer, ObjectReader, RequestAttributes, UserInfo } from '../hooks';
import { ALL_AUTHENTICATED, ALL_UNAUTHENTICATED } from './authn';
import { forbiddenError } from './forbidden';
import { serviceAccountGroups, splitServiceAccountUsername } from './rbac';

type Headers = Record<string, string | string[] | undefined>;

const IMPERSONATE_USER = 'impersonate-user';
const IMPERSONATE_GROUP = 'impersonate-group';
const IMPERSONATE_UID = 'impersonate-uid';
const IMPERSONATE_EXTRA_PREFIX = 'impersonate-extra-';
const ANONYMOUS = 'system:anonymous';

/** All values of a header. Node joins repeated unknown headers with ", " in `req.headers`; arrays (req.headersDistinct) are taken as is. */
function values(headers: Headers, name: string): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== name || v === undefined) continue;
    if (Array.isArray(v)) out.push(...v);
    else out.push(...v.split(/,\s*/));
  }
  return out;
}

function first(headers: Headers, name: string): string {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== name || v === undefined) continue;
    return Array.isArray(v) ? (v[0] ?? '') : v;
  }
  return '';
}

interface ImpersonationRequest {
  kind: 'User' | 'ServiceAccount' | 'Group' | 'UserExtra' | 'UID';
  name: string;
  namespace?: string;
  extraKey?: string;
}

function describe(reqs: ImpersonationRequest[]): string {
  // Go prints []v1.ObjectReference with %v; an approximation.
  return `[${reqs.map((r) => `{${r.kind} ${r.namespace ?? ''} ${r.name}}`).join(' ')}]`;
}

/**
 * Applies Impersonate-User / Impersonate-Group / Impersonate-Uid / Impersonate-Extra-* headers.
 * Each requested identity part is authorized for the *requester* with verb `impersonate` on
 * users / groups / serviceaccounts / uids / userextras (group "" or authentication.k8s.io);
 * the first refusal throws the real 403. Without impersonation headers the user is returned as is.
 */
export function resolveImpersonation(user: UserInfo, headers: Headers, authorizer: Authorizer, objects: ObjectReader): UserInfo {
  const requestedUser = first(headers, IMPERSONATE_USER);
  const groupsRequested = values(headers, IMPERSONATE_GROUP).filter((g) => g !== '');
  const reqs: ImpersonationRequest[] = [];
  if (requestedUser) {
    const sa = splitServiceAccountUsername(requestedUser);
    if (sa) reqs.push({ kind: 'ServiceAccount', namespace: sa.namespace, name: sa.name });
    else reqs.push({ kind: 'User', name: requestedUser });
  }
  for (const g of groupsRequested) reqs.push({ kind: 'Group', name: g });
  let hasExtra = false;
  for (const [k, v] of Object.entries(headers)) {
    if (!k.toLowerCase().startsWith(IMPERSONATE_EXTRA_PREFIX) || v === undefined) continue;
    hasExtra = true;
    const key = decodeURIComponent(k.toLowerCase().slice(IMPERSONATE_EXTRA_PREFIX.length));
    for (const val of Array.isArray(v) ? v : v.split(/,\s*/)) reqs.push({ kind: 'UserExtra', name: val, extraKey: key });
  }
  const uid = first(headers, IMPERSONATE_UID);
  if (uid) reqs.push({ kind: 'UID', name: uid });

  if (reqs.length === 0) return user;
  if (!requestedUser) {
    // Real server answers a plain-text 500 here (responsewriters.InternalError).
    throw new StatusError(500, 'InternalError', `Internal error occurred: requested ${describe(reqs)} without impersonating a user`);
  }

  let username = '';
  let groups: string[] = [];
  for (const r of reqs) {
    const attrs: RequestAttributes = {
      user,
      verb: 'impersonate',
      isResourceRequest: true,
      path: '',
      apiGroup: '',
      apiVersion: 'v1',
      resource: '',
      subresource: '',
      namespace: '',
      name: r.name,
    };
    switch (r.kind) {
      case 'ServiceAccount':
        attrs.resource = 'serviceaccounts';
        attrs.namespace = r.namespace!;
        username = `system:serviceaccount:${r.namespace}:${r.name}`;
        if (groupsRequested.length === 0) groups = serviceAccountGroups(r.namespace!);
        break;
      case 'User':
        attrs.resource = 'users';
        username = r.name;
        break;
      case 'Group':
        attrs.resource = 'groups';
        groups.push(r.name);
        break;
      case 'UserExtra':
        attrs.apiGroup = 'authentication.k8s.io';
        attrs.resource = 'userextras';
        attrs.subresource = r.extraKey!;
        break;
      case 'UID':
        attrs.apiGroup = 'authentication.k8s.io';
        attrs.resource = 'uids';
        break;
    }
    const d = authorizer.authorize(attrs, objects);
    if (!d.allowed) throw forbiddenError(attrs, d.reason);
  }
  void hasExtra;

  if (username !== ANONYMOUS) {
    if (!groups.some((g) => g === ALL_AUTHENTICATED || g === ALL_UNAUTHENTICATED)) groups.push(ALL_AUTHENTICATED);
  } else if (!groups.includes(ALL_UNAUTHENTICATED)) {
    groups.push(ALL_UNAUTHENTICATED);
  }
  return { name: username, groups };
}
