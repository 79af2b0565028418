import { describe, expect, it } from 'vitest';
import { StatusError } from '../errors';
import type { RequestAttributes, UserInfo } from '../hooks';
import {
  bootstrapRbacObjects,
  createAuthenticator,
  createAuthorizer,
  defaultUsers,
  forbiddenError,
  handleAccessReview,
  resolveImpersonation,
} from '../auth';
import { MemStore } from './auth-memstore';

const RBAC = 'rbac.authorization.k8s.io';
const alice: UserInfo = { name: 'alice', groups: ['system:authenticated'] };
const admin: UserInfo = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };

function attrs(p: Partial<RequestAttributes>): RequestAttributes {
  return {
    user: alice,
    verb: 'get',
    isResourceRequest: true,
    path: '',
    apiGroup: '',
    apiVersion: 'v1',
    resource: 'pods',
    subresource: '',
    namespace: 'team-a',
    name: '',
    ...p,
  };
}

function store(): MemStore {
  const s = new MemStore();
  for (const o of bootstrapRbacObjects()) s.add(RBAC, o.kind === 'ClusterRole' ? 'clusterroles' : 'clusterrolebindings', o);
  return s;
}

function role(s: MemStore, ns: string, name: string, rules: any[]) {
  s.add(RBAC, 'roles', { metadata: { name, namespace: ns }, rules });
}
function clusterRole(s: MemStore, name: string, rules: any[], labels?: Record<string, string>) {
  s.add(RBAC, 'clusterroles', { metadata: { name, labels }, rules });
}
function roleBinding(s: MemStore, ns: string, name: string, roleRef: { kind: string; name: string }, subjects: any[]) {
  s.add(RBAC, 'rolebindings', { metadata: { name, namespace: ns }, roleRef: { apiGroup: RBAC, ...roleRef }, subjects });
}
function clusterRoleBinding(s: MemStore, name: string, roleRef: { kind: string; name: string }, subjects: any[]) {
  s.add(RBAC, 'clusterrolebindings', { metadata: { name }, roleRef: { apiGroup: RBAC, ...roleRef }, subjects });
}
const user = (name: string) => ({ kind: 'User', apiGroup: RBAC, name });

const authz = createAuthorizer();

describe('authenticator', () => {
  const a = createAuthenticator(defaultUsers);
  it('maps bearer tokens and adds system:authenticated', () => {
    expect(a.authenticate({ authorization: 'Bearer admin-token' })).toEqual({ name: 'admin', groups: ['system:masters', 'system:authenticated'] });
    expect(a.authenticate({ authorization: 'Bearer alice-token' })).toEqual({ name: 'alice', groups: ['system:authenticated'] });
    expect(a.authenticate({ Authorization: 'bearer alice-token' })?.name).toBe('alice');
  });
  it('returns null for missing/unknown/other schemes', () => {
    expect(a.authenticate({})).toBeNull();
    expect(a.authenticate({ authorization: 'Bearer nope' })).toBeNull();
    expect(a.authenticate({ authorization: 'Basic YWxpY2U6eA==' })).toBeNull();
    expect(a.authenticate({ authorization: 'Bearer ' })).toBeNull();
  });
});

