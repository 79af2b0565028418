/**
 * Pure desired-state builders for a Bosun namespace: the Namespace itself, its ResourceQuota,
 * its LimitRange and, when isolation is on, a NetworkPolicy that admits traffic only from the
 * namespaces of the same workspace.
 *
 * No I/O and no clock: the same spec always yields the same objects, so re-applying them is a no-op.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { formatCpu, formatMemory } from '../../domain/quantity';

/** Quantities as Kubernetes prints them (500m, 2, 512Mi, 1Gi): the domain's exact formatters. */
export { formatCpu, formatMemory };

export const FIELD_MANAGER = 'bosun';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'bosun';
export const WORKSPACE_LABEL = 'bosun.io/workspace';
export const CLUSTER_LABEL = 'bosun.io/cluster';

export const QUOTA_NAME = 'bosun-quota';
export const LIMIT_RANGE_NAME = 'bosun-defaults';
export const ISOLATION_POLICY_NAME = 'bosun-isolation';

/** What the namespace reconciler needs to know about one Bosun namespace (a subset of the read-model row). */
export interface NamespaceSpec {
  clusterId: string;
  name: string;
  workspaceId: string;
  /** Bumped by every change of the namespace; outcomes are recorded per generation. */
  generation: number;
  quotaCpuMillis: number;
  quotaMemoryBytes: number;
  defaults: {
    requestCpuMillis: number;
    requestMemoryBytes: number;
    limitCpuMillis: number;
    limitMemoryBytes: number;
  };
  /** NetworkPolicy isolation within the workspace. */
  isolation?: boolean;
}

/** A Kubernetes object as Bosun applies it: always named, always labelled. */
export interface DesiredObject extends KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
}

/** The namespaced kinds this builder can produce, so managed leftovers of these kinds can be pruned. */
export const NAMESPACED_KINDS: ReadonlyArray<{ apiVersion: string; kind: string }> = [
  { apiVersion: 'v1', kind: 'ResourceQuota' },
  { apiVersion: 'v1', kind: 'LimitRange' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
];

export function managedLabels(spec: Pick<NamespaceSpec, 'clusterId' | 'workspaceId'>): Record<string, string> {
  return {
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    [WORKSPACE_LABEL]: spec.workspaceId,
    [CLUSTER_LABEL]: spec.clusterId,
  };
}

/** Label selector for everything Bosun manages on one cluster. */
export function managedSelector(clusterId?: string): string {
  const parts = [`${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`];
  if (clusterId !== undefined) parts.push(`${CLUSTER_LABEL}=${clusterId}`);
  return parts.join(',');
}

export function buildNamespace(spec: NamespaceSpec): DesiredObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: spec.name, labels: managedLabels(spec) },
  };
}

export function buildResourceQuota(spec: NamespaceSpec): DesiredObject {
  const cpu = formatCpu(spec.quotaCpuMillis);
  const memory = formatMemory(spec.quotaMemoryBytes);
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: QUOTA_NAME, namespace: spec.name, labels: managedLabels(spec) },
    spec: {
      hard: {
        'requests.cpu': cpu,
        'requests.memory': memory,
        'limits.cpu': cpu,
        'limits.memory': memory,
      },
    },
  } as DesiredObject;
}

export function buildLimitRange(spec: NamespaceSpec): DesiredObject {
  const d = spec.defaults;
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: LIMIT_RANGE_NAME, namespace: spec.name, labels: managedLabels(spec) },
    spec: {
      limits: [
        {
          type: 'Container',
          defaultRequest: { cpu: formatCpu(d.requestCpuMillis), memory: formatMemory(d.requestMemoryBytes) },
          default: { cpu: formatCpu(d.limitCpuMillis), memory: formatMemory(d.limitMemoryBytes) },
        },
      ],
    },
  } as DesiredObject;
}

/** Ingress only from pods in namespaces of the same workspace (egress stays open, so DNS keeps working). */
export function buildIsolationPolicy(spec: NamespaceSpec): DesiredObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: ISOLATION_POLICY_NAME, namespace: spec.name, labels: managedLabels(spec) },
    spec: {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { [WORKSPACE_LABEL]: spec.workspaceId } } }] }],
    },
  } as DesiredObject;
}

/** Everything one Bosun namespace consists of, in apply order (the Namespace first). */
export function buildNamespaceObjects(spec: NamespaceSpec): DesiredObject[] {
  const objects = [buildNamespace(spec), buildResourceQuota(spec), buildLimitRange(spec)];
  if (spec.isolation) objects.push(buildIsolationPolicy(spec));
  return objects;
}
