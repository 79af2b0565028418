/**
 * Shared helpers of the node-side simulation (scheduler, kubelet, logs, metrics): per-sim settings,
 * a seeded PRNG, quantities as numbers, pod requests, Events as the real components record them.
 */
import { createHash } from 'node:crypto';
import type { ObjectStore } from '../objects';
import type { SimClock } from '../clock';

export interface KubeletOptions {
  /** Time from a pod's binding to its containers running (sim clock, default 200 ms). */
  startDelayMs?: number;
  /** Time an image pull takes when the image is not yet on the node (sim clock, default 0: part of startDelayMs). */
  pullDelayMs?: number;
  /** Run time of restartPolicy Never/OnFailure pods without the run-seconds annotation (default 1 s). */
  defaultRunSeconds?: number;
  /** Generated log lines per second per running container (default 1; 0 = only `sim.logs.append`). */
  logLinesPerSecond?: number;
}

export interface NodeSimConfig {
  seed: number;
  kubelet: Required<KubeletOptions>;
  clock?: SimClock;
}

const configs = new WeakMap<ObjectStore, NodeSimConfig>();

export function configureNodeSim(store: ObjectStore, seed = 1, kubelet: KubeletOptions = {}, clock?: SimClock) {
  configs.set(store, {
    seed,
    clock,
    kubelet: { startDelayMs: kubelet.startDelayMs ?? 200, pullDelayMs: kubelet.pullDelayMs ?? 0, defaultRunSeconds: kubelet.defaultRunSeconds ?? 1, logLinesPerSecond: kubelet.logLinesPerSecond ?? 1 },
  });
}

export function nodeSimConfig(store: ObjectStore): NodeSimConfig {
  let c = configs.get(store);
  if (!c) {
    configureNodeSim(store);
    c = configs.get(store)!;
  }
  return c;
}

/** Annotations understood by the simulated kubelet. */
export const ANN = {
  runSeconds: 'kube-sim.bosun.io/run-seconds',
  exitCode: 'kube-sim.bosun.io/exit-code',
  ready: 'kube-sim.bosun.io/ready',
  liveness: 'kube-sim.bosun.io/liveness',
  logRate: 'kube-sim.bosun.io/log-lines-per-second',
} as const;

/** A 32-bit hash of strings (deterministic). */
export function hash32(...parts: Array<string | number>): number {
  const h = createHash('sha1').update(parts.join('\u0000')).digest();
  return h.readUInt32BE(0);
}

export function hexId(len: number, ...parts: Array<string | number>): string {
  let out = '';
  for (let i = 0; out.length < len; i++) out += createHash('sha256').update([...parts, i].join('\u0000')).digest('hex');
  return out.slice(0, len);
}

/** mulberry32: a small seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic uniform [0,1) for the given key. */
export const unit = (...parts: Array<string | number>) => hash32(...parts) / 4294967296;

const DEC: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const BIN: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };

/** A quantity as a plain number of base units (cores, bytes, pods). NaN when unparseable. */
export function quantity(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return NaN;
  const m = /^([+-]?[0-9.]+)(?:([eE][-+]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(v.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  if (m[2]) return n * 10 ** Number(m[2].slice(1));
  const s = m[3] ?? '';
  return n * (BIN[s] ?? DEC[s] ?? 1);
}

/** cores → "250m" / "2" */
export function formatCpu(cores: number): string {
  const milli = Math.ceil(cores * 1000 - 1e-9);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

export type Resources = Record<string, number>;

const addTo = (acc: Resources, list: any) => {
  for (const [k, v] of Object.entries(list ?? {})) {
    const n = quantity(v);
    if (!Number.isNaN(n)) acc[k] = (acc[k] ?? 0) + n;
  }
};

/** A container's requests (requests, else limits, as the API defaults them). */
export function containerRequests(c: any): Resources {
  const r: Resources = {};
  addTo(r, { ...(c?.resources?.limits ?? {}), ...(c?.resources?.requests ?? {}) });
  return r;
}

/** The scheduler's pod request: max(sum of containers, each init container) + overhead. */
export function podRequests(pod: any): Resources {
  const sum: Resources = {};
  for (const c of pod.spec?.containers ?? []) addTo(sum, containerRequests(c));
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerRequests(c);
    if (c.restartPolicy === 'Always') {
      addTo(sum, r); // sidecar
      continue;
    }
    for (const [k, v] of Object.entries(r)) if (v > (sum[k] ?? 0)) sum[k] = v;
  }
  addTo(sum, pod.spec?.overhead);
  return sum;
}

export const isTerminal = (pod: any) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** metav1.Time (seconds) and MicroTime of a clock reading. */
export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
export const microTime = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '000Z');

export interface EventSource {
  component: string;
  host?: string;
  reportingInstance?: string;
  action?: string;
}

/**
 * Records a core/v1 Event as client-go's recorder does: one Event per (object, reason, message, source),
 * later occurrences bump `count` and `lastTimestamp` (the event correlator's aggregation).
 */
export function recordEvent(store: ObjectStore, clock: SimClock, obj: any, type: 'Normal' | 'Warning', reason: string, message: string, source: EventSource, fieldPath?: string) {
  const ns = obj.metadata.namespace || 'default';
  const kind = obj.kind ?? (obj.spec?.containers ? 'Pod' : 'Node');
  const key = hexId(16, obj.metadata.uid ?? obj.metadata.name, reason, message, source.component, fieldPath ?? '');
  const name = `${obj.metadata.name}.${key}`;
  const t = clock.now();
  const existing = store.get('', 'events', ns, name);
  try {
    if (existing) {
      const next = structuredClone(existing);
      next.count = (existing.count ?? 1) + 1;
      next.lastTimestamp = rfc3339(t);
      store.update('', 'events', ns, name, next);
      return;
    }
    const involvedObject: any = { kind, namespace: obj.metadata.namespace, name: obj.metadata.name, uid: obj.metadata.uid, apiVersion: 'v1', resourceVersion: obj.metadata.resourceVersion };
    if (!obj.metadata.namespace) delete involvedObject.namespace;
    if (fieldPath) involvedObject.fieldPath = fieldPath;
    store.create('', 'events', ns, {
      metadata: { name, namespace: ns },
      involvedObject,
      reason,
      message,
      source: source.host ? { component: source.component, host: source.host } : { component: source.component },
      firstTimestamp: rfc3339(t),
      lastTimestamp: rfc3339(t),
      count: 1,
      type,
      eventTime: null,
      reportingComponent: source.component,
      reportingInstance: source.reportingInstance ?? source.host ?? '',
      ...(source.action ? { action: source.action } : {}),
    });
  } catch {
    /* a namespace being deleted refuses new events: the recorder drops them too */
  }
}
