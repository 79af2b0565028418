import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { container, eventsFor, podsOf, setPodReady, startEnv, waitFor, type WorkloadEnv } from './workloads-support';

let env: WorkloadEnv;
beforeAll(async () => {
  env = await startEnv({ nodes: 3 });
});
afterAll(async () => {
  await env?.sim.stop();
});

const sts = (name: string, replicas: number, extra: any = {}) => ({
  metadata: { name },
  spec: {
    replicas,
    serviceName: name,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [container('nginx:1.26')] } },
    volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    ...extra,
  },
});
const names = (prefix: string) => podsOf(env.sim, env.ns, prefix).map((p) => p.metadata.name).sort();
const pause = (ms = 60) => new Promise((r) => setTimeout(r, ms));

describe('StatefulSet', () => {
  it('creates ordinals one at a time waiting for readiness, with PVCs per ordinal', async () => {
    const { apps, sim, ns } = env;
    await apps.createNamespacedStatefulSet({ namespace: ns, body: sts('web', 3) });
    await waitFor('web-0', () => names('web-').length === 1);
    await pause();
    expect(names('web-')).toEqual(['web-0']); // OrderedReady: web-1 waits for web-0
    const p0 = sim.store.get('', 'pods', ns, 'web-0');
    expect(p0.spec.hostname).toBe('web-0');
    expect(p0.spec.subdomain).toBe('web');
    expect(p0.metadata.labels).toMatchObject({ app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-0', 'apps.kubernetes.io/pod-index': '0' });
    expect(p0.metadata.labels['controller-revision-hash']).toMatch(/^web-[a-z0-9]+$/);
    expect(p0.spec.volumes).toContainEqual({ name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } });
    const pvc = sim.store.get('', 'persistentvolumeclaims', ns, 'www-web-0');
    expect(pvc.metadata.labels).toEqual({ app: 'web' });
    setPodReady(sim, p0);
    await waitFor('web-1', () => names('web-').length === 2);
    setPodReady(sim, sim.store.get('', 'pods', ns, 'web-1'));
    await waitFor('web-2', () => names('web-').length === 3);
    setPodReady(sim, sim.store.get('', 'pods', ns, 'web-2'));
    const s: any = await waitFor('ready 3', async () => {
      const x: any = await apps.readNamespacedStatefulSet({ name: 'web', namespace: ns });
      return x.status?.readyReplicas === 3 && x;
    });
    expect(s.status).toMatchObject({ replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    expect(s.status.currentRevision).toBe(s.status.updateRevision);
    expect(sim.store.list('', 'persistentvolumeclaims', ns).map((p) => p.metadata.name).sort()).toEqual(['www-web-0', 'www-web-1', 'www-web-2']);
    const msgs = eventsFor(sim, ns, 'web').map((e) => e.message);
    expect(msgs).toContain('create Pod web-0 in StatefulSet web successful');
    expect(msgs).toContain('create Claim www-web-0 Pod web-0 in StatefulSet web success');
  });

  it('rolls out a new template in reverse ordinal order', async () => {
    const { apps, sim, ns } = env;
    const before: any = await apps.readNamespacedStatefulSet({ name: 'web', namespace: ns });
    const deletions: string[] = [];
    sim.store.onWrite((def, type, obj) => {
      if (def.resource === 'pods' && type === 'DELETED' && obj.metadata.name.startsWith('web-')) deletions.push(obj.metadata.name);
    });
    await apps.patchNamespacedStatefulSet(
      { name: 'web', namespace: ns, body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    );
    const s: any = await waitFor('updated', async () => {
      for (const p of podsOf(sim, ns, 'web-')) if (p.status.phase === 'Pending') setPodReady(sim, p);
      const x: any = await apps.readNamespacedStatefulSet({ name: 'web', namespace: ns });
      return x.status?.updatedReplicas === 3 && x.status.readyReplicas === 3 && x.status.currentRevision === x.status.updateRevision && x;
    });
    expect(deletions).toEqual(['web-2', 'web-1', 'web-0']);
    expect(s.status.updateRevision).not.toBe(before.status.updateRevision);
    expect(sim.store.get('', 'pods', ns, 'web-0').spec.containers[0].image).toBe('nginx:1.27');
  });

  it('scales down from the highest ordinal and keeps the PVCs', async () => {
    const { apps, sim, ns } = env;
    const deletions: string[] = [];
    sim.store.onWrite((def, type, obj) => {
      if (def.resource === 'pods' && type === 'DELETED' && obj.metadata.name.startsWith('web-')) deletions.push(obj.metadata.name);
    });
    await apps.patchNamespacedStatefulSetScale({ name: 'web', namespace: ns, body: { spec: { replicas: 1 } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    // OrderedReady scales down only while every remaining pod is Running and Ready; without a kubelet
    // here, the test plays its part for a pod the previous rollout may have just re-created.
    await waitFor('web-2 and web-1 gone', () => {
      for (const p of podsOf(sim, ns, 'web-')) if (p.status.phase === 'Pending') setPodReady(sim, p);
      return names('web-').length === 1;
    });
    expect(deletions).toEqual(['web-2', 'web-1']);
    expect(names('web-')).toEqual(['web-0']);
    expect(sim.store.list('', 'persistentvolumeclaims', ns)).toHaveLength(3);
    expect(eventsFor(sim, ns, 'web').map((e) => e.message)).toContain('delete Pod web-2 in StatefulSet web successful');
  });

  it('a rolling update with a partition only updates ordinals >= partition', async () => {
    const { apps, sim, ns } = env;
    await apps.createNamespacedStatefulSet({ namespace: ns, body: sts('pt', 3, { podManagementPolicy: 'Parallel', volumeClaimTemplates: [] }) });
    await waitFor('3 pods', () => names('pt-').length === 3);
    for (const p of podsOf(sim, ns, 'pt-')) setPodReady(sim, p);
    const before: any = await waitFor('ready', () => {
      const x = sim.store.get('apps', 'statefulsets', ns, 'pt');
      return x.status?.readyReplicas === 3 && x;
    });
    await apps.patchNamespacedStatefulSet(
      { name: 'pt', namespace: ns, body: { spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } }, template: { metadata: { labels: { app: 'pt', v: '2' } } } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    const st: any = await waitFor('pt-2 updated', () => {
      for (const p of podsOf(sim, ns, 'pt-')) if (p.status.phase === 'Pending') setPodReady(sim, p);
      const x = sim.store.get('apps', 'statefulsets', ns, 'pt');
      return x.status?.updatedReplicas === 1 && x.status.readyReplicas === 3 && x;
    });
    expect(st.status.currentRevision).toBe(before.status.currentRevision);
    expect(st.status.updateRevision).not.toBe(before.status.updateRevision);
    expect(st.status.currentReplicas).toBe(2);
    const rev = (n: string) => sim.store.get('', 'pods', ns, n).metadata.labels['controller-revision-hash'];
    expect([rev('pt-0'), rev('pt-1'), rev('pt-2')]).toEqual([before.status.currentRevision, before.status.currentRevision, st.status.updateRevision]);
  });

  it('Parallel creates all pods at once', async () => {
    const { apps, ns } = env;
    await apps.createNamespacedStatefulSet({ namespace: ns, body: sts('par', 3, { podManagementPolicy: 'Parallel', volumeClaimTemplates: [] }) });
    await waitFor('3 pods', () => names('par-').length === 3);
    expect(names('par-')).toEqual(['par-0', 'par-1', 'par-2']);
  });
});

describe('DaemonSet', () => {
  it('runs one pinned pod per eligible node (nodeSelector, taints/tolerations) and reports status', async () => {
    const { apps, sim, ns } = env;
    const node = (n: number) => sim.store.get('', 'nodes', '', `kube-sim-node-${n}`);
    const n2 = structuredClone(node(2));
    n2.spec.taints = [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }];
    sim.store.update('', 'nodes', '', n2.metadata.name, n2);
    await apps.createNamespacedDaemonSet({
      namespace: ns,
      body: { metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [container('fluent-bit:3')] } } } },
    });
    await waitFor('2 pods', () => podsOf(sim, ns, 'agent-').length === 2);
    await pause();
    const pods = podsOf(sim, ns, 'agent-');
    expect(pods).toHaveLength(2);
    const pinned = pods.map((p) => p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0]);
    expect(pinned.map((f) => f.values[0]).sort()).toEqual(['kube-sim-node-1', 'kube-sim-node-3']);
    expect(pinned[0]).toMatchObject({ key: 'metadata.name', operator: 'In' });
    expect(pods[0].spec.tolerations).toContainEqual({ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' });
    for (const p of pods) setPodReady(sim, p);
    const ds: any = await waitFor('status', async () => {
      const x: any = await apps.readNamespacedDaemonSet({ name: 'agent', namespace: ns });
      return x.status?.numberReady === 2 && x;
    });
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberMisscheduled: 0, numberReady: 2, updatedNumberScheduled: 2, numberAvailable: 2, observedGeneration: 1 });
    // tolerate the taint: node 2 gets one too; a nodeSelector then narrows to labelled nodes
    await apps.patchNamespacedDaemonSet(
      { name: 'agent', namespace: ns, body: { spec: { template: { spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] } } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await waitFor('3 nodes', () => {
      for (const p of podsOf(sim, ns, 'agent-')) if (p.status.phase === 'Pending') setPodReady(sim, p);
      const s = sim.store.get('apps', 'daemonsets', ns, 'agent').status;
      return s.desiredNumberScheduled === 3 && s.updatedNumberScheduled === 3 && s.numberReady === 3;
    });
    const n3 = structuredClone(node(3));
    n3.metadata.labels.role = 'edge';
    sim.store.update('', 'nodes', '', n3.metadata.name, n3);
    await apps.patchNamespacedDaemonSet({ name: 'agent', namespace: ns, body: { spec: { template: { spec: { nodeSelector: { role: 'edge' } } } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await waitFor('1 node', () => {
      for (const p of podsOf(sim, ns, 'agent-')) if (p.status.phase === 'Pending') setPodReady(sim, p);
      const s = sim.store.get('apps', 'daemonsets', ns, 'agent').status;
      return s.desiredNumberScheduled === 1 && podsOf(sim, ns, 'agent-').length === 1;
    });
  });
});
