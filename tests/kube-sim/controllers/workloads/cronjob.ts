/**
 * cronjob-controller (v2): on the sim clock, creates the Job `<cronjob>-<scheduled time in unix minutes>`
 * for the most recent missed schedule time, honouring suspend, startingDeadlineSeconds, timeZone and
 * concurrencyPolicy (Allow / Forbid: skip while a Job is active, the skipped time still runs when it
 * finishes if within the deadline / Replace: delete the active Jobs first); tracks status.active,
 * lastScheduleTime, lastSuccessfulTime; prunes finished Jobs beyond the history limits.
 * `sim.clock.advance(60_000)` fires the requeue, so the Job exists when advance() returns.
 */
import { StatusError } from '../../errors';
import type { ObjectStore } from '../../objects';
import { registerController, type Controller, type ControllerContext } from '../index';
import { controllerOf, controllerUser, iso, MANAGER, ownedBy, ownerRef, recordEvent, tolerate, WorkQueue } from './common';
import { nextTime, parseCron, timesBetween, validTimeZone } from './cron';
import { isJobFinished } from './job';

const COMPONENT = 'cronjob-controller';
export const SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export function cronJobController(): Controller {
  let queue: WorkQueue | undefined;
  return {
    name: 'cronjob',
    start(ctx: ControllerContext) {
      const { store } = ctx;
      const q = (queue = new WorkQueue(ctx, (ns, name) => sync(store, ctx, q, ns, name)));
      store.onWrite((def, type, obj) => {
        if (def.group === 'batch' && def.resource === 'cronjobs') {
          if (type !== 'DELETED') q.add(obj.metadata.namespace, obj.metadata.name);
        } else if (def.group === 'batch' && def.resource === 'jobs') {
          const ref = controllerOf(obj);
          if (ref?.kind === 'CronJob') q.add(obj.metadata.namespace, ref.name);
        }
      });
      for (const c of store.list('batch', 'cronjobs')) q.add(c.metadata.namespace, c.metadata.name);
    },
    stop() {
      queue?.stop();
    },
  };
}

