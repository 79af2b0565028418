/**
 * The namespace reconciler: the desired-state builder (./desired) on the generic runtime.
 *
 * Key = the Bosun namespace's name, per cluster. Reconciling a key:
 * - desired → server-side apply the Namespace, then its ResourceQuota, LimitRange (and NetworkPolicy),
 *   then delete managed objects inside it that are no longer desired; record `provisioned`;
 * - not desired (deleted in Bosun, or a managed leftover on the cluster) → delete the Namespace
 *   (its objects go with it), but only if Bosun manages it.
 * A failure records `{failed: reason}` and is rethrown, so the runtime backs off and retries.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { BackoffOptions } from '../runtime/backoff';
import { failureReason, type ClusterClient } from '../runtime/kube';
import { clusterClients, type ReconcilerBaseOptions } from '../runtime/clients';
import { OutcomeMemo, type Outcome } from '../runtime/outcomes';
import { startRuntime, type ClusterMetrics, type ReconcileObservation, type ReconcileResult, type RuntimeErrorEvent } from '../runtime/runtime';
import {
  buildNamespaceObjects,
  CLUSTER_LABEL,
  FIELD_MANAGER,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  managedSelector,
  NAMESPACED_KINDS,
  type DesiredObject,
  type NamespaceSpec,
} from './desired';

export type { NamespaceSpec } from './desired';
export type { Outcome } from '../runtime/outcomes';

/** A Bosun namespace that was deleted; its Namespace must go from the cluster. */
export interface DeletedNamespace {
  name: string;
  generation: number;
}

/** Where desired state comes from (the lead wires it to the namespaces read model). */
export interface DesiredStateSource {
  /** Clusters to resync. */
  listClusters(): Promise<string[]>;
  /** Namespaces that should exist on the cluster (pending, ready or failed). */
  listDesired(clusterId: string): Promise<NamespaceSpec[]>;
  /** Namespaces deleted in Bosun whose cluster objects must be removed. */
  listDeleted(clusterId: string): Promise<DeletedNamespace[]>;
}

export interface OutcomeReport {
  clusterId: string;
  name: string;
  generation: number;
  outcome: Outcome;
}

export interface NamespaceReconcilerOptions extends ReconcilerBaseOptions {
  source: DesiredStateSource;
  /** Called only when the outcome of a namespace generation changes. A throw fails the key (it is retried). */
  recordOutcome(report: OutcomeReport): Promise<void> | void;
  /**
   * Optional: a deleted namespace is confirmed gone from the cluster (called once per generation
   * and process), so the source can stop listing it.
   */
  recordRemoved?(removed: { clusterId: string; name: string; generation: number }): Promise<void> | void;
  /** While a deleted namespace is terminating, look again this often (for recordRemoved). Default 2 s. */
  deletionPollMs?: number;
}

export interface NamespaceReconciler {
  /** Reconcile one namespace soon (call it on the namespace's events). */
  enqueue(clusterId: string, name: string): void;
  /** Resync now (one cluster or all); resolves when its keys are queued. */
  resync(clusterId?: string): Promise<void>;
  metrics(): ClusterMetrics[];
  stop(): Promise<void>;
}

interface Snapshot {
  desired: Map<string, NamespaceSpec>;
  deleted: Map<string, DeletedNamespace>;
}

/**
 * Desired state of one cluster, fetched at most once per "version". Every trigger (enqueue, resync)
 * bumps the version and a key is reconciled against a snapshot at least as new as its trigger,
 * so an event is never handled with data read before it — while a resync's keys share one list.
 */
class DesiredCache {
  private version = 0;
  private readonly need = new Map<string, number>();
  private current?: { version: number; snapshot: Promise<Snapshot> };

  constructor(private readonly load: () => Promise<Snapshot>) {}

  /** A trigger for `name` (or for all keys): later reads need fresh data. */
  invalidate(name?: string): void {
    this.version++;
    if (name !== undefined) this.need.set(name, this.version);
  }

