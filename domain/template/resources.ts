/**
 * What an application's objects will ask of the namespace quota (CPU and memory requests and
 * limits, as ResourceQuota counts them), computed before anything is applied, and the refusal
 * when it does not fit.
 */
import { DomainError, invalid } from '../errors';
import type { ContainerDefaults } from '../namespace/events';
import { addResources, parseCpu, parseMemory, type Resources, resourceKinds, showValue, zeroResources } from '../quantity';
import {
  describeRef,
  get,
  isRecord,
  isWorkloadKind,
  type Json,
  type KubernetesObject,
  list,
  type ObjectRef,
  podSpecOf,
  podTemplatePath,
  refOf,
} from './objects';

export interface ResourceAmounts {
  requests: Resources;
  limits: Resources;
}

export interface WorkloadDemand {
  ref: ObjectRef;
  pods: number;
  perPod: ResourceAmounts;
}

export interface RequestedResources extends ResourceAmounts {
  /** What each workload contributes: pods × per pod. */
  workloads: WorkloadDemand[];
}

const SCOPES = ['requests', 'limits'] as const;
type Scope = (typeof SCOPES)[number];
const RESOURCE_NAMES = { cpuMillis: 'cpu', memoryBytes: 'memory' } as const;

/**
 * One container as admitted: a stated request wins; else Kubernetes copies a stated limit into
 * the request; else the namespace's LimitRange default applies. Limits default likewise.
 */
function containerAmounts(container: Json, defaults: ContainerDefaults, field: string): ResourceAmounts {
  const stated = (scope: Scope, key: keyof Resources): number | undefined => {
    const value = get(container, 'resources', scope, RESOURCE_NAMES[key]);
    if (value === undefined || value === null) return undefined;
    const path = `${field}.resources.${scope}.${RESOURCE_NAMES[key]}`;
    return key === 'cpuMillis' ? parseCpu(value as string, path) : parseMemory(value as string, path);
  };
  const amounts = (scope: Scope) => {
    const result = { ...zeroResources };
    for (const key of ['cpuMillis', 'memoryBytes'] as const) {
      const limit = stated('limits', key);
      const fallback =
        key === 'cpuMillis'
          ? { requests: limit ?? defaults.requestCpuMillis, limits: defaults.limitCpuMillis }
          : { requests: limit ?? defaults.requestMemoryBytes, limits: defaults.limitMemoryBytes };
      result[key] = stated(scope, key) ?? fallback[scope];
    }
    return result;
  };
  return { requests: amounts('requests'), limits: amounts('limits') };
}

/**
 * A pod's effective amounts as the scheduler and ResourceQuota see them: app containers and
 * sidecars (init containers with restartPolicy Always) add up; an ordinary init container runs
 * alone next to the sidecars started before it, so only the peak of those counts.
 */
function podAmounts(podSpec: Json, defaults: ContainerDefaults, field: string): ResourceAmounts {
  const apps = list(podSpec.containers)
    .map((c, i) => (isRecord(c) ? containerAmounts(c, defaults, `${field}.containers[${i}]`) : undefined))
    .filter((a) => a !== undefined);
  const inits = list(podSpec.initContainers).flatMap((c, i) =>
    isRecord(c) ? [{ sidecar: c.restartPolicy === 'Always', amounts: containerAmounts(c, defaults, `${field}.initContainers[${i}]`) }] : [],
  );
  const total = (scope: Scope): Resources => {
    const result = { ...zeroResources };
    for (const key of ['cpuMillis', 'memoryBytes'] as const) {
      let sidecars = 0;
      let initPeak = 0;
      for (const init of inits) {
        if (init.sidecar) sidecars += init.amounts[scope][key];
        else initPeak = Math.max(initPeak, init.amounts[scope][key] + sidecars);
      }
      const running = apps.reduce((sum, a) => sum + a[scope][key], 0) + sidecars;
      result[key] = Math.max(running, initPeak);
    }
    return result;
  };
  return { requests: total('requests'), limits: total('limits') };
}

function count(value: unknown, fallback: number, field: string): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(field, `must be a non-negative integer, got ${showValue(value)}`);
  }
  return value;
}

/** Pods a Job runs at once: its parallelism, never more than its completions. */
function jobPods(jobSpec: unknown, field: string): number {
  const parallelism = count(get(jobSpec, 'parallelism'), 1, `${field}.parallelism`);
  const completions = get(jobSpec, 'completions');
  return completions === undefined || completions === null ? parallelism : Math.min(parallelism, count(completions, 1, `${field}.completions`));
}

