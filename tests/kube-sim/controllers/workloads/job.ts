/**
 * job-controller: runs `parallelism` pods at a time until `completions` succeed; counts failed pods
 * (restartPolicy Never) or container restarts (OnFailure) against `backoffLimit`, with the pod
 * failure backoff (10 s doubling, capped at 6 min) on the sim clock; `activeDeadlineSeconds`; status
 * active/ready/succeeded/failed/startTime/completionTime and conditions as 1.31 writes them
 * (SuccessCriteriaMet then Complete; FailureTarget then Failed). The apiserver part (generated
 * selector `batch.kubernetes.io/controller-uid`, template labels) is applied on first sync.
 */
import type { ObjectStore } from '../../objects';
import { registerController, type Controller, type ControllerContext } from '../index';
import { controllerOf, createPod, deletePod, isoNow, isPodActive, isPodReady, ownedBy, podFromTemplate, recordEvent, WorkQueue } from './common';

const COMPONENT = 'job-controller';
const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 360_000;

export const isJobFinished = (j: any) => (j?.status?.conditions ?? []).some((c: any) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');

export function jobController(): Controller {
  let queue: WorkQueue | undefined;
  return {
    name: 'job',
    start(ctx: ControllerContext) {
      const { store } = ctx;
      const q = (queue = new WorkQueue(ctx, (ns, name) => sync(store, ctx, q, ns, name)));
      store.onWrite((def, type, obj) => {
        if (def.group === 'batch' && def.resource === 'jobs') {
          if (type !== 'DELETED') q.add(obj.metadata.namespace, obj.metadata.name);
        } else if (def.group === '' && def.resource === 'pods') {
          const ref = controllerOf(obj);
          if (ref?.kind === 'Job') q.add(obj.metadata.namespace, ref.name);
        }
      });
      for (const j of store.list('batch', 'jobs')) q.add(j.metadata.namespace, j.metadata.name);
    },
    stop() {
      queue?.stop();
    },
  };
}

const counted = new Map<string, { s: Set<string>; f: Set<string> }>();

function sync(store: ObjectStore, ctx: ControllerContext, q: WorkQueue, ns: string, name: string) {
  let job = store.get('batch', 'jobs', ns, name);
  if (!job || job.metadata.deletionTimestamp || isJobFinished(job)) return;
  const uid = job.metadata.uid;
  // what the apiserver does at create when manualSelector is unset: generated selector and labels
  if (!job.spec.selector && !job.spec.manualSelector) {
    const next = structuredClone(job);
    const labels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name };
    next.spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
    next.spec.template.metadata = { ...(next.spec.template.metadata ?? {}), labels: { ...(next.spec.template.metadata?.labels ?? {}), ...labels } };
    job = store.putRaw('batch', 'jobs', next);
  }
  const ev = { kind: 'Job', apiVersion: 'batch/v1', obj: job };
  const spec = job.spec;
  const ts = isoNow(ctx);
  const nowMs = ctx.clock.now();
  const pods = store.list('', 'pods', ns).filter((p) => ownedBy(p, job));
  const active = pods.filter(isPodActive);
  const succeededPods = pods.filter((p) => p.status?.phase === 'Succeeded');
  const failedPods = pods.filter((p) => p.status?.phase === 'Failed');
  const old = job.status ?? {};
  // finished pods are counted once (as the job-tracking finalizer does): the counts survive pod deletion
  const seen = counted.get(uid) ?? { s: new Set<string>(), f: new Set<string>() };
  counted.set(uid, seen);
  const fresh = (pods: any[], set: Set<string>) => pods.filter((p) => !set.has(p.metadata.uid) && set.add(p.metadata.uid)).length;
  const succeeded = (old.succeeded ?? 0) + fresh(succeededPods, seen.s);
  const onFailureRestarts = spec.template?.spec?.restartPolicy === 'OnFailure' ? active.reduce((n, p) => n + (p.status?.containerStatuses ?? []).reduce((m: number, c: any) => m + (c.restartCount ?? 0), 0), 0) : 0;
  let failed = (old.failed ?? 0) + fresh(failedPods, seen.f);
  const st: any = { ...structuredClone(old) };
  let conds: any[] = st.conditions ?? [];
  const addCond = (type: string, reason: string, message: string) => {
    if (conds.some((c) => c.type === type)) return;
    conds = [...conds, { type, status: 'True', lastProbeTime: ts, lastTransitionTime: ts, reason, message }];
  };

  if (spec.suspend) {
    for (const p of active) deletePod(store, ctx, COMPONENT, ev, p);
    addCond('Suspended', 'JobSuspended', 'Job suspended');
    st.active = 0;
    st.conditions = conds;
    if (st.active === 0) delete st.active;
    store.updateStatus('batch', 'jobs', ns, name, st);
    return;
  }
  conds = conds.filter((c) => c.type !== 'Suspended');
  st.startTime ??= ts;
  const startMs = Date.parse(st.startTime);
  const completions = spec.completions ?? null;
  const parallelism = spec.parallelism ?? 1;
  const backoffLimit = spec.backoffLimit ?? 6;

  let failure: { reason: string; message: string } | undefined;
  if (failed > backoffLimit || (onFailureRestarts > 0 && (backoffLimit === 0 || onFailureRestarts >= backoffLimit))) failure = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
  else if (spec.activeDeadlineSeconds != null && startMs + spec.activeDeadlineSeconds * 1000 <= nowMs) failure = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };

  const complete = completions !== null ? succeeded >= completions : succeeded > 0 && active.length === 0;
  let remaining = active;
  if (failure) {
    addCond('FailureTarget', failure.reason, failure.message);
    // pods the controller terminates because the Job failed count as failed
    for (const p of active) deletePod(store, ctx, COMPONENT, ev, p);
    failed += active.length;
    remaining = [];
    addCond('Failed', failure.reason, failure.message);
    recordEvent(store, ctx, COMPONENT, ev, 'Warning', failure.reason, failure.message);
  } else if (complete) {
    addCond('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods');
    for (const p of active) deletePod(store, ctx, COMPONENT, ev, p);
    remaining = [];
    addCond('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods');
    st.completionTime = ts;
    recordEvent(store, ctx, COMPONENT, ev, 'Normal', 'Completed', 'Job completed');
  } else {
    // how many to run: parallelism, bounded by the completions still needed
    let want = completions !== null ? Math.min(parallelism, completions - succeeded) : succeeded > 0 ? 0 : parallelism;
    want = Math.max(0, want);
    if (active.length > want) {
      const surplus = [...active].sort((a, b) => (isPodReady(a) ? 1 : 0) - (isPodReady(b) ? 1 : 0)).slice(0, active.length - want);
      for (const p of surplus) deletePod(store, ctx, COMPONENT, ev, p);
      remaining = active.filter((p) => !surplus.includes(p));
    } else if (active.length < want) {
      // pod failure backoff: 10 s × 2^(failures-1) after the last failure
      const lastFailure = Math.max(0, ...failedPods.map((p) => finishedAt(p)));
      const delay = failed > 0 ? Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (failed - 1)) : 0;
      if (failed > 0 && lastFailure + delay > nowMs) q.after(ns, name, lastFailure + delay - nowMs + 1);
      else {
        for (let i = active.length; i < want; i++) {
          const labels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name };
          const body = podFromTemplate(job.spec.template, job, 'Job', 'batch/v1', { labels, generateName: `${name}-` });
          const r = createPod(store, ctx, COMPONENT, ev, body);
          if (r.error) {
            q.after(ns, name, BACKOFF_BASE_MS);
            break;
          }
          recordEvent(store, ctx, COMPONENT, ev, 'Normal', 'SuccessfulCreate', `Created pod: ${r.pod.metadata.name}`);
          remaining = [...remaining, r.pod];
        }
      }
    }
    if (spec.activeDeadlineSeconds != null) q.after(ns, name, startMs + spec.activeDeadlineSeconds * 1000 - nowMs);
  }
  st.active = remaining.length;
  st.ready = remaining.filter(isPodReady).length;
  st.succeeded = succeeded;
  st.failed = failed;
  st.terminating = 0;
  st.uncountedTerminatedPods = {};
  if (conds.length) st.conditions = conds;
  for (const k of ['active', 'succeeded', 'failed'] as const) if (!st[k]) delete st[k];
  store.updateStatus('batch', 'jobs', ns, name, st);
}

function finishedAt(p: any): number {
  const times = (p.status?.containerStatuses ?? []).map((c: any) => Date.parse(c.state?.terminated?.finishedAt ?? '')).filter((t: number) => !Number.isNaN(t));
  if (times.length) return Math.max(...times);
  const c = (p.status?.conditions ?? []).find((x: any) => x.type === 'Ready');
  const t = Date.parse(c?.lastTransitionTime ?? '');
  return Number.isNaN(t) ? 0 : t;
}

registerController('job', jobController);
