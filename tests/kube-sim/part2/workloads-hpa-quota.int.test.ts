import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { container, eventsFor, podsOf, readyAll, startEnv, waitFor, type WorkloadEnv } from './workloads-support';

let env: WorkloadEnv;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => {
  await env?.sim.stop();
});

const annotateUsage = (prefix: string, cpu: string) => {
  for (const p of podsOf(env.sim, env.ns, prefix)) {
    const next = structuredClone(p);
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), 'kube-sim.bosun.io/cpu-usage': cpu };
    env.sim.store.update('', 'pods', env.ns, p.metadata.name, next);
  }
};

describe('HorizontalPodAutoscaler (autoscaling/v2)', () => {
  it('scales a Deployment up on high CPU utilization, and down only after the stabilization window', async () => {
    const { apps, hpa, sim, ns } = env;
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'api' },
        spec: { replicas: 2, selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: [container('api:1', { resources: { requests: { cpu: '100m' } } })] } } },
      },
    });
    await waitFor('2 pods', () => podsOf(sim, ns, 'api-').length === 2);
    readyAll(sim, ns, 'api-');
    annotateUsage('api-', '150m'); // 150% of the request against a 50% target: ratio 3 → 6 replicas
    await hpa.createNamespacedHorizontalPodAutoscaler({
      namespace: ns,
      body: {
        metadata: { name: 'api' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
          minReplicas: 1,
          maxReplicas: 10,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
        },
      },
    });
    const d = await waitFor('scaled to 6', () => sim.store.get('apps', 'deployments', ns, 'api').spec.replicas === 6);
    expect(d).toBe(true);
    const h: any = await waitFor('status', async () => {
      const x: any = await hpa.readNamespacedHorizontalPodAutoscaler({ name: 'api', namespace: ns });
      return x.status?.desiredReplicas === 6 && x;
    });
    expect(h.status.currentMetrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 150, averageValue: '150m' } } }]);
    const cond = (t: string) => h.status.conditions.find((c: any) => c.type === t);
    expect(cond('AbleToScale')).toMatchObject({ status: 'True', reason: 'SucceededRescale', message: 'the HPA controller was able to update the target scale to 6' });
    expect(cond('ScalingActive')).toMatchObject({ status: 'True', reason: 'ValidMetricFound', message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)' });
    expect(cond('ScalingLimited')).toMatchObject({ status: 'False', reason: 'DesiredWithinRange' });
    expect(h.status.lastScaleTime).toBeTruthy();
    expect(eventsFor(sim, ns, 'api').find((e) => e.reason === 'SuccessfulRescale')?.message).toBe('New size: 6; reason: cpu resource utilization (percentage of request) above target');

    // usage drops to 10%: the recommendation is 2 (6 pods × 0.2 = 1.2), held for the 300 s scale-down window
    await waitFor('6 pods', () => podsOf(sim, ns, 'api-').length === 6);
    readyAll(sim, ns, 'api-');
    annotateUsage('api-', '10m');
    sim.clock.advance(15_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(sim.store.get('apps', 'deployments', ns, 'api').spec.replicas).toBe(6);
    const held = sim.store.get('autoscaling', 'horizontalpodautoscalers', ns, 'api');
    expect(held.status.conditions.find((c: any) => c.type === 'AbleToScale').reason).toBe('ScaleDownStabilized');
    sim.clock.advance(300_000);
    await waitFor('scaled down to 2', () => sim.store.get('apps', 'deployments', ns, 'api').spec.replicas === 2);
    expect(eventsFor(sim, ns, 'api').map((e) => e.message)).toContain('New size: 2; reason: All metrics below target');
  });

  it('reports missing requests as ScalingActive=False FailedGetResourceMetric', async () => {
    const { apps, hpa, sim, ns } = env;
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: { metadata: { name: 'noreq' }, spec: { replicas: 1, selector: { matchLabels: { app: 'noreq' } }, template: { metadata: { labels: { app: 'noreq' } }, spec: { containers: [container()] } } } },
    });
    await waitFor('pod', () => podsOf(sim, ns, 'noreq-').length === 1);
    readyAll(sim, ns, 'noreq-');
    annotateUsage('noreq-', '50m');
    await hpa.createNamespacedHorizontalPodAutoscaler({
      namespace: ns,
      body: { metadata: { name: 'noreq' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'noreq' }, maxReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] } },
    });
    const h = await waitFor('condition', () => sim.store.get('autoscaling', 'horizontalpodautoscalers', ns, 'noreq').status?.conditions?.find((c: any) => c.type === 'ScalingActive'));
    expect(h).toMatchObject({ status: 'False', reason: 'FailedGetResourceMetric' });
    expect(h.message).toMatch(/missing request for cpu in container app of Pod noreq-/);
  });
});

