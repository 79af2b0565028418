/**
 * The dev environment reconciler: the desired Deployment (./desired) on the generic runtime.
 *
 * Key = `<namespace>/<name>`, one queue per cluster. Reconciling a key:
 * - the environment exists in Bosun → server-side apply its Deployment (replicas 1 or 0), then look
 *   at its pods: the desired state reached (a Running pod, or none while stopped) is recorded as
 *   Ready, a pod that cannot run (image pull, crash loop, unschedulable, quota) as Failed with the
 *   reason; while it is still on its way the key is looked at again shortly;
 * - it does not (deleted, or a managed leftover on the cluster) → delete its Deployment, when it
 *   is one Bosun manages for a dev environment.
 * Outcomes are recorded only when they change (per generation). An apply failure records Failed
 * and is rethrown, so the runtime backs off and retries.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { BackoffOptions } from '../runtime/backoff';
import { failureReason, type ClusterClient } from '../runtime/kube';
import { clusterClients, type ReconcilerBaseOptions } from '../runtime/clients';
import { OutcomeMemo, type Outcome } from '../runtime/outcomes';
import { startRuntime, type ClusterMetrics, type ReconcileObservation, type ReconcileResult, type RuntimeErrorEvent } from '../runtime/runtime';
import {
  buildDeployment,
  deploymentName,
  DEVENV_LABEL,
  devEnvSelector,
  FIELD_MANAGER,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  observe,
  type DevEnvSpec,
} from './desired';

export type { DevEnvSpec } from './desired';

export interface DevEnvDesiredStateSource {
  listClusters(): Promise<string[]>;
  /** Dev environments of a cluster that exist (not deleted). */
  listDesired(clusterId: string): Promise<DevEnvSpec[]>;
  /** One environment, or null when it does not exist (or was deleted). */
  desiredOf(clusterId: string, namespace: string, name: string): Promise<DevEnvSpec | null>;
}

export interface DevEnvOutcomeReport {
  clusterId: string;
  namespace: string;
  name: string;
  generation: number;
  outcome: Outcome;
}

export interface DevEnvReconcilerOptions extends ReconcilerBaseOptions {
  source: DevEnvDesiredStateSource;
  /** Called only when the outcome of a generation changes. A throw fails the key (it is retried). */
  recordOutcome(report: DevEnvOutcomeReport): Promise<void> | void;
  /** While a pod is on its way (or going), look again this often. Default 1 s. */
  pollMs?: number;
}

export interface DevEnvReconciler {
  /** Reconcile one environment soon (call it on its events, once the read model has them). */
  enqueue(clusterId: string, namespace: string, name: string): void;
  resync(clusterId?: string): Promise<void>;
  metrics(): ClusterMetrics[];
  stop(): Promise<void>;
}

export const devEnvKey = (namespace: string, name: string) => `${namespace}/${name}`;

function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function startDevEnvReconciler(opts: DevEnvReconcilerOptions): DevEnvReconciler {
  const timeoutMs = opts.requestTimeoutMs ?? 10_000;
  const pollMs = opts.pollMs ?? 1000;
  const outcomes = new OutcomeMemo();
  const onError =
    opts.onError ?? ((e: RuntimeErrorEvent) => console.error(`[devenv-reconciler] ${e.phase} failed`, e.clusterId, e.key, failureReason(e.error)));

  const clientOf = clusterClients({ kubeConfigFor: opts.kubeConfigFor, clientFactory: opts.clientFactory, fieldManager: FIELD_MANAGER, timeoutMs });

  async function report(spec: DevEnvSpec, outcome: Outcome): Promise<void> {
    const id = `${spec.clusterId}/${spec.namespace}/${spec.name}`;
    if (!outcomes.changed(id, spec.generation, outcome)) return;
    await opts.recordOutcome({ clusterId: spec.clusterId, namespace: spec.namespace, name: spec.name, generation: spec.generation, outcome });
    outcomes.remember(id, spec.generation, outcome);
  }

  async function reconcile(clusterId: string, key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    // Read when the key is reconciled: an enqueue issued after the read model caught up sees the change.
    const spec = await opts.source.desiredOf(clusterId, namespace, name);
    const client = await clientOf(clusterId);
    if (!spec) {
      outcomes.forget(`${clusterId}/${namespace}/${name}`);
      await removeDeployment(client, namespace, name);
      return;
    }
    let deployment: KubernetesObject;
    let pods: KubernetesObject[];
    try {
      deployment = await applyDeployment(client, spec);
      pods = await client.list('v1', 'Pod', { namespace, labelSelector: devEnvSelector(name) });
    } catch (error) {
      try {
        await report(spec, { failed: failureReason(error) });
      } catch (reportError) {
        onError({ phase: 'reconcile', clusterId, key, error: reportError });
      }
      throw error;
    }
    const seen = observe(spec.desired, deployment, pods);
    if (seen.kind === 'reached') {
      await report(spec, 'provisioned');
      return;
    }
    if (seen.kind === 'failed') {
      await report(spec, { failed: seen.reason });
      // It may still recover (a crash loop that stops crashing): look again, slowly.
      return { requeueAfterMs: pollMs * 10 };
    }
    return { requeueAfterMs: pollMs };
  }

  const runtime = startRuntime({
    reconcile: ({ clusterId, key }) => reconcile(clusterId, key),
    async listKeys(clusterId) {
      const keys = new Set((await opts.source.listDesired(clusterId)).map((s) => devEnvKey(s.namespace, s.name)));
      // Dev environment Deployments on the cluster that Bosun no longer knows: prune them too.
      try {
        const client = await clientOf(clusterId);
        for (const d of await client.list('apps/v1', 'Deployment', { labelSelector: devEnvSelector() })) {
          const name = d.metadata?.labels?.[DEVENV_LABEL];
          if (name && d.metadata?.namespace) keys.add(devEnvKey(d.metadata.namespace, name));
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
    enqueue: (clusterId, namespace, name) => runtime.enqueue(clusterId, devEnvKey(namespace, name)),
    resync: (clusterId) => runtime.resync(clusterId),
    metrics: () => runtime.metrics(),
    stop: () => runtime.stop(),
  };
}

function isThisEnvironment(obj: KubernetesObject, name: string): boolean {
  const labels = obj.metadata?.labels ?? {};
  return labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && labels[DEVENV_LABEL] === name;
}

/** Applies the Deployment, refusing to take over one of the same name that is not this environment's. */
export async function applyDeployment(client: ClusterClient, spec: DevEnvSpec): Promise<KubernetesObject> {
  const desired = buildDeployment(spec);
  const existing = await client.get(desired);
  if (existing && !isThisEnvironment(existing, spec.name)) {
    throw new Error(`Deployment "${desired.metadata.name}" already exists in namespace "${spec.namespace}" and is not this dev environment's`);
  }
  return client.apply(desired);
}

/** Deletes the environment's Deployment (its pods go with it) when it is Bosun's dev environment. */
export async function removeDeployment(client: ClusterClient, namespace: string, name: string): Promise<void> {
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: deploymentName(name), namespace } };
  const existing = await client.get(ref);
  if (!existing || !isThisEnvironment(existing, name)) return;
  await client.delete(ref);
}