const jobRef = (j: any) => ({ kind: 'Job', namespace: j.metadata.namespace, name: j.metadata.name, uid: j.metadata.uid, apiVersion: 'batch/v1', resourceVersion: j.metadata.resourceVersion });
const finishedType = (j: any) => (j.status?.conditions ?? []).find((c: any) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')?.type;

/** RFC 3339 with the zone's offset, as Go formats a time.Time in a location. */
function formatInZone(ms: number, tz: string): string {
  if (tz === 'UTC' || tz === 'Etc/UTC') return iso(ms);
  const parts: Record<string, string> = {};
  for (const p of new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'longOffset' }).formatToParts(new Date(ms))) parts[p.type] = p.value;
  const off = parts.timeZoneName.replace('GMT', '') || 'Z';
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${off === 'Z' ? 'Z' : off}`;
}

/**
 * creationTimestamp is written from the wall clock while schedules run on the sim clock (which tests move
 * ahead): a CronJob is considered to exist from the sim time the controller first saw it.
 */
const firstSeen = new Map<string, number>();

function sync(store: ObjectStore, ctx: ControllerContext, q: WorkQueue, ns: string, name: string) {
  const cj = store.get('batch', 'cronjobs', ns, name);
  if (!cj) return;
  const ev = { kind: 'CronJob', apiVersion: 'batch/v1', obj: cj };
  const nowMs = ctx.clock.now();
  const st: any = structuredClone(cj.status ?? {});
  const jobs = store.list('batch', 'jobs', ns).filter((j) => ownedBy(j, cj));
  let active: any[] = [];
  for (const j of jobs) {
    const fin = finishedType(j);
    const wasActive = (st.active ?? []).some((r: any) => r.uid === j.metadata.uid);
    if (!fin) active.push(jobRef(j));
    else if (wasActive) {
      recordEvent(store, ctx, COMPONENT, ev, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, status: ${fin}`);
      if (fin === 'Complete' && j.status?.completionTime && (!st.lastSuccessfulTime || st.lastSuccessfulTime < j.status.completionTime)) st.lastSuccessfulTime = j.status.completionTime;
    }
  }
  for (const r of st.active ?? []) if (!jobs.some((j) => j.metadata.uid === r.uid)) recordEvent(store, ctx, COMPONENT, ev, 'Normal', 'MissingJob', `Active job went missing: ${r.name}`);
  const write = () => {
    if (active.length) st.active = active;
    else delete st.active;
    store.updateStatus('batch', 'cronjobs', ns, name, st);
  };
  // history limits
  const prune = (type: string, limit: number | undefined) => {
    if (limit === undefined || limit === null) return;
    const done = jobs.filter((j) => finishedType(j) === type).sort((a, b) => (a.status?.startTime ?? a.metadata.creationTimestamp).localeCompare(b.status?.startTime ?? b.metadata.creationTimestamp));
    for (const j of done.slice(0, Math.max(0, done.length - limit))) {
      if (tolerate(() => store.delete('batch', 'jobs', ns, j.metadata.name, { propagationPolicy: 'Background' })))
        recordEvent(store, ctx, COMPONENT, ev, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata.name}`);
    }
  };
  prune('Complete', cj.spec.successfulJobsHistoryLimit);
  prune('Failed', cj.spec.failedJobsHistoryLimit);
  if (cj.metadata.deletionTimestamp) return write();

  const tz = cj.spec.timeZone ?? 'UTC';
  if (!validTimeZone(tz)) {
    recordEvent(store, ctx, COMPONENT, ev, 'Warning', 'UnknownTimeZone', `invalid timeZone: "${tz}": unknown time zone ${tz}`);
    return write();
  }
  let sched;
  try {
    sched = parseCron(cj.spec.schedule);
  } catch (e) {
    recordEvent(store, ctx, COMPONENT, ev, 'Warning', 'UnparseableSchedule', `unparseable schedule: "${cj.spec.schedule}" : ${(e as Error).message}`);
    return write();
  }
  const requeue = () => {
    const next = nextTime(sched, nowMs, tz);
    if (next !== undefined) q.after(ns, name, next - nowMs + 100);
  };
  if (cj.spec.suspend) {
    write();
    return requeue();
  }
  if (!firstSeen.has(cj.metadata.uid)) firstSeen.set(cj.metadata.uid, nowMs);
  let earliest = st.lastScheduleTime ? Date.parse(st.lastScheduleTime) : Math.max(Date.parse(cj.metadata.creationTimestamp), firstSeen.get(cj.metadata.uid)! - 1000);
  const deadline = cj.spec.startingDeadlineSeconds;
  if (deadline != null) earliest = Math.max(earliest, nowMs - deadline * 1000);
  const { times, tooMany } = timesBetween(sched, earliest, nowMs, tz);
  if (tooMany) recordEvent(store, ctx, COMPONENT, ev, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
  const t = times[times.length - 1];
  if (t === undefined) {
    write();
    return requeue();
  }
  if (deadline != null && t + deadline * 1000 < nowMs) {
    recordEvent(store, ctx, COMPONENT, ev, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${formatInZone(t, tz)}`);
    write();
    return requeue();
  }
  const jobName = `${name}-${Math.floor(t / 60_000)}`;
  if (jobs.some((j) => j.metadata.name === jobName)) {
    write();
    return requeue();
  }
  if (cj.spec.concurrencyPolicy === 'Forbid' && active.length > 0) {
    recordEvent(store, ctx, COMPONENT, ev, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
    write();
    return requeue();
  }
  if (cj.spec.concurrencyPolicy === 'Replace') {
    for (const r of active) {
      if (tolerate(() => store.delete('batch', 'jobs', ns, r.name, { propagationPolicy: 'Background' }, { user: controllerUser(COMPONENT) })))
        recordEvent(store, ctx, COMPONENT, ev, 'Normal', 'SuccessfulDelete', `Deleted job ${r.name}`);
    }
    active = [];
  }
  const tmpl = structuredClone(cj.spec.jobTemplate ?? {});
  const body = {
    metadata: {
      name: jobName,
      namespace: ns,
      labels: tmpl.metadata?.labels ?? {},
      annotations: { ...(tmpl.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP]: formatInZone(t, tz) },
      ownerReferences: [ownerRef('CronJob', 'batch/v1', cj)],
    },
    spec: tmpl.spec,
  };
  try {
    const job = store.create('batch', 'jobs', ns, body, { user: controllerUser(COMPONENT), fieldManager: MANAGER });
    recordEvent(store, ctx, COMPONENT, ev, 'Normal', 'SuccessfulCreate', `Created job ${job.metadata.name}`);
    active.push(jobRef(job));
    st.lastScheduleTime = iso(t);
  } catch (e) {
    if (!(e instanceof StatusError)) throw e;
    if (e.code === 409) st.lastScheduleTime = iso(t);
    else recordEvent(store, ctx, COMPONENT, ev, 'Warning', 'FailedCreate', `Error creating job: ${e.message}`);
  }
  write();
  requeue();
}

registerController('cronjob', cronJobController);