describe('admission on controller-created pods', () => {
  it('a ResourceQuota refusal surfaces as a FailedCreate Event and ReplicaFailure condition', async () => {
    const { apps, core, sim, ns } = env;
    await core.createNamespacedResourceQuota({ namespace: ns, body: { metadata: { name: 'pods-q' }, spec: { hard: { pods: String(podsOf(sim, ns).length + 2) } } } });
    await waitFor('quota status', () => sim.store.get('', 'resourcequotas', ns, 'pods-q').status?.hard);
    await apps.createNamespacedReplicaSet({
      namespace: ns,
      body: { metadata: { name: 'q' }, spec: { replicas: 4, selector: { matchLabels: { app: 'q' } }, template: { metadata: { labels: { app: 'q' } }, spec: { containers: [container()] } } } },
    });
    const ev = await waitFor('FailedCreate', () => eventsFor(sim, ns, 'q').find((e) => e.reason === 'FailedCreate'));
    expect(ev.type).toBe('Warning');
    expect(ev.source.component).toBe('replicaset-controller');
    expect(ev.message).toMatch(/^Error creating: pods "q-[a-z0-9]+" is forbidden: exceeded quota: pods-q, requested: pods=1, used: pods=\d+, limited: pods=\d+$/);
    expect(podsOf(sim, ns, 'q-')).toHaveLength(2);
    const rs = await waitFor('condition', () => sim.store.get('apps', 'replicasets', ns, 'q').status?.conditions?.[0]);
    expect(rs).toMatchObject({ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate' });
    expect(sim.store.get('apps', 'replicasets', ns, 'q').status.replicas).toBe(2);
  });

  it('a ReplicaSet adopts matching orphan pods and deletes surplus pods not-ready first', async () => {
    const { apps, core, sim, ns } = env;
    await sim.store.delete('', 'resourcequotas', ns, 'pods-q');
    for (const n of ['orphan-a', 'orphan-b']) await core.createNamespacedPod({ namespace: ns, body: { metadata: { name: n, labels: { app: 'adopt' } }, spec: { containers: [container()] } } });
    readyAll(sim, ns, 'orphan-a');
    await apps.createNamespacedReplicaSet({
      namespace: ns,
      body: { metadata: { name: 'adopt' }, spec: { replicas: 1, selector: { matchLabels: { app: 'adopt' } }, template: { metadata: { labels: { app: 'adopt' } }, spec: { containers: [container()] } } } },
    });
    await waitFor('surplus deleted', () => podsOf(sim, ns, 'orphan-').length === 1);
    const kept = podsOf(sim, ns, 'orphan-')[0];
    expect(kept.metadata.name).toBe('orphan-a'); // the ready one stays
    expect(kept.metadata.ownerReferences[0]).toMatchObject({ kind: 'ReplicaSet', name: 'adopt', controller: true });
    expect(podsOf(sim, ns, 'adopt-')).toHaveLength(0);
    const rs = await waitFor('status', () => {
      const x = sim.store.get('apps', 'replicasets', ns, 'adopt');
      return x.status?.readyReplicas === 1 && x;
    });
    expect(rs.status).toMatchObject({ replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 });
  });
});
