import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { apiError, setupCluster, type TestCluster } from './cluster';

let c: TestCluster;
let ns: string;
beforeAll(async () => {
  c = await setupCluster('patch');
  ns = c.namespace;
});
afterAll(async () => {
  await c?.stop();
});

const hdr = (t: string) => setHeaderOptions('Content-Type', t);
const depPath = (name: string) => `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;
const deployment = (name: string) => ({
  metadata: { name },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          { name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] },
          { name: 'side', image: 'busybox:1.36' },
        ],
      },
    },
  },
});

describe('JSON patch', () => {
  it('applies add/replace/remove/test operations', async () => {
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'jp' }, data: { a: '1', b: '2' } } });
    const p = await c.core.patchNamespacedConfigMap(
      { name: 'jp', namespace: ns, body: [{ op: 'test', path: '/data/a', value: '1' }, { op: 'replace', path: '/data/a', value: 'x' }, { op: 'remove', path: '/data/b' }, { op: 'add', path: '/metadata/labels', value: { l: 'v' } }] },
      hdr(PatchStrategy.JsonPatch),
    );
    expect(p.data).toEqual({ a: 'x' });
    expect(p.metadata?.labels).toEqual({ l: 'v' });
  });

  it('fails a failed test operation with 422', async () => {
    const r = await c.raw('PATCH', `/api/v1/namespaces/${ns}/configmaps/jp`, { body: [{ op: 'test', path: '/data/a', value: 'nope' }], contentType: 'application/json-patch+json' });
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Invalid', code: 422, message: 'the server rejected our request due to an error in our request' });
  });

  it('rejects an unknown patch content type with 415', async () => {
    const r = await c.raw('PATCH', `/api/v1/namespaces/${ns}/configmaps/jp`, { body: {}, contentType: 'application/x-nope' });
    expect(r.status).toBe(415);
    expect(r.body).toMatchObject({ reason: 'UnsupportedMediaType', code: 415 });
  });

  it('404 when patching a missing object', async () => {
    const r = await c.raw('PATCH', `/api/v1/namespaces/${ns}/configmaps/nope`, { body: { data: { a: 'b' } }, contentType: 'application/merge-patch+json' });
    expect(r.status).toBe(404);
  });
});

describe('merge patch', () => {
  it('merges maps, deletes with null, replaces lists', async () => {
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('mp') });
    const p = await c.apps.patchNamespacedDeployment(
      { name: 'mp', namespace: ns, body: { metadata: { labels: { x: 'y' } }, spec: { template: { spec: { containers: [{ name: 'only', image: 'redis:7' }] } } } } },
      hdr(PatchStrategy.MergePatch),
    );
    expect(p.metadata?.labels).toEqual({ x: 'y' });
    expect(p.spec?.template.spec?.containers.map((x) => x.name)).toEqual(['only']);
    const q = await c.apps.patchNamespacedDeployment({ name: 'mp', namespace: ns, body: { metadata: { labels: { x: null } } } }, hdr(PatchStrategy.MergePatch));
    expect(q.metadata?.labels ?? {}).toEqual({});
  });

  it('a stale resourceVersion in the patch is a 409 Conflict', async () => {
    const r = await c.raw('PATCH', depPath('mp'), { body: { metadata: { resourceVersion: '1' }, spec: { replicas: 2 } }, contentType: 'application/merge-patch+json' });
    expect(r.status).toBe(409);
    expect(r.body.reason).toBe('Conflict');
  });
});

describe('strategic merge patch', () => {
  it('merges containers by name, env by name and ports by containerPort', async () => {
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('smp') });
    const p = await c.apps.patchNamespacedDeployment(
      {
        name: 'smp',
        namespace: ns,
        body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.28', env: [{ name: 'B', value: '2' }], ports: [{ containerPort: 443 }] }, { name: 'new', image: 'alpine:3' }] } } } },
      },
      hdr(PatchStrategy.StrategicMergePatch),
    );
    const cs = p.spec!.template.spec!.containers;
    expect(cs.map((x) => x.name).sort()).toEqual(['app', 'new', 'side']);
    const app = cs.find((x) => x.name === 'app')!;
    expect(app.image).toBe('nginx:1.28');
    expect(app.env?.map((e) => e.name).sort()).toEqual(['A', 'B']);
    expect(app.ports?.map((x) => x.containerPort).sort()).toEqual([443, 80]);
  });

  it('honours $patch: delete in a list and $patch: replace', async () => {
    const p = await c.apps.patchNamespacedDeployment(
      { name: 'smp', namespace: ns, body: { spec: { template: { spec: { containers: [{ name: 'side', $patch: 'delete' }] } } } } },
      hdr(PatchStrategy.StrategicMergePatch),
    );
    expect(p.spec!.template.spec!.containers.map((x) => x.name).sort()).toEqual(['app', 'new']);
    const q = await c.apps.patchNamespacedDeployment(
      { name: 'smp', namespace: ns, body: { spec: { template: { spec: { containers: [{ name: 'solo', image: 'nginx' }, { $patch: 'replace' }] } } } } },
      hdr(PatchStrategy.StrategicMergePatch),
    );
    expect(q.spec!.template.spec!.containers.map((x) => x.name)).toEqual(['solo']);
  });

  it('merges finalizers as a set', async () => {
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'smp-fin', finalizers: ['a.example/x'] } } });
    const p = await c.core.patchNamespacedConfigMap({ name: 'smp-fin', namespace: ns, body: { metadata: { finalizers: ['b.example/y'] } } }, hdr(PatchStrategy.StrategicMergePatch));
    expect(p.metadata?.finalizers).toEqual(['a.example/x', 'b.example/y']);
    await c.core.patchNamespacedConfigMap({ name: 'smp-fin', namespace: ns, body: { metadata: { finalizers: null } } }, hdr(PatchStrategy.MergePatch));
  });
});

describe('server-side apply', () => {
  const cm = (data: Record<string, string>, labels?: Record<string, string>): any => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa', namespace: ns, ...(labels ? { labels } : {}) }, data });

  it('creates the object when absent and records managedFields', async () => {
    const r: any = await c.objects.patch(cm({ a: '1', b: '2' }), undefined, undefined, 'mgr-a', undefined, PatchStrategy.ServerSideApply);
    expect((r as any).data).toEqual({ a: '1', b: '2' });
    const mf = r.metadata!.managedFields!;
    expect(mf).toHaveLength(1);
    expect(mf[0]).toMatchObject({ manager: 'mgr-a', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1' });
    expect(mf[0].fieldsV1).toEqual({ 'f:data': { 'f:a': {}, 'f:b': {} } });
  });

  it('answers 201 when apply creates and 200 when it updates', async () => {
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa-raw' }, data: { a: '1' } };
    const first = await c.raw('PATCH', `/api/v1/namespaces/${ns}/configmaps/ssa-raw?fieldManager=raw`, { body, contentType: 'application/apply-patch+yaml' });
    expect(first.status).toBe(201);
    const second = await c.raw('PATCH', `/api/v1/namespaces/${ns}/configmaps/ssa-raw?fieldManager=raw`, { body, contentType: 'application/apply-patch+yaml' });
    expect(second.status).toBe(200);
  });

  it('requires a fieldManager (422 on PatchOptions)', async () => {
    const r = await c.raw('PATCH', `/api/v1/namespaces/${ns}/configmaps/ssa-raw`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa-raw' } }, contentType: 'application/apply-patch+yaml' });
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({
      reason: 'Invalid',
      message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      details: { group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }] },
    });
  });

  it('refuses force on non-apply patches', async () => {
    const r = await c.raw('PATCH', `/api/v1/namespaces/${ns}/configmaps/ssa-raw?force=true`, { body: { data: { z: '1' } }, contentType: 'application/merge-patch+json' });
    expect(r.status).toBe(422);
    expect(r.body.message).toBe('PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
  });

  it('shares fields applied with equal values, conflicts on different values, and force takes ownership', async () => {
    // same value: no conflict, shared ownership
    const shared: any = await c.objects.patch(cm({ a: '1' }), undefined, undefined, 'mgr-b', undefined, PatchStrategy.ServerSideApply);
    expect(shared.metadata!.managedFields!.map((m: any) => m.manager).sort()).toEqual(['mgr-a', 'mgr-b']);
    // different value: conflict naming the other manager
    const raw = await c.raw('PATCH', `/api/v1/namespaces/${ns}/configmaps/ssa?fieldManager=mgr-b`, { body: cm({ a: '1', b: 'changed' }), contentType: 'application/apply-patch+yaml' });
    expect(raw.status).toBe(409);
    expect(raw.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Conflict',
      code: 409,
      message: 'Apply failed with 1 conflict: conflict with "mgr-a": .data.b',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "mgr-a"', field: '.data.b' }] },
    });
    const e = await apiError(c.objects.patch(cm({ a: '1', b: 'changed' }), undefined, undefined, 'mgr-b', undefined, PatchStrategy.ServerSideApply));
    expect(e.code).toBe(409);
    // force
    const forced: any = await c.objects.patch(cm({ a: '1', b: 'changed' }), undefined, undefined, 'mgr-b', true, PatchStrategy.ServerSideApply);
    expect((forced as any).data).toEqual({ a: '1', b: 'changed' });
    const a = forced.metadata!.managedFields!.find((m: any) => m.manager === 'mgr-a')!;
    expect(a.fieldsV1).toEqual({ 'f:data': { 'f:a': {} } });
  });

  it('removes fields a manager stops applying when it alone owned them', async () => {
    const r = await c.objects.patch(cm({ a: '1', c: '3' }, { l: 'x' }), undefined, undefined, 'mgr-b', undefined, PatchStrategy.ServerSideApply);
    // b was owned by mgr-b only → removed; a still owned by mgr-a
    expect((r as any).data).toEqual({ a: '1', c: '3' });
    expect(r.metadata?.labels).toEqual({ l: 'x' });
    const r2 = await c.objects.patch(cm({ c: '3' }), undefined, undefined, 'mgr-b', undefined, PatchStrategy.ServerSideApply);
    expect((r2 as any).data).toEqual({ a: '1', c: '3' });
    expect(r2.metadata?.labels ?? {}).toEqual({});
  });

  it('conflicts with an Update manager naming its apiVersion', async () => {
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('ssa-dep') });
    await c.apps.patchNamespacedDeployment({ name: 'ssa-dep', namespace: ns, body: { spec: { replicas: 3 } } }, { ...hdr(PatchStrategy.MergePatch) });
    const apply = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ssa-dep' }, spec: { replicas: 5 } };
    const r = await c.raw('PATCH', `${depPath('ssa-dep')}?fieldManager=other-manager`, { body: apply, contentType: 'application/apply-patch+yaml' });
    expect(r.status).toBe(409);
    expect(r.body.message).toMatch(/^Apply failed with 1 conflict: conflict with ".+" using apps\/v1 at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: \.spec\.replicas$/);
    expect(r.body.details.causes[0].field).toBe('.spec.replicas');
    const forced = await c.raw('PATCH', `${depPath('ssa-dep')}?fieldManager=other-manager&force=true`, { body: apply, contentType: 'application/apply-patch+yaml' });
    expect(forced.status).toBe(200);
    expect(forced.body.spec.replicas).toBe(5);
  });

  it('applies lists of containers merged by name', async () => {
    const apply = (containers: any[], mgr: string) =>
      c.raw('PATCH', `${depPath('ssa-list')}?fieldManager=${mgr}`, {
        body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ssa-list' }, spec: { selector: { matchLabels: { app: 'l' } }, template: { metadata: { labels: { app: 'l' } }, spec: { containers } } } },
        contentType: 'application/apply-patch+yaml',
      });
    const r1 = await apply([{ name: 'a', image: 'nginx' }], 'one');
    expect(r1.status).toBe(201);
    const r2 = await c.raw('PATCH', `${depPath('ssa-list')}?fieldManager=two`, {
      body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ssa-list' }, spec: { template: { spec: { containers: [{ name: 'b', image: 'redis' }] } } } },
      contentType: 'application/apply-patch+yaml',
    });
    expect(r2.status).toBe(200);
    expect(r2.body.spec.template.spec.containers.map((x: any) => x.name).sort()).toEqual(['a', 'b']);
    const two = r2.body.metadata.managedFields.find((m: any) => m.manager === 'two');
    expect(Object.keys(two.fieldsV1['f:spec']['f:template']['f:spec']['f:containers'])).toEqual(['k:{"name":"b"}']);
  });

  it('accepts YAML apply bodies', async () => {
    const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-yaml\ndata:\n  k: v\n`;
    const r = await c.raw('PATCH', `/api/v1/namespaces/${ns}/configmaps/ssa-yaml?fieldManager=yaml`, { body: yaml, contentType: 'application/apply-patch+yaml' });
    expect(r.status).toBe(201);
    expect(r.body.data).toEqual({ k: 'v' });
  });

  it('applies cluster-registration style objects (ResourceQuota, LimitRange)', async () => {
    const rq = await c.objects.patch({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'quota', namespace: ns }, spec: { hard: { pods: '10' } } } as any, undefined, undefined, 'bosun', true, PatchStrategy.ServerSideApply);
    expect((rq as any).spec.hard).toEqual({ pods: '10' });
    const lr = await c.objects.patch(
      { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'limits', namespace: ns }, spec: { limits: [{ type: 'Container', default: { cpu: '500m' } }] } } as any,
      undefined,
      undefined,
      'bosun',
      true,
      PatchStrategy.ServerSideApply,
    );
    expect((lr as any).spec.limits[0].type).toBe('Container');
  });
});
