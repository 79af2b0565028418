/**
 * The apps reconciler: the desired state (./desired) on the generic runtime.
 *
 * Key = `<namespace>/<app>` per cluster. Reconciling a key:
 * - published → server-side apply every object of the current revision in dependency order
 *   (config and storage, workloads, autoscalers, Services, Ingresses), then delete objects labelled
 *   `bosun.io/app=<app>` in the namespace that the revision no longer has (reverse order); report
 *   deployed. Once the read model says the revision is deployed, a resync only re-creates missing
 *   objects, so day-2 operations (scale, image, HPA) are not undone every pass.
 * - unpublished → delete every object labelled as the app's, in reverse dependency order; report undeployed.
 * A failure reports `{failed: reason}` (the API server's message) once per change and is rethrown,
 * so the runtime backs off and retries. One queue per cluster: a dead cluster delays only its own apps.
 */
import type { KubeConfig, KubernetesObject as KubeObject } from '@kubernetes/client-node';
import type { BackoffOptions } from '../runtime/backoff';
import { failureReason, KubeCallError, type ClusterClient } from '../runtime/kube';
import { clusterClients, type ReconcilerBaseOptions } from '../runtime/clients';
import { OutcomeMemo, type Outcome } from '../runtime/outcomes';
import { startRuntime, type ClusterMetrics, type ReconcileObservation, type RuntimeErrorEvent } from '../runtime/runtime';
import { deleteOrder } from '../../domain/template/order';
import type { KubernetesObject } from '../../domain/template/objects';
import { APP_KINDS, appKey, appSelector, desiredObjects, FIELD_MANAGER, parseAppKey, type AppTarget, type PublishedApp } from './desired';

export type { AppTarget, PublishedApp, UndeployingApp } from './desired';
export { appKey } from './desired';

export interface AppsSource {
  listClusters(): Promise<string[]>;
  /** Every app of the cluster the reconciler should look at (published, or being undeployed); each is read with getApp. */
  listApps(clusterId: string): Promise<Array<{ namespace: string; name: string }>>;
  /** One app, read fresh; null when there is nothing to do for it (deleted, undeployed, draft). */
  getApp(clusterId: string, namespace: string, name: string): Promise<AppTarget | null>;
}

export type AppOutcome = { kind: 'deployed'; revision: number } | { kind: 'failed'; revision: number; reason: string } | { kind: 'undeployed' };

export interface AppOutcomeReport {
  clusterId: string;
  namespace: string;
  name: string;
  outcome: AppOutcome;
}

export interface AppsReconcilerOptions extends ReconcilerBaseOptions {
  source: AppsSource;
  /** Called when an app's outcome changes. A throw fails the key (it is retried). */
  recordOutcome(report: AppOutcomeReport): Promise<void> | void;
}

export interface AppsReconciler {
  enqueue(clusterId: string, namespace: string, name: string): void;
  resync(clusterId?: string): Promise<void>;
  metrics(): ClusterMetrics[];
  stop(): Promise<void>;
}

/** An app outcome in the runtime memo's terms: the revision is the generation (0: undeployed). */
function memoEntry(outcome: AppOutcome): { generation: number; outcome: Outcome } {
  if (outcome.kind === 'failed') return { generation: outcome.revision, outcome: { failed: outcome.reason } };
  return { generation: outcome.kind === 'deployed' ? outcome.revision : 0, outcome: 'provisioned' };
}

