/**
 * Authentication, RBAC, impersonation and access reviews over HTTP. Runs against kube-sim, or a real
 * cluster with TEST_KUBECONFIG (the kubeconfig must be cluster-admin: other users are impersonated).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { apiError, setupCluster, type TestCluster } from './cluster';

let c: TestCluster;
let ns: string;
let other: string;
const RBAC = 'rbac.authorization.k8s.io';
const rand = () => Math.random().toString(36).slice(2, 7);
/** User names unique to this run, so nothing in a real cluster grants them anything. */
const uname = (p: string) => `fid-${p}-${rand()}`;

beforeAll(async () => {
  c = await setupCluster('auth');
  ns = c.namespace;
  other = await c.extraNamespace('fid-auth-other');
});
afterAll(async () => {
  await c?.stop();
});

/** A client-node KubeConfig that impersonates `user` (Impersonate-User header) with the admin credentials. */
function kcAs(user: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  const current = c.kc.getCurrentUser()!;
  kc.loadFromOptions({
    clusters: c.kc.clusters,
    users: [{ ...current, impersonateUser: user }],
    contexts: c.kc.contexts.filter((x) => x.name === c.kc.currentContext),
    currentContext: c.kc.currentContext,
  });
  return kc;
}

const as = (user: string, groups: string[] = []) => {
  const h: Record<string, string> = { 'Impersonate-User': user };
  // raw() sends one header per key; several groups need several headers, so only one group here.
  if (groups.length) h['Impersonate-Group'] = groups[0];
  return h;
};

async function role(namespace: string, name: string, rules: k8s.V1PolicyRule[]) {
  await c.rbac.createNamespacedRole({ namespace, body: { metadata: { name }, rules } });
}
async function clusterRole(name: string, rules: k8s.V1PolicyRule[], labels?: Record<string, string>) {
  await c.rbac.createClusterRole({ body: { metadata: { name, labels }, rules } });
  cleanup.push(() => c.rbac.deleteClusterRole({ name }));
}
async function roleBinding(namespace: string, name: string, roleRef: { kind: string; name: string }, subjects: k8s.RbacV1Subject[]) {
  await c.rbac.createNamespacedRoleBinding({ namespace, body: { metadata: { name }, roleRef: { apiGroup: RBAC, ...roleRef }, subjects } });
}
async function clusterRoleBinding(name: string, roleRef: { kind: string; name: string }, subjects: k8s.RbacV1Subject[]) {
  await c.rbac.createClusterRoleBinding({ body: { metadata: { name }, roleRef: { apiGroup: RBAC, ...roleRef }, subjects } });
  cleanup.push(() => c.rbac.deleteClusterRoleBinding({ name }));
}
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const f of cleanup) await f().catch(() => undefined);
});
const userSubject = (name: string): k8s.RbacV1Subject => ({ kind: 'User', apiGroup: RBAC, name });

function ssar(user: string, attrs: Record<string, string>, nonResource = false) {
  const spec = nonResource ? { nonResourceAttributes: attrs } : { resourceAttributes: attrs };
  return c.raw('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
    headers: as(user),
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec },
  });
}

describe('authentication', () => {
  it('an unknown bearer token is 401 Unauthorized', async () => {
    const r = await c.raw('GET', '/api/v1/namespaces', { token: 'no-such-token' });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  });

  it('client-node surfaces 401 as ApiException', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: c.kc.clusters,
      users: [{ name: 'bogus', token: 'no-such-token' }],
      contexts: [{ name: 'bogus', cluster: c.kc.getCurrentCluster()!.name, user: 'bogus' }],
      currentContext: 'bogus',
    });
    const e = await apiError(kc.makeApiClient(k8s.CoreV1Api).listNamespace());
    expect(e.code).toBe(401); // the generated client drops the 401 body (ApiException<undefined>)
  });

  it('the sim token users authenticate (sim only)', async () => {
    if (!c.isSim) return;
    const r = await c.raw('GET', `/api/v1/namespaces/${ns}/pods`, { token: 'alice-token' });
    expect(r.status).toBe(403);
    expect(r.body.message).toBe(`pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "${ns}"`);
  });
});

