/**
 * The RBAC reconciler: Bosun grants (./desired) projected into each Bosun namespace (./sync), on
 * the generic runtime. Key = namespace name, one queue per cluster; a failing key backs off on
 * its own, a dead cluster only delays its own keys. The desired state is read when a key is
 * reconciled, so an enqueue issued after the read models caught up sees the change.
 *
 * Triggers: `enqueue(cluster, namespace)` for a grant on one namespace (or the namespace's own
 * events) goes to the cluster's queue at once; `enqueueWorkspace`/`enqueueAll` after anything
 * wider (workspace/platform grants, custom roles, users disabled or enabled) and the periodic
 * resync (which also restores hand-deleted objects) feed the queue from ./background a key at a
 * time, so hundreds of namespaces to re-check never delay a single grant.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { BackoffOptions } from '../runtime/backoff';
import { failureReason, type ClusterClient } from '../runtime/kube';
import { clusterClients, type ReconcilerBaseOptions } from '../runtime/clients';
import { startRuntime, type ClusterMetrics, type ReconcileObservation, type RuntimeErrorEvent } from '../runtime/runtime';
import { FIELD_MANAGER, type DesiredObject } from './desired';
import { BackgroundKeys } from './background';
import { syncNamespace, type SyncCounts } from './sync';

/** Where desired state comes from (`rbacDesiredState(db)` in ./source reads it from the read models). */
export interface RbacDesiredStateSource {
  /** Clusters to resync. */
  listClusters(): Promise<string[]>;
  /** The Bosun namespaces of a cluster (not deleted), or only those of one workspace. */
  namespacesOf(clusterId: string, workspaceId?: string): Promise<string[]>;
  /** Desired Roles and RoleBindings of one namespace; `null` when Bosun does not (or no longer) manage it: left alone. */
  desiredFor(clusterId: string, namespace: string): Promise<DesiredObject[] | null>;
}

export interface RbacReconcilerOptions extends ReconcilerBaseOptions {
  source: RbacDesiredStateSource;
}

export interface RbacMetrics extends ClusterMetrics {
  /** Namespaces waiting to be re-checked after a resync or a wide change (not yet in the queue). */
  background: number;
  /** Objects applied / deleted on this cluster since start. */
  applied: number;
  deleted: number;
}