describe('RBAC authorizer', () => {
  it('system:masters is allowed everything', () => {
    expect(authz.authorize(attrs({ user: admin, verb: 'delete', resource: 'nodes', namespace: '' }), new MemStore()).allowed).toBe(true);
  });

  it('denies with no bindings (empty reason) and allows through a RoleBinding to a Role', () => {
    const s = store();
    expect(authz.authorize(attrs({ verb: 'list' }), s)).toEqual({ allowed: false, reason: '' });
    role(s, 'team-a', 'pod-reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]);
    roleBinding(s, 'team-a', 'read-pods', { kind: 'Role', name: 'pod-reader' }, [user('alice')]);
    expect(authz.authorize(attrs({ verb: 'list' }), s)).toMatchObject({
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "read-pods/team-a" of Role "pod-reader" to User "alice"',
    });
    // only in its namespace, and only its verbs
    expect(authz.authorize(attrs({ verb: 'list', namespace: 'team-b' }), s).allowed).toBe(false);
    expect(authz.authorize(attrs({ verb: 'delete' }), s).allowed).toBe(false);
    // cluster-wide list is not granted by a namespaced binding
    expect(authz.authorize(attrs({ verb: 'list', namespace: '' }), s).allowed).toBe(false);
  });

  it('RoleBinding to a ClusterRole grants in that namespace only; ClusterRoleBinding everywhere', () => {
    const s = store();
    clusterRole(s, 'cm-reader', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]);
    roleBinding(s, 'team-a', 'rb', { kind: 'ClusterRole', name: 'cm-reader' }, [user('alice')]);
    expect(authz.authorize(attrs({ resource: 'configmaps' }), s).allowed).toBe(true);
    expect(authz.authorize(attrs({ resource: 'configmaps', namespace: 'team-b' }), s).allowed).toBe(false);
    clusterRoleBinding(s, 'crb', { kind: 'ClusterRole', name: 'cm-reader' }, [{ kind: 'Group', apiGroup: RBAC, name: 'devs' }]);
    const dev = { name: 'bob', groups: ['devs', 'system:authenticated'] };
    expect(authz.authorize(attrs({ user: dev, resource: 'configmaps', namespace: 'team-b' }), s)).toMatchObject({
      allowed: true,
      reason: 'RBAC: allowed by ClusterRoleBinding "crb" of ClusterRole "cm-reader" to Group "devs"',
    });
    expect(authz.authorize(attrs({ user: dev, resource: 'configmaps', namespace: '' }), s).allowed).toBe(true);
  });

  it('resourceNames restrict named requests and never match collections', () => {
    const s = store();
    role(s, 'team-a', 'one-cm', [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['app'], verbs: ['get', 'list'] }]);
    roleBinding(s, 'team-a', 'rb', { kind: 'Role', name: 'one-cm' }, [user('alice')]);
    expect(authz.authorize(attrs({ resource: 'configmaps', name: 'app' }), s).allowed).toBe(true);
    expect(authz.authorize(attrs({ resource: 'configmaps', name: 'other' }), s).allowed).toBe(false);
    expect(authz.authorize(attrs({ resource: 'configmaps', verb: 'list' }), s).allowed).toBe(false);
  });

  it('subresources: pods/log without pods, */scale, and pods not implying pods/log', () => {
    const s = store();
    role(s, 'team-a', 'logs', [
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['*/scale'], verbs: ['update'] },
      { apiGroups: [''], resources: ['services'], verbs: ['get'] },
    ]);
    roleBinding(s, 'team-a', 'rb', { kind: 'Role', name: 'logs' }, [user('alice')]);
    expect(authz.authorize(attrs({ subresource: 'log', name: 'p' }), s).allowed).toBe(true);
    expect(authz.authorize(attrs({ name: 'p' }), s).allowed).toBe(false);
    expect(authz.authorize(attrs({ verb: 'update', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', name: 'd' }), s).allowed).toBe(true);
    expect(authz.authorize(attrs({ verb: 'update', apiGroup: 'apps', resource: 'deployments', name: 'd' }), s).allowed).toBe(false);
    expect(authz.authorize(attrs({ resource: 'services', subresource: 'proxy', name: 's' }), s).allowed).toBe(false);
  });

  it('wildcards in verbs, apiGroups and resources', () => {
    const s = store();
    role(s, 'team-a', 'all', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]);
    roleBinding(s, 'team-a', 'rb', { kind: 'Role', name: 'all' }, [user('alice')]);
    expect(authz.authorize(attrs({ verb: 'deletecollection', apiGroup: 'batch', resource: 'jobs' }), s).allowed).toBe(true);
    expect(authz.authorize(attrs({ resource: 'pods', subresource: 'exec', verb: 'create', name: 'x' }), s).allowed).toBe(true);
  });

  it('nonResourceURLs with exact paths and trailing *', () => {
    const s = store();
    expect(authz.authorize(attrs({ isResourceRequest: false, path: '/version', resource: '', namespace: '' }), s).allowed).toBe(true); // system:public-info-viewer
    expect(authz.authorize(attrs({ isResourceRequest: false, path: '/metrics', resource: '', namespace: '' }), s).allowed).toBe(false);
    clusterRole(s, 'logs-viewer', [{ nonResourceURLs: ['/logs/*', '/metrics'], verbs: ['get'] }]);
    clusterRoleBinding(s, 'crb', { kind: 'ClusterRole', name: 'logs-viewer' }, [user('alice')]);
    expect(authz.authorize(attrs({ isResourceRequest: false, path: '/metrics', resource: '', namespace: '' }), s).allowed).toBe(true);
    expect(authz.authorize(attrs({ isResourceRequest: false, path: '/logs/kube.log', resource: '', namespace: '' }), s).allowed).toBe(true);
    expect(authz.authorize(attrs({ isResourceRequest: false, path: '/logs', resource: '', namespace: '' }), s).allowed).toBe(false);
    expect(authz.authorize(attrs({ isResourceRequest: false, verb: 'post', path: '/metrics', resource: '', namespace: '' }), s).allowed).toBe(false);
  });

  it('ServiceAccount subjects, with and without namespace', () => {
    const s = store();
    role(s, 'team-a', 'r', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]);
    roleBinding(s, 'team-a', 'rb', { kind: 'Role', name: 'r' }, [{ kind: 'ServiceAccount', name: 'builder' }]);
    const sa = { name: 'system:serviceaccount:team-a:builder', groups: ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated'] };
    expect(authz.authorize(attrs({ user: sa, resource: 'secrets' }), s)).toMatchObject({
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "rb/team-a" of Role "r" to ServiceAccount "builder/team-a"',
    });
    const other = { ...sa, name: 'system:serviceaccount:team-b:builder' };
    expect(authz.authorize(attrs({ user: other, resource: 'secrets' }), s).allowed).toBe(false);
  });

  it('missing role gives the RBAC error reason', () => {
    const s = store();
    roleBinding(s, 'team-a', 'rb', { kind: 'Role', name: 'ghost' }, [user('alice')]);
    expect(authz.authorize(attrs({}), s)).toEqual({ allowed: false, reason: 'RBAC: role.rbac.authorization.k8s.io "ghost" not found' });
    clusterRoleBinding(s, 'crb', { kind: 'ClusterRole', name: 'ghost2' }, [user('alice')]);
    expect(authz.authorize(attrs({}), s)).toEqual({
      allowed: false,
      reason: 'RBAC: [clusterrole.rbac.authorization.k8s.io "ghost2" not found, role.rbac.authorization.k8s.io "ghost" not found]',
    });
  });

  it('bootstrap admin/edit/view aggregate, including later aggregate-to-* roles', () => {
    const s = store();
    roleBinding(s, 'team-a', 'view', { kind: 'ClusterRole', name: 'view' }, [user('alice')]);
    expect(authz.authorize(attrs({ verb: 'list' }), s).allowed).toBe(true);
    expect(authz.authorize(attrs({ subresource: 'log', name: 'p' }), s).allowed).toBe(true);
    expect(authz.authorize(attrs({ resource: 'secrets' }), s).allowed).toBe(false);
    expect(authz.authorize(attrs({ verb: 'create' }), s).allowed).toBe(false);
    expect(authz.authorize(attrs({ apiGroup: 'example.com', resource: 'widgets' }), s).allowed).toBe(false);
    clusterRole(s, 'widgets-view', [{ apiGroups: ['example.com'], resources: ['widgets'], verbs: ['get'] }], {
      'rbac.authorization.k8s.io/aggregate-to-view': 'true',
    });
    expect(authz.authorize(attrs({ apiGroup: 'example.com', resource: 'widgets' }), s).allowed).toBe(true);
    roleBinding(s, 'team-b', 'edit', { kind: 'ClusterRole', name: 'edit' }, [user('alice')]);
    expect(authz.authorize(attrs({ namespace: 'team-b', verb: 'create', resource: 'secrets' }), s).allowed).toBe(true);
    expect(authz.authorize(attrs({ namespace: 'team-b', apiGroup: 'example.com', resource: 'widgets' }), s).allowed).toBe(true); // edit ⊇ view
    expect(authz.authorize(attrs({ namespace: 'team-b', verb: 'create', apiGroup: RBAC, resource: 'rolebindings' }), s).allowed).toBe(false);
    roleBinding(s, 'team-c', 'admin', { kind: 'ClusterRole', name: 'admin' }, [user('alice')]);
    expect(authz.authorize(attrs({ namespace: 'team-c', verb: 'create', apiGroup: RBAC, resource: 'rolebindings' }), s).allowed).toBe(true);
    expect(authz.authorize(attrs({ namespace: 'team-c', verb: 'delete', apiGroup: 'apps', resource: 'deployments' }), s).allowed).toBe(true);
  });

  it('bootstrap objects look like the real ones', () => {
    const objs = bootstrapRbacObjects();
    const view = objs.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'view');
    expect(view.aggregationRule).toEqual({ clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }] });
    expect(view.rules.length).toBeGreaterThan(5);
    expect(view.metadata.labels['rbac.authorization.k8s.io/aggregate-to-edit']).toBe('true');
    const crb = objs.find((o) => o.kind === 'ClusterRoleBinding' && o.metadata.name === 'cluster-admin');
    expect(crb.subjects).toEqual([{ apiGroup: RBAC, kind: 'Group', name: 'system:masters' }]);
    expect(objs.every((o) => o.apiVersion === `${RBAC}/v1`)).toBe(true);
  });
});

