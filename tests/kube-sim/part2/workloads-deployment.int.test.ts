import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeHash } from '../controllers/workloads/common';
import { container, eventsFor, podsOf, readyAll, setPodReady, startEnv, waitFor, type WorkloadEnv } from './workloads-support';

let env: WorkloadEnv;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => {
  await env?.sim.stop();
});

const deployment = (name: string, replicas: number, image = 'nginx:1.27', extra: any = {}) => ({
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [container(image)] } },
    ...extra,
  },
});

const rsOf = (name: string) => env.sim.store.list('apps', 'replicasets', env.ns).filter((rs) => rs.metadata.ownerReferences?.[0]?.name === name);

describe('Deployment → ReplicaSet → Pods', () => {
  it('creates a ReplicaSet named by the pod-template-hash, pods with owner references, and reports status', async () => {
    const { apps, sim, ns } = env;
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('web', 3) });
    const rs = await waitFor('rs', () => rsOf('web')[0]);
    const hash = rs.metadata.labels['pod-template-hash'];
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    expect(rs.metadata.annotations['deployment.kubernetes.io/revision']).toBe('1');
    expect(rs.spec.selector.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs.metadata.ownerReferences[0]).toMatchObject({ kind: 'Deployment', name: 'web', controller: true, blockOwnerDeletion: true });
    const pods = await waitFor('3 pods', () => podsOf(sim, ns, 'web-').length === 3 && podsOf(sim, ns, 'web-'));
    expect(pods[0].metadata.generateName).toBe(`web-${hash}-`);
    expect(pods[0].metadata.ownerReferences[0]).toMatchObject({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, controller: true, blockOwnerDeletion: true });
    let d = (await apps.readNamespacedDeployment({ name: 'web', namespace: ns })) as any;
    expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('1');
    readyAll(sim, ns, 'web-');
    d = await waitFor('available', async () => {
      const x: any = await apps.readNamespacedDeployment({ name: 'web', namespace: ns });
      return x.status?.availableReplicas === 3 && x.status.conditions?.find((c: any) => c.type === 'Progressing')?.reason === 'NewReplicaSetAvailable' && x;
    });
    expect(d.status).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(d.status.unavailableReplicas).toBeUndefined();
    expect(d.status.conditions.map((c: any) => [c.type, c.status, c.reason])).toEqual([
      ['Available', 'True', 'MinimumReplicasAvailable'],
      ['Progressing', 'True', 'NewReplicaSetAvailable'],
    ]);
    const evs = eventsFor(sim, ns, 'web');
    expect(evs.find((e) => e.reason === 'ScalingReplicaSet')?.message).toBe(`Scaled up replica set web-${hash} to 3`);
    expect(evs[0].source.component).toBe('deployment-controller');
    const rsEvents = eventsFor(sim, ns, rs.metadata.name).filter((e) => e.reason === 'SuccessfulCreate');
    expect(rsEvents).toHaveLength(3);
    expect(rsEvents[0].message).toMatch(new RegExp(`^Created pod: web-${hash}-[a-z0-9]{5}$`));
    expect(rsEvents[0].source.component).toBe('replicaset-controller');
  });

  it('scales through the /scale subresource', async () => {
    const { apps, sim, ns } = env;
    const scale: any = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: ns });
    expect(scale.spec.replicas).toBe(3);
    await apps.patchNamespacedDeploymentScale({ name: 'web', namespace: ns, body: { spec: { replicas: 5 } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await waitFor('5 pods', () => podsOf(sim, ns, 'web-').length === 5);
    readyAll(sim, ns, 'web-');
    await waitFor('5 available', async () => ((await apps.readNamespacedDeployment({ name: 'web', namespace: ns })) as any).status?.availableReplicas === 5);
    const rs = rsOf('web')[0];
    expect(rs.spec.replicas).toBe(5);
    expect(rs.metadata.annotations['deployment.kubernetes.io/desired-replicas']).toBe('5');
    await apps.replaceNamespacedDeploymentScale({ name: 'web', namespace: ns, body: { metadata: { name: 'web', namespace: ns }, spec: { replicas: 2 } } });
    await waitFor('2 pods', () => podsOf(sim, ns, 'web-').length === 2);
    expect(eventsFor(sim, ns, rs.metadata.name).filter((e) => e.reason === 'SuccessfulDelete')).toHaveLength(3);
    const s2: any = await waitFor('scale status', async () => {
      const x: any = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: ns });
      return x.status.replicas === 2 && x;
    });
    expect(s2.status.selector).toBe('app=web');
  });

  it('deleting the Deployment cascades to its ReplicaSets and pods (owner references + garbage collector)', async () => {
    const { apps, sim, ns } = env;
    await apps.deleteNamespacedDeployment({ name: 'web', namespace: ns });
    await waitFor('cascade', () => rsOf('web').length === 0 && podsOf(sim, ns, 'web-').length === 0);
  });
});

