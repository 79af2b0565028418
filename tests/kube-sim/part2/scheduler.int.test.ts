import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cordon, eventsOf, pod, startNodeEnv, waitFor, type NodeEnv } from './nodes-support';

let env: NodeEnv;
beforeAll(async () => {
  env = await startNodeEnv({
    nodePools: [
      { name: 'small', count: 1, cpu: '1', memory: '2Gi', zone: 'eu-west-1a' },
      { name: 'gpu', count: 1, cpu: '8', memory: '32Gi', labels: { 'bosun.io/gpu': 'true', 'bosun.io/gen': '5' }, taints: [{ key: 'bosun.io/gpu', value: 'true', effect: 'NoSchedule' }], zone: 'eu-west-1b' },
      { name: 'big', count: 1, cpu: '4', memory: '16Gi', zone: 'eu-west-1c', labels: { 'bosun.io/gen': '3' } },
    ],
  });
});
afterAll(async () => {
  await env?.stop();
});

describe('scheduler', () => {
  it('node pools: capacity, allocatable, labels, taints, zone, conditions, nodeInfo', async () => {
    const nodes = (await env.core.listNode()).items;
    expect(nodes.map((n) => n.metadata!.name)).toEqual(['big-1', 'gpu-1', 'small-1']);
    const gpu = nodes.find((n) => n.metadata!.name === 'gpu-1')!;
    expect(gpu.status!.capacity).toMatchObject({ cpu: '8', memory: '32Gi', pods: '110' });
    expect(gpu.status!.allocatable).toMatchObject({ cpu: '8', memory: '32Gi', pods: '110' });
    expect(gpu.metadata!.labels).toMatchObject({ 'topology.kubernetes.io/zone': 'eu-west-1b', 'kubernetes.io/hostname': 'gpu-1', 'bosun.io/gpu': 'true' });
    expect(gpu.spec!.taints).toEqual([{ key: 'bosun.io/gpu', value: 'true', effect: 'NoSchedule' }]);
    expect(gpu.status!.conditions!.map((c) => `${c.type}=${c.status}`)).toEqual(['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True']);
    expect(gpu.status!.nodeInfo!.kubeletVersion).toBe('v1.31.0');
    expect(gpu.status!.addresses!.map((a) => a.type)).toEqual(['InternalIP', 'Hostname']);
  });

  it('binds a pod to a node, PodScheduled=True, Scheduled event from default-scheduler', async () => {
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('web', { containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '500m', memory: '256Mi' } } }] }) });
    const p = await waitFor('scheduled', async () => {
      const p = await env.core.readNamespacedPod({ namespace: env.ns, name: 'web' });
      return p.spec!.nodeName ? p : undefined;
    });
    expect(['big-1', 'small-1']).toContain(p.spec!.nodeName);
    expect(p.status!.conditions!.find((c) => c.type === 'PodScheduled')!.status).toBe('True');
    const ev = await waitFor('Scheduled event', async () => (await eventsOf(env, 'web')).find((e) => e.reason === 'Scheduled'));
    expect(ev.message).toBe(`Successfully assigned ${env.ns}/web to ${p.spec!.nodeName}`);
    expect(ev.source!.component).toBe('default-scheduler');
    expect(ev.reportingComponent).toBe('default-scheduler');
    expect(ev.type).toBe('Normal');
  });

  it('an unschedulable pod stays Pending with PodScheduled=False/Unschedulable and a FailedScheduling event', async () => {
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('huge', { containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '6' } } }] }) });
    const msg = '0/3 nodes are available: 1 node(s) had untolerated taint {bosun.io/gpu: true}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.';
    const p = await waitFor('unschedulable', async () => {
      const p = await env.core.readNamespacedPod({ namespace: env.ns, name: 'huge' });
      return p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False') ? p : undefined;
    });
    expect(p.status!.phase).toBe('Pending');
    expect(p.spec!.nodeName).toBeUndefined();
    expect(p.status!.conditions!.find((c) => c.type === 'PodScheduled')).toMatchObject({ reason: 'Unschedulable', message: msg });
    const ev = await waitFor('FailedScheduling', async () => (await eventsOf(env, 'huge')).find((e) => e.reason === 'FailedScheduling'));
    expect(ev).toMatchObject({ type: 'Warning', message: msg, reportingComponent: 'default-scheduler', source: { component: 'default-scheduler' } });
    expect(ev.involvedObject).toMatchObject({ kind: 'Pod', name: 'huge', namespace: env.ns, uid: p.metadata!.uid });
  });

  it('node selector and affinity mismatches are reported like kube-scheduler', async () => {
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('nowhere', { nodeSelector: { 'bosun.io/pool': 'none' } }) });
    const msg = "0/3 nodes are available: 1 node(s) had untolerated taint {bosun.io/gpu: true}, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
    const ev = await waitFor('FailedScheduling', async () => (await eventsOf(env, 'nowhere')).find((e) => e.reason === 'FailedScheduling'));
    expect(ev.message).toBe(msg);
  });

  it('tolerations and required node affinity (In, Gt, Exists) steer pods', async () => {
    const tol = [{ key: 'bosun.io/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }];
    await env.core.createNamespacedPod({
      namespace: env.ns,
      body: pod('trainer', {
        tolerations: tol,
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'bosun.io/gen', operator: 'Gt', values: ['4'] }, { key: 'bosun.io/gpu', operator: 'Exists' }] }] } } },
      }),
    });
    await env.core.createNamespacedPod({
      namespace: env.ns,
      body: pod('zonal', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1a', 'eu-west-1b'] }] }] } } } }),
    });
    // without the toleration the tainted node is refused
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('notol', { nodeSelector: { 'bosun.io/gpu': 'true' } }) });
    const trainer = await waitFor('trainer', async () => (await env.core.readNamespacedPod({ namespace: env.ns, name: 'trainer' })).spec!.nodeName);
    expect(trainer).toBe('gpu-1');
    const zonal = await waitFor('zonal', async () => (await env.core.readNamespacedPod({ namespace: env.ns, name: 'zonal' })).spec!.nodeName);
    expect(zonal).toBe('small-1');
    const ev = await waitFor('FailedScheduling', async () => (await eventsOf(env, 'notol')).find((e) => e.reason === 'FailedScheduling'));
    expect(ev.message).toBe("0/3 nodes are available: 1 node(s) had untolerated taint {bosun.io/gpu: true}, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
  });

  it('retries when nodes change: a pending pod binds once a matching node appears; cordoned nodes are skipped', async () => {
    await cordon(env, 'small-1');
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('waiter', { nodeSelector: { 'topology.kubernetes.io/zone': 'eu-west-1a' } }) });
    const ev = await waitFor('FailedScheduling', async () => (await eventsOf(env, 'waiter')).find((e) => e.reason === 'FailedScheduling'));
    expect(ev.message).toContain('1 node(s) were unschedulable');
    await cordon(env, 'small-1', false);
    const node = await waitFor('bound after uncordon', async () => (await env.core.readNamespacedPod({ namespace: env.ns, name: 'waiter' })).spec!.nodeName);
    expect(node).toBe('small-1');
  });

  it('pods/binding (another scheduler): nodeName, annotations and PodScheduled in one write; 409 when already bound', async () => {
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('custom', { schedulerName: 'my-scheduler' }) });
    await env.core.createNamespacedPodBinding({ namespace: env.ns, name: 'custom', body: { metadata: { name: 'custom', annotations: { 'bosun.io/placed-by': 'test' } }, target: { kind: 'Node', name: 'big-1' } } });
    const p = await env.core.readNamespacedPod({ namespace: env.ns, name: 'custom' });
    expect(p.spec!.nodeName).toBe('big-1');
    expect(p.metadata!.annotations).toMatchObject({ 'bosun.io/placed-by': 'test' });
    expect(p.status!.conditions!.find((c) => c.type === 'PodScheduled')!.status).toBe('True');
    const again = await env.core.createNamespacedPodBinding({ namespace: env.ns, name: 'custom', body: { metadata: { name: 'custom' }, target: { kind: 'Node', name: 'small-1' } } }).catch((e) => e);
    expect(again.code).toBe(409);
    expect(JSON.parse(again.body).message).toBe('Operation cannot be fulfilled on pods/binding "custom": pod custom is already assigned to node "big-1"');
    // the default scheduler leaves pods of other schedulers alone
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('custom-2', { schedulerName: 'my-scheduler' }) });
    await new Promise((r) => setTimeout(r, 200));
    expect((await env.core.readNamespacedPod({ namespace: env.ns, name: 'custom-2' })).spec!.nodeName).toBeUndefined();
  });

  it('scheduling gates hold a pod (SchedulingGated) until removed', async () => {
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('gated', { schedulingGates: [{ name: 'bosun.io/quota' }] }) });
    const c = await waitFor('gated condition', async () => (await env.core.readNamespacedPod({ namespace: env.ns, name: 'gated' })).status?.conditions?.find((c) => c.type === 'PodScheduled'));
    expect(c).toMatchObject({ status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' });
    await env.core.patchNamespacedPod({ namespace: env.ns, name: 'gated', body: [{ op: 'remove', path: '/spec/schedulingGates' }] });
    await waitFor('bound', async () => (await env.core.readNamespacedPod({ namespace: env.ns, name: 'gated' })).spec!.nodeName);
  });

  it('pods capacity: Too many pods', async () => {
    const env2 = await startNodeEnv({ nodePools: [{ name: 'tiny', count: 1, pods: 1 }] });
    try {
      await env2.core.createNamespacedPod({ namespace: env2.ns, body: pod('one') });
      await waitFor('one bound', async () => (await env2.core.readNamespacedPod({ namespace: env2.ns, name: 'one' })).spec!.nodeName);
      await env2.core.createNamespacedPod({ namespace: env2.ns, body: pod('two') });
      const ev = await waitFor('FailedScheduling', async () => (await eventsOf(env2, 'two')).find((e) => e.reason === 'FailedScheduling'));
      expect(ev.message).toBe('0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
      // deleting the first frees the slot
      await env2.core.deleteNamespacedPod({ namespace: env2.ns, name: 'one' });
      expect(await waitFor('two bound', async () => (await env2.core.readNamespacedPod({ namespace: env2.ns, name: 'two' })).spec!.nodeName)).toBe('tiny-1');
    } finally {
      await env2.stop();
    }
  });
});