describe('RBAC authorization', () => {
  it('Role + RoleBinding: allowed in the namespace, 403 elsewhere and for other verbs', async () => {
    const u = uname('reader');
    await role(ns, 'pod-reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }]);
    await roleBinding(ns, 'pod-reader-rb', { kind: 'Role', name: 'pod-reader' }, [userSubject(u)]);
    const core = kcAs(u).makeApiClient(k8s.CoreV1Api);
    const list = await core.listNamespacedPod({ namespace: ns });
    expect(list.items).toEqual([]);

    const e = await apiError(core.listNamespacedPod({ namespace: other }));
    expect(e.code).toBe(403);
    expect(e.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `pods is forbidden: User "${u}" cannot list resource "pods" in API group "" in the namespace "${other}"`,
      reason: 'Forbidden',
      details: { kind: 'pods' },
      code: 403,
    });

    const d = await c.raw('DELETE', `/api/v1/namespaces/${ns}/pods/web`, { headers: as(u) });
    expect(d.status).toBe(403);
    expect(d.body.message).toBe(`pods "web" is forbidden: User "${u}" cannot delete resource "pods" in API group "" in the namespace "${ns}"`);
    expect(d.body.details).toEqual({ name: 'web', kind: 'pods' });
  });

  it('cluster scope: 403 message, then a ClusterRoleBinding grants it', async () => {
    const u = uname('nslister');
    const e = await apiError(kcAs(u).makeApiClient(k8s.CoreV1Api).listNamespace());
    expect(e.code).toBe(403);
    expect(e.body.message).toBe(`namespaces is forbidden: User "${u}" cannot list resource "namespaces" in API group "" at the cluster scope`);

    const cr = `fid-ns-reader-${rand()}`;
    await clusterRole(cr, [{ apiGroups: [''], resources: ['namespaces'], verbs: ['list'] }]);
    // a RoleBinding to the ClusterRole does not grant cluster-scoped access
    await roleBinding(ns, 'ns-reader-rb', { kind: 'ClusterRole', name: cr }, [userSubject(u)]);
    expect((await apiError(kcAs(u).makeApiClient(k8s.CoreV1Api).listNamespace())).code).toBe(403);
    await clusterRoleBinding(cr, { kind: 'ClusterRole', name: cr }, [userSubject(u)]);
    const list = await kcAs(u).makeApiClient(k8s.CoreV1Api).listNamespace();
    expect(list.items.some((n) => n.metadata?.name === ns)).toBe(true);
  });

  it('RoleBinding to a ClusterRole grants only in its namespace; group subjects', async () => {
    const u = uname('grp');
    const g = `fid-group-${rand()}`;
    const cr = `fid-cm-editor-${rand()}`;
    await clusterRole(cr, [{ apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'get'] }]);
    await roleBinding(ns, 'cm-editor-rb', { kind: 'ClusterRole', name: cr }, [{ kind: 'Group', apiGroup: RBAC, name: g }]);
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1' }, data: { a: '1' } };
    const ok = await c.raw('POST', `/api/v1/namespaces/${ns}/configmaps`, { headers: as(u, [g]), body });
    expect(ok.status).toBe(201);
    const no = await c.raw('POST', `/api/v1/namespaces/${other}/configmaps`, { headers: as(u, [g]), body });
    expect(no.status).toBe(403);
    expect(no.body.message).toBe(`configmaps is forbidden: User "${u}" cannot create resource "configmaps" in API group "" in the namespace "${other}"`);
    const noGroup = await c.raw('POST', `/api/v1/namespaces/${ns}/configmaps`, { headers: as(u), body: { ...body, metadata: { name: 'cm2' } } });
    expect(noGroup.status).toBe(403);
  });

  it('resourceNames restrict get to the named objects and never grant list', async () => {
    const u = uname('named');
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'allowed-cm' }, data: { k: 'v' } } });
    await role(ns, 'one-cm', [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['allowed-cm'], verbs: ['get', 'list'] }]);
    await roleBinding(ns, 'one-cm-rb', { kind: 'Role', name: 'one-cm' }, [userSubject(u)]);
    const core = kcAs(u).makeApiClient(k8s.CoreV1Api);
    expect((await core.readNamespacedConfigMap({ namespace: ns, name: 'allowed-cm' })).data).toEqual({ k: 'v' });
    const e = await apiError(core.readNamespacedConfigMap({ namespace: ns, name: 'other-cm' }));
    expect(e.code).toBe(403);
    expect(e.body.message).toBe(`configmaps "other-cm" is forbidden: User "${u}" cannot get resource "configmaps" in API group "" in the namespace "${ns}"`);
    expect(e.body.details).toEqual({ name: 'other-cm', kind: 'configmaps' });
    const l = await apiError(core.listNamespacedConfigMap({ namespace: ns }));
    expect(l.code).toBe(403);
  });

  it('subresources: pods/log granted without pods', async () => {
    const u = uname('logs');
    await c.core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'logpod' }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } });
    await role(ns, 'log-reader', [{ apiGroups: [''], resources: ['pods/log'], verbs: ['get'] }]);
    await roleBinding(ns, 'log-reader-rb', { kind: 'Role', name: 'log-reader' }, [userSubject(u)]);
    const pod = await c.raw('GET', `/api/v1/namespaces/${ns}/pods/logpod`, { headers: as(u) });
    expect(pod.status).toBe(403);
    expect(pod.body.message).toBe(`pods "logpod" is forbidden: User "${u}" cannot get resource "pods" in API group "" in the namespace "${ns}"`);
    const log = await c.raw('GET', `/api/v1/namespaces/${ns}/pods/logpod/log`, { headers: as(u) });
    expect(log.status).not.toBe(403); // 200, or 400 while the container is not running yet
    const exec = await c.raw('GET', `/api/v1/namespaces/${ns}/pods/logpod/status`, { headers: as(u) });
    expect(exec.status).toBe(403);
    expect(exec.body.message).toBe(`pods "logpod" is forbidden: User "${u}" cannot get resource "pods/status" in API group "" in the namespace "${ns}"`);
  });

  it('wildcards and */scale', async () => {
    const u = uname('wild');
    await role(ns, 'everything', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]);
    await roleBinding(ns, 'everything-rb', { kind: 'Role', name: 'everything' }, [userSubject(u)]);
    const kc = kcAs(u);
    await kc.makeApiClient(k8s.CoreV1Api).createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'wild-secret' }, stringData: { a: 'b' } } });
    expect((await kc.makeApiClient(k8s.AppsV1Api).listNamespacedDeployment({ namespace: ns })).items).toEqual([]);
    expect((await apiError(kc.makeApiClient(k8s.AppsV1Api).listNamespacedDeployment({ namespace: other }))).code).toBe(403);

    const u2 = uname('scale');
    await role(ns, 'scaler', [{ apiGroups: ['apps'], resources: ['*/scale'], verbs: ['get'] }]);
    await roleBinding(ns, 'scaler-rb', { kind: 'Role', name: 'scaler' }, [userSubject(u2)]);
    const r1 = await ssar(u2, { namespace: ns, verb: 'get', group: 'apps', resource: 'deployments', subresource: 'scale', name: 'd' });
    expect(r1.body.status.allowed).toBe(true);
    const r2 = await ssar(u2, { namespace: ns, verb: 'get', group: 'apps', resource: 'deployments', name: 'd' });
    expect(r2.body.status.allowed).toBe(false);
  });

  it('nonResourceURLs: /version for everyone, /metrics only when granted', async () => {
    const u = uname('nonres');
    expect((await c.raw('GET', '/version', { headers: as(u) })).status).toBe(200);
    const m = await c.raw('GET', '/metrics', { headers: as(u) });
    expect(m.status).toBe(403);
    expect(m.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `forbidden: User "${u}" cannot get path "/metrics"`,
      reason: 'Forbidden',
      details: {},
      code: 403,
    });
    const cr = `fid-metrics-${rand()}`;
    await clusterRole(cr, [{ nonResourceURLs: ['/metrics', '/logs/*'], verbs: ['get'] }]);
    await clusterRoleBinding(cr, { kind: 'ClusterRole', name: cr }, [userSubject(u)]);
    expect((await c.raw('GET', '/metrics', { headers: as(u) })).status).not.toBe(403);
    const r = await ssar(u, { path: '/logs/foo.log', verb: 'get' }, true);
    expect(r.body.status.allowed).toBe(true);
    const r2 = await ssar(u, { path: '/logs', verb: 'get' }, true);
    expect(r2.body.status.allowed).toBe(false);
  });

  it('bootstrap view role (aggregated) works through a RoleBinding', async () => {
    const u = uname('viewer');
    await roleBinding(ns, 'viewer-rb', { kind: 'ClusterRole', name: 'view' }, [userSubject(u)]);
    const core = kcAs(u).makeApiClient(k8s.CoreV1Api);
    await core.listNamespacedConfigMap({ namespace: ns });
    const e = await apiError(core.listNamespacedSecret({ namespace: ns }));
    expect(e.code).toBe(403);
    expect(e.body.message).toBe(`secrets is forbidden: User "${u}" cannot list resource "secrets" in API group "" in the namespace "${ns}"`);
  });
});

