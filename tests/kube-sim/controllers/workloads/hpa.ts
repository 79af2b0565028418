/**
 * horizontal-pod-autoscaler (autoscaling/v2): every 15 s of sim time, for `Resource` metrics (cpu,
 * memory; target Utilization or AverageValue) computes the replica count as the real replica calculator
 * does — ratio = usage / target, ±10% tolerance, desired = ceil(ratio × pods with metrics), missing
 * metrics counted at 100% of the request on scale-down and 0 on scale-up, unready pods ignored then
 * counted as 0 on scale-up — then applies the behaviors (stabilization windows: scale-up 0 s,
 * scale-down 300 s by default; rate limits: up max(+4 pods, +100%) per 15 s, down 100%), min/max,
 * writes the target's replicas (Deployment, StatefulSet, ReplicaSet: what /scale changes) and status
 * currentReplicas/desiredReplicas/currentMetrics/lastScaleTime and conditions AbleToScale,
 * ScalingActive, ScalingLimited, with SuccessfulRescale events.
 *
 * Pod usage comes from a `PodCpuSource` (see `setPodUsageSource`); the default reads, in order, the pod
 * annotation `kube-sim.bosun.io/cpu-usage` (resp. `kube-sim.bosun.io/memory-usage`, a quantity such as
 * "250m") and the metrics.k8s.io PodMetrics object the sim's metrics-server keeps (sum of containers).
 */
import type { ObjectStore } from '../../objects';
import { parseQuantity } from '../../admission/quantity';
import { registerController, type Controller, type ControllerContext } from '../index';
import { controllerUser, iso, isoNow, isPodActive, isPodReady, MANAGER, recordEvent, selectorMatches, tolerate, WorkQueue } from './common';

const COMPONENT = 'horizontal-pod-autoscaler';
const SYNC_MS = 15_000;
const TOLERANCE = 0.1;
export const CPU_USAGE_ANNOTATION = 'kube-sim.bosun.io/cpu-usage';
export const MEMORY_USAGE_ANNOTATION = 'kube-sim.bosun.io/memory-usage';

/** Usage of a resource by a pod: cpu in millicores, memory in bytes; undefined = no metrics. */
export type PodCpuSource = (store: ObjectStore, pod: any, resource: 'cpu' | 'memory') => number | undefined;

const toUnits = (q: unknown, resource: string): number => {
  const v = parseQuantity(q);
  return resource === 'cpu' ? Number(v.milliValue()) : Number(v.value());
};

export const defaultPodUsage: PodCpuSource = (store, pod, resource) => {
  const ann = pod.metadata.annotations?.[resource === 'cpu' ? CPU_USAGE_ANNOTATION : MEMORY_USAGE_ANNOTATION];
  if (ann !== undefined) return toUnits(ann, resource);
  const m = store.get('metrics.k8s.io', 'pods', pod.metadata.namespace, pod.metadata.name);
  if (!m || !(m.containers ?? []).length) return undefined;
  return m.containers.reduce((n: number, c: any) => n + toUnits(c.usage?.[resource] ?? '0', resource), 0);
};
let usageSource: PodCpuSource = defaultPodUsage;
/** Replace where pod usage comes from (e.g. the metrics engineer's function); undefined restores the default. */
export function setPodUsageSource(src: PodCpuSource | undefined) {
  usageSource = src ?? defaultPodUsage;
}

const TARGETS: Record<string, [string, string]> = {
  Deployment: ['apps', 'deployments'],
  StatefulSet: ['apps', 'statefulsets'],
  ReplicaSet: ['apps', 'replicasets'],
  ReplicationController: ['', 'replicationcontrollers'],
};

export function hpaController(): Controller {
  let queue: WorkQueue | undefined;
  return {
    name: 'horizontal-pod-autoscaler',
    start(ctx: ControllerContext) {
      const { store } = ctx;
      const recs = new Map<string, Array<{ t: number; replicas: number }>>();
      const q = (queue = new WorkQueue(ctx, (ns, name) => sync(store, ctx, q, recs, ns, name)));
      const seen = new Map<string, string>();
      store.onWrite((def, type, obj) => {
        if (def.group === 'autoscaling' && def.resource === 'horizontalpodautoscalers' && type !== 'DELETED') {
          // spec changes resync now; status writes (our own) do not
          const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
          const sig = JSON.stringify(obj.spec);
          if (seen.get(key) !== sig) {
            seen.set(key, sig);
            q.add(obj.metadata.namespace, obj.metadata.name);
          }
        }
      });
      for (const h of store.list('autoscaling', 'horizontalpodautoscalers')) q.add(h.metadata.namespace, h.metadata.name);
    },
    stop() {
      queue?.stop();
    },
  };
}