  get(name: string): Promise<Snapshot> {
    const need = this.need.get(name) ?? 0;
    return this.snapshot(need);
  }

  snapshot(minVersion = this.version): Promise<Snapshot> {
    if (this.current && this.current.version >= minVersion) return this.current.snapshot;
    const entry = { version: this.version, snapshot: this.load() };
    this.current = entry;
    entry.snapshot.catch(() => {
      if (this.current === entry) this.current = undefined;
    });
    return entry.snapshot;
  }

  settled(name: string, version: number): void {
    if (this.need.get(name) === version) this.need.delete(name);
  }

  needOf(name: string): number {
    return this.need.get(name) ?? 0;
  }
}

export function startNamespaceReconciler(opts: NamespaceReconcilerOptions): NamespaceReconciler {
  const timeoutMs = opts.requestTimeoutMs ?? 10_000;
  const caches = new Map<string, DesiredCache>();
  const outcomes = new OutcomeMemo();
  const removedReported = new Set<string>();
  const onError = opts.onError ?? ((e: RuntimeErrorEvent) => console.error(`[namespace-reconciler] ${e.phase} failed`, e.clusterId, e.key, failureReason(e.error)));

  function cacheOf(clusterId: string): DesiredCache {
    let cache = caches.get(clusterId);
    if (!cache) {
      cache = new DesiredCache(async () => {
        const [desired, deleted] = await Promise.all([opts.source.listDesired(clusterId), opts.source.listDeleted(clusterId)]);
        return {
          desired: new Map(desired.map((d) => [d.name, d])),
          deleted: new Map(deleted.map((d) => [d.name, d])),
        };
      });
      caches.set(clusterId, cache);
    }
    return cache;
  }

  const clientOf = clusterClients({ kubeConfigFor: opts.kubeConfigFor, clientFactory: opts.clientFactory, fieldManager: FIELD_MANAGER, timeoutMs });

  async function report(clusterId: string, name: string, generation: number, outcome: Outcome): Promise<void> {
    const id = `${clusterId}/${name}`;
    if (!outcomes.changed(id, generation, outcome)) return;
    await opts.recordOutcome({ clusterId, name, generation, outcome });
    outcomes.remember(id, generation, outcome);
  }

  /** Report the failure, then rethrow the original error so the runtime backs off. */
  async function failed(clusterId: string, name: string, generation: number, error: unknown): Promise<never> {
    try {
      await report(clusterId, name, generation, { failed: failureReason(error) });
    } catch (reportError) {
      onError({ phase: 'reconcile', clusterId, key: name, error: reportError });
    }
    throw error;
  }

  async function reconcile(clusterId: string, name: string): Promise<ReconcileResult> {
    const cache = cacheOf(clusterId);
    const version = cache.needOf(name);
    const snapshot = await cache.get(name);
    const spec = snapshot.desired.get(name);
    if (spec) {
      try {
        await provision(await clientOf(clusterId), spec);
      } catch (error) {
        await failed(clusterId, name, spec.generation, error);
      }
      await report(clusterId, name, spec.generation, 'provisioned');
    } else {
      const deleted = snapshot.deleted.get(name);
      let state: RemoveResult;
      try {
        state = await remove(await clientOf(clusterId), clusterId, name);
      } catch (error) {
        if (deleted) await failed(clusterId, name, deleted.generation, error);
        throw error;
      }
      outcomes.forget(`${clusterId}/${name}`);
      const id = `${clusterId}/${name}@${deleted?.generation}`;
      if (deleted && state === 'gone' && opts.recordRemoved && !removedReported.has(id)) {
        await opts.recordRemoved({ clusterId, name, generation: deleted.generation });
        removedReported.add(id);
      }
      cache.settled(name, version);
      if (deleted && state === 'deleting' && opts.recordRemoved) return { requeueAfterMs: opts.deletionPollMs ?? 2000 };
      return;
    }
    cache.settled(name, version);
  }

  const runtime = startRuntime({
    reconcile: ({ clusterId, key }) => reconcile(clusterId, key),
    async listKeys(clusterId) {
      const cache = cacheOf(clusterId);
      cache.invalidate();
      const snapshot = await cache.snapshot();
      const keys = new Set([...snapshot.desired.keys(), ...snapshot.deleted.keys()]);
      // Managed Namespaces on the cluster that Bosun no longer knows: prune them too.
      // If the cluster cannot be listed, its desired keys still run (and report why they fail).
      try {
        const client = await clientOf(clusterId);
        for (const ns of await client.list('v1', 'Namespace', { labelSelector: managedSelector(clusterId) })) {
          if (ns.metadata?.name) keys.add(ns.metadata.name);
        }
      } catch (error) {
        onError({ phase: 'resync', clusterId, error });
      }
      return keys;
    },
    listClusters: () => opts.source.listClusters(),
    resyncMs: opts.resyncMs ?? 5 * 60_000,
    backoff: opts.backoff,
    workersPerCluster: opts.workersPerCluster,
    onError,
    onReconcile: opts.onReconcile,
    random: opts.random,
  });

  return {
    enqueue(clusterId, name) {
      cacheOf(clusterId).invalidate(name);
      runtime.enqueue(clusterId, name);
    },
    resync: (clusterId) => runtime.resync(clusterId),
    metrics: () => runtime.metrics(),
    stop: () => runtime.stop(),
  };
}

