import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { apiError, eventually, setupCluster, type TestCluster } from './cluster';

let c: TestCluster;
let ns: string;
beforeAll(async () => {
  c = await setupCluster('life');
  ns = c.namespace;
});
afterAll(async () => {
  await c?.stop();
});

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const owner = (o: any) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o.metadata.name, uid: o.metadata.uid });
const exists = async (name: string, namespace = ns) => {
  try {
    await c.core.readNamespacedConfigMap({ name, namespace });
    return true;
  } catch (e: any) {
    if (e.code === 404) return false;
    throw e;
  }
};

describe('namespace termination', () => {
  it('sets Terminating, forbids new content, deletes contents, then disappears', async () => {
    const tns = await c.extraNamespace('term');
    await c.core.createNamespacedConfigMap({ namespace: tns, body: { metadata: { name: 'held', finalizers: ['bosun.test/hold'] } } });
    await c.core.createNamespacedConfigMap({ namespace: tns, body: { metadata: { name: 'free' } } });
    const del = await c.raw('DELETE', `/api/v1/namespaces/${tns}`);
    expect(del.status).toBe(200);
    expect(del.body.kind).toBe('Namespace');
    expect(del.body.status.phase).toBe('Terminating');
    expect(del.body.metadata.deletionTimestamp).toBeTruthy();
    expect(del.body.spec.finalizers).toEqual(['kubernetes']);

    const e = await apiError(c.core.createNamespacedConfigMap({ namespace: tns, body: { metadata: { name: 'late' } } }));
    expect(e.code).toBe(403);
    expect(e.body).toMatchObject({
      reason: 'Forbidden',
      message: `configmaps "late" is forbidden: unable to create new content in namespace ${tns} because it is being terminated`,
      details: { name: 'late', kind: 'configmaps', causes: [{ reason: 'NamespaceTerminating', message: `namespace ${tns} is being terminated`, field: 'metadata.namespace' }] },
    });

    await eventually(async () => !(await exists('free', tns)));
    // the finalizer holds 'held' (and therefore the namespace)
    const held = await c.core.readNamespacedConfigMap({ name: 'held', namespace: tns });
    expect(held.metadata?.deletionTimestamp).toBeTruthy();
    expect((await c.core.readNamespace({ name: tns })).status?.phase).toBe('Terminating');
    await c.core.patchNamespacedConfigMap({ name: 'held', namespace: tns, body: { metadata: { finalizers: null } } }, merge);
    await eventually(async () => {
      try {
        await c.core.readNamespace({ name: tns });
        return false;
      } catch (err: any) {
        return err.code === 404;
      }
    }, 30_000, 100);
  });
});

describe('finalizers', () => {
  it('hold deletion until emptied by an update, and DELETE returns the object with deletionTimestamp', async () => {
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'fin', finalizers: ['bosun.test/x'] } } });
    const r = await c.raw('DELETE', `/api/v1/namespaces/${ns}/configmaps/fin`);
    expect(r.status).toBe(200);
    expect(r.body.kind).toBe('ConfigMap');
    expect(r.body.metadata.deletionTimestamp).toBeTruthy();
    expect(r.body.metadata.finalizers).toEqual(['bosun.test/x']);
    const still = await c.core.readNamespacedConfigMap({ name: 'fin', namespace: ns });
    expect(still.metadata?.deletionTimestamp).toBeTruthy();
    // deleting again answers the same terminating object
    const again = await c.raw('DELETE', `/api/v1/namespaces/${ns}/configmaps/fin`);
    expect(again.status).toBe(200);
    expect(again.body.metadata.deletionTimestamp).toBe(r.body.metadata.deletionTimestamp);
    await c.core.patchNamespacedConfigMap({ name: 'fin', namespace: ns, body: { metadata: { finalizers: [] } } }, merge);
    await eventually(async () => !(await exists('fin')));
  });
});

