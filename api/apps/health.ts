/**
 * The health of an application's live objects, computed from what the cluster reports: pure
 * functions of the objects (and the pods behind the workloads), so they are tested without one.
 */
type Json = Record<string, any>;

export type Health = 'healthy' | 'progressing' | 'degraded' | 'missing';

export interface PodSummary {
  name: string;
  phase: string;
  ready: boolean;
  restarts: number;
  /** Why a container is not running (CrashLoopBackOff, ImagePullBackOff…), if one is waiting. */
  reason: string | null;
}

export interface ResourceStatus {
  kind: string;
  name: string;
  /** Short text: `2/3 ready`, `Bound`, `Complete`, `present`, `missing`. */
  phase: string;
  health: Health;
  message: string | null;
  pods: PodSummary[];
}

const BAD_WAITING = new Set(['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'CreateContainerConfigError', 'InvalidImageName', 'CreateContainerError']);

export function summarisePod(pod: Json): PodSummary {
  const statuses: Json[] = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const waiting = statuses.map((s) => s.state?.waiting?.reason).find((r) => typeof r === 'string' && r !== 'PodInitializing' && r !== 'ContainerCreating');
  const terminated = statuses.map((s) => s.state?.terminated?.reason).find((r) => typeof r === 'string' && r !== 'Completed');
  const ready = (pod.status?.conditions ?? []).some((c: Json) => c.type === 'Ready' && c.status === 'True');
  return {
    name: String(pod.metadata?.name ?? ''),
    phase: String(pod.status?.phase ?? 'Pending'),
    ready,
    restarts: statuses.reduce((sum, s) => sum + (Number(s.restartCount) || 0), 0),
    reason: waiting ?? terminated ?? null,
  };
}

/** Whether every label of `selector` is on the pod. */
function matches(selector: Record<string, string> | undefined, pod: Json): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  const labels = pod.metadata?.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** The labels that pick a workload's pods: its selector, else (a Job) its pod template's labels. */
export function podSelectorOf(desired: Json): Record<string, string> | undefined {
  if (desired.kind === 'CronJob') return desired.spec?.jobTemplate?.spec?.template?.metadata?.labels;
  return desired.spec?.selector?.matchLabels ?? desired.spec?.template?.metadata?.labels;
}

function conditionTrue(object: Json, type: string): Json | undefined {
  return (object.status?.conditions ?? []).find((c: Json) => c.type === type && c.status === 'True');
}

/** The status of one object of the app's current revision; `live` undefined: not on the cluster. */
export function resourceStatus(desired: Json, live: Json | undefined, pods: readonly Json[]): ResourceStatus {
  const kind = String(desired.kind);
  const name = String(desired.metadata?.name);
  if (!live) return { kind, name, phase: 'missing', health: 'missing', message: null, pods: [] };
  const selector = podSelectorOf(desired);
  const mine = ['Deployment', 'StatefulSet', 'Job', 'CronJob'].includes(kind) ? pods.filter((p) => matches(selector, p)).map(summarisePod) : [];
  const broken = mine.find((p) => p.reason !== null && BAD_WAITING.has(p.reason));
  const result = (phase: string, health: Health, message: string | null = null): ResourceStatus => {
    if (broken) return { kind, name, phase, health: 'degraded', message: `pod ${broken.name}: ${broken.reason}`, pods: mine };
    return { kind, name, phase, health, message, pods: mine };
  };
  switch (kind) {
    case 'Deployment':
    case 'StatefulSet': {
      const desiredReplicas = typeof live.spec?.replicas === 'number' ? live.spec.replicas : 1;
      const ready = Number(live.status?.readyReplicas ?? 0);
      const updated = Number(live.status?.updatedReplicas ?? (kind === 'StatefulSet' ? live.status?.currentReplicas ?? ready : 0));
      const observed = Number(live.status?.observedGeneration ?? 0) >= Number(live.metadata?.generation ?? 0);
      const phase = `${ready}/${desiredReplicas} ready`;
      const stalled = (live.status?.conditions ?? []).find((c: Json) => c.type === 'Progressing' && c.status === 'False');
      if (stalled) return result(phase, 'degraded', stalled.message ?? stalled.reason ?? null);
      if (observed && ready >= desiredReplicas && updated >= desiredReplicas) return result(phase, 'healthy');
      return result(phase, 'progressing');
    }
    case 'Job': {
      const failed = conditionTrue(live, 'Failed');
      if (failed) return result('Failed', 'degraded', failed.message ?? failed.reason ?? null);
      if (conditionTrue(live, 'Complete')) return { kind, name, phase: 'Complete', health: 'healthy', message: null, pods: mine };
      const active = Number(live.status?.active ?? 0);
      return result(active > 0 ? `Running (${active} active)` : 'Pending', 'progressing');
    }
    case 'CronJob': {
      const last = live.status?.lastScheduleTime;
      return result(live.spec?.suspend ? 'Suspended' : last ? `last run ${last}` : `schedule ${live.spec?.schedule ?? ''}`.trim(), 'healthy');
    }
    case 'PersistentVolumeClaim': {
      const phase = String(live.status?.phase ?? 'Pending');
      return result(phase, phase === 'Bound' ? 'healthy' : phase === 'Lost' ? 'degraded' : 'progressing');
    }
    case 'HorizontalPodAutoscaler': {
      const current = live.status?.currentReplicas;
      return result(current === undefined ? 'present' : `${current} replicas`, 'healthy');
    }
    default:
      return result('present', 'healthy');
  }
}

/** The app's overall health: degraded if anything is; missing if nothing is there; progressing until all is healthy. */
export function overallHealth(resources: readonly Pick<ResourceStatus, 'health'>[]): Health {
  if (resources.length === 0) return 'missing';
  if (resources.some((r) => r.health === 'degraded')) return 'degraded';
  if (resources.every((r) => r.health === 'missing')) return 'missing';
  if (resources.every((r) => r.health === 'healthy')) return 'healthy';
  return 'progressing';
}
