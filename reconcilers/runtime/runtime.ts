/**
 * A small, generic, level-triggered control loop.
 *
 * - One work queue and its own workers per cluster, so a slow or dead cluster only delays its own keys.
 * - Keys are de-duplicated while pending and never processed twice at once (see WorkQueue).
 * - Triggers: `enqueue(clusterId, key)` (events) and a periodic resync that re-lists every cluster's keys.
 * - A failed key is retried after an exponential, jittered, capped backoff; a resync does not cut a
 *   backoff short, an explicit enqueue does (it carries new information).
 *
 * What a key means and how it is reconciled is up to the caller (`reconcile`, `listKeys`).
 */
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { WorkQueue } from './queue';

export interface ReconcileRequest {
  clusterId: string;
  key: string;
  /** Consecutive failures of this key so far (0 on a first or healthy attempt). */
  failures: number;
}

export interface RuntimeErrorEvent {
  phase: 'reconcile' | 'resync' | 'listClusters';
  clusterId?: string;
  key?: string;
  error: unknown;
  /** For phase 'reconcile': the delay before the retry. */
  retryInMs?: number;
}

export interface ReconcileObservation {
  clusterId: string;
  key: string;
  ok: boolean;
  durationMs: number;
}

/** What a successful reconcile may ask for: look at the key again later (e.g. to see a deletion finish). */
export type ReconcileResult = void | { requeueAfterMs: number };

export interface RuntimeOptions {
  /** Reconcile one key; throw to fail it (it is retried with backoff). */
  reconcile(req: ReconcileRequest): Promise<ReconcileResult>;
  /** Every key of a cluster that a resync should look at (desired and possibly stale ones). */
  listKeys(clusterId: string): Promise<Iterable<string>>;
  /** The clusters to resync. */
  listClusters(): Promise<Iterable<string>>;
  /** Period of the full resync (ms). The first resync runs at start. */
  resyncMs: number;
  backoff?: Partial<BackoffOptions>;
  /** Keys of one cluster reconciled in parallel (distinct keys only). Default 4. */
  workersPerCluster?: number;
  /** Errors are reported here (default: console.error); they are never dropped silently. */
  onError?: (event: RuntimeErrorEvent) => void;
  /** Called after every reconcile attempt (metrics hook). */
  onReconcile?: (obs: ReconcileObservation) => void;
  /** Source of randomness for jitter (tests). */
  random?: () => number;
}

/** Plain counters per cluster. */
export interface ClusterMetrics {
  clusterId: string;
  /** Keys waiting to be processed. */
  queueDepth: number;
  /** Keys being processed now. */
  inFlight: number;
  /** Keys waiting out a backoff. */
  backingOff: number;
  reconciles: number;
  failures: number;
  resyncs: number;
  resyncFailures: number;
}

export interface Runtime {
  enqueue(clusterId: string, key: string): void;
  /** Run a resync now (of one cluster, or of all); resolves once the keys are queued. */
  resync(clusterId?: string): Promise<void>;
  metrics(): ClusterMetrics[];
  /** Stops timers and workers; resolves when in-flight reconciles have finished. */
  stop(): Promise<void>;
}

interface ClusterLoop {
  id: string;
  queue: WorkQueue;
  failuresByKey: Map<string, number>;
  workers: Promise<void>[];
  resyncing?: Promise<void>;
  counters: { reconciles: number; failures: number; resyncs: number; resyncFailures: number };
}

