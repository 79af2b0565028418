/**
 * Compact rows of workload objects, as the lists show them: what kubectl's `get` columns say
 * (ready/desired, status, restarts, node, age, images), never the whole object.
 */
import type { WorkloadKind } from '../../domain/workload/events';
import type { KubeObject } from './kube';

export type Health = 'healthy' | 'progressing' | 'degraded' | 'idle';

export interface WorkloadRow {
  kind: WorkloadKind;
  name: string;
  createdAt: string | null;
  images: string[];
  /** "ready/desired" for controllers and pods, "succeeded/completions" for jobs, active jobs for cron jobs. */
  ready: string;
  status: string;
  health: Health;
  desired?: number;
  updated?: number;
  available?: number;
  restarts?: number;
  node?: string | null;
  podIP?: string | null;
  schedule?: string;
  lastSchedule?: string | null;
  /** Labels are kept for selecting a controller's pods; they are small. */
  labels?: Record<string, string>;
  /** The owning controller (kind/name), for pods. */
  owner?: string | null;
}

export interface KindInfo {
  kind: WorkloadKind;
  group: string;
  version: string;
  plural: string;
}

export const KINDS: Record<WorkloadKind, KindInfo> = {
  Deployment: { kind: 'Deployment', group: 'apps', version: 'v1', plural: 'deployments' },
  StatefulSet: { kind: 'StatefulSet', group: 'apps', version: 'v1', plural: 'statefulsets' },
  DaemonSet: { kind: 'DaemonSet', group: 'apps', version: 'v1', plural: 'daemonsets' },
  Job: { kind: 'Job', group: 'batch', version: 'v1', plural: 'jobs' },
  CronJob: { kind: 'CronJob', group: 'batch', version: 'v1', plural: 'cronjobs' },
  Pod: { kind: 'Pod', group: '', version: 'v1', plural: 'pods' },
};

