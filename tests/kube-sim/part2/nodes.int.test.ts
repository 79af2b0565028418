import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cordon, pod, startNodeEnv, waitFor, type NodeEnv } from './nodes-support';

let env: NodeEnv;
beforeAll(async () => {
  env = await startNodeEnv({ nodePools: [{ name: 'd', count: 2, zone: ['z-a', 'z-b'], reserved: { cpu: '100m', memory: '512Mi' } }] });
});
afterAll(async () => {
  await env?.stop();
});

const evict = (name: string) =>
  env.core
    .createNamespacedPodEviction({ namespace: env.ns, name, body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: env.ns } } })
    .then(() => ({ code: 201, body: undefined as any }))
    .catch((e) => ({ code: e.code as number, body: JSON.parse(e.body) }));

const ready = (name: string) => waitFor(`${name} Ready`, async () => (await env.core.readNamespacedPod({ namespace: env.ns, name })).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));

describe('nodes: pools, cordon, drain with PodDisruptionBudgets', () => {
  it('default sim keeps one Ready node; pools spread zones and subtract reserved resources', async () => {
    const nodes = (await env.core.listNode()).items;
    expect(nodes.map((n) => [n.metadata!.name, n.metadata!.labels!['topology.kubernetes.io/zone']])).toEqual([
      ['d-1', 'z-a'],
      ['d-2', 'z-b'],
    ]);
    expect(nodes[0].status!.capacity).toMatchObject({ cpu: '4', memory: '16Gi' });
    expect(nodes[0].status!.allocatable).toMatchObject({ cpu: '3900m', memory: `${16 * 1024 * 1024 - 512 * 1024}Ki` });
    const one = await startNodeEnv();
    try {
      const l = (await one.core.listNode()).items;
      expect(l.map((n) => n.metadata!.name)).toEqual(['kube-sim-node-1']);
    } finally {
      await one.stop();
    }
  });

  it('cordon is a patch of spec.unschedulable; drain evicts through pods/eviction and a PDB refuses with 429', async () => {
    for (const [name, node] of [['db-1', 'd-1'], ['db-2', 'd-1'], ['db-3', 'd-2']])
      await env.core.createNamespacedPod({ namespace: env.ns, body: pod(name, { nodeName: node }, undefined, { app: 'db' }) });
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('loner', { nodeName: 'd-1' }) });
    for (const n of ['db-1', 'db-2', 'db-3', 'loner']) await ready(n);
    await env.policy.createNamespacedPodDisruptionBudget({ namespace: env.ns, body: { metadata: { name: 'db-pdb' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'db' } } } } });

    const pdb = await waitFor('PDB status', async () => {
      const p = await env.policy.readNamespacedPodDisruptionBudget({ namespace: env.ns, name: 'db-pdb' });
      return p.status?.expectedPods === 3 ? p : undefined;
    });
    expect(pdb.status).toMatchObject({ currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1, expectedPods: 3, observedGeneration: 1 });
    expect(pdb.status!.conditions![0]).toMatchObject({ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods' });
    const node = await cordon(env, 'd-1');
    expect(node.spec!.unschedulable).toBe(true);

    // drain d-1: every pod on the node through the eviction API
    const onNode = (await env.core.listNamespacedPod({ namespace: env.ns, fieldSelector: 'spec.nodeName=d-1' })).items.map((p) => p.metadata!.name!);
    expect(onNode.sort()).toEqual(['db-1', 'db-2', 'loner']);
    expect((await evict('loner')).code).toBe(201);
    expect((await evict('db-1')).code).toBe(201);
    const refused = await evict('db-2');
    expect(refused.code).toBe(429);
    expect(refused.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'TooManyRequests',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget db-pdb needs 2 healthy pods and has 2 currently' }] },
    });
    await waitFor('db-1 gone', async () => !(await env.core.listNamespacedPod({ namespace: env.ns })).items.some((p) => p.metadata!.name === 'db-1'));
    expect((await env.core.readNamespacedPod({ namespace: env.ns, name: 'db-2' })).metadata!.name).toBe('db-2');
    const blocked = await waitFor('PDB blocks', async () => {
      const p = await env.policy.readNamespacedPodDisruptionBudget({ namespace: env.ns, name: 'db-pdb' });
      return p.status?.disruptionsAllowed === 0 ? p : undefined;
    });
    expect(blocked.status!.conditions![0]).toMatchObject({ status: 'False', reason: 'InsufficientPods' });

    // a replacement elsewhere restores the budget
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('db-4', {}, undefined, { app: 'db' }) });
    await ready('db-4');
    expect((await env.core.readNamespacedPod({ namespace: env.ns, name: 'db-4' })).spec!.nodeName).toBe('d-2');
    expect((await evict('db-2')).code).toBe(201);
    await cordon(env, 'd-1', false);
  });

  it('maxUnavailable counts against the controller scale (ReplicaSet replicas), pods without one count themselves', async () => {
    // no replicaset controller here: the ReplicaSet only provides the scale
    const e = await startNodeEnv({ controllers: ['garbage-collector', 'namespace', 'crd', 'scheduler', 'kubelet'], nodePools: [{ name: 'w', count: 1 }] });
    try {
      const rs = e.sim.store.create('apps', 'replicasets', e.ns, {
        metadata: { name: 'web' },
        spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } } },
      });
      const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true };
      for (const name of ['web-1', 'web-2', 'web-3']) await e.core.createNamespacedPod({ namespace: e.ns, body: { ...pod(name, {}, undefined, { app: 'web' }), metadata: { name, labels: { app: 'web' }, ownerReferences: [owner] } } });
      await e.core.createNamespacedPod({ namespace: e.ns, body: pod('solo-1', {}, undefined, { app: 'solo' }) });
      await e.core.createNamespacedPod({ namespace: e.ns, body: pod('solo-2', {}, undefined, { app: 'solo' }) });
      for (const name of ['web-1', 'web-2', 'web-3', 'solo-1', 'solo-2'])
        await waitFor(`${name} Ready`, async () => (await e.core.readNamespacedPod({ namespace: e.ns, name })).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      await e.policy.createNamespacedPodDisruptionBudget({ namespace: e.ns, body: { metadata: { name: 'web-pdb' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } } } });
      await e.policy.createNamespacedPodDisruptionBudget({ namespace: e.ns, body: { metadata: { name: 'solo-pdb' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'solo' } } } } });
      const ev = (name: string) =>
        e.core
          .createNamespacedPodEviction({ namespace: e.ns, name, body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: e.ns } } })
          .then(() => ({ code: 201, body: undefined as any }))
          .catch((err) => ({ code: err.code as number, body: JSON.parse(err.body) }));
      expect((await ev('web-1')).code).toBe(201);
      const second = await ev('web-2');
      expect(second.code).toBe(429);
      expect(second.body.details.causes[0].message).toBe('The disruption budget web-pdb needs 2 healthy pods and has 2 currently');
      // without a controller the pods count themselves: after one eviction, 1 expected, 1 unavailable allowed
      expect((await ev('solo-1')).code).toBe(201);
      expect((await ev('solo-2')).code).toBe(201);
    } finally {
      await e.stop();
    }
  });
});
