/**
 * Shared machinery of the workload controllers (deployment, replicaset, statefulset, daemonset, job,
 * cronjob, horizontal-pod-autoscaler): work queues on the sim clock, owner references, hashing like
 * kube-controller-manager's (FNV-32a + SafeEncodeString), pod readiness/availability, events.
 */
import { StatusError } from '../../errors';
import type { UserInfo } from '../../hooks';
import type { ObjectStore } from '../../objects';
import { labelSelectorToString, matchLabels, parseLabelSelector } from '../../selectors';
import type { ControllerContext } from '../index';

export const MANAGER = 'kube-controller-manager';

/** The service account a controller acts as (admission applies to its writes, as on a real cluster). */
export function controllerUser(sa: string): UserInfo {
  return { name: `system:serviceaccount:kube-system:${sa}`, groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] };
}

/** RFC 3339 at second precision, read from the sim clock. */
export const isoNow = (ctx: ControllerContext) => ctx.clock.date().toISOString().replace(/\.\d+Z$/, 'Z');
export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

// ---- hashing (pkg/controller.ComputeHash / rand.SafeEncodeString) ----

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
export function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
export const safeEncode = (s: string) => [...s].map((c) => ALPHANUMS[c.charCodeAt(0) % ALPHANUMS.length]).join('');