describe('rolling update, rollback, paused, history', () => {
  it('rolls out a new template honouring maxSurge/maxUnavailable (observed through a watch)', async () => {
    const { apps, sim, ns, kc } = env;
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment('roll', 4, 'nginx:1.26', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } }, revisionHistoryLimit: 1 }),
    });
    await waitFor('4 pods', () => podsOf(sim, ns, 'roll-').length === 4);
    readyAll(sim, ns, 'roll-');
    await waitFor('available', async () => ((await apps.readNamespacedDeployment({ name: 'roll', namespace: ns })) as any).status?.availableReplicas === 4);

    // watch ReplicaSets and Pods; check the invariants on every event
    const rsState = new Map<string, any>();
    const violations: string[] = [];
    const seenTotals = new Set<number>();
    const w = new k8s.Watch(kc);
    const rsWatch = await w.watch(`/apis/apps/v1/namespaces/${ns}/replicasets`, {}, (type, obj: any) => {
      if (!obj.metadata.name.startsWith('roll-')) return;
      if (type === 'DELETED') rsState.delete(obj.metadata.name);
      else rsState.set(obj.metadata.name, obj);
      // every ReplicaSet carries its revision; the new template's one is revision 2
      const revision = obj.metadata.annotations?.['deployment.kubernetes.io/revision'];
      if (obj.spec.template.spec.containers[0].image === 'nginx:1.27' && revision !== '2') violations.push(`new RS revision ${revision}`);
      if (obj.spec.template.spec.containers[0].image === 'nginx:1.26' && revision !== '1') violations.push(`old RS revision ${revision}`);
      const total = [...rsState.values()].reduce((n, rs) => n + rs.spec.replicas, 0);
      seenTotals.add(total);
      if (total > 5) violations.push(`spec total ${total} > 4 + maxSurge 1`);
    }, () => {});
    const podWatch = await w.watch(`/api/v1/namespaces/${ns}/pods`, {}, (type) => {
      if (type !== 'DELETED') return;
      const ready = podsOf(sim, ns, 'roll-').filter((p) => (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')).length;
      if (ready < 3) violations.push(`only ${ready} ready pods < 4 - maxUnavailable 1`);
    }, () => {});

    const before = rsOf('roll')[0];
    await apps.patchNamespacedDeployment(
      { name: 'roll', namespace: ns, body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    );
    const newRS = await waitFor('new rs', () => rsOf('roll').find((rs) => rs.metadata.name !== before.metadata.name));
    // first step: the new RS surges by one (maxSurge 1), the old one loses maxUnavailable (floor(25% of 4) = 1)
    const first = await waitFor('first step', () => {
      const n = sim.store.get('apps', 'replicasets', ns, newRS.metadata.name);
      const o = sim.store.get('apps', 'replicasets', ns, before.metadata.name);
      return n.spec.replicas === 2 && o.spec.replicas === 3 && { n, o };
    });
    expect(first.n.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2');
    const mid: any = await apps.readNamespacedDeployment({ name: 'roll', namespace: ns });
    expect(mid.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2');
    expect(mid.status.conditions.find((c: any) => c.type === 'Progressing')).toMatchObject({ status: 'True' });

    // a fake kubelet: make new pods ready a little at a time until the rollout completes
    const done = await waitFor(
      'rollout complete',
      async () => {
        for (const p of podsOf(sim, ns, newRS.metadata.name)) if (!(p.status?.conditions ?? []).length) {
          setPodReady(sim, p);
          break;
        }
        const d: any = await apps.readNamespacedDeployment({ name: 'roll', namespace: ns });
        return d.status?.updatedReplicas === 4 && d.status?.availableReplicas === 4 && d.status.replicas === 4 && d;
      },
      15_000,
    );
    rsWatch.abort();
    podWatch.abort();
    expect(violations).toEqual([]);
    expect(Math.max(...seenTotals)).toBe(5);
    expect(done.status.conditions.find((c: any) => c.type === 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${newRS.metadata.name}" has successfully progressed.` });
    expect(sim.store.get('apps', 'replicasets', ns, before.metadata.name).spec.replicas).toBe(0);
    const msgs = eventsFor(sim, ns, 'roll').filter((e) => e.reason === 'ScalingReplicaSet').map((e) => e.message);
    expect(msgs).toContain(`Scaled up replica set ${newRS.metadata.name} to 1`);
    expect(msgs).toContain(`Scaled up replica set ${newRS.metadata.name} to 2 from 1`);
    expect(msgs).toContain(`Scaled down replica set ${before.metadata.name} to 3 from 4`);
  });

  it('rolls back by applying the old template: the old ReplicaSet gets the next revision', async () => {
    const { apps, sim, ns } = env;
    const [r1] = rsOf('roll').filter((rs) => rs.spec.template.spec.containers[0].image === 'nginx:1.26');
    expect(r1.metadata.annotations['deployment.kubernetes.io/revision']).toBe('1');
    await apps.patchNamespacedDeployment(
      { name: 'roll', namespace: ns, body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.26' }] } } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    );
    const back = await waitFor('revision 3', () => {
      const rs = sim.store.get('apps', 'replicasets', ns, r1.metadata.name);
      return rs.metadata.annotations['deployment.kubernetes.io/revision'] === '3' && rs;
    });
    expect(back.metadata.annotations['deployment.kubernetes.io/revision-history']).toBe('1');
    const d: any = await apps.readNamespacedDeployment({ name: 'roll', namespace: ns });
    expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
    await waitFor('rolled back', async () => {
      readyAll(sim, ns, r1.metadata.name);
      const x: any = await apps.readNamespacedDeployment({ name: 'roll', namespace: ns });
      return x.status?.updatedReplicas === 4 && x.status.availableReplicas === 4 && x.status.replicas === 4;
    });
    expect(rsOf('roll')).toHaveLength(2); // revisionHistoryLimit 1: one old RS kept
    // a third template: the oldest scaled-down RS is pruned
    await apps.patchNamespacedDeployment(
      { name: 'roll', namespace: ns, body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.28' }] } } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    );
    await waitFor('rev 4 complete', async () => {
      readyAll(sim, ns, 'roll-');
      const x: any = await apps.readNamespacedDeployment({ name: 'roll', namespace: ns });
      return x.metadata.annotations['deployment.kubernetes.io/revision'] === '4' && x.status?.updatedReplicas === 4 && x.status.availableReplicas === 4 && x.status.replicas === 4;
    });
    await waitFor('history pruned', () => rsOf('roll').length === 2);
    expect(rsOf('roll').map((rs) => rs.metadata.annotations['deployment.kubernetes.io/revision']).sort()).toEqual(['3', '4']);
  });

  it('paused: template changes wait, scaling still applies; resume rolls out', async () => {
    const { apps, sim, ns } = env;
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('pz', 2) });
    await waitFor('2 pods', () => podsOf(sim, ns, 'pz-').length === 2);
    readyAll(sim, ns, 'pz-');
    const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
    await apps.patchNamespacedDeployment({ name: 'pz', namespace: ns, body: { spec: { paused: true } } }, merge);
    await waitFor('paused condition', async () => ((await apps.readNamespacedDeployment({ name: 'pz', namespace: ns })) as any).status.conditions.some((c: any) => c.reason === 'DeploymentPaused' && c.status === 'Unknown'));
    await apps.patchNamespacedDeployment({ name: 'pz', namespace: ns, body: { spec: { replicas: 3, template: { metadata: { labels: { app: 'pz', v: '2' } } } } } }, merge);
    await waitFor('3 pods', () => podsOf(sim, ns, 'pz-').length === 3);
    await new Promise((r) => setTimeout(r, 100));
    expect(rsOf('pz')).toHaveLength(1);
    const d: any = await apps.readNamespacedDeployment({ name: 'pz', namespace: ns });
    expect(d.status.observedGeneration).toBe(d.metadata.generation);
    await apps.patchNamespacedDeployment({ name: 'pz', namespace: ns, body: { spec: { paused: false } } }, merge);
    await waitFor('new rs', () => rsOf('pz').length === 2);
    const x: any = await apps.readNamespacedDeployment({ name: 'pz', namespace: ns });
    expect(x.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2');
  });

  it('Recreate scales the old ReplicaSet to zero before the new one starts', async () => {
    const { apps, sim, ns } = env;
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('rc', 2, 'nginx:1.26', { strategy: { type: 'Recreate' } }) });
    await waitFor('2 pods', () => podsOf(sim, ns, 'rc-').length === 2);
    readyAll(sim, ns, 'rc-');
    const old = rsOf('rc')[0];
    const seen: Array<[number, number]> = [];
    sim.store.onWrite((def) => {
      if (def.resource !== 'replicasets') return;
      const rss = rsOf('rc');
      const o = rss.find((r) => r.metadata.name === old.metadata.name)?.spec.replicas ?? 0;
      const n = rss.filter((r) => r.metadata.name !== old.metadata.name).reduce((a, r) => a + r.spec.replicas, 0);
      seen.push([o, n]);
    });
    await apps.patchNamespacedDeployment({ name: 'rc', namespace: ns, body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch));
    await waitFor('new pods', () => podsOf(sim, ns, 'rc-').filter((p) => !p.metadata.name.startsWith(old.metadata.name)).length === 2);
    expect(seen.every(([o, n]) => o === 0 || n === 0)).toBe(true);
  });

  it('Progressing=False ProgressDeadlineExceeded after progressDeadlineSeconds on the sim clock', async () => {
    const { apps, sim, ns } = env;
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('slow', 1, 'nginx:1.27', { progressDeadlineSeconds: 30 }) });
    await waitFor('progressing', async () => ((await apps.readNamespacedDeployment({ name: 'slow', namespace: ns })) as any).status?.conditions?.some((c: any) => c.type === 'Progressing'));
    sim.clock.advance(31_000);
    const d: any = await waitFor('deadline', async () => {
      const x: any = await apps.readNamespacedDeployment({ name: 'slow', namespace: ns });
      return x.status.conditions.find((c: any) => c.type === 'Progressing' && c.status === 'False') && x;
    });
    const c = d.status.conditions.find((c: any) => c.type === 'Progressing');
    expect(c.reason).toBe('ProgressDeadlineExceeded');
    expect(c.message).toMatch(/^ReplicaSet "slow-[a-z0-9]+" has timed out progressing\.$/);
    expect(d.status.conditions.find((c: any) => c.type === 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
    expect(d.status.unavailableReplicas).toBe(1);
  });

  it('scaling in the middle of a rollout adds replicas proportionally (the documented 10 → 15 example)', async () => {
    const { apps, sim, ns } = env;
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('prop', 10, 'nginx:1.26', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }) });
    await waitFor('10 pods', () => podsOf(sim, ns, 'prop-').length === 10);
    readyAll(sim, ns, 'prop-');
    await waitFor('available', async () => ((await apps.readNamespacedDeployment({ name: 'prop', namespace: ns })) as any).status?.availableReplicas === 10);
    const old = rsOf('prop')[0];
    // the new image never becomes ready: the rollout stops at old 8 + new 5
    await apps.patchNamespacedDeployment({ name: 'prop', namespace: ns, body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:broken' }] } } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch));
    const stuck = await waitFor('stuck at 8 + 5', () => {
      const rss = rsOf('prop');
      const o = rss.find((r) => r.metadata.name === old.metadata.name);
      const n = rss.find((r) => r.metadata.name !== old.metadata.name);
      return o?.spec.replicas === 8 && n?.spec.replicas === 5 && n;
    });
    await apps.patchNamespacedDeploymentScale({ name: 'prop', namespace: ns, body: { spec: { replicas: 15 } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await waitFor('old 11 + new 7', () => {
      const o = sim.store.get('apps', 'replicasets', ns, old.metadata.name);
      const n = sim.store.get('apps', 'replicasets', ns, stuck.metadata.name);
      return o.spec.replicas === 11 && n.spec.replicas === 7 && o.metadata.annotations['deployment.kubernetes.io/max-replicas'] === '18';
    });
  });

  it('minReadySeconds: ready pods count as available only after that long on the sim clock', async () => {
    const { apps, sim, ns } = env;
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('mrs', 1, 'nginx:1.27', { minReadySeconds: 20 }) });
    await waitFor('pod', () => podsOf(sim, ns, 'mrs-').length === 1);
    readyAll(sim, ns, 'mrs-');
    await waitFor('ready', async () => ((await apps.readNamespacedDeployment({ name: 'mrs', namespace: ns })) as any).status?.readyReplicas === 1);
    await new Promise((r) => setTimeout(r, 50));
    let d: any = await apps.readNamespacedDeployment({ name: 'mrs', namespace: ns });
    expect(d.status.availableReplicas).toBeUndefined();
    expect(d.status.conditions.find((c: any) => c.type === 'Available').status).toBe('False');
    sim.clock.advance(21_000);
    d = await waitFor('available', async () => {
      const x: any = await apps.readNamespacedDeployment({ name: 'mrs', namespace: ns });
      return x.status?.availableReplicas === 1 && x;
    });
    expect(d.status.conditions.find((c: any) => c.type === 'Available').status).toBe('True');
  });

  it('a pod-template-hash collision with a foreign ReplicaSet bumps status.collisionCount', async () => {
    const { apps, sim, ns } = env;
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('coll', 1, 'nginx:1.27', { paused: true }) });
    const d = sim.store.get('apps', 'deployments', ns, 'coll');
    const taken = `coll-${computeHash(d.spec.template, 0)}`;
    await apps.createNamespacedReplicaSet({ namespace: ns, body: { metadata: { name: taken }, spec: { replicas: 0, selector: { matchLabels: { other: 'x' } }, template: { metadata: { labels: { other: 'x' } }, spec: { containers: [container()] } } } } });
    await apps.patchNamespacedDeployment({ name: 'coll', namespace: ns, body: { spec: { paused: false } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    const rs = await waitFor('rs with the next hash', () => rsOf('coll')[0]);
    expect(rs.metadata.name).toBe(`coll-${computeHash(d.spec.template, 1)}`);
    expect(sim.store.get('apps', 'deployments', ns, 'coll').status.collisionCount).toBe(1);
  });
});
