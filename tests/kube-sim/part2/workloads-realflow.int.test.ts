/** The workload controllers with the real scheduler, kubelet and metrics-server (no hand-set pod status). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { container, eventsFor, podsOf, sleep, startEnv, waitFor, type WorkloadEnv } from './workloads-support';

let env: WorkloadEnv;
beforeAll(async () => {
  env = await startEnv({ real: true, nodes: 2 });
});
afterAll(async () => {
  await env?.sim.stop();
});

/** Let sim time pass in steps, giving the deferred controller work a chance to run in between. */
async function pass(ms: number, step = 500) {
  for (let t = 0; t < ms; t += step) {
    env.sim.clock.advance(step);
    await sleep(5);
  }
}

describe('workloads on the simulated kubelet', () => {
  it('a Deployment becomes available, its pods scheduled and Running', async () => {
    const { apps, sim, ns } = env;
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: { metadata: { name: 'web' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container('nginx:1.27', { resources: { requests: { cpu: '100m' } } })] } } } },
    });
    const d: any = await waitFor('available', async () => {
      await pass(500);
      const x: any = await apps.readNamespacedDeployment({ name: 'web', namespace: ns });
      return x.status?.availableReplicas === 3 && x;
    });
    expect(d.status.conditions.map((c: any) => c.reason)).toEqual(['MinimumReplicasAvailable', 'NewReplicaSetAvailable']);
    expect(podsOf(sim, ns, 'web-').every((p) => p.spec.nodeName && p.status.phase === 'Running')).toBe(true);
  });

  it('an HPA scales the Deployment up from metrics-server usage', async () => {
    const { hpa, sim, ns } = env;
    for (const p of podsOf(sim, ns, 'web-')) sim.metrics.setPodUsage(ns, p.metadata.name, { cpu: '200m' });
    await hpa.createNamespacedHorizontalPodAutoscaler({
      namespace: ns,
      body: { metadata: { name: 'web' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }] } },
    });
    await waitFor('scaled up', async () => {
      await pass(5_000, 1_000);
      return sim.store.get('apps', 'deployments', ns, 'web').spec.replicas === 5;
    });
    const h = sim.store.get('autoscaling', 'horizontalpodautoscalers', ns, 'web');
    expect(h.status.conditions.find((c: any) => c.type === 'ScalingLimited')).toMatchObject({ status: 'True', reason: 'TooManyReplicas' });
  });

  it('a Job completes and a failing Job exhausts its backoffLimit', async () => {
    const { batch, sim, ns } = env;
    const spec = (image: string) => ({ backoffLimit: 1, template: { spec: { restartPolicy: 'Never', containers: [container(image)] } } });
    await batch.createNamespacedJob({ namespace: ns, body: { metadata: { name: 'ok' }, spec: spec('busybox:1.36') } });
    await batch.createNamespacedJob({ namespace: ns, body: { metadata: { name: 'boom' }, spec: spec('fail:1') } });
    const ok = await waitFor('complete', async () => {
      await pass(1_000);
      const j = sim.store.get('batch', 'jobs', ns, 'ok');
      return j.status?.conditions?.some((c: any) => c.type === 'Complete') && j;
    });
    expect(ok.status.succeeded).toBe(1);
    const boom = await waitFor('failed', async () => {
      await pass(5_000, 1_000);
      const j = sim.store.get('batch', 'jobs', ns, 'boom');
      return j.status?.conditions?.some((c: any) => c.type === 'Failed') && j;
    });
    expect(boom.status.failed).toBe(2);
    expect(boom.status.conditions.find((c: any) => c.type === 'Failed').reason).toBe('BackoffLimitExceeded');
  });

  it('restartPolicy OnFailure: container restarts count against backoffLimit', async () => {
    const { batch, sim, ns } = env;
    await batch.createNamespacedJob({ namespace: ns, body: { metadata: { name: 'loop' }, spec: { backoffLimit: 2, template: { spec: { restartPolicy: 'OnFailure', containers: [container('crash:1')] } } } } });
    const j = await waitFor('failed', async () => {
      await pass(5_000, 1_000);
      const x = sim.store.get('batch', 'jobs', ns, 'loop');
      return x.status?.conditions?.some((c: any) => c.type === 'Failed') && x;
    });
    expect(j.status.conditions.find((c: any) => c.type === 'Failed')).toMatchObject({ reason: 'BackoffLimitExceeded' });
    expect(j.status.failed).toBe(1);
    expect(podsOf(sim, ns, 'loop-').filter((p) => !p.metadata.deletionTimestamp)).toHaveLength(0);
  });

  it('a StatefulSet and a DaemonSet come up on the kubelet', async () => {
    const { apps, sim, ns } = env;
    await apps.createNamespacedStatefulSet({
      namespace: ns,
      body: { metadata: { name: 'db' }, spec: { replicas: 2, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [container('postgres:16')] } } } },
    });
    await apps.createNamespacedDaemonSet({
      namespace: ns,
      body: { metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [container('agent:1')] } } } },
    });
    await waitFor('ready', async () => {
      await pass(500);
      const s = sim.store.get('apps', 'statefulsets', ns, 'db').status;
      const d = sim.store.get('apps', 'daemonsets', ns, 'agent').status;
      return s?.readyReplicas === 2 && d?.numberReady === 2;
    });
    const nodes = podsOf(sim, ns, 'agent-').map((p) => p.spec.nodeName).sort();
    expect(nodes).toEqual(['kube-sim-node-1', 'kube-sim-node-2']);
    expect(eventsFor(sim, ns, 'db').map((e) => e.message)).toEqual(expect.arrayContaining(['create Pod db-0 in StatefulSet db successful', 'create Pod db-1 in StatefulSet db successful']));
  });
});