export function startRuntime(opts: RuntimeOptions): Runtime {
  const backoff: BackoffOptions = { ...DEFAULT_BACKOFF, ...opts.backoff };
  const workersPerCluster = Math.max(1, opts.workersPerCluster ?? 4);
  const random = opts.random ?? Math.random;
  const onError =
    opts.onError ??
    ((e: RuntimeErrorEvent) => console.error(`[reconciler] ${e.phase} failed`, { clusterId: e.clusterId, key: e.key, error: e.error }));
  const clusters = new Map<string, ClusterLoop>();
  const retired: Promise<void>[] = [];
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function cluster(id: string): ClusterLoop {
    let c = clusters.get(id);
    if (!c) {
      c = {
        id,
        queue: new WorkQueue(),
        failuresByKey: new Map(),
        workers: [],
        counters: { reconciles: 0, failures: 0, resyncs: 0, resyncFailures: 0 },
      };
      clusters.set(id, c);
      for (let i = 0; i < workersPerCluster; i++) c.workers.push(work(c));
    }
    return c;
  }

  async function work(c: ClusterLoop): Promise<void> {
    for (;;) {
      const key = await c.queue.get();
      if (key === undefined) return;
      const failures = c.failuresByKey.get(key) ?? 0;
      const started = performance.now();
      let ok = false;
      c.counters.reconciles++;
      try {
        const result = await opts.reconcile({ clusterId: c.id, key, failures });
        ok = true;
        c.failuresByKey.delete(key);
        if (result) c.queue.addAfter(key, result.requeueAfterMs);
      } catch (error) {
        c.counters.failures++;
        const n = failures + 1;
        c.failuresByKey.set(key, n);
        const retryInMs = backoffDelay(n, backoff, random);
        c.queue.addAfter(key, retryInMs);
        safely(() => onError({ phase: 'reconcile', clusterId: c.id, key, error, retryInMs }));
      } finally {
        c.queue.done(key);
      }
      safely(() => opts.onReconcile?.({ clusterId: c.id, key, ok, durationMs: performance.now() - started }));
    }
  }

  function resyncCluster(id: string): Promise<void> {
    const c = cluster(id);
    // One resync per cluster at a time; a slow cluster does not pile them up.
    c.resyncing ??= (async () => {
      try {
        const keys = await opts.listKeys(id);
        c.counters.resyncs++;
        for (const key of keys) c.queue.addUnlessDelayed(key);
      } catch (error) {
        c.counters.resyncFailures++;
        safely(() => onError({ phase: 'resync', clusterId: id, error }));
      } finally {
        c.resyncing = undefined;
      }
    })();
    return c.resyncing;
  }

  async function resyncAll(): Promise<Promise<void>[]> {
    let ids: string[];
    try {
      ids = [...(await opts.listClusters())];
    } catch (error) {
      safely(() => onError({ phase: 'listClusters', error }));
      return [];
    }
    if (stopped) return [];
    const wanted = new Set(ids);
    // Clusters that left Bosun: stop their loops once idle (an enqueue would start a fresh one).
    for (const [id, c] of clusters) {
      const idle = c.queue.depth === 0 && c.queue.inFlight === 0 && c.queue.delayedCount === 0 && !c.resyncing;
      if (!wanted.has(id) && idle) {
        clusters.delete(id);
        c.queue.shutDown();
        retired.push(...c.workers);
      }
    }
    return ids.map(resyncCluster);
  }

  async function tick(): Promise<void> {
    await resyncAll(); // does not wait for the clusters' own resyncs
    if (!stopped) timer = setTimeout(tick, opts.resyncMs);
  }
  timer = setTimeout(tick, 0);

  return {
    enqueue(clusterId, key) {
      if (stopped) return;
      cluster(clusterId).queue.add(key);
    },
    async resync(clusterId) {
      if (stopped) return;
      if (clusterId !== undefined) return resyncCluster(clusterId);
      await Promise.all(await resyncAll());
    },
    metrics() {
      return [...clusters.values()].map((c) => ({
        clusterId: c.id,
        queueDepth: c.queue.depth,
        inFlight: c.queue.inFlight,
        backingOff: c.queue.delayedCount,
        ...c.counters,
      }));
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      const pending: Promise<unknown>[] = [...retired];
      for (const c of clusters.values()) {
        c.queue.shutDown();
        pending.push(...c.workers);
        if (c.resyncing) pending.push(c.resyncing);
      }
      await Promise.allSettled(pending);
    },
  };
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    console.error('[reconciler] hook threw', error);
  }
}
