import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance, cordon, pod, startNodeEnv, waitFor, type NodeEnv } from './nodes-support';

let env: NodeEnv;
beforeAll(async () => {
  env = await startNodeEnv({ nodePools: [{ name: 'l', count: 2 }] });
});
afterAll(async () => {
  await env?.stop();
});

const SMP = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
const exists = async (name: string) => (await env.core.listNamespacedPod({ namespace: env.ns })).items.some((p) => p.metadata!.name === name);

describe('node lifecycle', () => {
  it('cordon adds the unschedulable taint, uncordon removes it', async () => {
    await cordon(env, 'l-2');
    const n = await waitFor('taint', async () => {
      const n = await env.core.readNode({ name: 'l-2' });
      return n.spec!.taints?.some((t) => t.key === 'node.kubernetes.io/unschedulable' && t.effect === 'NoSchedule') ? n : undefined;
    });
    expect(n.spec!.unschedulable).toBe(true);
    await cordon(env, 'l-2', false);
    await waitFor('untainted', async () => !(await env.core.readNode({ name: 'l-2' })).spec!.taints);
  });

  it('a NotReady node is tainted; pods are evicted after their tolerationSeconds (300 s by default); tolerating pods stay', async () => {
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('plain', { nodeName: 'l-1' }) });
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('tough', { nodeName: 'l-1', tolerations: [{ operator: 'Exists' }] }) });
    await waitFor('running', async () => (await env.core.readNamespacedPod({ namespace: env.ns, name: 'plain' })).status?.phase === 'Running');
    await env.core.patchNodeStatus({ name: 'l-1', body: { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime is down' }] } } }, SMP);
    const node = await waitFor('not-ready taints', async () => {
      const n = await env.core.readNode({ name: 'l-1' });
      return n.spec!.taints?.length === 2 ? n : undefined;
    });
    expect(node.spec!.taints!.map((t) => `${t.key}:${t.effect}`)).toEqual(['node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute']);
    // other conditions were kept by the strategic merge
    expect(node.status!.conditions!.map((c) => c.type)).toContain('MemoryPressure');

    // no new pods there
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('newcomer', { nodeSelector: { 'kubernetes.io/hostname': 'l-1' } }) });
    const ev = await waitFor('FailedScheduling', async () => (await env.core.listNamespacedEvent({ namespace: env.ns, fieldSelector: 'involvedObject.name=newcomer,reason=FailedScheduling' })).items[0]);
    expect(ev.message).toBe(
      "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    );

    // (taints' timeAdded has second precision: allow a few seconds either side)
    await advance(env.sim, 295_000, 10_000);
    expect(await exists('plain')).toBe(true);
    await advance(env.sim, 6000, 1000);
    await waitFor('plain evicted', async () => !(await exists('plain')));
    expect(await exists('tough')).toBe(true);

    await env.core.patchNodeStatus({ name: 'l-1', body: { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }] } } }, SMP);
    await waitFor('untainted', async () => !(await env.core.readNode({ name: 'l-1' })).spec!.taints);
    await waitFor('newcomer bound', async () => (await env.core.readNamespacedPod({ namespace: env.ns, name: 'newcomer' })).spec!.nodeName === 'l-1');
  });

  it('pods of a deleted node are garbage-collected', async () => {
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('orphan', { nodeName: 'l-2' }) });
    await waitFor('running', async () => (await env.core.readNamespacedPod({ namespace: env.ns, name: 'orphan' })).status?.phase === 'Running');
    await env.core.deleteNode({ name: 'l-2' });
    await waitFor('orphan gone', async () => !(await exists('orphan')));
  });
});