describe('forbiddenError', () => {
  it('namespaced collection', () => {
    const e = forbiddenError(attrs({ verb: 'list' }));
    expect(e.toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "team-a"',
      reason: 'Forbidden',
      details: { kind: 'pods' },
      code: 403,
    });
  });
  it('named, subresource, grouped, cluster scope, reason', () => {
    expect(forbiddenError(attrs({ subresource: 'log', name: 'web' })).message).toBe(
      'pods "web" is forbidden: User "alice" cannot get resource "pods/log" in API group "" in the namespace "team-a"',
    );
    const e = forbiddenError(attrs({ verb: 'list', resource: 'namespaces', namespace: '' }));
    expect(e.message).toBe('namespaces is forbidden: User "alice" cannot list resource "namespaces" in API group "" at the cluster scope');
    const g = forbiddenError(attrs({ verb: 'delete', apiGroup: 'apps', resource: 'deployments', name: 'd' }), 'RBAC: role.rbac.authorization.k8s.io "x" not found');
    expect(g.message).toBe(
      'deployments.apps "d" is forbidden: User "alice" cannot delete resource "deployments" in API group "apps" in the namespace "team-a": RBAC: role.rbac.authorization.k8s.io "x" not found',
    );
    expect(g.details).toEqual({ name: 'd', group: 'apps', kind: 'deployments' });
  });
  it('non-resource', () => {
    const e = forbiddenError(attrs({ isResourceRequest: false, path: '/version', resource: '', namespace: '' }));
    expect(e.message).toBe('forbidden: User "alice" cannot get path "/version"');
    expect(e.toStatus().details).toEqual({});
  });
});

