import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { setupCluster, type TestCluster } from './cluster';

let c: TestCluster;
beforeAll(async () => {
  c = await setupCluster('disc');
});
afterAll(async () => {
  await c?.stop();
});

describe('discovery', () => {
  it('serves /version through VersionApi', async () => {
    const v = await c.kc.makeApiClient(k8s.VersionApi).getCode();
    expect(v.major).toMatch(/^\d+$/);
    expect(v.gitVersion).toMatch(/^v\d+\.\d+\.\d+/);
    expect(v.platform).toBeTruthy();
  });

  it('serves /api and /api/v1 with subresources as separate entries', async () => {
    const api = await c.raw('GET', '/api');
    expect(api.status).toBe(200);
    expect(api.body.kind).toBe('APIVersions');
    expect(api.body.versions).toEqual(['v1']);
    const v1 = await c.raw('GET', '/api/v1');
    expect(v1.body.kind).toBe('APIResourceList');
    expect(v1.body.groupVersion).toBe('v1');
    const byName = new Map(v1.body.resources.map((r: any) => [r.name, r]));
    expect(byName.get('pods')).toMatchObject({ name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', shortNames: ['po'] });
    expect((byName.get('pods') as any).verbs).toEqual(expect.arrayContaining(['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']));
    expect(byName.get('pods/status')).toMatchObject({ name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update'] });
    expect(byName.get('pods/log')).toMatchObject({ kind: 'Pod', verbs: ['get'] });
    expect(byName.get('pods/eviction')).toMatchObject({ group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
    expect(byName.get('namespaces')).toMatchObject({ namespaced: false, shortNames: ['ns'] });
    expect(byName.get('nodes')).toMatchObject({ namespaced: false, kind: 'Node' });
    expect(byName.get('configmaps')).toMatchObject({ shortNames: ['cm'] });
    for (const r of ['namespaces', 'resourcequotas', 'limitranges', 'configmaps', 'secrets', 'services', 'serviceaccounts', 'pods', 'nodes', 'events', 'persistentvolumeclaims', 'persistentvolumes'])
      expect(byName.has(r), r).toBe(true);
  });

  it('serves /apis (APIGroupList) and group versions', async () => {
    const apis = await c.raw('GET', '/apis');
    expect(apis.body.kind).toBe('APIGroupList');
    const groups = new Map(apis.body.groups.map((g: any) => [g.name, g]));
    for (const g of ['apps', 'batch', 'rbac.authorization.k8s.io', 'networking.k8s.io', 'autoscaling', 'storage.k8s.io', 'apiextensions.k8s.io', 'authorization.k8s.io'])
      expect(groups.has(g), g).toBe(true);
    expect(groups.get('apps')).toMatchObject({ name: 'apps', preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } });
    const apps = await c.raw('GET', '/apis/apps/v1');
    expect(apps.body).toMatchObject({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'apps/v1' });
    const byName = new Map(apps.body.resources.map((r: any) => [r.name, r]));
    expect(byName.get('deployments')).toMatchObject({ singularName: 'deployment', namespaced: true, kind: 'Deployment', shortNames: ['deploy'] });
    expect(byName.get('deployments/scale')).toMatchObject({ group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
    expect(byName.get('deployments/status')).toMatchObject({ kind: 'Deployment' });
    const group = await c.raw('GET', '/apis/apps');
    expect(group.body).toMatchObject({ kind: 'APIGroup', name: 'apps' });
    const hpa = await c.raw('GET', '/apis/autoscaling/v2');
    expect(hpa.body.resources.map((r: any) => r.name)).toContain('horizontalpodautoscalers');
    const authz = await c.raw('GET', '/apis/authorization.k8s.io/v1');
    expect(authz.body.resources.find((r: any) => r.name === 'selfsubjectaccessreviews')).toMatchObject({ verbs: ['create'], namespaced: false });
  });

  it('answers health endpoints', async () => {
    for (const p of ['/healthz', '/readyz', '/livez']) {
      const r = await c.raw('GET', p);
      expect(r.status, p).toBe(200);
      expect(r.text).toBe('ok');
    }
  });

  it('answers unknown paths and groups with a 404 Status', async () => {
    for (const p of ['/apis/nope.example.com/v1', '/api/v1/nopes', '/apis/apps/v1/nopes']) {
      const r = await c.raw('GET', p);
      expect(r.status, p).toBe(404);
      expect(r.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'the server could not find the requested resource' });
    }
  });

  it('rejects an unknown bearer token with 401 Unauthorized', async () => {
    const r = await c.raw('GET', '/api/v1/namespaces', { token: 'definitely-not-a-token' });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ kind: 'Status', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  });

  it('sends JSON with kube-apiserver headers', async () => {
    const r = await c.raw('GET', `/api/v1/namespaces/${c.namespace}`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['audit-id']).toBeTruthy();
    expect(r.headers['cache-control']).toBe('no-cache, private');
  });

  it.runIf(!process.env.TEST_KUBECONFIG)('kube-sim only: missing token is 401', async () => {
    const r = await c.raw('GET', '/api/v1/namespaces', { anonymous: true });
    expect(r.status).toBe(401);
  });
});

describe('table output', () => {
  it('answers kubectl-style Table requests', async () => {
    const r = await c.raw('GET', '/api/v1/namespaces', { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    expect(r.body.columnDefinitions[0]).toMatchObject({ name: 'Name', type: 'string', format: 'name' });
    const row = r.body.rows.find((x: any) => x.cells[0] === c.namespace);
    expect(row.object).toMatchObject({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: c.namespace } });
  });
});