/** Deterministic JSON (sorted keys) so equal templates hash equally. */
export function stableJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  return `{${Object.keys(v as object)
    .sort()
    .filter((k) => (v as any)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${stableJson((v as any)[k])}`)
    .join(',')}}`;
}
export function computeHash(template: unknown, collisionCount = 0): string {
  return safeEncode(String(fnv32a(stableJson(template) + (collisionCount ? String(collisionCount) : ''))));
}

// ---- selectors, owners ----

export function selectorMatches(sel: any, labels: Record<string, string> | undefined): boolean {
  if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) return false;
  return matchLabels(parseLabelSelector(labelSelectorToString(sel)), labels);
}

export function ownerRef(kind: string, apiVersion: string, owner: any) {
  return { apiVersion, kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}
export const controllerOf = (o: any) => (o?.metadata?.ownerReferences ?? []).find((r: any) => r.controller);
export const ownedBy = (o: any, owner: any) => controllerOf(o)?.uid === owner.metadata.uid;

// ---- pods ----

export const isPodActive = (p: any) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
export const podReadyCondition = (p: any) => (p.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
export const isPodReady = (p: any) => podReadyCondition(p)?.status === 'True';
/** Ready for at least minReadySeconds (on the sim clock). */
export function isPodAvailable(p: any, minReadySeconds: number, nowMs: number): boolean {
  const c = podReadyCondition(p);
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = Date.parse(c.lastTransitionTime ?? '');
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= nowMs;
}
/** When a ready pod becomes available (for requeueing), or undefined. */
export function availableAt(p: any, minReadySeconds: number): number | undefined {
  const c = podReadyCondition(p);
  if (c?.status !== 'True' || !minReadySeconds) return undefined;
  const since = Date.parse(c.lastTransitionTime ?? '');
  return Number.isNaN(since) ? undefined : since + minReadySeconds * 1000;
}

/** intstr scaled value (GetScaledValueFromIntOrPercent). */
export function scaledValue(v: unknown, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const s = String(v);
  if (s.endsWith('%')) {
    const pct = parseInt(s.slice(0, -1), 10);
    const x = (pct * total) / 100;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  return parseInt(s, 10) || 0;
}

// ---- events (client-go record.EventRecorder, with its aggregation of identical events) ----

const eventNames = new WeakMap<ObjectStore, Map<string, string>>();

export function recordEvent(store: ObjectStore, ctx: ControllerContext, component: string, involved: { kind: string; apiVersion: string; obj: any }, type: 'Normal' | 'Warning', reason: string, message: string) {
  const o = involved.obj;
  const ns = o.metadata.namespace ?? 'default';
  const ts = isoNow(ctx);
  try {
    let cache = eventNames.get(store);
    if (!cache) eventNames.set(store, (cache = new Map()));
    const key = `${o.metadata.uid}\u0000${component}\u0000${type}\u0000${reason}\u0000${message}`;
    const prevName = cache.get(key);
    const existing = prevName ? store.get('', 'events', ns, prevName) : undefined;
    if (existing) {
      const next = structuredClone(existing);
      next.count = (existing.count ?? 1) + 1;
      next.lastTimestamp = ts;
      store.update('', 'events', ns, existing.metadata.name, next);
      return;
    }
    const name = `${o.metadata.name}.${(BigInt(ctx.clock.now()) * 1000000n + BigInt(Math.floor(Math.random() * 1e6))).toString(16)}`;
    cache.set(key, name);
    store.create('', 'events', ns, {
      metadata: { name, namespace: ns },
      involvedObject: { kind: involved.kind, namespace: o.metadata.namespace, name: o.metadata.name, uid: o.metadata.uid, apiVersion: involved.apiVersion, resourceVersion: o.metadata.resourceVersion },
      reason,
      message,
      source: { component },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: '',
    });
  } catch (e) {
    if (!(e instanceof StatusError)) throw e; // e.g. the namespace is terminating
  }
}

/** Ignore 404/409 of a write that raced with someone else (the next sync retries). */
export function tolerate<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof StatusError && (e.code === 404 || e.code === 409)) return undefined;
    throw e;
  }
}

export function upsertCondition(conds: any[], c: { type: string; status: string; reason?: string; message?: string }, ts: string, withUpdateTime = false): any[] {
  const out = [...(conds ?? [])];
  const i = out.findIndex((x) => x.type === c.type);
  const prev = i >= 0 ? out[i] : undefined;
  const next: any = { type: c.type, status: c.status };
  if (withUpdateTime) next.lastUpdateTime = prev && prev.status === c.status && prev.reason === c.reason && prev.message === c.message ? prev.lastUpdateTime : ts;
  next.lastTransitionTime = prev && prev.status === c.status ? prev.lastTransitionTime : ts;
  if (c.reason) next.reason = c.reason;
  if (c.message) next.message = c.message;
  if (i >= 0) out[i] = next;
  else out.push(next);
  return out;
}

/**
 * A work queue keyed by "namespace/name": enqueue is deduplicated and deferred (never a write from
 * inside a write hook); `after(key, ms)` requeues on the sim clock (minReadySeconds, deadlines, cron).
 */
export class WorkQueue {
  private pending = new Set<string>();
  private timers = new Map<string, { id: number; due: number }>();
  private stopped = false;
  constructor(
    private ctx: ControllerContext,
    private sync: (namespace: string, name: string) => void,
  ) {}
  add(namespace: string, name: string) {
    const key = `${namespace}/${name}`;
    if (this.stopped || this.pending.has(key)) return;
    this.pending.add(key);
    this.ctx.defer(() => {
      this.pending.delete(key);
      this.run(key);
    });
  }
  /** Sync `key` when the sim clock reaches now + ms (keeps the earliest pending due time). */
  after(namespace: string, name: string, ms: number) {
    const key = `${namespace}/${name}`;
    const due = this.ctx.clock.now() + Math.max(0, ms);
    const cur = this.timers.get(key);
    if (this.stopped || (cur && cur.due <= due)) return;
    if (cur) this.ctx.clock.clearTimeout(cur.id);
    const id = this.ctx.clock.setTimeout(() => {
      this.timers.delete(key);
      // run synchronously so `clock.advance()` makes the effect visible when it returns
      if (!this.stopped) this.run(key);
    }, Math.max(0, ms));
    this.timers.set(key, { id, due });
  }
  runNow(namespace: string, name: string) {
    this.run(`${namespace}/${name}`);
  }
  private run(key: string) {
    const i = key.indexOf('/');
    try {
      this.sync(key.slice(0, i), key.slice(i + 1));
    } catch (e) {
      if (e instanceof StatusError) this.ctx.defer(() => this.run(key), 200);
      else console.error(`kube-sim workload controller sync ${key}:`, e);
    }
  }
  stop() {
    this.stopped = true;
    for (const t of this.timers.values()) this.ctx.clock.clearTimeout(t.id);
    this.timers.clear();
  }
}

/** Creates a pod as the controller's service account; on refusal emits FailedCreate and returns the error. */
export function createPod(store: ObjectStore, ctx: ControllerContext, component: string, owner: { kind: string; apiVersion: string; obj: any }, pod: any): { pod?: any; error?: StatusError } {
  try {
    const created = store.create('', 'pods', owner.obj.metadata.namespace, pod, { user: controllerUser(component), fieldManager: MANAGER });
    return { pod: created };
  } catch (e) {
    if (!(e instanceof StatusError)) throw e;
    recordEvent(store, ctx, component, owner, 'Warning', 'FailedCreate', `Error creating: ${e.message}`);
    return { error: e };
  }
}

export function deletePod(store: ObjectStore, ctx: ControllerContext, component: string, owner: { kind: string; apiVersion: string; obj: any }, pod: any, message = `Deleted pod: ${pod.metadata.name}`) {
  const r = tolerate(() => store.delete('', 'pods', pod.metadata.namespace, pod.metadata.name, { propagationPolicy: 'Background' }, { user: controllerUser(`${component}`) }));
  if (r) recordEvent(store, ctx, component, owner, 'Normal', 'SuccessfulDelete', message);
}

/** Pod template → pod body (labels, annotations, spec), as controller.GetPodFromTemplate. */
export function podFromTemplate(template: any, owner: any, ownerKind: string, ownerApiVersion: string, extra: { name?: string; generateName?: string; labels?: Record<string, string> } = {}): any {
  const t = structuredClone(template ?? {});
  const md: any = {
    labels: { ...(t.metadata?.labels ?? {}), ...(extra.labels ?? {}) },
    namespace: owner.metadata.namespace,
    ownerReferences: [ownerRef(ownerKind, ownerApiVersion, owner)],
  };
  if (t.metadata?.annotations) md.annotations = t.metadata.annotations;
  if (t.metadata?.finalizers) md.finalizers = t.metadata.finalizers;
  if (extra.name) md.name = extra.name;
  else md.generateName = extra.generateName ?? `${owner.metadata.name}-`;
  return { metadata: md, spec: t.spec };
}