describe('impersonation', () => {
  function s2() {
    const s = store();
    clusterRole(s, 'impersonate-bob', [{ apiGroups: [''], resources: ['users'], verbs: ['impersonate'], resourceNames: ['bob'] }]);
    clusterRole(s, 'impersonate-devs', [{ apiGroups: [''], resources: ['groups'], verbs: ['impersonate'], resourceNames: ['devs'] }]);
    clusterRoleBinding(s, 'a1', { kind: 'ClusterRole', name: 'impersonate-bob' }, [user('alice')]);
    return s;
  }

  it('no header → unchanged', () => {
    expect(resolveImpersonation(alice, { authorization: 'Bearer x' }, authz, s2())).toBe(alice);
  });

  it('allowed user impersonation adds system:authenticated', () => {
    expect(resolveImpersonation(alice, { 'impersonate-user': 'bob' }, authz, s2())).toEqual({ name: 'bob', groups: ['system:authenticated'] });
  });

  it('refused user impersonation is the real 403', () => {
    try {
      resolveImpersonation(alice, { 'impersonate-user': 'carol' }, authz, s2());
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(StatusError);
      const se = e as StatusError;
      expect(se.code).toBe(403);
      expect(se.message).toBe('users "carol" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope');
      expect(se.details).toEqual({ name: 'carol', kind: 'users' });
    }
  });

  it('groups need their own grant', () => {
    const s = s2();
    expect(() => resolveImpersonation(alice, { 'impersonate-user': 'bob', 'impersonate-group': 'devs' }, authz, s)).toThrow(
      'groups "devs" is forbidden: User "alice" cannot impersonate resource "groups" in API group "" at the cluster scope',
    );
    clusterRoleBinding(s, 'a2', { kind: 'ClusterRole', name: 'impersonate-devs' }, [user('alice')]);
    expect(resolveImpersonation(alice, { 'impersonate-user': 'bob', 'impersonate-group': ['devs'] }, authz, s)).toEqual({
      name: 'bob',
      groups: ['devs', 'system:authenticated'],
    });
  });

  it('admin may impersonate anyone, service accounts get their groups', () => {
    expect(resolveImpersonation(admin, { 'impersonate-user': 'system:serviceaccount:ns1:sa1' }, authz, new MemStore())).toEqual({
      name: 'system:serviceaccount:ns1:sa1',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated'],
    });
    expect(resolveImpersonation(admin, { 'impersonate-user': 'x', 'impersonate-group': 'a, b' }, authz, new MemStore())).toEqual({
      name: 'x',
      groups: ['a', 'b', 'system:authenticated'],
    });
  });

  it('service account impersonation is checked on serviceaccounts in the namespace', () => {
    expect(() => resolveImpersonation(alice, { 'impersonate-user': 'system:serviceaccount:ns1:sa1' }, authz, s2())).toThrow(
      'serviceaccounts "sa1" is forbidden: User "alice" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "ns1"',
    );
  });

  it('groups without a user are refused', () => {
    expect(() => resolveImpersonation(admin, { 'impersonate-group': 'devs' }, authz, new MemStore())).toThrow(/without impersonating a user/);
  });
});