// ---- cluster side ------------------------------------------------------------------------------

export function isManagedByBosun(obj: KubernetesObject | undefined): boolean {
  if (!obj) return false;
  if (obj.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE) return true;
  return (obj.metadata?.managedFields ?? []).some((f) => f.manager === FIELD_MANAGER);
}

/** Apply everything the namespace consists of, then delete managed objects inside it that are not desired. */
export async function provision(client: ClusterClient, spec: NamespaceSpec): Promise<void> {
  const objects = buildNamespaceObjects(spec);
  const [namespace, ...inside] = objects;
  const existing = await client.get(namespace);
  if (existing && !isManagedByBosun(existing)) {
    // Never adopt a namespace someone else created: it would hand it to a workspace.
    throw new Error(`namespace "${spec.name}" already exists on the cluster and is not managed by Bosun`);
  }
  if (existing?.metadata?.deletionTimestamp) {
    throw new Error(`namespace "${spec.name}" is still being deleted on the cluster; it is re-created once it is gone`);
  }
  await client.apply(namespace);
  for (const object of inside) await client.apply(object);
  await pruneInside(client, spec.name, inside);
}

async function pruneInside(client: ClusterClient, namespace: string, desired: DesiredObject[]): Promise<void> {
  const wanted = new Set(desired.map((o) => `${o.apiVersion}/${o.kind}/${o.metadata.name}`));
  for (const { apiVersion, kind } of NAMESPACED_KINDS) {
    const present = await client.list(apiVersion, kind, { namespace, labelSelector: managedSelector() });
    for (const obj of present) {
      const name = obj.metadata?.name;
      if (!name || wanted.has(`${apiVersion}/${kind}/${name}`)) continue;
      await client.delete({ apiVersion, kind, metadata: { name, namespace } });
    }
  }
}

/** `gone`: no such Namespace; `deleting`: deletion issued or under way; `foreign`: exists but not Bosun's for this cluster (left alone). */
export type RemoveResult = 'gone' | 'deleting' | 'foreign';

/** Delete the Namespace if Bosun manages it for this cluster; its contents go with it. */
export async function remove(client: ClusterClient, clusterId: string, name: string): Promise<RemoveResult> {
  const existing = await client.get({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  if (!existing) return 'gone';
  if (existing.metadata?.deletionTimestamp) return 'deleting';
  const labels = existing.metadata?.labels ?? {};
  if (labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE || labels[CLUSTER_LABEL] !== clusterId) return 'foreign';
  await client.delete({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return 'deleting';
}
