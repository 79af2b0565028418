import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { apiError, podSpec, setupCluster, type TestCluster } from './cluster';

let c: TestCluster;
let ns: string;
beforeAll(async () => {
  c = await setupCluster('crud');
  ns = c.namespace;
});
afterAll(async () => {
  await c?.stop();
});

const deployment = (name: string, replicas = 1) => ({
  metadata: { name, labels: { app: name } },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: podSpec() } },
});

describe('CRUD', () => {
  it('creates, reads, updates, lists and deletes ConfigMaps with metadata like kube-apiserver', async () => {
    const created = await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'one', labels: { a: 'b' }, annotations: { x: 'y' } }, data: { k: 'v' } } });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(created.metadata?.namespace).toBe(ns);
    expect(created.metadata?.generation).toBeUndefined();
    const read = await c.core.readNamespacedConfigMap({ name: 'one', namespace: ns });
    expect(read.data).toEqual({ k: 'v' });
    read.data = { k: 'w' };
    const updated = await c.core.replaceNamespacedConfigMap({ name: 'one', namespace: ns, body: read });
    expect(Number(updated.metadata!.resourceVersion)).toBeGreaterThan(Number(created.metadata!.resourceVersion));
    expect(updated.metadata?.uid).toBe(created.metadata?.uid);
    const list = await c.core.listNamespacedConfigMap({ namespace: ns });
    expect(list.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect(list.items.map((i) => i.metadata?.name)).toContain('one');
    const del = await c.core.deleteNamespacedConfigMap({ name: 'one', namespace: ns });
    expect(del).toBeTruthy();
    expect((await apiError(c.core.readNamespacedConfigMap({ name: 'one', namespace: ns }))).code).toBe(404);
  });

  it('answers a raw list with kind ConfigMapList and items without kind', async () => {
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'raw-list' } } });
    const r = await c.raw('GET', `/api/v1/namespaces/${ns}/configmaps`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ kind: 'ConfigMapList', apiVersion: 'v1' });
    expect(r.body.metadata.resourceVersion).toMatch(/^\d+$/);
    const item = r.body.items.find((i: any) => i.metadata.name === 'raw-list');
    expect(item.kind).toBeUndefined();
    const one = await c.raw('GET', `/api/v1/namespaces/${ns}/configmaps/raw-list`);
    expect(one.body).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
  });

  it('uses one global resourceVersion counter across kinds', async () => {
    const a = await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'rv-a' } } });
    const b = await c.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'rv-b' } } });
    const d = await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'rv-c' } } });
    expect(Number(b.metadata!.resourceVersion)).toBeGreaterThan(Number(a.metadata!.resourceVersion));
    expect(Number(d.metadata!.resourceVersion)).toBeGreaterThan(Number(b.metadata!.resourceVersion));
  });

  it('generates names from generateName with a 5-character suffix', async () => {
    const cm = await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { generateName: 'gen-' } } });
    expect(cm.metadata?.name).toMatch(/^gen-[a-z0-9]{5}$/);
    expect(cm.metadata?.generateName).toBe('gen-');
  });

  it('merges Secret stringData into base64 data', async () => {
    const s = await c.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'sec' }, data: { a: Buffer.from('x').toString('base64') }, stringData: { b: 'hello' } } });
    expect(s.data).toEqual({ a: 'eA==', b: Buffer.from('hello').toString('base64') });
    expect(s.stringData).toBeUndefined();
    expect(s.type).toBe('Opaque');
  });

  it('allocates a clusterIP to Services and keeps it on update', async () => {
    const svc = await c.core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } } });
    expect(svc.spec?.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(svc.spec?.type).toBe('ClusterIP');
    expect(svc.spec?.ports?.[0]).toMatchObject({ port: 80, protocol: 'TCP', targetPort: 80 });
    const upd = await c.core.replaceNamespacedService({ name: 'web', namespace: ns, body: { ...svc, metadata: { ...svc.metadata, labels: { x: 'y' } } } });
    expect(upd.spec?.clusterIP).toBe(svc.spec?.clusterIP);
  });

  it('has the default ServiceAccount in new namespaces', async () => {
    const other = await c.extraNamespace('sa');
    const { eventually } = await import('./cluster');
    const sa = await eventually(() => c.core.readNamespacedServiceAccount({ name: 'default', namespace: other }));
    expect(sa.metadata?.name).toBe('default');
  });

  it('has the system namespaces', async () => {
    const names = (await c.core.listNamespace()).items.map((n) => n.metadata?.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'kube-system', 'kube-public', 'kube-node-lease']));
    const d = await c.core.readNamespace({ name: 'default' });
    expect(d.status?.phase).toBe('Active');
    expect(d.metadata?.labels?.['kubernetes.io/metadata.name']).toBe('default');
  });

  it('creates Deployments with generation 1 and bumps generation on spec changes only', async () => {
    const d = await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('gen') });
    expect(d.metadata?.generation).toBe(1);
    expect(d.spec?.replicas).toBe(1);
    const labelled = await c.apps.patchNamespacedDeployment({ name: 'gen', namespace: ns, body: { metadata: { labels: { extra: 'x' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(labelled.metadata?.generation).toBe(1);
    const scaled = await c.apps.patchNamespacedDeployment({ name: 'gen', namespace: ns, body: { spec: { replicas: 3 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(scaled.metadata?.generation).toBe(2);
    const status = await c.raw('PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/gen/status`, { body: { status: { observedGeneration: 2, replicas: 3 } }, contentType: 'application/merge-patch+json' });
    expect(status.status).toBe(200);
    expect(status.body.metadata.generation).toBe(2);
  });

  it('serves the scale subresource as autoscaling/v1 Scale', async () => {
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('scaled', 2) });
    const s = await c.apps.readNamespacedDeploymentScale({ name: 'scaled', namespace: ns });
    expect(s.kind).toBe('Scale');
    expect(s.apiVersion).toBe('autoscaling/v1');
    expect(s.spec?.replicas).toBe(2);
    const r = await c.raw('PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/scaled/scale`, { body: { spec: { replicas: 5 } }, contentType: 'application/merge-patch+json' });
    expect(r.status).toBe(200);
    expect(r.body.spec.replicas).toBe(5);
    expect((await c.apps.readNamespacedDeployment({ name: 'scaled', namespace: ns })).spec?.replicas).toBe(5);
  });

  it('handles RBAC roles and bindings', async () => {
    await c.rbac.createNamespacedRole({ namespace: ns, body: { metadata: { name: 'reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] } });
    await c.rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: { metadata: { name: 'reader' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' }, subjects: [{ kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }] },
    });
    const roles = await c.rbac.listNamespacedRole({ namespace: ns });
    expect(roles.items.map((r) => r.metadata?.name)).toEqual(['reader']);
  });

  it('lists namespaced kinds across namespaces', async () => {
    const other = await c.extraNamespace('across');
    await c.core.createNamespacedConfigMap({ namespace: other, body: { metadata: { name: 'x-across', labels: { across: 'yes' } } } });
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'y-across', labels: { across: 'yes' } } } });
    const all = await c.core.listConfigMapForAllNamespaces({ labelSelector: 'across=yes' });
    expect(all.items.map((i) => `${i.metadata?.namespace}/${i.metadata?.name}`).sort()).toEqual([`${other}/x-across`, `${ns}/y-across`].sort());
  });

  it('creates Pods with defaults and phase Pending', async () => {
    const p = await c.core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'p1' }, spec: podSpec() } });
    expect(p.status?.phase).toBe('Pending');
    expect(p.spec?.restartPolicy).toBe('Always');
    expect(p.spec?.containers[0].terminationMessagePath).toBe('/dev/termination-log');
    const deleted = await c.raw('DELETE', `/api/v1/namespaces/${ns}/pods/p1?gracePeriodSeconds=0`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.kind).toBe('Pod');
  });
});

describe('errors as Status objects', () => {
  it('409 AlreadyExists', async () => {
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'dup' } } });
    const e = await apiError(c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'dup' } } }));
    expect(e.code).toBe(409);
    expect(e.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'AlreadyExists', code: 409, message: 'configmaps "dup" already exists', details: { name: 'dup', kind: 'configmaps' } });
  });

  it('409 Conflict on a stale resourceVersion', async () => {
    const cm = await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'stale' }, data: { a: '1' } } });
    await c.core.replaceNamespacedConfigMap({ name: 'stale', namespace: ns, body: { ...cm, data: { a: '2' } } });
    const e = await apiError(c.core.replaceNamespacedConfigMap({ name: 'stale', namespace: ns, body: { ...cm, data: { a: '3' } } }));
    expect(e.code).toBe(409);
    expect(e.body).toMatchObject({
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on configmaps "stale": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: 'stale', kind: 'configmaps' },
    });
  });

  it('404 NotFound for objects, namespaces and group-qualified resources', async () => {
    const e = await apiError(c.core.readNamespacedConfigMap({ name: 'missing', namespace: ns }));
    expect(e.code).toBe(404);
    expect(e.body).toMatchObject({ reason: 'NotFound', message: 'configmaps "missing" not found', details: { name: 'missing', kind: 'configmaps' } });
    const d = await apiError(c.apps.readNamespacedDeployment({ name: 'missing', namespace: ns }));
    expect(d.body).toMatchObject({ message: 'deployments.apps "missing" not found', details: { name: 'missing', group: 'apps', kind: 'deployments' } });
    const n = await apiError(c.core.createNamespacedConfigMap({ namespace: 'no-such-namespace-xyz', body: { metadata: { name: 'a' } } }));
    expect(n.code).toBe(404);
    expect(n.body).toMatchObject({ reason: 'NotFound', message: 'namespaces "no-such-namespace-xyz" not found' });
  });

  it('422 Invalid for a bad name with the exact kube-apiserver wording', async () => {
    const e = await apiError(c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'Bad_Name' } } }));
    expect(e.code).toBe(422);
    const msg =
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    expect(e.body).toMatchObject({
      reason: 'Invalid',
      message: `ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${msg}`,
      details: { name: 'Bad_Name', kind: 'ConfigMap', causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: "Bad_Name": ${msg}`, field: 'metadata.name' }] },
    });
  });

  it('422 for namespace names (RFC 1123 label) and service names (RFC 1035 label)', async () => {
    const e = await apiError(c.core.createNamespace({ body: { metadata: { name: 'a.b' } } }));
    expect(e.code).toBe(422);
    expect(e.body.message).toBe(
      `Namespace "a.b" is invalid: metadata.name: Invalid value: "a.b": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    );
    const s = await apiError(c.core.createNamespacedService({ namespace: ns, body: { metadata: { name: '1svc' }, spec: { ports: [{ port: 80 }] } } }));
    expect(s.code).toBe(422);
    expect(s.body.message).toContain('a DNS-1035 label must consist of lower case alphanumeric characters');
  });

  it('422 for missing required fields', async () => {
    const noName = await apiError(c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: {} } }));
    expect(noName.code).toBe(422);
    expect(noName.body.details.causes).toEqual([{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }]);
    const pod = await apiError(c.core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'nopod' }, spec: { containers: [] } } }));
    expect(pod.code).toBe(422);
    expect(pod.body.details.causes).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'FieldValueRequired', field: 'spec.containers' })]));
    const img = await apiError(c.core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'noimage' }, spec: { containers: [{ name: 'a' } as any] } } }));
    expect(img.body.details.causes).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'FieldValueRequired', field: 'spec.containers[0].image' })]));
    const dep = await apiError(c.raw('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, { body: { metadata: { name: 'nosel' }, spec: { template: { metadata: { labels: { a: 'b' } }, spec: podSpec() } } } }).then((r) => Promise.reject({ code: r.status, body: r.body })));
    expect(dep.code).toBe(422);
    expect(dep.body.details.causes).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'spec.selector' })]));
  });

  it('400 BadRequest for a body that does not parse', async () => {
    const r = await c.raw('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: '{not json', contentType: 'application/json' });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
  });

  it('400 BadRequest when the body namespace does not match the URL', async () => {
    const r = await c.raw('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mismatch', namespace: 'default' } } });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ reason: 'BadRequest', message: 'the namespace of the provided object does not match the namespace sent on the request' });
  });

  it('400 BadRequest when the body name does not match the URL on update', async () => {
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'named' } } });
    const r = await c.raw('PUT', `/api/v1/namespaces/${ns}/configmaps/named`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other' } } });
    expect(r.status).toBe(400);
    expect(r.body.message).toBe('the name of the object (other) does not match the name on the URL (named)');
  });

  it('DELETE of a ConfigMap answers a Success Status; of a missing one 404', async () => {
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'del' } } });
    const r = await c.raw('DELETE', `/api/v1/namespaces/${ns}/configmaps/del`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Success', details: { name: 'del', kind: 'configmaps' } });
    const again = await c.raw('DELETE', `/api/v1/namespaces/${ns}/configmaps/del`);
    expect(again.status).toBe(404);
  });

  it('deletecollection with a label selector', async () => {
    for (const n of ['dc-1', 'dc-2']) await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: n, labels: { dc: 'yes' } } } });
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'dc-3' } } });
    await c.core.deleteCollectionNamespacedConfigMap({ namespace: ns, labelSelector: 'dc=yes' });
    const left = (await c.core.listNamespacedConfigMap({ namespace: ns })).items.map((i) => i.metadata?.name).filter((n) => n?.startsWith('dc-'));
    expect(left).toEqual(['dc-3']);
  });
});

