import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { apiError, eventually, setupCluster, type TestCluster } from './cluster';

let c: TestCluster;
let ns: string;
let ext: k8s.ApiextensionsV1Api;
let custom: k8s.CustomObjectsApi;
const suffix = Math.random().toString(36).slice(2, 7);
const group = `fid${suffix}.bosun.test`;
const plural = 'widgets';
const clusterPlural = 'gadgets';

const crd = (p: string, kind: string, scope: 'Namespaced' | 'Cluster', status: boolean) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${p}.${group}` },
  spec: {
    group,
    scope,
    names: { plural: p, singular: p.slice(0, -1), kind, listKind: `${kind}List`, shortNames: [`${p.slice(0, 2)}${suffix}`] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { size: { type: 'integer' }, color: { type: 'string' }, replicas: { type: 'integer' } } },
              status: { type: 'object', properties: { ready: { type: 'boolean' }, replicas: { type: 'integer' } } },
            },
          },
        },
        ...(status ? { subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } } } : {}),
      },
    ],
  },
});

beforeAll(async () => {
  c = await setupCluster('crd');
  ns = c.namespace;
  ext = c.kc.makeApiClient(k8s.ApiextensionsV1Api);
  custom = c.kc.makeApiClient(k8s.CustomObjectsApi);
  await ext.createCustomResourceDefinition({ body: crd(plural, 'Widget', 'Namespaced', true) as any });
  await ext.createCustomResourceDefinition({ body: crd(clusterPlural, 'Gadget', 'Cluster', false) as any });
  for (const p of [plural, clusterPlural])
    await eventually(async () => {
      const got = await ext.readCustomResourceDefinition({ name: `${p}.${group}` });
      return got.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True');
    }, 30_000);
});
afterAll(async () => {
  if (ext) for (const p of [plural, clusterPlural]) await ext.deleteCustomResourceDefinition({ name: `${p}.${group}` }).catch(() => undefined);
  await c?.stop();
});

describe('CustomResourceDefinitions', () => {
  it('are established and appear in discovery', async () => {
    const apis = await c.raw('GET', '/apis');
    const g = apis.body.groups.find((x: any) => x.name === group);
    expect(g).toMatchObject({ preferredVersion: { groupVersion: `${group}/v1`, version: 'v1' } });
    const list = await eventually(async () => {
      const r = await c.raw('GET', `/apis/${group}/v1`);
      return r.status === 200 ? r.body : undefined;
    });
    const byName = new Map(list.resources.map((r: any) => [r.name, r]));
    expect(byName.get(plural)).toMatchObject({ singularName: 'widget', namespaced: true, kind: 'Widget' });
    expect(byName.get(`${plural}/status`)).toMatchObject({ kind: 'Widget', verbs: ['get', 'patch', 'update'] });
    expect(byName.get(clusterPlural)).toMatchObject({ namespaced: false, kind: 'Gadget' });
    const got = await ext.readCustomResourceDefinition({ name: `${plural}.${group}` });
    expect(got.status?.acceptedNames?.kind).toBe('Widget');
    expect(got.status?.storedVersions).toEqual(['v1']);
  });

  it('serve namespaced custom resources with CRUD, generation and status subresource', async () => {
    const created: any = await custom.createNamespacedCustomObject({ group, version: 'v1', namespace: ns, plural, body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 1 }, status: { ready: true } } });
    expect(created.metadata.generation).toBe(1);
    expect(created.status).toBeUndefined();
    const got: any = await custom.getNamespacedCustomObject({ group, version: 'v1', namespace: ns, plural, name: 'w1' });
    expect(got).toMatchObject({ apiVersion: `${group}/v1`, kind: 'Widget', spec: { size: 1 } });
    const patched = await c.raw('PATCH', `/apis/${group}/v1/namespaces/${ns}/${plural}/w1`, { body: { spec: { size: 2 }, status: { ready: true } }, contentType: 'application/merge-patch+json' });
    expect(patched.status).toBe(200);
    expect(patched.body.metadata.generation).toBe(2);
    expect(patched.body.status).toBeUndefined();
    const st = await c.raw('PATCH', `/apis/${group}/v1/namespaces/${ns}/${plural}/w1/status`, { body: { status: { ready: true } }, contentType: 'application/merge-patch+json' });
    expect(st.status).toBe(200);
    expect(st.body.status).toEqual({ ready: true });
    expect(st.body.metadata.generation).toBe(2);
    const list = await c.raw('GET', `/apis/${group}/v1/namespaces/${ns}/${plural}`);
    expect(list.body).toMatchObject({ kind: 'WidgetList', apiVersion: `${group}/v1` });
    expect(list.body.items[0]).toMatchObject({ kind: 'Widget', apiVersion: `${group}/v1` });
    const scale = await c.raw('GET', `/apis/${group}/v1/namespaces/${ns}/${plural}/w1/scale`);
    expect(scale.body).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1' });
  });

  it('reject strategic merge patch on custom resources with 415', async () => {
    const r = await c.raw('PATCH', `/apis/${group}/v1/namespaces/${ns}/${plural}/w1`, { body: { spec: { size: 3 } }, contentType: 'application/strategic-merge-patch+json' });
    expect(r.status).toBe(415);
    expect(r.body.reason).toBe('UnsupportedMediaType');
  });

  it('serve server-side apply on custom resources via KubernetesObjectApi', async () => {
    const obj = { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'applied', namespace: ns }, spec: { color: 'red' } };
    const r: any = await c.objects.patch(obj, undefined, undefined, 'fid', true, k8s.PatchStrategy.ServerSideApply);
    expect(r.spec).toEqual({ color: 'red' });
    const read: any = await c.objects.read({ apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'applied', namespace: ns } });
    expect(read.spec.color).toBe('red');
  });

  it('serve cluster-scoped custom resources', async () => {
    await custom.createClusterCustomObject({ group, version: 'v1', plural: clusterPlural, body: { apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name: `g-${suffix}` }, spec: { size: 5 } } });
    const l: any = await custom.listClusterCustomObject({ group, version: 'v1', plural: clusterPlural });
    expect(l.items.map((i: any) => i.metadata.name)).toContain(`g-${suffix}`);
    const e = await apiError(custom.getClusterCustomObject({ group, version: 'v1', plural: clusterPlural, name: 'missing' }));
    expect(e.code).toBe(404);
    expect(e.body.message).toBe(`${clusterPlural}.${group} "missing" not found`);
    await custom.deleteClusterCustomObject({ group, version: 'v1', plural: clusterPlural, name: `g-${suffix}` });
  });

  it('are watchable', async () => {
    const { events } = await c.watchRaw(`/apis/${group}/v1/namespaces/${ns}/${plural}?watch=1`, { until: (e) => e.length >= 1, timeoutMs: 5000 });
    expect(events[0]).toMatchObject({ type: 'ADDED', object: { kind: 'Widget' } });
  });

  it('deleting the CRD removes its resources and its API', async () => {
    const tmp = crd('doodads', 'Doodad', 'Namespaced', false);
    await ext.createCustomResourceDefinition({ body: tmp as any });
    await eventually(async () => (await c.raw('GET', `/apis/${group}/v1/namespaces/${ns}/doodads`)).status === 200, 30_000);
    await c.raw('POST', `/apis/${group}/v1/namespaces/${ns}/doodads`, { body: { apiVersion: `${group}/v1`, kind: 'Doodad', metadata: { name: 'd1' } } });
    await ext.deleteCustomResourceDefinition({ name: `doodads.${group}` });
    await eventually(async () => (await c.raw('GET', `/apis/${group}/v1/namespaces/${ns}/doodads`)).status === 404, 60_000, 200);
  });
});

describe('custom resource schemas', () => {
  it('prune unknown fields, apply defaults and reject wrong types with 422', async () => {
    const name = `schema-${suffix}`;
    const defaults = crd('things', 'Thing', 'Namespaced', false) as any;
    defaults.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.color.default = 'blue';
    // raw: client-node's serializer knows `default` as `_default`
    expect((await c.raw('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: defaults })).status).toBe(201);
    await eventually(async () => (await c.raw('GET', `/apis/${group}/v1/namespaces/${ns}/things`)).status === 200, 30_000);
    const r = await c.raw('POST', `/apis/${group}/v1/namespaces/${ns}/things`, { body: { apiVersion: `${group}/v1`, kind: 'Thing', metadata: { name }, spec: { size: 1, unknown: 'x' }, extra: true } });
    expect(r.status).toBe(201);
    expect(r.body.spec).toEqual({ size: 1, color: 'blue' });
    expect(r.body.extra).toBeUndefined();
    const bad = await c.raw('POST', `/apis/${group}/v1/namespaces/${ns}/things`, { body: { apiVersion: `${group}/v1`, kind: 'Thing', metadata: { name: `${name}-bad` }, spec: { size: 'big' } } });
    expect(bad.status).toBe(422);
    expect(bad.body.reason).toBe('Invalid');
    expect(bad.body.message).toBe(`Thing.${group} "${name}-bad" is invalid: spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"`);
    expect(bad.body.details).toMatchObject({ name: `${name}-bad`, group, kind: 'Thing', causes: [{ reason: 'FieldValueTypeInvalid', field: 'spec.size' }] });
    await ext.deleteCustomResourceDefinition({ name: `things.${group}` });
  });
});
