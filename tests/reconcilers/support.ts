/** Shared fixtures for the reconciler tests: an in-memory desired-state source, kube-sim clients, polling. */
import { KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { makeKubeConfig } from '../../kube/client';
import { resolveContext } from '../../kube/kubeconfig';
import type { DeletedNamespace, DesiredStateSource, OutcomeReport } from '../../reconcilers/namespace/reconciler';
import type { NamespaceSpec } from '../../reconcilers/namespace/desired';
import { clusterClient, type ClusterClient } from '../../reconcilers/runtime/kube';

export const Mi = 2 ** 20;
export const Gi = 2 ** 30;

export function aNamespace(clusterId: string, name: string, overrides: Partial<NamespaceSpec> = {}): NamespaceSpec {
  return {
    clusterId,
    name,
    workspaceId: 'ws-1',
    generation: 1,
    quotaCpuMillis: 2000,
    quotaMemoryBytes: 4 * Gi,
    defaults: { requestCpuMillis: 100, requestMemoryBytes: 128 * Mi, limitCpuMillis: 500, limitMemoryBytes: 512 * Mi },
    ...overrides,
  };
}

/** Stands in for the namespaces read model. */
export class MemorySource implements DesiredStateSource {
  private readonly desired = new Map<string, Map<string, NamespaceSpec>>();
  private readonly deleted = new Map<string, Map<string, DeletedNamespace>>();

  constructor(readonly clusters: string[]) {}

  put(spec: NamespaceSpec): void {
    this.of(this.desired, spec.clusterId).set(spec.name, spec);
    this.of(this.deleted, spec.clusterId).delete(spec.name);
  }

  /** Quota change: a new generation. */
  update(clusterId: string, name: string, change: Partial<NamespaceSpec>): NamespaceSpec {
    const current = this.of(this.desired, clusterId).get(name);
    if (!current) throw new Error(`no namespace ${clusterId}/${name}`);
    const next = { ...current, ...change, generation: current.generation + 1 };
    this.put(next);
    return next;
  }

  remove(clusterId: string, name: string): void {
    const current = this.of(this.desired, clusterId).get(name);
    if (!current) throw new Error(`no namespace ${clusterId}/${name}`);
    this.of(this.desired, clusterId).delete(name);
    this.of(this.deleted, clusterId).set(name, { name, generation: current.generation + 1 });
  }

  async listClusters() {
    return [...this.clusters];
  }
  async listDesired(clusterId: string) {
    return [...this.of(this.desired, clusterId).values()];
  }
  async listDeleted(clusterId: string) {
    return [...this.of(this.deleted, clusterId).values()];
  }

  private of<T>(m: Map<string, Map<string, T>>, clusterId: string): Map<string, T> {
    let inner = m.get(clusterId);
    if (!inner) m.set(clusterId, (inner = new Map()));
    return inner;
  }
}

/** Collects reported outcomes. */
export class OutcomeLog {
  readonly reports: OutcomeReport[] = [];
  readonly record = (r: OutcomeReport) => {
    this.reports.push(r);
  };
  of(clusterId: string, name: string): OutcomeReport[] {
    return this.reports.filter((r) => r.clusterId === clusterId && r.name === name);
  }
  last(clusterId: string, name: string): OutcomeReport | undefined {
    return this.of(clusterId, name).at(-1);
  }
}

/** The way Bosun builds a cluster's KubeConfig from a stored kubeconfig. */
export function kubeConfigOf(kubeconfigText: string): KubeConfig {
  return makeKubeConfig(resolveContext(kubeconfigText));
}

export function testClient(kubeconfigText: string): ClusterClient {
  return clusterClient(kubeConfigOf(kubeconfigText), { fieldManager: 'bosun-test-reader', timeoutMs: 5000 });
}

/** What a person would do with `kubectl edit` (a merge patch by another field manager). */
export async function handEdit(kubeconfigText: string, patch: KubernetesObject): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kubeConfigOf(kubeconfigText));
  await api.patch(patch, undefined, undefined, 'kubectl-edit', undefined, PatchStrategy.MergePatch);
}

export async function handDelete(kubeconfigText: string, ref: KubernetesObject): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kubeConfigOf(kubeconfigText));
  await api.delete(ref);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Retries `check` (an assertion) until it passes or the time is up; then throws its last error. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 20_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(intervalMs);
    }
  }
}

export function quotaRef(namespace: string) {
  return { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'bosun-quota', namespace } };
}
export function limitRangeRef(namespace: string) {
  return { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'bosun-defaults', namespace } };
}
export function namespaceRef(name: string) {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}
