/** The namespace reconciler against kube-sim over HTTPS: create, update, delete, prune, hand edits, outcomes. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim } from '../kube-sim/index';
import { startNamespaceReconciler, type NamespaceReconciler, type NamespaceReconcilerOptions } from '../../reconcilers/namespace/reconciler';
import {
  aNamespace,
  eventually,
  Gi,
  handDelete,
  handEdit,
  kubeConfigOf,
  limitRangeRef,
  MemorySource,
  Mi,
  namespaceRef,
  OutcomeLog,
  quotaRef,
  sleep,
  testClient,
} from './support';

let sim: KubeSim;
const running: NamespaceReconciler[] = [];

beforeAll(async () => {
  sim = await startKubeSim();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});
afterAll(async () => {
  await sim?.stop();
});

function start(source: MemorySource, log: OutcomeLog, extra: Partial<NamespaceReconcilerOptions> = {}): NamespaceReconciler {
  const kc = kubeConfigOf(sim.kubeconfig);
  const r = startNamespaceReconciler({
    source,
    kubeConfigFor: async () => kc,
    recordOutcome: log.record,
    resyncMs: 150,
    backoff: { baseMs: 20, capMs: 200, jitter: 0.1 },
    requestTimeoutMs: 5000,
    onError: () => {},
    ...extra,
  });
  running.push(r);
  return r;
}

const client = () => testClient(sim.kubeconfig);
const BOSUN_LABELS = (clusterId: string) => ({
  'app.kubernetes.io/managed-by': 'bosun',
  'bosun.io/workspace': 'ws-1',
  'bosun.io/cluster': clusterId,
});

describe('namespace reconciler (kube-sim)', () => {
  it('creates the Namespace, ResourceQuota and LimitRange with Bosun labels, applied server-side by "bosun"', async () => {
    const source = new MemorySource(['c-create']);
    source.put(aNamespace('c-create', 'team-a', { quotaCpuMillis: 1500, quotaMemoryBytes: 512 * Mi }));
    const log = new OutcomeLog();
    start(source, log);

    await eventually(() => expect(log.last('c-create', 'team-a')).toEqual({ clusterId: 'c-create', name: 'team-a', generation: 1, outcome: 'provisioned' }));

    const c = client();
    const ns = await c.get(namespaceRef('team-a'));
    const quota: any = await c.get(quotaRef('team-a'));
    const lr: any = await c.get(limitRangeRef('team-a'));
    for (const obj of [ns, quota, lr]) {
      expect(obj?.metadata?.labels).toMatchObject(BOSUN_LABELS('c-create'));
      expect(obj?.metadata?.managedFields).toEqual(expect.arrayContaining([expect.objectContaining({ manager: 'bosun', operation: 'Apply' })]));
    }
    expect(quota.spec.hard).toEqual({ 'requests.cpu': '1500m', 'requests.memory': '512Mi', 'limits.cpu': '1500m', 'limits.memory': '512Mi' });
    expect(lr.spec.limits[0]).toMatchObject({
      type: 'Container',
      defaultRequest: { cpu: '100m', memory: '128Mi' },
      default: { cpu: '500m', memory: '512Mi' },
    });
  });

  it('applies a quota change triggered by enqueue (no resync needed)', async () => {
    const source = new MemorySource(['c-update']);
    source.put(aNamespace('c-update', 'team-b'));
    const log = new OutcomeLog();
    const r = start(source, log, { resyncMs: 600_000 });
    await eventually(() => expect(log.last('c-update', 'team-b')?.outcome).toBe('provisioned'));

    source.update('c-update', 'team-b', { quotaCpuMillis: 4000, quotaMemoryBytes: 8 * Gi });
    r.enqueue('c-update', 'team-b');

    await eventually(async () => {
      const quota: any = await client().get(quotaRef('team-b'));
      expect(quota.spec.hard).toEqual({ 'requests.cpu': '4', 'requests.memory': '8Gi', 'limits.cpu': '4', 'limits.memory': '8Gi' });
    });
    await eventually(() => expect(log.last('c-update', 'team-b')).toMatchObject({ generation: 2, outcome: 'provisioned' }));
  });

  it('deletes the Namespace of a deleted Bosun namespace, prunes managed leftovers, and leaves foreign namespaces alone', async () => {
    const source = new MemorySource(['c-del']);
    source.put(aNamespace('c-del', 'del-keep'));
    source.put(aNamespace('c-del', 'del-gone'));
    const c = client();
    // A managed leftover on the cluster that Bosun no longer knows (e.g. its row was purged).
    await c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'del-orphan', labels: BOSUN_LABELS('c-del') } });
    // Someone else's namespace with a name Bosun once used: never touched.
    await c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'del-foreign' } });
    // Bosun's namespace of another cluster id: not ours to prune from here.
    await c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'del-other-cluster', labels: BOSUN_LABELS('c-elsewhere') } });
    source.put(aNamespace('c-del', 'del-foreign'));
    source.remove('c-del', 'del-foreign');

    const removed: unknown[] = [];
    const log = new OutcomeLog();
    const r = start(source, log, { recordRemoved: (x) => void removed.push(x) });
    await eventually(() => {
      expect(log.last('c-del', 'del-keep')?.outcome).toBe('provisioned');
      expect(log.last('c-del', 'del-gone')?.outcome).toBe('provisioned');
    });

    source.remove('c-del', 'del-gone');
    r.enqueue('c-del', 'del-gone');

    await eventually(async () => {
      expect(await c.get(namespaceRef('del-gone'))).toBeUndefined();
      expect(await c.get(namespaceRef('del-orphan'))).toBeUndefined();
    });
    await eventually(() => expect(removed).toContainEqual({ clusterId: 'c-del', name: 'del-gone', generation: 2 }));
    expect(await c.get(namespaceRef('del-keep'))).toBeDefined();
    expect(await c.get(quotaRef('del-keep'))).toBeDefined();
    expect(await c.get(namespaceRef('del-foreign'))).toBeDefined();
    expect(await c.get(namespaceRef('del-other-cluster'))).toBeDefined();
  });

  it('restores hand edits and hand deletions at the next resync', async () => {
    const source = new MemorySource(['c-drift']);
    source.put(aNamespace('c-drift', 'drift'));
    const log = new OutcomeLog();
    const r = start(source, log, { resyncMs: 200 });
    await eventually(() => expect(log.last('c-drift', 'drift')?.outcome).toBe('provisioned'));
    // Let the provisioning pass finish, so what restores the hand edits below can only be a resync.
    await eventually(() => expect(r.metrics().find((m) => m.clusterId === 'c-drift')).toMatchObject({ queueDepth: 0, inFlight: 0 }));
    const resyncsBefore = r.metrics().find((m) => m.clusterId === 'c-drift')!.resyncs;

    await handEdit(sim.kubeconfig, {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'bosun-quota', namespace: 'drift' },
      spec: { hard: { 'requests.cpu': '99', 'limits.memory': '1Ti' } },
    } as any);
    await handDelete(sim.kubeconfig, limitRangeRef('drift'));
    await handEdit(sim.kubeconfig, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'drift', labels: { 'bosun.io/workspace': 'ws-other' } } });

    const c = client();
    await eventually(async () => {
      const quota: any = await c.get(quotaRef('drift'));
      expect(quota.spec.hard).toEqual({ 'requests.cpu': '2', 'requests.memory': '4Gi', 'limits.cpu': '2', 'limits.memory': '4Gi' });
      expect(await c.get(limitRangeRef('drift'))).toBeDefined();
      expect((await c.get(namespaceRef('drift')))?.metadata?.labels?.['bosun.io/workspace']).toBe('ws-1');
    });
    expect(r.metrics().find((m) => m.clusterId === 'c-drift')!.resyncs).toBeGreaterThan(resyncsBefore);
    // Restoring is not a change of outcome.
    expect(log.of('c-drift', 'drift')).toHaveLength(1);
  });

  it('records an outcome only when it changes, not on every resync', async () => {
    const source = new MemorySource(['c-quiet']);
    source.put(aNamespace('c-quiet', 'quiet-1'));
    source.put(aNamespace('c-quiet', 'quiet-2'));
    const log = new OutcomeLog();
    const r = start(source, log, { resyncMs: 50 });
    const stats = () => r.metrics().find((m) => m.clusterId === 'c-quiet');

    await eventually(() => expect(log.reports).toHaveLength(2));
    const reconcilesBefore = stats()!.reconciles;
    await eventually(() => expect(stats()!.resyncs).toBeGreaterThanOrEqual(6));
    await eventually(() => expect(stats()!.reconciles).toBeGreaterThanOrEqual(reconcilesBefore + 8));
    expect(log.reports).toHaveLength(2);
    expect(stats()!.failures).toBe(0);

    source.update('c-quiet', 'quiet-1', { quotaCpuMillis: 3000 });
    r.enqueue('c-quiet', 'quiet-1');
    await eventually(() => expect(log.reports).toHaveLength(3));
    await sleep(300);
    expect(log.reports).toHaveLength(3);
    expect(log.reports[2]).toEqual({ clusterId: 'c-quiet', name: 'quiet-1', generation: 2, outcome: 'provisioned' });
  });

  it('turns isolation on and off (NetworkPolicy applied, then pruned)', async () => {
    const source = new MemorySource(['c-iso']);
    source.put(aNamespace('c-iso', 'iso', { isolation: true }));
    const log = new OutcomeLog();
    const r = start(source, log);
    const policyRef = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'bosun-isolation', namespace: 'iso' } };
    await eventually(async () => expect(await client().get(policyRef)).toBeDefined());

    source.update('c-iso', 'iso', { isolation: false });
    r.enqueue('c-iso', 'iso');
    await eventually(async () => expect(await client().get(policyRef)).toBeUndefined());
    await eventually(() => expect(log.last('c-iso', 'iso')).toMatchObject({ generation: 2, outcome: 'provisioned' }));
  });

  it('refuses to adopt a namespace that exists on the cluster but is not Bosun\'s', async () => {
    await client().apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'taken' } });
    const source = new MemorySource(['c-taken']);
    source.put(aNamespace('c-taken', 'taken'));
    const log = new OutcomeLog();
    start(source, log);
    await eventually(() =>
      expect(log.last('c-taken', 'taken')?.outcome).toEqual({ failed: 'namespace "taken" already exists on the cluster and is not managed by Bosun' }),
    );
    expect((await client().get(namespaceRef('taken')))?.metadata?.labels?.['app.kubernetes.io/managed-by']).toBeUndefined();
  });
});