/** `/api/v1/namespaces/ns/pods` or `/apis/apps/v1/namespaces/ns/deployments[/name]`. */
export function pathOf(kind: WorkloadKind, namespace: string, name?: string): string {
  const k = KINDS[kind];
  const base = k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
  return `${base}/namespaces/${encodeURIComponent(namespace)}/${k.plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
}

export function apiVersionOf(kind: WorkloadKind): string {
  const k = KINDS[kind];
  return k.group ? `${k.group}/${k.version}` : k.version;
}

/** The pod template of a controller (a CronJob's is inside its job template). */
export function podTemplateOf(kind: WorkloadKind, object: KubeObject): any {
  if (kind === 'Pod') return { spec: object.spec };
  if (kind === 'CronJob') return object.spec?.jobTemplate?.spec?.template;
  return object.spec?.template;
}

export function imagesOf(podSpec: any): string[] {
  return ((podSpec?.containers ?? []) as { image?: string }[]).map((c) => c.image ?? '').filter(Boolean);
}

const n = (value: unknown): number => (typeof value === 'number' ? value : 0);

export function summarize(kind: WorkloadKind, object: KubeObject): WorkloadRow {
  const base = {
    kind,
    name: object.metadata.name,
    createdAt: object.metadata.creationTimestamp ?? null,
    images: imagesOf(podTemplateOf(kind, object)?.spec),
  };
  const terminating = !!object.metadata.deletionTimestamp;
  switch (kind) {
    case 'Pod':
      return { ...base, ...podColumns(object), labels: object.metadata.labels ?? {} };
    case 'Deployment':
    case 'StatefulSet': {
      const desired = object.spec?.replicas ?? 1;
      const s = object.status ?? {};
      const ready = n(s.readyReplicas);
      const updated = kind === 'Deployment' ? n(s.updatedReplicas) : n(s.updatedReplicas ?? s.currentReplicas);
      const available = kind === 'Deployment' ? n(s.availableReplicas) : n(s.availableReplicas ?? s.readyReplicas);
      const generationSeen = (s.observedGeneration ?? 0) >= (object.metadata.generation ?? 0);
      const failed = (s.conditions ?? []).some(
        (c: any) => (c.type === 'Progressing' && c.status === 'False') || (c.type === 'ReplicaFailure' && c.status === 'True'),
      );
      const settled = generationSeen && ready === desired && updated === desired && n(s.replicas) === desired;
      const health: Health = terminating ? 'progressing' : failed ? 'degraded' : desired === 0 && settled ? 'idle' : settled ? 'healthy' : 'progressing';
      const status = terminating ? 'Terminating' : failed ? 'Failed' : desired === 0 && settled ? 'ScaledDown' : settled ? 'Available' : 'Progressing';
      return { ...base, ready: `${ready}/${desired}`, desired, updated, available, status, health };
    }
    case 'DaemonSet': {
      const s = object.status ?? {};
      const desired = n(s.desiredNumberScheduled);
      const ready = n(s.numberReady);
      const updated = n(s.updatedNumberScheduled);
      const settled = (s.observedGeneration ?? 0) >= (object.metadata.generation ?? 0) && ready === desired && updated === desired;
      return {
        ...base,
        ready: `${ready}/${desired}`,
        desired,
        updated,
        available: n(s.numberAvailable),
        status: terminating ? 'Terminating' : settled ? 'Available' : 'Progressing',
        health: settled ? (desired === 0 ? 'idle' : 'healthy') : 'progressing',
      };
    }
    case 'Job': {
      const s = object.status ?? {};
      const completions = object.spec?.completions ?? 1;
      const conditions: any[] = s.conditions ?? [];
      const has = (type: string) => conditions.some((c) => c.type === type && c.status === 'True');
      const status = has('Complete') ? 'Complete' : has('Failed') ? 'Failed' : object.spec?.suspend ? 'Suspended' : n(s.active) > 0 ? 'Running' : 'Pending';
      const health: Health = status === 'Complete' ? 'healthy' : status === 'Failed' ? 'degraded' : status === 'Suspended' ? 'idle' : 'progressing';
      return { ...base, ready: `${n(s.succeeded)}/${completions}`, desired: completions, status, health };
    }
    case 'CronJob': {
      const s = object.status ?? {};
      const active = (s.active ?? []).length;
      const suspended = !!object.spec?.suspend;
      return {
        ...base,
        ready: String(active),
        status: suspended ? 'Suspended' : active > 0 ? 'Active' : 'Scheduled',
        health: suspended ? 'idle' : 'healthy',
        schedule: object.spec?.schedule ?? '',
        lastSchedule: s.lastScheduleTime ?? null,
      };
    }
  }
}

/** kubectl's pod STATUS column: the reason that says most, else the phase. */
function podColumns(pod: KubeObject): Pick<WorkloadRow, 'ready' | 'status' | 'health' | 'restarts' | 'node' | 'podIP' | 'owner'> {
  const s = pod.status ?? {};
  const statuses: any[] = s.containerStatuses ?? [];
  const total = (pod.spec?.containers ?? []).length;
  const ready = statuses.filter((c) => c.ready).length;
  const restarts = statuses.reduce((sum, c) => sum + n(c.restartCount), 0);
  let status: string = s.reason ?? s.phase ?? 'Pending';
  for (const c of (s.initContainerStatuses ?? []) as any[]) {
    if (c.state?.terminated && c.state.terminated.exitCode === 0) continue;
    if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') status = `Init:${c.state.waiting.reason}`;
    else if (c.state?.terminated) status = `Init:${c.state.terminated.reason ?? 'Error'}`;
    else status = 'Init';
    break;
  }
  if (!status.startsWith('Init')) {
    for (const c of statuses) {
      if (c.state?.waiting?.reason && c.state.waiting.reason !== 'ContainerCreating') status = c.state.waiting.reason;
      else if (c.state?.waiting?.reason === 'ContainerCreating' && status === 'Pending') status = 'ContainerCreating';
      else if (c.state?.terminated?.reason && s.phase !== 'Succeeded' && s.phase !== 'Failed') status = c.state.terminated.reason;
    }
  }
  if (pod.metadata.deletionTimestamp) status = 'Terminating';
  const unschedulable = (s.conditions ?? []).some((c: any) => c.type === 'PodScheduled' && c.status === 'False');
  if (status === 'Pending' && unschedulable) status = 'Unschedulable';
  const bad = /BackOff|Err|Error|Failed|Unschedulable|OOMKilled|Invalid/i.test(status) || s.phase === 'Failed';
  const health: Health = bad ? 'degraded' : s.phase === 'Succeeded' ? 'idle' : s.phase === 'Running' && ready === total ? 'healthy' : 'progressing';
  const owner = (pod.metadata.ownerReferences ?? []).find((o) => o.controller) ?? null;
  return {
    ready: `${ready}/${total}`,
    status,
    health,
    restarts,
    node: pod.spec?.nodeName ?? null,
    podIP: s.podIP ?? null,
    owner: owner ? `${owner.kind}/${owner.name}` : null,
  };
}

/** A label selector's matchLabels and matchExpressions as the `labelSelector` query text. */
export function selectorText(selector: any): string {
  if (!selector) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) parts.push(`${k}=${v}`);
  for (const e of (selector.matchExpressions ?? []) as { key: string; operator: string; values?: string[] }[]) {
    if (e.operator === 'In') parts.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

/** Whether labels match a selector (matchLabels and matchExpressions). */
export function selects(selector: any, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of (selector.matchExpressions ?? []) as { key: string; operator: string; values?: string[] }[]) {
    const has = Object.hasOwn(l, e.key);
    if (e.operator === 'In' && !(has && (e.values ?? []).includes(l[e.key]))) return false;
    if (e.operator === 'NotIn' && has && (e.values ?? []).includes(l[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}