describe('namespace protection', () => {
  it('refuses to delete the default namespace with 403', async () => {
    if (!c.isSim) return; // never try this on a real cluster
    const r = await c.raw('DELETE', '/api/v1/namespaces/default');
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ reason: 'Forbidden', message: 'namespaces "default" is forbidden: this namespace may not be deleted' });
  });

  it('qualifies the kind of group resources in 422 messages', async () => {
    const r = await c.raw('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, { body: { metadata: { name: 'Bad_Deploy' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: podSpec() } } } });
    expect(r.status).toBe(422);
    expect(r.body.message).toMatch(/^Deployment\.apps "Bad_Deploy" is invalid: metadata\.name: Invalid value: "Bad_Deploy": a lowercase RFC 1123 subdomain/);
    expect(r.body.details).toMatchObject({ name: 'Bad_Deploy', group: 'apps', kind: 'Deployment' });
  });
});

describe('immutable fields', () => {
  it('refuses a changed Deployment selector with 422', async () => {
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('immut') });
    const r = await c.raw('PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/immut`, {
      body: { spec: { selector: { matchLabels: { app: 'other' } }, template: { metadata: { labels: { app: 'other' } } } } },
      contentType: 'application/merge-patch+json',
    });
    expect(r.status).toBe(422);
    expect(r.body.message).toMatch(/^Deployment\.apps "immut" is invalid: spec\.selector: Invalid value: .*: field is immutable$/);
    expect(r.body.details.causes[0]).toMatchObject({ reason: 'FieldValueInvalid', field: 'spec.selector' });
  });

  it('refuses pod spec changes other than images with 422', async () => {
    await c.core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'immut-pod' }, spec: podSpec() } });
    const ok = await c.raw('PATCH', `/api/v1/namespaces/${ns}/pods/immut-pod`, { body: { spec: { containers: [{ name: 'app', image: 'nginx:1.28' }] } }, contentType: 'application/strategic-merge-patch+json' });
    expect(ok.status).toBe(200);
    const bad = await c.raw('PATCH', `/api/v1/namespaces/${ns}/pods/immut-pod`, { body: { spec: { restartPolicy: 'Never' } }, contentType: 'application/merge-patch+json' });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toMatch(/^Pod "immut-pod" is invalid: spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`/);
  });

  it('refuses data changes of an immutable ConfigMap', async () => {
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'frozen' }, data: { a: '1' }, immutable: true } });
    const r = await c.raw('PATCH', `/api/v1/namespaces/${ns}/configmaps/frozen`, { body: { data: { a: '2' } }, contentType: 'application/merge-patch+json' });
    expect(r.status).toBe(422);
    expect(r.body.message).toBe('ConfigMap "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set');
  });
});

describe('unknown fields', () => {
  it('drops them with a Warning header by default and refuses them with fieldValidation=Strict', async () => {
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unknown-f', bogus: 1 }, data: { a: '1' }, extra: true };
    const r = await c.raw('POST', `/api/v1/namespaces/${ns}/configmaps`, { body });
    expect(r.status).toBe(201);
    expect(r.body.extra).toBeUndefined();
    expect(r.body.metadata.bogus).toBeUndefined();
    expect(String(r.headers.warning)).toContain('unknown field \\"extra\\"');
    const strict = await c.raw('POST', `/api/v1/namespaces/${ns}/configmaps?fieldValidation=Strict`, { body: { ...body, metadata: { name: 'unknown-s' } } });
    expect(strict.status).toBe(400);
    expect(strict.body).toMatchObject({ reason: 'BadRequest', message: 'strict decoding error: unknown field "extra"' });
  });
});