describe('access reviews', () => {
  it('SelfSubjectAccessReview for the requester', () => {
    const s = store();
    role(s, 'team-a', 'r', [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]);
    roleBinding(s, 'team-a', 'rb', { kind: 'Role', name: 'r' }, [user('alice')]);
    const body = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: 'team-a', verb: 'list', resource: 'pods' } } };
    expect(handleAccessReview('SelfSubjectAccessReview', body, alice, authz, s)).toEqual({
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: body.spec,
      status: { allowed: true, reason: 'RBAC: allowed by RoleBinding "rb/team-a" of Role "r" to User "alice"' },
    });
    const denied = handleAccessReview('SelfSubjectAccessReview', { spec: { resourceAttributes: { namespace: 'team-a', verb: 'delete', resource: 'pods' } } }, alice, authz, s);
    expect(denied.status).toEqual({ allowed: false });
    const nonRes = handleAccessReview('SelfSubjectAccessReview', { spec: { nonResourceAttributes: { path: '/healthz', verb: 'get' } } }, alice, authz, s);
    // bindings are visited by name here (the real lister order is arbitrary): system:discovery comes first
    expect(nonRes.status).toEqual({ allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to Group "system:authenticated"' });
    expect(handleAccessReview('SelfSubjectAccessReview', { spec: { resourceAttributes: { verb: 'delete', resource: 'nodes' } } }, admin, authz, s).status).toEqual({ allowed: true });
  });

  it('SubjectAccessReview for spec.user/groups', () => {
    const s = store();
    clusterRoleBinding(s, 'devs-view', { kind: 'ClusterRole', name: 'view' }, [{ kind: 'Group', apiGroup: RBAC, name: 'devs' }]);
    const r = handleAccessReview('SubjectAccessReview', { spec: { user: 'bob', groups: ['devs'], resourceAttributes: { namespace: 'x', verb: 'get', resource: 'pods' } } }, admin, authz, s);
    expect(r.status).toEqual({ allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "devs-view" of ClusterRole "view" to Group "devs"' });
    const r2 = handleAccessReview('SubjectAccessReview', { spec: { user: 'bob', resourceAttributes: { namespace: 'x', verb: 'get', resource: 'pods' } } }, admin, authz, s);
    expect(r2.status).toEqual({ allowed: false });
  });

  it('validation errors', () => {
    try {
      handleAccessReview('SelfSubjectAccessReview', { spec: {} }, alice, authz, store());
      expect.unreachable();
    } catch (e) {
      const se = e as StatusError;
      expect(se.code).toBe(422);
      expect(se.message).toBe(
        'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
      );
    }
    expect(() => handleAccessReview('SubjectAccessReview', { spec: { resourceAttributes: { verb: 'get', resource: 'pods' } } }, admin, authz, store())).toThrow(
      'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified',
    );
  });

  it('LocalSubjectAccessReview requires the matching namespace', () => {
    expect(() =>
      handleAccessReview('LocalSubjectAccessReview', { spec: { user: 'bob', resourceAttributes: { namespace: 'other', verb: 'get', resource: 'pods' } } }, admin, authz, store(), 'team-a'),
    ).toThrow('spec.resourceAttributes.namespace must match namespace: team-a');
    const r = handleAccessReview('LocalSubjectAccessReview', { spec: { user: 'bob', resourceAttributes: { namespace: 'team-a', verb: 'get', resource: 'pods' } } }, admin, authz, store(), 'team-a');
    expect(r.metadata.namespace).toBe('team-a');
    expect(r.status.allowed).toBe(false);
  });

  it('SelfSubjectRulesReview lists the rules', () => {
    const s = store();
    role(s, 'team-a', 'r', [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]);
    roleBinding(s, 'team-a', 'rb', { kind: 'Role', name: 'r' }, [user('alice')]);
    const r = handleAccessReview('SelfSubjectRulesReview', { spec: { namespace: 'team-a' } }, alice, authz, s);
    expect(r.status.resourceRules).toContainEqual({ verbs: ['list'], apiGroups: [''], resources: ['pods'] });
    expect(r.status.resourceRules).toContainEqual({ verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] });
    expect(r.status.incomplete).toBe(false);
  });
});

describe('service-account tokens', () => {
  it('signed tokens authenticate as the service account until they expire', async () => {
    const { signServiceAccountToken } = await import('../auth');
    const a = createAuthenticator(defaultUsers);
    const { token, expirationTimestamp } = signServiceAccountToken({ namespace: 'ns1', name: 'builder', expirationSeconds: 600 });
    expect(token.split('.')).toHaveLength(3);
    expect(Date.parse(expirationTimestamp)).toBeGreaterThan(Date.now());
    expect(a.authenticate({ authorization: `Bearer ${token}` })).toEqual({
      name: 'system:serviceaccount:ns1:builder',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated'],
    });
    const expired = signServiceAccountToken({ namespace: 'ns1', name: 'builder', now: new Date(Date.now() - 7200_000) });
    expect(a.authenticate({ authorization: `Bearer ${expired.token}` })).toBeNull();
    const [h, p] = token.split('.');
    expect(a.authenticate({ authorization: `Bearer ${h}.${p}.forged` })).toBeNull();
  });
});
