/**
 * Failures over the wire: a server that refuses, a cluster that is down, a cluster that hangs.
 * Each reports Failed with the reason, retries with backoff and recovers, while a healthy cluster
 * (a second kube-sim) converges meanwhile.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim } from '../kube-sim/index';
import { startNamespaceReconciler, type NamespaceReconciler, type NamespaceReconcilerOptions } from '../../reconcilers/namespace/reconciler';
import { aNamespace, eventually, kubeConfigOf, MemorySource, namespaceRef, OutcomeLog, quotaRef, sleep, testClient } from './support';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  // Bounded: see the note on kube-sim's stop() below.
  for (const c of cleanups.splice(0).reverse()) await Promise.race([c().catch(() => {}), sleep(3000)]);
});

async function sim(opts: Parameters<typeof startKubeSim>[0] = {}): Promise<KubeSim> {
  const s = await startKubeSim(opts);
  cleanups.push(() => s.stop());
  return s;
}

function start(opts: Partial<NamespaceReconcilerOptions> & Pick<NamespaceReconcilerOptions, 'source' | 'kubeConfigFor' | 'recordOutcome'>): NamespaceReconciler {
  const r = startNamespaceReconciler({
    resyncMs: 200,
    backoff: { baseMs: 20, capMs: 300, jitter: 0.1 },
    requestTimeoutMs: 5000,
    onError: () => {},
    ...opts,
  });
  cleanups.push(() => r.stop());
  return r;
}

const isFailed = (o: unknown): o is { failed: string } => typeof o === 'object' && o !== null && 'failed' in o;

describe('namespace reconciler failures (kube-sim)', () => {
  it('reports the API server\'s refusal as the reason, retries, and recovers once allowed; another cluster converges meanwhile', async () => {
    const refusing = await sim();
    const healthy = await sim();
    // Bosun was given credentials that may not manage namespaces on cluster A.
    const kcs: Record<string, KubeConfig> = {
      'c-a': kubeConfigOf(refusing.kubeconfigFor('alice')),
      'c-b': kubeConfigOf(healthy.kubeconfig),
    };
    const source = new MemorySource(['c-a', 'c-b']);
    source.put(aNamespace('c-a', 'team-a'));
    source.put(aNamespace('c-b', 'team-b'));
    const log = new OutcomeLog();
    const r = start({ source, kubeConfigFor: async (id) => kcs[id], recordOutcome: log.record });

    await eventually(() => {
      expect(log.last('c-b', 'team-b')?.outcome).toBe('provisioned');
      const a = log.last('c-a', 'team-a');
      expect(a?.generation).toBe(1);
      expect(a?.outcome).toEqual({ failed: expect.stringMatching(/^namespaces "team-a" is forbidden: User "alice" cannot get resource "namespaces"/) });
    });
    // Retried with backoff, but the unchanged failure is recorded once.
    await eventually(() => expect(r.metrics().find((m) => m.clusterId === 'c-a')!.failures).toBeGreaterThanOrEqual(4));
    expect(log.of('c-a', 'team-a')).toHaveLength(1);
    expect(r.metrics().find((m) => m.clusterId === 'c-b')!.failures).toBe(0);

    // The admin grants the rights; the next retry succeeds.
    await testClient(refusing.kubeconfig).apply({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'bosun-alice' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }],
    } as any);
    await eventually(() => expect(log.last('c-a', 'team-a')?.outcome).toBe('provisioned'));
    expect(await testClient(refusing.kubeconfig).get(quotaRef('team-a'))).toBeDefined();
    expect(log.of('c-a', 'team-a').map((x) => (isFailed(x.outcome) ? 'failed' : x.outcome))).toEqual(['failed', 'provisioned']);
  });

  it('a stopped cluster reports Failed and keeps retrying while another cluster converges; it converges when back', async () => {
    let down = await startKubeSim();
    const port = Number(new URL(down.url).port);
    cleanups.push(() => down.stop());
    const healthy = await sim();
    // The cluster's stored kubeconfig; a restarted kube-sim has a new CA, so it is re-read like a rotated credential.
    let kcA = kubeConfigOf(down.kubeconfig);
    const kcB = kubeConfigOf(healthy.kubeconfig);
    const source = new MemorySource(['c-down', 'c-up']);
    source.put(aNamespace('c-down', 'down-1'));
    source.put(aNamespace('c-up', 'up-1'));
    const log = new OutcomeLog();
    const r = start({ source, kubeConfigFor: async (id) => (id === 'c-down' ? kcA : kcB), recordOutcome: log.record });
    await eventually(() => {
      expect(log.last('c-down', 'down-1')?.outcome).toBe('provisioned');
      expect(log.last('c-up', 'up-1')?.outcome).toBe('provisioned');
    });

    // kube-sim's stop() waits for sockets it does not track yet (a TLS handshake in flight under load);
    // the listening socket is closed at once, which is what makes the cluster unreachable.
    await Promise.race([down.stop(), sleep(2000)]);
    source.put(aNamespace('c-down', 'down-2'));
    source.put(aNamespace('c-up', 'up-2'));
    r.enqueue('c-down', 'down-2');
    r.enqueue('c-up', 'up-2');

    // The healthy cluster does not wait for the dead one.
    await eventually(() => expect(log.last('c-up', 'up-2')?.outcome).toBe('provisioned'));
    await eventually(() => {
      for (const name of ['down-1', 'down-2']) {
        const o = log.last('c-down', name)?.outcome;
        expect(isFailed(o) && o.failed).toBe(`cannot reach https://127.0.0.1:${port}: connection refused`);
      }
    });
    const failuresWhileDown = r.metrics().find((m) => m.clusterId === 'c-down')!.failures;
    await eventually(() => expect(r.metrics().find((m) => m.clusterId === 'c-down')!.failures).toBeGreaterThan(failuresWhileDown + 2));

    // Back on the same address (empty, as after losing etcd): everything is re-created.
    down = await startKubeSim({ port });
    kcA = kubeConfigOf(down.kubeconfig);
    await eventually(() => {
      expect(log.last('c-down', 'down-1')?.outcome).toBe('provisioned');
      expect(log.last('c-down', 'down-2')?.outcome).toBe('provisioned');
    });
    const c = testClient(down.kubeconfig);
    for (const name of ['down-1', 'down-2']) expect(await c.get(quotaRef(name))).toBeDefined();
    expect(r.metrics().find((m) => m.clusterId === 'c-up')!.failures).toBe(0);
  });

  it('a cluster that never answers fails its keys on the request deadline, while another cluster converges', async () => {
    const hung = await sim({ faults: { before: () => new Promise<void>(() => {}) } });
    const healthy = await sim();
    const kcs: Record<string, KubeConfig> = { 'c-hung': kubeConfigOf(hung.kubeconfig), 'c-ok': kubeConfigOf(healthy.kubeconfig) };
    const source = new MemorySource(['c-hung', 'c-ok']);
    const hungNames = Array.from({ length: 10 }, (_, i) => `hung-${i}`);
    for (const name of hungNames) source.put(aNamespace('c-hung', name));
    source.put(aNamespace('c-ok', 'ok-1'));
    const log = new OutcomeLog();
    // 10 keys × 1 s deadline over 2 workers: the hung cluster needs ≥ 5 s to fail them all.
    start({ source, kubeConfigFor: async (id) => kcs[id], recordOutcome: log.record, requestTimeoutMs: 1000, workersPerCluster: 2 });

    await eventually(() => {
      for (const name of hungNames) expect(log.last('c-hung', name)?.outcome).toEqual({ failed: expect.stringMatching(/within 1 s$/) });
    });
    const okAt = log.reports.findIndex((x) => x.clusterId === 'c-ok' && x.outcome === 'provisioned');
    const lastHungFailureAt = Math.max(...hungNames.map((n) => log.reports.findIndex((x) => x.clusterId === 'c-hung' && x.name === n)));
    expect(okAt).toBeGreaterThanOrEqual(0);
    expect(okAt).toBeLessThan(lastHungFailureAt);
    expect(await testClient(healthy.kubeconfig).get(namespaceRef('ok-1'))).toBeDefined();
  });
});
