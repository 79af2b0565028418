import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance, eventsOf, pod, startNodeEnv, waitFor, type NodeEnv } from './nodes-support';

let env: NodeEnv;
beforeAll(async () => {
  env = await startNodeEnv({ nodePools: [{ name: 'pool', count: 2, cpu: '4', memory: '8Gi' }] });
});
afterAll(async () => {
  await env?.stop();
});

const read = (name: string) => env.core.readNamespacedPod({ namespace: env.ns, name });
const phaseOf = async (name: string) => (await read(name)).status?.phase;

describe('kubelet', () => {
  it('runs a scheduled pod: ContainerCreating → Running/Ready with the status fields and events a kubelet writes', async () => {
    const seen: string[] = [];
    const watch = new k8s.Watch(env.kc);
    const req = await watch.watch(`/api/v1/namespaces/${env.ns}/pods`, { fieldSelector: 'metadata.name=web' }, (_t, obj: any) => {
      const s = obj.status?.containerStatuses?.[0]?.state;
      seen.push(`${obj.status?.phase}/${s ? Object.keys(s)[0] + (s.waiting ? `:${s.waiting.reason}` : '') : '-'}`);
    }, () => {});
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('web', { image: 'nginx:1.27' }) });
    const p = await waitFor('Ready', async () => {
      const p = await read('web');
      return p.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True') ? p : undefined;
    });
    req.abort();
    expect(seen).toContain('Pending/waiting:ContainerCreating');
    expect(seen[seen.length - 1]).toBe('Running/running');
    const st = p.status!;
    expect(st.phase).toBe('Running');
    expect(st.conditions!.map((c) => `${c.type}=${c.status}`)).toEqual(['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
    const node = await env.core.readNode({ name: p.spec!.nodeName! });
    expect(st.hostIP).toBe(node.status!.addresses!.find((a) => a.type === 'InternalIP')!.address);
    expect(st.podIP).toMatch(new RegExp(`^${node.spec!.podCIDR!.replace(/\.0\/24$/, '').replace(/\./g, '\\.')}\\.\\d+$`));
    expect(st.startTime).toBeInstanceOf(Date);
    const cs = st.containerStatuses![0];
    expect(cs).toMatchObject({ name: 'app', ready: true, started: true, restartCount: 0, image: 'docker.io/library/nginx:1.27' });
    expect(cs.imageID).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    expect(cs.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(cs.state!.running!.startedAt).toBeInstanceOf(Date);
    const events = await eventsOf(env, 'web');
    const reasons = events.map((e) => e.reason);
    for (const r of ['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']) expect(reasons).toContain(r);
    const started = events.find((e) => e.reason === 'Started')!;
    expect(started).toMatchObject({ message: 'Started container app', source: { component: 'kubelet', host: p.spec!.nodeName }, involvedObject: { fieldPath: 'spec.containers{app}' } });
    expect(events.find((e) => e.reason === 'Pulling')!.message).toBe('Pulling image "nginx:1.27"');
  });

  it('an image with "crash" crash-loops: restartCount grows, CrashLoopBackOff with growing back-off, BackOff events', async () => {
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('crasher', { image: 'bosun/crash:1' }) });
    await waitFor('running', async () => (await read('crasher')).status?.containerStatuses?.[0]?.state?.running);
    // runs 1 s, exits 1, is restarted at once (back-off starts after the first restart)
    await advance(env.sim, 1000, 250);
    await waitFor('restart 1', async () => (await read('crasher')).status?.containerStatuses?.[0]?.restartCount === 1);
    await advance(env.sim, 1000, 250);
    const cs = await waitFor('CrashLoopBackOff', async () => {
      const c = (await read('crasher')).status!.containerStatuses![0];
      return c.state?.waiting?.reason === 'CrashLoopBackOff' ? c : undefined;
    });
    expect(cs.lastState!.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(cs.state!.waiting!.message).toMatch(/^back-off 10s restarting failed container=app pod=crasher_n2\(/);
    expect(cs.ready).toBe(false);
    const p = await read('crasher');
    expect(p.status!.phase).toBe('Running');
    expect(p.status!.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [app]' });
    // 10 s back-off, run 1 s, then 20 s back-off...
    await advance(env.sim, 11_000);
    await waitFor('restart 2', async () => (await read('crasher')).status!.containerStatuses![0].restartCount === 2);
    await advance(env.sim, 1000 + 20_000 + 1000);
    const c3 = await waitFor('restart 3', async () => {
      const c = (await read('crasher')).status!.containerStatuses![0];
      return c.restartCount! >= 3 ? c : undefined;
    });
    expect(c3.restartCount).toBe(3);
    const backOff = (await eventsOf(env, 'crasher')).find((e) => e.reason === 'BackOff')!;
    expect(backOff.type).toBe('Warning');
    expect(backOff.message).toBe(`Back-off restarting failed container app in pod crasher_n2(${p.metadata!.uid})`);
    expect(backOff.count).toBeGreaterThanOrEqual(2);
  });

  it('job-style pods: "fail" with restartPolicy Never ends Failed, others end Succeeded after run-seconds', async () => {
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('job-fail', { image: 'bosun/fail', restartPolicy: 'Never' }) });
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('job-ok', { image: 'busybox:1.36', restartPolicy: 'Never' }, { 'kube-sim.bosun.io/run-seconds': '5' }) });
    await waitFor('running', async () => (await read('job-ok')).status?.containerStatuses?.[0]?.state?.running && (await read('job-fail')).status?.containerStatuses?.[0]?.state?.running);
    await advance(env.sim, 1000, 250);
    await waitFor('Failed', async () => (await phaseOf('job-fail')) === 'Failed');
    const f = await read('job-fail');
    expect(f.status!.containerStatuses![0].state!.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(f.status!.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    expect(await phaseOf('job-ok')).toBe('Running');
    await advance(env.sim, 4000);
    await waitFor('Succeeded', async () => (await phaseOf('job-ok')) === 'Succeeded');
    const ok = await read('job-ok');
    expect(ok.status!.containerStatuses![0].state!.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(ok.status!.containerStatuses![0].restartCount).toBe(0);
  });

  it('OnFailure restarts a failing container; init containers complete before app containers', async () => {
    await env.core.createNamespacedPod({
      namespace: env.ns,
      body: { metadata: { name: 'with-init' }, spec: { initContainers: [{ name: 'setup', image: 'busybox' }], containers: [{ name: 'app', image: 'nginx' }] } },
    });
    const p = await waitFor('Ready', async () => {
      const p = await read('with-init');
      return p.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True') ? p : undefined;
    });
    expect(p.status!.initContainerStatuses![0].state!.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('onfail', { image: 'fail', restartPolicy: 'OnFailure' }) });
    await waitFor('running', async () => (await read('onfail')).status?.containerStatuses?.[0]?.state?.running);
    await advance(env.sim, 1000, 250);
    await waitFor('restarted', async () => (await read('onfail')).status!.containerStatuses![0].restartCount === 1);
    expect(await phaseOf('onfail')).toBe('Running');
  });

  it('an image with "notfound" cannot be pulled: ErrImagePull, then ImagePullBackOff, pod stays Pending', async () => {
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('typo', { image: 'bosun/notfound:1.0' }) });
    const cs = await waitFor('ImagePullBackOff', async () => {
      const c = (await read('typo')).status?.containerStatuses?.[0];
      return c?.state?.waiting?.reason === 'ImagePullBackOff' ? c : undefined;
    });
    expect(cs.state!.waiting!.message).toBe('Back-off pulling image "bosun/notfound:1.0"');
    expect(await phaseOf('typo')).toBe('Pending');
    const msgs = (await eventsOf(env, 'typo')).map((e) => `${e.type}/${e.reason}: ${e.message}`);
    expect(msgs).toContain('Warning/Failed: Error: ErrImagePull');
    expect(msgs).toContain('Warning/Failed: Error: ImagePullBackOff');
    expect(msgs).toContain(
      'Warning/Failed: Failed to pull image "bosun/notfound:1.0": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/bosun/notfound:1.0": failed to resolve reference "docker.io/bosun/notfound:1.0": docker.io/bosun/notfound:1.0: not found',
    );
  });

  it('kubelet admission rejects a pod bound to a node its node selector refuses', async () => {
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('misplaced', { nodeName: 'pool-1', nodeSelector: { disk: 'ssd' } }) });
    await waitFor('Failed', async () => (await phaseOf('misplaced')) === 'Failed');
    const p = await read('misplaced');
    expect(p.status).toMatchObject({ phase: 'Failed', reason: 'NodeAffinity', message: 'Pod was rejected: Predicate NodeAffinity failed' });
  });

  it('probes: "unready" images never become Ready; a failing liveness probe restarts the container', async () => {
    await env.core.createNamespacedPod({
      namespace: env.ns,
      body: pod('lazy', { containers: [{ name: 'app', image: 'bosun/unready', readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 5 } }] }),
    });
    await env.core.createNamespacedPod({
      namespace: env.ns,
      body: pod('sick', { containers: [{ name: 'app', image: 'nginx', livenessProbe: { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 10, failureThreshold: 3 } }] }, { 'kube-sim.bosun.io/liveness': 'fail' }),
    });
    await waitFor('running', async () => (await read('lazy')).status?.containerStatuses?.[0]?.state?.running && (await read('sick')).status?.containerStatuses?.[0]?.state?.running);
    const lazy = await read('lazy');
    expect(lazy.status!.containerStatuses![0].ready).toBe(false);
    expect(lazy.status!.conditions!.find((c) => c.type === 'ContainersReady')!.status).toBe('False');
    expect((await read('sick')).status!.containerStatuses![0].ready).toBe(true);
    await advance(env.sim, 31_000);
    const sick = await waitFor('liveness restart', async () => {
      const c = (await read('sick')).status!.containerStatuses![0];
      return c.restartCount === 1 ? c : undefined;
    });
    expect(sick.lastState!.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    const reasons = (await eventsOf(env, 'sick')).map((e) => `${e.reason}:${e.message}`);
    expect(reasons).toContain('Unhealthy:Liveness probe failed: HTTP probe failed with statuscode: 500');
    expect(reasons).toContain('Killing:Container app failed liveness probe, will be restarted');
    expect((await eventsOf(env, 'lazy')).some((e) => e.reason === 'Unhealthy' && e.message!.startsWith('Readiness probe failed'))).toBe(true);
  });
});
