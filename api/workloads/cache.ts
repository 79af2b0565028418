/**
 * An in-process watch cache of workload rows per (cluster, namespace, kind): list once, then
 * watch from the list's resourceVersion; a 410 Gone (expired resourceVersion) re-lists; an idle
 * cache (nobody asked for some minutes) stops its watch. Lists are then served from memory, so a
 * namespace with thousands of pods answers in milliseconds. Rows are compact summaries; details
 * are read from the cluster itself. Used by the workloads module only.
 */
import type { WorkloadKind } from '../../domain/workload/events';
import { KubeRequestError, type KubeJson, type KubeObject, type WatchEvent } from './kube';
import { pathOf, summarize, type WorkloadRow } from './summaries';

export interface CacheOptions {
  /** Stop watching after this long without a read. Default 5 minutes. */
  idleMs?: number;
  /** Page size of the initial list. */
  pageSize?: number;
  /** How long a first read waits for the initial list. */
  syncTimeoutMs?: number;
}

interface Entry {
  row: WorkloadRow;
  labels: Record<string, string>;
}

/** One (cluster, namespace, kind): the rows, kept current by a watch. */
class Informer {
  private readonly entries = new Map<string, Entry>();
  private sorted: WorkloadRow[] | null = null;
  private resourceVersion = '';
  private readonly abort = new AbortController();
  private synced: Promise<void>;
  private failures = 0;
  lastUsed = Date.now();
  stopped = false;
  /** Set when the watch broke and has not recovered yet. */
  stale = false;
  lastError: Error | null = null;

  constructor(
    readonly key: string,
    private readonly kube: KubeJson,
    private readonly kind: WorkloadKind,
    private readonly namespace: string,
    private readonly options: Required<CacheOptions>,
    private readonly onDead: (informer: Informer) => void,
  ) {
    this.synced = this.list();
    this.synced.then(
      () => void this.run(),
      () => this.stop(),
    );
  }

  /** Waits for the first list (bounded), then answers from memory. */
  async rows(): Promise<{ rows: WorkloadRow[]; resourceVersion: string; stale: boolean }> {
    this.lastUsed = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new KubeRequestError(`listing ${this.kind}s in ${this.namespace} timed out`, undefined, 'Timeout')), this.options.syncTimeoutMs);
    });
    try {
      await Promise.race([this.synced, deadline]);
    } finally {
      clearTimeout(timer);
    }
    if (!this.sorted) this.sorted = [...this.entries.values()].map((e) => e.row).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { rows: this.sorted, resourceVersion: this.resourceVersion, stale: this.stale };
  }

  /** Rows whose labels match `match` (a controller's pods). */
  async matching(match: (labels: Record<string, string>) => boolean): Promise<WorkloadRow[]> {
    await this.rows();
    return [...this.entries.values()].filter((e) => match(e.labels)).map((e) => e.row);
  }

  private async list(): Promise<void> {
    const path = pathOf(this.kind, this.namespace);
    const fresh = new Map<string, Entry>();
    let token: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.kube.request<{ metadata: { resourceVersion?: string; continue?: string }; items: KubeObject[] }>('GET', path, {
        query: { limit: this.options.pageSize, continue: token },
      });
      for (const item of page.items) fresh.set(item.metadata.name, this.entryOf(item));
      resourceVersion = page.metadata.resourceVersion ?? resourceVersion;
      token = page.metadata.continue || undefined;
    } while (token);
    this.entries.clear();
    for (const [k, v] of fresh) this.entries.set(k, v);
    this.sorted = null;
    this.resourceVersion = resourceVersion;
    this.stale = false;
  }

  private entryOf(object: KubeObject): Entry {
    const row = summarize(this.kind, object);
    const labels = row.labels ?? object.metadata.labels ?? {};
    delete row.labels;
    return { row, labels };
  }

  private apply(event: WatchEvent): void {
    if (event.type === 'BOOKMARK') {
      this.resourceVersion = event.object?.metadata?.resourceVersion ?? this.resourceVersion;
      return;
    }
    if (event.type === 'ERROR') {
      const code = event.object?.code;
      throw new KubeRequestError(event.object?.message ?? 'watch error', typeof code === 'number' ? code : undefined, event.object?.reason);
    }
    const object = event.object as KubeObject;
    if (!object?.metadata?.name) return;
    if (event.type === 'DELETED') this.entries.delete(object.metadata.name);
    else this.entries.set(object.metadata.name, this.entryOf(object));
    this.sorted = null;
    this.resourceVersion = object.metadata.resourceVersion ?? this.resourceVersion;
  }

  /** Watch, re-watch from the last resourceVersion when a watch ends, re-list on 410. */
  private async run(): Promise<void> {
    const path = pathOf(this.kind, this.namespace);
    while (!this.stopped) {
      if (Date.now() - this.lastUsed > this.options.idleMs) {
        this.stop();
        return;
      }
      try {
        let gone = false;
        await this.kube.watch(
          path,
          { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 240 },
          (event) => {
            try {
              this.apply(event);
            } catch {
              // 410 Gone (or any other watch error): what we hold may be behind; list again.
              gone = true;
            }
          },
          this.abort.signal,
          Math.min(this.options.idleMs, 90_000),
        );
        if (gone) await this.list();
        this.failures = 0;
        this.stale = false;
      } catch (error) {
        if (this.stopped) return;
        if (error instanceof KubeRequestError && error.status === 410) {
          try {
            await this.list();
            continue;
          } catch (listError) {
            error = listError;
          }
        }
        this.failures++;
        this.stale = true;
        this.lastError = error as Error;
        // A cluster that stays away ends the cache; the next read starts a new one (and reports the error).
        if (this.failures >= 3) {
          this.stop();
          return;
        }
        await new Promise((r) => setTimeout(r, 250 * 2 ** this.failures).unref());
      }
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    this.onDead(this);
  }
}

