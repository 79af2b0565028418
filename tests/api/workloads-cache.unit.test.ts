/**
 * The workloads watch cache with a fake API server: list once, apply watch events, re-list on
 * 410 Gone, re-watch from the last resourceVersion, stop when idle; and the pod summary columns.
 */
import { describe, expect, it } from 'vitest';
import { WorkloadCache } from '../../api/workloads/cache';
import { KubeRequestError, type KubeJson, type WatchEvent } from '../../api/workloads/kube';
import { summarize } from '../../api/workloads/summaries';

const pod = (name: string, rv: number, phase = 'Running') => ({
  metadata: { name, namespace: 'ns', resourceVersion: String(rv), labels: { app: 'web' }, creationTimestamp: '2026-11-22T08:00:00Z' },
  spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx:1.27' }] },
  status: { phase, containerStatuses: [{ name: 'c', ready: phase === 'Running', restartCount: 2, state: phase === 'Running' ? { running: {} } : { waiting: { reason: 'CrashLoopBackOff' } } }] },
});

/** A fake cluster: `lists` answers each list in turn; each watch is driven by the test through `watches`. */
function fakeKube(lists: unknown[][]) {
  const calls: string[] = [];
  const watches: { query: Record<string, unknown>; emit: (e: WatchEvent) => void; end: () => void; fail: (e: Error) => void }[] = [];
  let listIndex = 0;
  let waiters: (() => void)[] = [];
  const kube: KubeJson = {
    async request(method, path) {
      calls.push(`${method} ${path}`);
      const items = lists[Math.min(listIndex++, lists.length - 1)];
      return { metadata: { resourceVersion: String(100 + listIndex) }, items } as any;
    },
    watch(_path, query, onEvent, signal) {
      return new Promise<void>((resolve, reject) => {
        watches.push({ query, emit: onEvent, end: resolve, fail: reject });
        signal.addEventListener('abort', () => resolve());
        waiters.forEach((w) => w());
        waiters = [];
      });
    },
  };
  const nextWatch = async (n: number) => {
    while (watches.length < n) await new Promise<void>((r) => waiters.push(r));
    return watches[n - 1];
  };
  return { kube, calls, watches, nextWatch };
}

describe('WorkloadCache', () => {
  it('lists once, then applies watch events; re-lists on 410 and re-watches from the last resourceVersion', async () => {
    const fake = fakeKube([[pod('a', 1), pod('b', 2)], [pod('a', 1), pod('c', 9)]]);
    const cache = new WorkloadCache({ idleMs: 60_000 });
    try {
      const first = await cache.list('k', fake.kube, 'Pod', 'ns');
      expect(first.rows.map((r) => r.name)).toEqual(['a', 'b']);
      const w1 = await fake.nextWatch(1);
      expect(w1.query).toMatchObject({ resourceVersion: '101', allowWatchBookmarks: true });
      w1.emit({ type: 'ADDED', object: pod('d', 5) });
      w1.emit({ type: 'DELETED', object: pod('a', 6) });
      w1.emit({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '7' } } });
      expect((await cache.list('k', fake.kube, 'Pod', 'ns')).rows.map((r) => r.name)).toEqual(['b', 'd']);
      expect(fake.calls).toHaveLength(1); // served from memory

      // The watch ends normally: it resumes from the bookmark's resourceVersion.
      w1.end();
      const w2 = await fake.nextWatch(2);
      expect(w2.query.resourceVersion).toBe('7');

      // 410 Gone: list again (the second list), then watch from its resourceVersion.
      w2.emit({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 7 (50)' } });
      w2.end();
      const w3 = await fake.nextWatch(3);
      expect(fake.calls).toHaveLength(2);
      expect(w3.query.resourceVersion).toBe('102');
      expect((await cache.list('k', fake.kube, 'Pod', 'ns')).rows.map((r) => r.name)).toEqual(['a', 'c']);
    } finally {
      cache.stop();
    }
  });

  it('re-lists when the watch itself is refused with 410', async () => {
    const fake = fakeKube([[pod('a', 1)], [pod('z', 3)]]);
    const cache = new WorkloadCache({ idleMs: 60_000 });
    try {
      await cache.list('k', fake.kube, 'Pod', 'ns');
      (await fake.nextWatch(1)).fail(new KubeRequestError('too old resource version', 410, 'Expired'));
      await fake.nextWatch(2);
      expect((await cache.list('k', fake.kube, 'Pod', 'ns')).rows.map((r) => r.name)).toEqual(['z']);
    } finally {
      cache.stop();
    }
  });

  it('stops watching when nobody asked for a while, and starts again on the next read', async () => {
    const fake = fakeKube([[pod('a', 1)]]);
    const cache = new WorkloadCache({ idleMs: 50 });
    try {
      await cache.list('k', fake.kube, 'Pod', 'ns');
      expect(cache.size).toBe(1);
      await new Promise((r) => setTimeout(r, 120));
      (await fake.nextWatch(1)).end(); // the loop notices it is idle at its next turn
      await new Promise((r) => setTimeout(r, 20));
      expect(cache.size).toBe(0);
      await cache.list('k', fake.kube, 'Pod', 'ns');
      expect(fake.calls).toHaveLength(2);
    } finally {
      cache.stop();
    }
  });

  it('reports a cluster that cannot be listed, and forgets the failed cache', async () => {
    const kube: KubeJson = {
      request: async () => {
        throw new KubeRequestError('cannot reach https://10.0.0.1: ECONNREFUSED', undefined, 'Unreachable');
      },
      watch: async () => {},
    };
    const cache = new WorkloadCache();
    await expect(cache.list('k', kube, 'Pod', 'ns')).rejects.toThrow('ECONNREFUSED');
    expect(cache.size).toBe(0);
    cache.stop();
  });
});

describe('pod summary', () => {
  it('shows what kubectl shows: ready, the waiting reason, restarts, node', () => {
    expect(summarize('Pod', pod('a', 1) as any)).toMatchObject({ ready: '1/1', status: 'Running', health: 'healthy', restarts: 2, node: 'n1', images: ['nginx:1.27'] });
    expect(summarize('Pod', pod('b', 1, 'Pending') as any)).toMatchObject({ ready: '0/1', status: 'CrashLoopBackOff', health: 'degraded' });
  });
});