interface MetricResult {
  replicas: number;
  current: any;
  name: string;
  error?: string;
}

function podRequest(pod: any, resource: string): { total?: number; missing?: string } {
  let total = 0;
  for (const c of pod.spec?.containers ?? []) {
    const r = c.resources?.requests?.[resource];
    if (r === undefined) return { missing: c.name };
    total += toUnits(r, resource);
  }
  return { total };
}

const fmt = (v: number, resource: string) => (resource === 'cpu' ? (v % 1000 === 0 ? String(v / 1000) : `${Math.round(v)}m`) : String(Math.round(v)));

function resourceReplicas(store: ObjectStore, metric: any, pods: any[], current: number): MetricResult {
  const resource: 'cpu' | 'memory' = metric.resource?.name;
  const target = metric.resource?.target ?? {};
  const name = target.type === 'Utilization' ? `${resource} resource utilization (percentage of request)` : `${resource} resource`;
  const usage = new Map<string, number>();
  for (const p of pods) {
    const u = usageSource(store, p, resource);
    if (u !== undefined) usage.set(p.metadata.name, u);
  }
  if (usage.size === 0) return { replicas: current, current: undefined, name, error: `failed to get ${resource} utilization: unable to get metrics for resource ${resource}: no metrics returned from resource metrics API` };
  const requests = new Map<string, number>();
  for (const p of pods) {
    const r = podRequest(p, resource);
    if (r.missing !== undefined) {
      if (target.type === 'Utilization') return { replicas: current, current: undefined, name, error: `failed to get ${resource} utilization: missing request for ${resource} in container ${r.missing} of Pod ${p.metadata.name}` };
    } else requests.set(p.metadata.name, r.total!);
  }
  const missing = pods.filter((p) => !usage.has(p.metadata.name));
  // cpu: pods not yet ready are ignored (as within the cpu initialization period)
  const ignored = new Set(resource === 'cpu' ? pods.filter((p) => usage.has(p.metadata.name) && !isPodReady(p)).map((p) => p.metadata.name) : []);
  const counted = new Map([...usage].filter(([n]) => !ignored.has(n)));
  const ratioOf = (m: Map<string, number>) => {
    let u = 0;
    let r = 0;
    for (const [n, v] of m) {
      u += v;
      r += requests.get(n) ?? 0;
    }
    if (target.type === 'Utilization') {
      const util = r > 0 ? Math.floor((u * 100) / r) : 0;
      return { ratio: r > 0 ? (u * 100) / r / target.averageUtilization : 0, util, avg: m.size ? u / m.size : 0 };
    }
    const tv = toUnits(target.averageValue ?? '0', resource);
    return { ratio: m.size && tv ? u / m.size / tv : 0, util: undefined, avg: m.size ? u / m.size : 0 };
  };
  const currentOf = (x: { util?: number; avg: number }) => ({ type: 'Resource', resource: { name: resource, current: { ...(x.util !== undefined ? { averageUtilization: x.util } : {}), averageValue: fmt(x.avg, resource) } } });
  if (counted.size === 0) return { replicas: current, current: undefined, name, error: `failed to get ${resource} utilization: did not receive metrics for targeted pods (pods might be unready)` };
  const first = ratioOf(counted);
  const cur = currentOf(first);
  const scaleUpWithUnready = ignored.size > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && missing.length === 0) {
    if (Math.abs(1 - first.ratio) <= TOLERANCE) return { replicas: current, current: cur, name };
    return { replicas: Math.ceil(first.ratio * counted.size), current: cur, name };
  }
  const adjusted = new Map(counted);
  for (const p of missing) adjusted.set(p.metadata.name, first.ratio < 1 ? (target.type === 'Utilization' ? requests.get(p.metadata.name) ?? 0 : toUnits(target.averageValue ?? '0', resource)) : 0);
  if (scaleUpWithUnready) for (const n of ignored) adjusted.set(n, 0);
  const second = ratioOf(adjusted);
  if (Math.abs(1 - second.ratio) <= TOLERANCE || (first.ratio < 1 && second.ratio > 1) || (first.ratio > 1 && second.ratio < 1)) return { replicas: current, current: cur, name };
  const n = Math.ceil(second.ratio * adjusted.size);
  if ((second.ratio < 1 && n > current) || (second.ratio > 1 && n < current)) return { replicas: current, current: cur, name };
  return { replicas: n, current: cur, name };
}