export interface RbacReconciler {
  /** Reconcile one namespace soon. */
  enqueue(clusterId: string, namespace: string): void;
  /** Re-check every namespace of a workspace, on every cluster (cuts backoffs short); resolves when listed. */
  enqueueWorkspace(workspaceId: string): Promise<void>;
  /** Re-check every Bosun namespace of every cluster (cuts backoffs short); resolves when listed. */
  enqueueAll(): Promise<void>;
  /** Resync now (one cluster or all); resolves when its keys are listed. Keys in backoff keep waiting. */
  resync(clusterId?: string): Promise<void>;
  metrics(): RbacMetrics[];
  /** Resolves once no cluster has keys waiting or in flight (keys waiting out a backoff do not count). */
  idle(pollMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function startRbacReconciler(opts: RbacReconcilerOptions): RbacReconciler {
  const timeoutMs = opts.requestTimeoutMs ?? 10_000;
  const counts = new Map<string, SyncCounts>();
  const workers = Math.max(1, opts.workersPerCluster ?? 4);
  const background = new BackgroundKeys();
  /** Background keys handed to the queue and not reconciled yet: they never take the last free worker. */
  const backgroundActive = new Map<string, Set<string>>();
  /** Keys whose last attempt failed: the runtime retries them after their backoff; a resync leaves them be. */
  const failing = new Map<string, Set<string>>();
  let stopped = false;
  const onError =
    opts.onError ?? ((e: RuntimeErrorEvent) => console.error(`[rbac-reconciler] ${e.phase} failed`, e.clusterId ?? '', e.key ?? '', failureReason(e.error)));

  const clientOf = clusterClients({ kubeConfigFor: opts.kubeConfigFor, clientFactory: opts.clientFactory, fieldManager: FIELD_MANAGER, timeoutMs });

  function countsOf(clusterId: string): SyncCounts {
    let c = counts.get(clusterId);
    if (!c) counts.set(clusterId, (c = { applied: 0, deleted: 0 }));
    return c;
  }

  async function reconcile(clusterId: string, namespace: string): Promise<void> {
    const desired = await opts.source.desiredFor(clusterId, namespace);
    if (desired === null) return;
    await syncNamespace(await clientOf(clusterId), clusterId, namespace, desired, countsOf(clusterId));
  }

  /**
   * Hand background keys to the cluster's queue while fewer than `workers - 1` are active and none
   * waits, so a namespace enqueued on its own finds a free worker at once.
   */
  function pump(clusterId: string): void {
    if (stopped) return;
    let active = backgroundActive.get(clusterId);
    if (!active) backgroundActive.set(clusterId, (active = new Set()));
    const waiting = () => runtime.metrics().find((m) => m.clusterId === clusterId)?.queueDepth ?? 0;
    while (active.size < Math.max(1, workers - 1) && waiting() === 0) {
      const next = background.take(clusterId);
      if (!next) return;
      if (!next.force && failing.get(clusterId)?.has(next.key)) continue;
      active.add(next.key);
      runtime.enqueue(clusterId, next.key);
    }
  }

  const runtime = startRuntime({
    reconcile: ({ clusterId, key }) => reconcile(clusterId, key),
    async listKeys(clusterId) {
      // A pass slower than the resync period finishes first instead of starting over.
      if (background.resyncing(clusterId)) return [];
      background.addResync(clusterId, await opts.source.namespacesOf(clusterId));
      queueMicrotask(() => pump(clusterId));
      return [];
    },
    listClusters: () => opts.source.listClusters(),
    resyncMs: opts.resyncMs ?? 5 * 60_000,
    backoff: opts.backoff,
    workersPerCluster: workers,
    onError,
    onReconcile(obs) {
      backgroundActive.get(obs.clusterId)?.delete(obs.key);
      let set = failing.get(obs.clusterId);
      if (!set) failing.set(obs.clusterId, (set = new Set()));
      if (obs.ok) set.delete(obs.key);
      else set.add(obs.key);
      opts.onReconcile?.(obs);
      pump(obs.clusterId);
    },
    random: opts.random,
  });

  /** Lists the namespaces (of every cluster) to re-check as changed, then feeds them to the queues. */
  async function enqueueChanged(workspaceId?: string): Promise<void> {
    let clusters: string[];
    try {
      clusters = await opts.source.listClusters();
    } catch (error) {
      onError({ phase: 'listClusters', error });
      return;
    }
    await Promise.all(
      clusters.map(async (clusterId) => {
        try {
          background.addChanged(clusterId, await opts.source.namespacesOf(clusterId, workspaceId));
          pump(clusterId);
        } catch (error) {
          onError({ phase: 'resync', clusterId, error });
        }
      }),
    );
  }

  return {
    enqueue(clusterId, namespace) {
      background.remove(clusterId, namespace);
      runtime.enqueue(clusterId, namespace);
    },
    enqueueWorkspace: (workspaceId) => enqueueChanged(workspaceId),
    enqueueAll: () => enqueueChanged(),
    resync: (clusterId) => runtime.resync(clusterId),
    metrics: () => runtime.metrics().map((m) => ({ ...m, background: background.size(m.clusterId), ...countsOf(m.clusterId) })),
    async idle(pollMs = 10) {
      const busy = () => runtime.metrics().some((m) => m.queueDepth > 0 || m.inFlight > 0 || background.size(m.clusterId) > 0);
      while (!stopped && busy()) await new Promise((r) => setTimeout(r, pollMs));
    },
    async stop() {
      stopped = true;
      await runtime.stop();
    },
  };
}