describe('impersonation', () => {
  it('the admin may impersonate; the impersonated user is authorized as itself', async () => {
    const u = uname('imp');
    const r = await c.raw('GET', `/api/v1/namespaces/${ns}/secrets`, { headers: as(u) });
    expect(r.status).toBe(403);
    expect(r.body.message).toBe(`secrets is forbidden: User "${u}" cannot list resource "secrets" in API group "" in the namespace "${ns}"`);
  });

  it('impersonated service accounts match ServiceAccount subjects', async () => {
    const sa = `system:serviceaccount:${ns}:builder`;
    await role(ns, 'sa-secrets', [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }]);
    await roleBinding(ns, 'sa-secrets-rb', { kind: 'Role', name: 'sa-secrets' }, [{ kind: 'ServiceAccount', name: 'builder', namespace: ns }]);
    expect((await c.raw('GET', `/api/v1/namespaces/${ns}/secrets`, { headers: as(sa) })).status).toBe(200);
    expect((await c.raw('GET', `/api/v1/namespaces/${other}/secrets`, { headers: as(sa) })).status).toBe(403);
  });

  it('refused without the impersonate verb, allowed with it (sim only: needs a non-admin token)', async () => {
    if (!c.isSim) return;
    const target = uname('target');
    const r = await c.raw('GET', `/api/v1/namespaces/${ns}/pods`, { token: 'alice-token', headers: { 'Impersonate-User': target } });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `users "${target}" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope`,
      reason: 'Forbidden',
      details: { name: target, kind: 'users' },
      code: 403,
    });
    const cr = `fid-impersonator-${rand()}`;
    await clusterRole(cr, [{ apiGroups: [''], resources: ['users'], verbs: ['impersonate'], resourceNames: [target] }]);
    await clusterRoleBinding(cr, { kind: 'ClusterRole', name: cr }, [userSubject('alice')]);
    const ok = await c.raw('GET', `/api/v1/namespaces/${ns}/pods`, { token: 'alice-token', headers: { 'Impersonate-User': target } });
    expect(ok.status).toBe(403);
    expect(ok.body.message).toBe(`pods is forbidden: User "${target}" cannot list resource "pods" in API group "" in the namespace "${ns}"`);
    const grp = await c.raw('GET', `/api/v1/namespaces/${ns}/pods`, { token: 'alice-token', headers: { 'Impersonate-User': target, 'Impersonate-Group': 'system:masters' } });
    expect(grp.status).toBe(403);
    expect(grp.body.message).toBe('groups "system:masters" is forbidden: User "alice" cannot impersonate resource "groups" in API group "" at the cluster scope');
  });
});