describe('ownerReferences cascade', () => {
  it('background deletion removes dependents whose owners are all gone', async () => {
    const o = await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'bg-owner' } } });
    const o2 = await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'bg-owner2' } } });
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'bg-dep', ownerReferences: [owner(o)] } } });
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'bg-shared', ownerReferences: [owner(o), owner(o2)] } } });
    await c.core.deleteNamespacedConfigMap({ name: 'bg-owner', namespace: ns, propagationPolicy: 'Background' });
    await eventually(async () => !(await exists('bg-dep')));
    // still owned by bg-owner2
    await new Promise((r) => setTimeout(r, 300));
    expect(await exists('bg-shared')).toBe(true);
  });

  it('orphan deletion keeps dependents and strips the ownerReference', async () => {
    const o = await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'or-owner' } } });
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'or-dep', ownerReferences: [owner(o)] } } });
    await c.core.deleteNamespacedConfigMap({ name: 'or-owner', namespace: ns, propagationPolicy: 'Orphan' });
    await eventually(async () => !(await exists('or-owner')));
    const dep = await c.core.readNamespacedConfigMap({ name: 'or-dep', namespace: ns });
    expect(dep.metadata?.ownerReferences ?? []).toEqual([]);
  });

  it('foreground deletion deletes dependents first', async () => {
    const o = await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'fg-owner' } } });
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'fg-dep', ownerReferences: [{ ...owner(o), blockOwnerDeletion: true }] } } });
    const r = await c.raw('DELETE', `/api/v1/namespaces/${ns}/configmaps/fg-owner`, { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' } });
    expect(r.status).toBe(200);
    expect(r.body.metadata.finalizers).toContain('foregroundDeletion');
    expect(r.body.metadata.deletionTimestamp).toBeTruthy();
    await eventually(async () => !(await exists('fg-dep')) && !(await exists('fg-owner')));
  });

  it('deleting a Deployment collects a ReplicaSet it owns', async () => {
    const d = await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: { metadata: { name: 'casc' }, spec: { selector: { matchLabels: { app: 'casc' } }, template: { metadata: { labels: { app: 'casc' } }, spec: { containers: [{ name: 'a', image: 'nginx' }] } } } },
    });
    // a ReplicaSet owned by the Deployment, as the deployment controller would create it
    await c.apps.createNamespacedReplicaSet({
      namespace: ns,
      body: {
        metadata: { name: 'casc-rs', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'casc', uid: d.metadata!.uid!, controller: true, blockOwnerDeletion: true }] },
        spec: { replicas: 0, selector: { matchLabels: { app: 'casc', x: 'rs' } }, template: { metadata: { labels: { app: 'casc', x: 'rs' } }, spec: { containers: [{ name: 'a', image: 'nginx' }] } } },
      },
    });
    await c.apps.deleteNamespacedDeployment({ name: 'casc', namespace: ns });
    await eventually(async () => {
      try {
        await c.apps.readNamespacedReplicaSet({ name: 'casc-rs', namespace: ns });
        return false;
      } catch (e: any) {
        return e.code === 404;
      }
    });
  });
});

describe('status subresource', () => {
  // a ClusterIP Service: no controller writes its status, so this also holds on a real cluster
  it('main-resource writes ignore status; /status ignores spec', async () => {
    const ingress = (ip: string) => ({ loadBalancer: { ingress: [{ ip }] } });
    await c.core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'st' }, spec: { ports: [{ port: 80 }] }, status: ingress('1.1.1.1') } });
    const created = await c.core.readNamespacedService({ name: 'st', namespace: ns });
    expect(created.status?.loadBalancer?.ingress ?? []).toEqual([]);
    const viaMain = await c.core.patchNamespacedService({ name: 'st', namespace: ns, body: { metadata: { labels: { a: 'b' } }, status: ingress('2.2.2.2') } }, merge);
    expect(viaMain.metadata?.labels).toEqual({ a: 'b' });
    expect(viaMain.status?.loadBalancer?.ingress ?? []).toEqual([]);
    const viaStatus = await c.core.patchNamespacedServiceStatus({ name: 'st', namespace: ns, body: { spec: { ports: [{ port: 81 }] }, status: ingress('3.3.3.3') } }, merge);
    expect(viaStatus.status?.loadBalancer?.ingress?.[0].ip).toBe('3.3.3.3');
    expect(viaStatus.spec?.ports?.[0].port).toBe(80);
    const replaced = await c.core.replaceNamespacedServiceStatus({ name: 'st', namespace: ns, body: { ...viaStatus, status: ingress('4.4.4.4') } });
    expect(replaced.status?.loadBalancer?.ingress?.[0].ip).toBe('4.4.4.4');
  });

  it('deployments keep status out of create and main-resource patches', async () => {
    await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: { metadata: { name: 'st' }, spec: { paused: true, replicas: 0, selector: { matchLabels: { app: 'st' } }, template: { metadata: { labels: { app: 'st' } }, spec: { containers: [{ name: 'a', image: 'nginx' }] } } }, status: { replicas: 9 } },
    });
    const created = await c.apps.readNamespacedDeployment({ name: 'st', namespace: ns });
    expect(created.status?.replicas ?? 0).toBe(0);
    const viaMain = await c.apps.patchNamespacedDeployment({ name: 'st', namespace: ns, body: { spec: { replicas: 0 }, status: { replicas: 7 } } }, merge);
    expect(viaMain.status?.replicas ?? 0).toBe(0);
  });
});

describe('garbage collector and dangling owners', () => {
  it('collects a dependent whose owner does not exist', async () => {
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'dangling', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: '00000000-0000-0000-0000-000000000001' }] } },
    });
    await eventually(async () => !(await exists('dangling')), 30_000, 100);
  });
});