/** The caches of one process, per cluster client. */
export class WorkloadCache {
  private readonly informers = new Map<string, Informer>();
  private readonly options: Required<CacheOptions>;
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: CacheOptions = {}) {
    this.options = { idleMs: options.idleMs ?? 5 * 60_000, pageSize: options.pageSize ?? 500, syncTimeoutMs: options.syncTimeoutMs ?? 15_000 };
    this.sweeper = setInterval(() => this.sweep(), Math.min(30_000, this.options.idleMs)).unref();
  }

  private informer(clusterKey: string, kube: KubeJson, kind: WorkloadKind, namespace: string): Informer {
    const key = `${clusterKey}/${namespace}/${kind}`;
    let informer = this.informers.get(key);
    if (!informer || informer.stopped) {
      informer = new Informer(key, kube, kind, namespace, this.options, (dead) => {
        if (this.informers.get(dead.key) === dead) this.informers.delete(dead.key);
      });
      this.informers.set(key, informer);
    }
    return informer;
  }

  /**
   * The rows of a kind in a namespace. `clusterKey` identifies the cluster and its credentials (a
   * re-registered cluster gets a new key, so a new cache).
   */
  async list(clusterKey: string, kube: KubeJson, kind: WorkloadKind, namespace: string) {
    const informer = this.informer(clusterKey, kube, kind, namespace);
    try {
      return await informer.rows();
    } catch (error) {
      informer.stop();
      throw error;
    }
  }

  /** Pods whose labels match (from the pod cache). */
  async pods(clusterKey: string, kube: KubeJson, namespace: string, match: (labels: Record<string, string>) => boolean): Promise<WorkloadRow[]> {
    const informer = this.informer(clusterKey, kube, 'Pod', namespace);
    try {
      return await informer.matching(match);
    } catch (error) {
      informer.stop();
      throw error;
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const informer of [...this.informers.values()]) if (now - informer.lastUsed > this.options.idleMs) informer.stop();
  }

  /** How many (cluster, namespace, kind) watches run. */
  get size(): number {
    return this.informers.size;
  }

  stop(): void {
    clearInterval(this.sweeper);
    for (const informer of [...this.informers.values()]) informer.stop();
  }
}
