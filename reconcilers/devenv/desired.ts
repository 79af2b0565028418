/**
 * The desired state of a dev environment (开发环境): one Deployment with one container from the
 * chosen image that idles (`sleep infinity`), requests = limits = the chosen CPU/memory, 1 replica
 * while running and 0 while stopped. Pure: the same spec always yields the same object (no
 * timestamps), so applying it again never rolls the pod.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { formatCpu, formatMemory } from '../../domain/quantity';

export const FIELD_MANAGER = 'bosun';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'bosun';
export const DEVENV_LABEL = 'bosun.io/devenv';
export const OWNER_LABEL = 'bosun.io/owner';
/** The owner's user id as given (a label value cannot hold every user id). */
export const OWNER_ANNOTATION = 'bosun.io/owner';
export const CONTAINER_NAME = 'dev';
/** Keeps the container alive so a terminal can be opened in it. */
export const IDLE_COMMAND = ['sleep', 'infinity'];

export interface DevEnvSpec {
  clusterId: string;
  namespace: string;
  name: string;
  ownerId: string;
  image: string;
  cpuMillis: number;
  memoryBytes: number;
  desired: 'running' | 'stopped';
  generation: number;
}

export interface DesiredDeployment extends KubernetesObject {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: Record<string, unknown>;
}

export const deploymentName = (name: string) => `devenv-${name}`;

/** Selector of every dev environment Deployment (or of one environment's pods). */
export function devEnvSelector(name?: string): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${name === undefined ? DEVENV_LABEL : `${DEVENV_LABEL}=${name}`}`;
}

/** A user id as a label value: at most 63 of [A-Za-z0-9_.-], alphanumeric at both ends. */
export function ownerLabelValue(ownerId: string): string {
  const value = ownerId
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return value === '' ? 'unknown' : value;
}

export function labelsOf(spec: Pick<DevEnvSpec, 'name' | 'ownerId'>): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [DEVENV_LABEL]: spec.name, [OWNER_LABEL]: ownerLabelValue(spec.ownerId) };
}

export function buildDeployment(spec: DevEnvSpec): DesiredDeployment {
  const labels = labelsOf(spec);
  const size = { cpu: formatCpu(spec.cpuMillis), memory: formatMemory(spec.memoryBytes) };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: deploymentName(spec.name), namespace: spec.namespace, labels, annotations: { [OWNER_ANNOTATION]: spec.ownerId } },
    spec: {
      replicas: spec.desired === 'running' ? 1 : 0,
      selector: { matchLabels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [DEVENV_LABEL]: spec.name } },
      // Never two containers of one environment at once (they would count twice against the quota).
      strategy: { type: 'Recreate' },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: CONTAINER_NAME,
              image: spec.image,
              command: IDLE_COMMAND,
              resources: { requests: size, limits: size },
            },
          ],
          terminationGracePeriodSeconds: 5,
          enableServiceLinks: false,
        },
      },
    },
  };
}

/** Waiting reasons that mean the container will not run without a change (reported as Failed). */
export const FAILING_REASONS = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

export type Observed = { kind: 'reached' } | { kind: 'failed'; reason: string } | { kind: 'progressing' };

/**
 * What the environment's pods (and the Deployment's conditions) say about the desired state:
 * running = a pod is Running with its container running; stopped = no pod left. A pod stuck on
 * an image pull or crash looping, or a Deployment that cannot create its pod (quota), is a failure.
 */
export function observe(desired: DevEnvSpec['desired'], deployment: KubernetesObject | undefined, pods: readonly KubernetesObject[]): Observed {
  const live = pods.filter((p) => !p.metadata?.deletionTimestamp);
  if (desired === 'stopped') return live.length === 0 ? { kind: 'reached' } : { kind: 'progressing' };
  for (const pod of live) {
    const status = (pod as { status?: any }).status ?? {};
    const container = (status.containerStatuses ?? []).find((c: any) => c.name === CONTAINER_NAME);
    if (status.phase === 'Running' && container?.state?.running) return { kind: 'reached' };
  }
  for (const pod of live) {
    const status = (pod as { status?: any }).status ?? {};
    if (status.phase === 'Failed') return { kind: 'failed', reason: `pod ${pod.metadata?.name} failed${status.reason ? `: ${status.reason}` : ''}${status.message ? ` (${status.message})` : ''}` };
    const container = (status.containerStatuses ?? []).find((c: any) => c.name === CONTAINER_NAME);
    const waiting = container?.state?.waiting;
    if (waiting?.reason && FAILING_REASONS.has(waiting.reason)) {
      return { kind: 'failed', reason: waiting.message ? `${waiting.reason}: ${waiting.message}` : waiting.reason };
    }
    const unschedulable = (status.conditions ?? []).find((c: any) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');
    if (unschedulable) return { kind: 'failed', reason: `Unschedulable: ${unschedulable.message ?? 'no node fits the pod'}` };
  }
  const conditions = ((deployment as { status?: any } | undefined)?.status?.conditions ?? []) as any[];
  const replicaFailure = conditions.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  if (replicaFailure && live.length === 0) return { kind: 'failed', reason: `${replicaFailure.reason ?? 'ReplicaFailure'}: ${replicaFailure.message ?? ''}`.trim() };
  return { kind: 'progressing' };
}