function setCond(conds: any[], type: string, status: string, reason: string, message: string, ts: string): any[] {
  const prev = conds.find((c) => c.type === type);
  const next = { type, status, lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : ts, reason, message };
  return [...conds.filter((c) => c.type !== type), next].sort((a, b) => ORDER.indexOf(a.type) - ORDER.indexOf(b.type));
}
const ORDER = ['AbleToScale', 'ScalingActive', 'ScalingLimited'];

function limitFor(policies: any[], select: string | undefined, current: number, up: boolean): number {
  if (select === 'Disabled') return current;
  const vals = (policies ?? []).map((p: any) => (p.type === 'Pods' ? (up ? current + p.value : current - p.value) : up ? Math.ceil(current * (1 + p.value / 100)) : Math.floor(current * (1 - p.value / 100))));
  if (!vals.length) return up ? Infinity : 0;
  const pickMax = (select ?? 'Max') === 'Max';
  return up ? (pickMax ? Math.max(...vals) : Math.min(...vals)) : pickMax ? Math.max(0, Math.min(...vals)) : Math.max(0, Math.max(...vals));
}

function sync(store: ObjectStore, ctx: ControllerContext, q: WorkQueue, recs: Map<string, Array<{ t: number; replicas: number }>>, ns: string, name: string) {
  const hpa = store.get('autoscaling', 'horizontalpodautoscalers', ns, name);
  if (!hpa || hpa.metadata.deletionTimestamp) return;
  q.after(ns, name, SYNC_MS);
  const ev = { kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2', obj: hpa };
  const ts = isoNow(ctx);
  const now = ctx.clock.now();
  const st: any = structuredClone(hpa.status ?? {});
  let conds: any[] = st.conditions ?? [];
  const ref = hpa.spec.scaleTargetRef ?? {};
  const gr = TARGETS[ref.kind];
  const target = gr && store.get(gr[0], gr[1], ns, ref.name);
  const write = () => {
    st.conditions = conds;
    if (hpa.metadata.generation) st.observedGeneration = hpa.metadata.generation;
    store.updateStatus('autoscaling', 'horizontalpodautoscalers', ns, name, st);
  };
  if (!target) {
    const msg = `the HPA controller was unable to get the target's current scale: ${gr ? `${gr[1]}.${gr[0] || 'core'} "${ref.name}" not found` : `no matches for kind "${ref.kind}"`}`;
    conds = setCond(conds, 'AbleToScale', 'False', 'FailedGetScale', msg, ts);
    recordEvent(store, ctx, COMPONENT, ev, 'Warning', 'FailedGetScale', gr ? `${gr[1]}.${gr[0] || 'core'} "${ref.name}" not found` : `no matches for kind "${ref.kind}"`);
    return write();
  }
  const current = target.spec?.replicas ?? 1;
  st.currentReplicas = current;
  const min = hpa.spec.minReplicas ?? 1;
  const max = hpa.spec.maxReplicas;
  if (current === 0 && min !== 0) {
    conds = setCond(conds, 'ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero', ts);
    st.desiredReplicas = 0;
    return write();
  }
  const pods = store.list('', 'pods', ns).filter((p) => isPodActive(p) && selectorMatches(target.spec?.selector, p.metadata.labels));
  let desired = 0;
  let metricName = '';
  const currentMetrics: any[] = [];
  let error: string | undefined;
  for (const m of hpa.spec.metrics ?? [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]) {
    if (m.type !== 'Resource') {
      error ??= `the HPA was unable to compute the replica count: unsupported metric source type "${m.type}" (kube-sim)`;
      currentMetrics.push({ type: '' });
      continue;
    }
    const r = resourceReplicas(store, m, pods, current);
    if (r.error) {
      error ??= r.error;
      currentMetrics.push({ type: '' });
      continue;
    }
    currentMetrics.push(r.current);
    if (r.replicas > desired || !metricName) {
      if (r.replicas > desired) desired = r.replicas;
      metricName = r.name;
    }
  }
  st.currentMetrics = currentMetrics.some((c) => c.type) ? currentMetrics : null;
  if (!metricName) {
    conds = setCond(conds, 'AbleToScale', 'True', 'SucceededGetScale', 'the HPA controller was able to get the target\'s current scale', ts);
    conds = setCond(conds, 'ScalingActive', 'False', 'FailedGetResourceMetric', `the HPA was unable to compute the replica count: ${error}`, ts);
    recordEvent(store, ctx, COMPONENT, ev, 'Warning', 'FailedGetResourceMetric', error ?? 'unknown');
    recordEvent(store, ctx, COMPONENT, ev, 'Warning', 'FailedComputeMetricsReplicas', `invalid metrics (1 invalid out of ${(hpa.spec.metrics ?? [1]).length}), first error is: ${error}`);
    st.desiredReplicas = current;
    if (st.currentMetrics === null) delete st.currentMetrics;
    return write();
  }
  conds = setCond(conds, 'ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${metricName}`, ts);
  let rescaleReason = desired > current ? `${metricName} above target` : 'All metrics below target';

  // behaviors: stabilization
  const key = `${ns}/${name}`;
  const upWin = (hpa.spec.behavior?.scaleUp?.stabilizationWindowSeconds ?? 0) * 1000;
  const downWin = (hpa.spec.behavior?.scaleDown?.stabilizationWindowSeconds ?? 300) * 1000;
  const list = (recs.get(key) ?? []).filter((r) => r.t > now - Math.max(upWin, downWin));
  let upRec = desired;
  let downRec = desired;
  for (const r of list) {
    if (r.t > now - upWin) upRec = Math.min(upRec, r.replicas);
    if (r.t > now - downWin) downRec = Math.max(downRec, r.replicas);
  }
  list.push({ t: now, replicas: desired });
  recs.set(key, list);
  let rec = current;
  if (rec < upRec) rec = upRec;
  if (rec > downRec) rec = downRec;
  if (rec !== desired) {
    conds = setCond(conds, 'AbleToScale', 'True', rec > desired ? 'ScaleDownStabilized' : 'ScaleUpStabilized', rec > desired ? 'recent recommendations were higher than current one, applying the highest recent recommendation' : 'recent recommendations were lower than current one, applying the lowest recent recommendation', ts);
  } else conds = setCond(conds, 'AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size', ts);
  // rate limits and bounds
  const upPolicies = hpa.spec.behavior?.scaleUp?.policies ?? [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }];
  const downPolicies = hpa.spec.behavior?.scaleDown?.policies ?? [{ type: 'Percent', value: 100, periodSeconds: 15 }];
  let final = rec;
  let limited: [string, string] | undefined;
  if (rec > current) {
    const upLimit = limitFor(upPolicies, hpa.spec.behavior?.scaleUp?.selectPolicy, current, true);
    if (rec > upLimit) {
      final = upLimit;
      limited = ['ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate'];
    }
    if (final > max) {
      final = max;
      limited = ['TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
    }
  } else if (rec < current) {
    const downLimit = limitFor(downPolicies, hpa.spec.behavior?.scaleDown?.selectPolicy, current, false);
    if (rec < downLimit) {
      final = downLimit;
      limited = ['ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate'];
    }
    if (final < min) {
      final = min;
      limited = ['TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
    }
  }
  if (final > max) {
    final = max;
    limited = ['TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
    rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
  } else if (final < min) {
    final = min;
    limited = ['TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
    rescaleReason = 'Current number of replicas below Spec.MinReplicas';
  }
  conds = limited ? setCond(conds, 'ScalingLimited', 'True', limited[0], limited[1], ts) : setCond(conds, 'ScalingLimited', 'False', 'DesiredWithinRange', 'the desired count is within the acceptable range', ts);

  if (final !== current) {
    const next = structuredClone(target);
    next.spec.replicas = final;
    const ok = tolerate(() => store.update(gr[0], gr[1], ns, ref.name, next, { user: controllerUser('horizontal-pod-autoscaler'), fieldManager: MANAGER }));
    if (ok) {
      conds = setCond(conds, 'AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${final}`, ts);
      recordEvent(store, ctx, COMPONENT, ev, 'Normal', 'SuccessfulRescale', `New size: ${final}; reason: ${rescaleReason}`);
      st.lastScaleTime = iso(now);
    } else {
      conds = setCond(conds, 'AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale`, ts);
    }
  }
  st.desiredReplicas = final;
  write();
}

registerController('horizontal-pod-autoscaler', hpaController);