/** The lowest replica count an HPA keeps each of its targets at. */
function autoscalerFloors(objects: readonly KubernetesObject[]): Map<string, number> {
  const floors = new Map<string, number>();
  for (const hpa of objects) {
    if (hpa.kind !== 'HorizontalPodAutoscaler') continue;
    const target = get(hpa, 'spec', 'scaleTargetRef');
    const field = `${describeRef(refOf(hpa))}.spec.minReplicas`;
    floors.set(`${String(get(target, 'kind'))}/${String(get(target, 'name'))}`, count(get(hpa, 'spec', 'minReplicas'), 1, field));
  }
  return floors;
}

function podCount(object: KubernetesObject, floors: Map<string, number>): number {
  const name = describeRef(refOf(object));
  if (object.kind === 'Job') return jobPods(get(object, 'spec'), `${name}.spec`);
  if (object.kind === 'CronJob') return jobPods(get(object, 'spec', 'jobTemplate', 'spec'), `${name}.spec.jobTemplate.spec`);
  const replicas = count(get(object, 'spec', 'replicas'), 1, `${name}.spec.replicas`);
  // An HPA does not scale a workload set to 0 replicas; otherwise it lifts it to minReplicas at once.
  return replicas === 0 ? 0 : Math.max(replicas, floors.get(name) ?? 0);
}

function times(amounts: Resources, factor: number): Resources {
  return { cpuMillis: amounts.cpuMillis * factor, memoryBytes: amounts.memoryBytes * factor };
}

/**
 * Total CPU/memory requests and limits the workloads will ask for: pods (replicas, at least an
 * HPA's minReplicas; a Job's parallelism) × the pod's effective amounts, with the namespace's
 * container defaults for what a container does not state. Refuses a malformed quantity or count.
 */
export function requestedResources(objects: readonly KubernetesObject[], defaults: ContainerDefaults): RequestedResources {
  const floors = autoscalerFloors(objects);
  const workloads: WorkloadDemand[] = [];
  let requests = zeroResources;
  let limits = zeroResources;
  for (const object of objects) {
    if (!isWorkloadKind(object.kind)) continue;
    const ref = refOf(object);
    const podSpec = podSpecOf(object) ?? {};
    const perPod = podAmounts(podSpec, defaults, `${describeRef(ref)}.${podTemplatePath(object.kind).join('.')}.spec`);
    const pods = podCount(object, floors);
    workloads.push({ ref, pods, perPod });
    requests = addResources(requests, times(perPod.requests, pods));
    limits = addResources(limits, times(perPod.limits, pods));
  }
  return { requests, limits, workloads };
}

export interface QuotaRemaining extends ResourceAmounts {
  /** Named in the refusal when given. */
  namespace?: string;
}

/**
 * Refuses, with the numbers, when what the application asks for exceeds what the namespace's
 * quota has left, per scope (requests, limits) and resource; every shortage is named.
 */
export function checkQuota(requested: ResourceAmounts & { workloads?: WorkloadDemand[] }, remaining: QuotaRemaining): void {
  const where = remaining.namespace === undefined ? 'the namespace' : `namespace "${remaining.namespace}"`;
  const shortages: Array<{ field: string; message: string; resource: string; scope: Scope; requested: number; available: number }> = [];
  for (const scope of SCOPES) {
    for (const kind of resourceKinds) {
      const want = requested[scope][kind.key];
      const left = Math.max(0, remaining[scope][kind.key]);
      if (want <= left) continue;
      const field = `${scope}.${kind.label}`;
      const breakdown = (requested.workloads ?? [])
        .filter((w) => w.pods > 0 && w.perPod[scope][kind.key] > 0)
        .map((w) => `${describeRef(w.ref)} ${w.pods} × ${kind.bare(w.perPod[scope][kind.key])}`);
      const message =
        `${field}: the application needs ${kind.describe(want)} but ${where} has ${kind.describe(left)} left in its quota` +
        (breakdown.length > 0 ? ` (${breakdown.join(', ')})` : '');
      shortages.push({ field, message, resource: kind.label, scope, requested: want, available: left });
    }
  }
  if (shortages.length === 0) return;
  const [first] = shortages;
  throw new DomainError('insufficient_capacity', shortages.map((s) => s.message).join('; '), {
    field: first.field,
    details: {
      resource: first.resource,
      scope: first.scope,
      requested: first.requested,
      available: first.available,
      ...(remaining.namespace === undefined ? {} : { namespace: remaining.namespace }),
      shortages,
    },
  });
}