export function startAppsReconciler(opts: AppsReconcilerOptions): AppsReconciler {
  const timeoutMs = opts.requestTimeoutMs ?? 10_000;
  const memo = new OutcomeMemo();
  const onError = opts.onError ?? ((e: RuntimeErrorEvent) => console.error(`[apps-reconciler] ${e.phase} failed`, e.clusterId, e.key, failureReason(e.error)));

  const clientOf = clusterClients({ kubeConfigFor: opts.kubeConfigFor, clientFactory: opts.clientFactory, fieldManager: FIELD_MANAGER, timeoutMs });

  async function report(clusterId: string, namespace: string, name: string, outcome: AppOutcome): Promise<void> {
    const id = `${clusterId}/${namespace}/${name}`;
    const entry = memoEntry(outcome);
    if (!memo.changed(id, entry.generation, entry.outcome)) return;
    await opts.recordOutcome({ clusterId, namespace, name, outcome });
    memo.remember(id, entry.generation, entry.outcome);
  }

  async function reconcile(clusterId: string, key: string): Promise<void> {
    const parsed = parseAppKey(key);
    if (!parsed) return;
    const id = `${clusterId}/${parsed.namespace}/${parsed.name}`;
    const app = await opts.source.getApp(clusterId, parsed.namespace, parsed.name);
    if (!app) {
      memo.forget(id);
      return;
    }
    // Reported deployed, yet the read model says otherwise (published anew after an unpublish this
    // process never saw through, or the read model lags): report it again; a repeat is ignored.
    if (app.kind === 'published' && !app.deployed && !memo.changed(id, app.revision, 'provisioned')) memo.forget(id);
    if (app.kind === 'published') {
      try {
        await deploy(await clientOf(clusterId), app);
      } catch (error) {
        try {
          await report(clusterId, app.namespace, app.name, { kind: 'failed', revision: app.revision, reason: failureReason(error) });
        } catch (reportError) {
          onError({ phase: 'reconcile', clusterId, key, error: reportError });
        }
        throw error;
      }
      await report(clusterId, app.namespace, app.name, { kind: 'deployed', revision: app.revision });
    } else {
      await undeploy(await clientOf(clusterId), app.namespace, app.name);
      await report(clusterId, app.namespace, app.name, { kind: 'undeployed' });
    }
  }

  const runtime = startRuntime({
    reconcile: ({ clusterId, key }) => reconcile(clusterId, key),
    async listKeys(clusterId) {
      return (await opts.source.listApps(clusterId)).map((a) => appKey(a.namespace, a.name));
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
    enqueue: (clusterId, namespace, name) => runtime.enqueue(clusterId, appKey(namespace, name)),
    resync: (clusterId) => runtime.resync(clusterId),
    metrics: () => runtime.metrics(),
    stop: () => runtime.stop(),
  };
}

// ---- cluster side ------------------------------------------------------------------------------

const refOf = (o: { apiVersion?: string; kind?: string; metadata?: { name?: string } }, namespace: string) => ({
  apiVersion: String(o.apiVersion),
  kind: String(o.kind),
  metadata: { name: String(o.metadata?.name), namespace },
});

/** Objects labelled as the app's in its namespace, in delete order (Ingresses first). */
export async function labelledObjects(client: ClusterClient, namespace: string, name: string): Promise<KubeObject[]> {
  const found: KubeObject[] = [];
  for (const { apiVersion, kind } of APP_KINDS) {
    for (const object of await client.list(apiVersion, kind, { namespace, labelSelector: appSelector(name) })) {
      found.push({ ...object, apiVersion, kind });
    }
  }
  return found;
}

/** Apply the revision in dependency order, then prune what it no longer has. */
export async function deploy(client: ClusterClient, app: PublishedApp): Promise<void> {
  const desired = desiredObjects(app);
  for (const object of desired) {
    if (app.deployed && (await client.get(refOf(object, app.namespace)))) continue;
    try {
      await client.apply(object as unknown as KubeObject);
    } catch (error) {
      // A Job's pod template cannot change: a revision that changes it replaces the Job.
      if (object.kind !== 'Job' || !(error instanceof KubeCallError) || error.code !== 422 || !/immutable/i.test(error.message)) throw error;
      await client.delete(refOf(object, app.namespace));
      await client.apply(object as unknown as KubeObject);
    }
  }
  const wanted = new Set(desired.map((o) => `${o.kind}/${o.metadata.name}`));
  const stale = (await labelledObjects(client, app.namespace, app.name)).filter((o) => !wanted.has(`${o.kind}/${o.metadata?.name}`));
  for (const object of deleteOrder(stale as unknown as KubernetesObject[])) await client.delete(refOf(object, app.namespace));
}

/** Delete everything labelled as the app's, in reverse dependency order. */
export async function undeploy(client: ClusterClient, namespace: string, name: string): Promise<void> {
  const present = await labelledObjects(client, namespace, name);
  for (const object of deleteOrder(present as unknown as KubernetesObject[])) await client.delete(refOf(object, namespace));
}
