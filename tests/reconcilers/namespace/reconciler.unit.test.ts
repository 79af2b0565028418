/** Reconcile logic without a cluster: the ClusterClient is an in-memory fake injected through clientFactory. */
import { KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { startNamespaceReconciler, type NamespaceReconciler, type NamespaceReconcilerOptions } from '../../../reconcilers/namespace/reconciler';
import type { ClusterClient, ObjectRef } from '../../../reconcilers/runtime/kube';
import { aNamespace, eventually, MemorySource, OutcomeLog, sleep } from '../support';

class FakeCluster implements ClusterClient {
  readonly objects = new Map<string, KubernetesObject>();
  applies = 0;
  failApply?: (o: KubernetesObject) => Error | undefined;

  private key(o: ObjectRef | KubernetesObject) {
    return `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
  }
  async apply<T extends KubernetesObject>(o: T): Promise<T> {
    const err = this.failApply?.(o);
    if (err) throw err;
    this.applies++;
    this.objects.set(this.key(o), structuredClone(o));
    return o;
  }
  async get(ref: ObjectRef) {
    return this.objects.get(this.key(ref));
  }
  async delete(ref: ObjectRef) {
    this.objects.delete(this.key(ref));
    if (ref.kind === 'Namespace') for (const k of [...this.objects.keys()]) if (k.split('/')[1] === ref.metadata.name) this.objects.delete(k);
  }
  async list(_apiVersion: string, kind: string, opts: { namespace?: string } = {}) {
    return [...this.objects.values()].filter((o) => o.kind === kind && (opts.namespace === undefined || o.metadata?.namespace === opts.namespace));
  }
}

const running: NamespaceReconciler[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

function start(cluster: FakeCluster, opts: Partial<NamespaceReconcilerOptions> & Pick<NamespaceReconcilerOptions, 'source' | 'recordOutcome'>) {
  const kc = new KubeConfig();
  const r = startNamespaceReconciler({
    kubeConfigFor: async () => kc,
    clientFactory: () => cluster,
    resyncMs: 600_000,
    backoff: { baseMs: 5, capMs: 20, jitter: 0 },
    onError: () => {},
    ...opts,
  });
  running.push(r);
  return r;
}

describe('namespace reconciler (fake cluster)', () => {
  it('reports a failure once per distinct reason and generation, then the recovery', async () => {
    const cluster = new FakeCluster();
    let reason = 'quota refused';
    let failing = true;
    cluster.failApply = (o) => (failing && o.kind === 'ResourceQuota' ? new Error(reason) : undefined);
    const source = new MemorySource(['c1']);
    source.put(aNamespace('c1', 'a'));
    const log = new OutcomeLog();
    const r = start(cluster, { source, recordOutcome: log.record });
    r.enqueue('c1', 'a');

    await eventually(() => expect(r.metrics()[0].failures).toBeGreaterThanOrEqual(5));
    expect(log.reports).toEqual([{ clusterId: 'c1', name: 'a', generation: 1, outcome: { failed: 'quota refused' } }]);

    reason = 'quota refused again, differently';
    await eventually(() => expect(log.reports).toHaveLength(2));
    expect(log.reports[1].outcome).toEqual({ failed: reason });

    failing = false;
    await eventually(() => expect(log.last('c1', 'a')?.outcome).toBe('provisioned'));
    r.enqueue('c1', 'a');
    r.enqueue('c1', 'a');
    await sleep(50);
    expect(log.reports).toHaveLength(3);

    source.update('c1', 'a', { quotaCpuMillis: 9000 });
    r.enqueue('c1', 'a');
    await eventually(() => expect(log.reports).toHaveLength(4));
    expect(log.reports[3]).toEqual({ clusterId: 'c1', name: 'a', generation: 2, outcome: 'provisioned' });
    expect((cluster.objects.get('ResourceQuota/a/bosun-quota') as any).spec.hard['requests.cpu']).toBe('9');
  });

  it('retries until recordOutcome succeeds, then does not report again', async () => {
    const cluster = new FakeCluster();
    const source = new MemorySource(['c1']);
    source.put(aNamespace('c1', 'a'));
    let attempts = 0;
    const r = start(cluster, {
      source,
      recordOutcome: () => {
        attempts++;
        if (attempts < 3) throw new Error('event store unavailable');
      },
    });
    r.enqueue('c1', 'a');
    await eventually(() => expect(attempts).toBe(3));
    r.enqueue('c1', 'a');
    await sleep(50);
    expect(attempts).toBe(3);
  });

  it('handles an enqueued change with fresh desired state, even right after a resync read it', async () => {
    const cluster = new FakeCluster();
    const source = new MemorySource(['c1']);
    source.put(aNamespace('c1', 'a'));
    const log = new OutcomeLog();
    const r = start(cluster, { source, recordOutcome: log.record });
    await r.resync('c1');
    await eventually(() => expect(log.reports).toHaveLength(1));

    source.update('c1', 'a', { quotaMemoryBytes: 2 ** 30 });
    r.enqueue('c1', 'a');
    await eventually(() => expect(log.last('c1', 'a')?.generation).toBe(2));
    expect((cluster.objects.get('ResourceQuota/a/bosun-quota') as any).spec.hard['limits.memory']).toBe('1Gi');
  });

  it('reports a cluster without credentials as failed', async () => {
    const source = new MemorySource(['c1']);
    source.put(aNamespace('c1', 'a'));
    const log = new OutcomeLog();
    const r = startNamespaceReconciler({
      source,
      kubeConfigFor: async () => {
        throw new Error('no credentials stored for cluster c1');
      },
      recordOutcome: log.record,
      resyncMs: 600_000,
      onError: () => {},
    });
    running.push(r);
    await eventually(() => expect(log.last('c1', 'a')?.outcome).toEqual({ failed: 'no credentials stored for cluster c1' }));
  });

  it('removes a deleted namespace and its objects, and reports it removed once', async () => {
    const cluster = new FakeCluster();
    const source = new MemorySource(['c1']);
    source.put(aNamespace('c1', 'a'));
    const removed: unknown[] = [];
    const log = new OutcomeLog();
    const r = start(cluster, { source, recordOutcome: log.record, recordRemoved: (x) => void removed.push(x), deletionPollMs: 20 });
    r.enqueue('c1', 'a');
    await eventually(() => expect(cluster.objects.size).toBe(3));
    source.remove('c1', 'a');
    r.enqueue('c1', 'a');
    await eventually(() => expect(cluster.objects.size).toBe(0));
    // No resync (10 min) and no new event: the deletion is looked at again until it is done.
    await eventually(() => expect(removed).toEqual([{ clusterId: 'c1', name: 'a', generation: 2 }]));
    r.enqueue('c1', 'a');
    await sleep(50);
    expect(removed).toHaveLength(1);
  });
});