describe('access reviews', () => {
  it('SelfSubjectAccessReview answers for the requester with the RBAC reason', async () => {
    const u = uname('ssar');
    await role(ns, 'ssar-role', [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]);
    await roleBinding(ns, 'ssar-rb', { kind: 'Role', name: 'ssar-role' }, [userSubject(u)]);
    const r = await ssar(u, { namespace: ns, verb: 'list', resource: 'pods' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      spec: { resourceAttributes: { namespace: ns, verb: 'list', resource: 'pods' } },
      status: { allowed: true, reason: `RBAC: allowed by RoleBinding "ssar-rb/${ns}" of Role "ssar-role" to User "${u}"` },
    });
    const d = await ssar(u, { namespace: ns, verb: 'delete', resource: 'pods' });
    expect(d.body.status).toEqual({ allowed: false });

    const authz = kcAs(u).makeApiClient(k8s.AuthorizationV1Api);
    const viaClient = await authz.createSelfSubjectAccessReview({
      body: { spec: { resourceAttributes: { namespace: ns, verb: 'list', resource: 'pods' } } },
    });
    expect(viaClient.status?.allowed).toBe(true);
  });

  it('SelfSubjectAccessReview validation is 422', async () => {
    const r = await c.raw('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: {} },
    });
    expect(r.status).toBe(422);
    expect(r.body.message).toBe(
      'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
  });

  it('SubjectAccessReview for another user and group', async () => {
    const u = uname('sar');
    const g = `fid-sar-group-${rand()}`;
    await roleBinding(ns, 'sar-rb', { kind: 'ClusterRole', name: 'view' }, [{ kind: 'Group', apiGroup: RBAC, name: g }]);
    const authz = c.kc.makeApiClient(k8s.AuthorizationV1Api);
    const yes = await authz.createSubjectAccessReview({
      body: { spec: { user: u, groups: [g], resourceAttributes: { namespace: ns, verb: 'get', resource: 'pods' } } },
    });
    expect(yes.status).toMatchObject({ allowed: true, reason: `RBAC: allowed by RoleBinding "sar-rb/${ns}" of ClusterRole "view" to Group "${g}"` });
    const no = await authz.createSubjectAccessReview({
      body: { spec: { user: u, resourceAttributes: { namespace: ns, verb: 'get', resource: 'pods' } } },
    });
    expect(no.status?.allowed).toBe(false);
    expect(no.status?.reason ?? '').toBe('');
    // a plain user may not create SubjectAccessReviews
    const r = await c.raw('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      headers: as(u),
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'x', resourceAttributes: { verb: 'get', resource: 'pods' } } },
    });
    expect(r.status).toBe(403);
    expect(r.body.message).toBe(
      `subjectaccessreviews.authorization.k8s.io is forbidden: User "${u}" cannot create resource "subjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope`,
    );
    expect(r.body.details).toEqual({ group: 'authorization.k8s.io', kind: 'subjectaccessreviews' });
  });

  it('LocalSubjectAccessReview must target its namespace', async () => {
    const authz = c.kc.makeApiClient(k8s.AuthorizationV1Api);
    const r = await authz.createNamespacedLocalSubjectAccessReview({
      namespace: ns,
      body: { metadata: { namespace: ns }, spec: { user: uname('lsar'), resourceAttributes: { namespace: ns, verb: 'get', resource: 'pods' } } },
    });
    expect(r.status?.allowed).toBe(false);
    const bad = await c.raw('POST', `/apis/authorization.k8s.io/v1/namespaces/${ns}/localsubjectaccessreviews`, {
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'LocalSubjectAccessReview', spec: { user: 'x', resourceAttributes: { namespace: other, verb: 'get', resource: 'pods' } } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe(`spec.resourceAttributes.namespace must match namespace: ${ns}`);
  });
});
