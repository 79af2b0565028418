/**
 * Container logs: one log per container instance (containerID), generated deterministically from the
 * sim seed while the container runs (about one realistic app line per second, timestamps from the sim
 * clock) plus lines tests append. Serves pods/log like the kubelet behind kube-apiserver: `container`,
 * `follow`, `tailLines`, `sinceSeconds`, `sinceTime`, `timestamps`, `previous`, `limitBytes`.
 */
import type { ServerResponse } from 'node:http';
import { StatusError, notFound } from '../errors';
import type { ObjectStore } from '../objects';
import { registerSubresource } from '../subresources';
import { SimClock } from '../clock';
import { hash32, nodeSimConfig, unit } from '../nodes/util';

interface Line {
  /** sim-clock milliseconds */
  ms: number;
  /** sub-millisecond nanoseconds (0..999999) */
  ns: number;
  text: string;
}

interface Instance {
  containerID: string;
  key: string; // ns/pod/container
  image: string;
  startedAt: number;
  stoppedAt?: number;
  exitCode?: number;
  /** generated lines per second (0 = none) */
  rate: number;
  appended: Line[];
  followers: Set<() => void>;
}

/** Formats a timestamp as RFC3339Nano (trailing zeros of the fraction trimmed, as Go does). */
export function rfc3339Nano(ms: number, ns = 0): string {
  const iso = new Date(ms).toISOString(); // ...T..:..:..\.mmmZ
  const frac = (String(ms % 1000).padStart(3, '0') + String(ns).padStart(6, '0')).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
}

const PATHS = ['/', '/healthz', '/api/v1/items', '/api/v1/orders', '/api/v1/users/42', '/metrics', '/static/app.js', '/login'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'GET', 'DELETE'];
const STATUS = [200, 200, 200, 200, 201, 204, 304, 404, 500];
const LEVELS = ['info', 'info', 'info', 'debug', 'warn', 'info', 'error'];
const MESSAGES = ['request completed', 'cache refreshed', 'connected to database', 'job queued', 'slow query detected', 'health check ok', 'retrying upstream call', 'config reloaded'];

function appName(image: string): string {
  const last = image.split('/').pop() ?? image;
  return last.split(/[:@]/)[0] || 'app';
}

/** The i-th generated line of an instance (deterministic per seed, container and restart). */
function generatedLine(seed: number, inst: Instance, i: number): Line {
  const interval = 1000 / inst.rate;
  const jitter = Math.floor(unit(seed, inst.containerID, i, 'j') * interval * 0.5);
  const ms = inst.startedAt + Math.floor(i * interval) + (i === 0 ? 0 : jitter);
  const ns = hash32(seed, inst.containerID, i, 'ns') % 1_000_000;
  const app = appName(inst.image);
  const h = hash32(seed, inst.key, i);
  let text: string;
  if (i === 0) text = `${new Date(ms).toISOString()} info ${app}: starting (pid ${1 + (h % 200)})`;
  else if (i === 1) text = `${new Date(ms).toISOString()} info ${app}: listening on :${[80, 8080, 3000, 9090][h % 4]}`;
  else if (h % 3 === 0) {
    const ip = `10.244.${h % 7}.${(h >>> 3) % 250}`;
    text = `${ip} - - [${new Date(ms).toUTCString()}] "${METHODS[h % METHODS.length]} ${PATHS[(h >>> 4) % PATHS.length]} HTTP/1.1" ${STATUS[(h >>> 8) % STATUS.length]} ${(h >>> 12) % 4096} "-" "kube-probe/1.31"`;
  } else {
    const level = LEVELS[(h >>> 5) % LEVELS.length];
    text = `${new Date(ms).toISOString()} ${level} ${app}: ${MESSAGES[(h >>> 9) % MESSAGES.length]} duration=${(h >>> 14) % 900}ms`;
  }
  return { ms, ns, text };
}

export class SimLogs {
  private instances = new Map<string, Instance>();
  private pending = new Map<string, Line[]>();

  constructor(
    private store: ObjectStore,
    private clock: SimClock,
  ) {}

  private get seed() {
    return nodeSimConfig(this.store).seed;
  }

  /** The kubelet started a container instance. */
  containerStarted(namespace: string, pod: string, container: string, containerID: string, image: string, rate: number) {
    const key = `${namespace}/${pod}/${container}`;
    const inst: Instance = { containerID, key, image, startedAt: this.clock.now(), rate, appended: this.pending.get(key) ?? [], followers: new Set() };
    this.pending.delete(key);
    this.instances.set(containerID, inst);
  }

  /** The container instance exited (or was killed); its log is kept for `previous`. */
  containerStopped(containerID: string, exitCode: number, lastLine?: string) {
    const inst = this.instances.get(containerID);
    if (!inst || inst.stoppedAt !== undefined) return;
    const t = this.clock.now();
    if (lastLine) inst.appended.push({ ms: t, ns: 0, text: lastLine });
    inst.stoppedAt = t;
    inst.exitCode = exitCode;
    for (const f of [...inst.followers]) f();
  }

  /** The pod is gone: its logs go too. */
  podRemoved(namespace: string, pod: string) {
    const prefix = `${namespace}/${pod}/`;
    for (const [id, inst] of this.instances)
      if (inst.key.startsWith(prefix)) {
        if (inst.stoppedAt === undefined) inst.stoppedAt = this.clock.now();
        for (const f of [...inst.followers]) f();
        this.instances.delete(id);
      }
    for (const k of [...this.pending.keys()]) if (k.startsWith(prefix)) this.pending.delete(k);
  }

  /**
   * Appends a line to the running (else most recent) instance of the container, stamped with the sim
   * clock; before the container starts, the line is kept for its first instance.
   */
  append(namespace: string, pod: string, container: string, line: string) {
    const key = `${namespace}/${pod}/${container}`;
    let target: Instance | undefined;
    for (const inst of this.instances.values()) if (inst.key === key && (!target || inst.startedAt >= target.startedAt)) target = inst;
    const l: Line = { ms: this.clock.now(), ns: 0, text: line.replace(/\n$/, '') };
    if (!target || target.stoppedAt !== undefined) {
      if (!target) {
        const p = this.pending.get(key) ?? [];
        p.push(l);
        this.pending.set(key, p);
        return;
      }
    }
    // keep appended lines ordered after generated ones of the same millisecond
    l.ns = 999_999;
    target.appended.push(l);
    for (const f of [...target.followers]) f();
  }

  /** Generated lines of an instance with from < ms <= until. */
  generated(containerID: string, from: number, until: number): Line[] {
    const inst = this.instances.get(containerID);
    if (!inst || inst.rate <= 0) return [];
    const end = Math.min(until, inst.stoppedAt ?? Infinity);
    const interval = 1000 / inst.rate;
    const out: Line[] = [];
    for (let i = Math.max(0, Math.floor((from - inst.startedAt) / interval) - 1); ; i++) {
      const l = generatedLine(this.seed, inst, i);
      if (l.ms > end) break;
      if (l.ms > from) out.push(l);
    }
    return out;
  }

  /** Lines of an instance up to `until` (sim ms), merged and ordered. */
  lines(containerID: string, until = this.clock.now()): Line[] {
    const inst = this.instances.get(containerID);
    if (!inst) return [];
    const out = this.generated(containerID, -Infinity, until);
    for (const l of inst.appended) if (l.ms <= until) out.push(l);
    return sortLines(out);
  }

  /** The time the next generated line of a running instance falls due (undefined when none). */
  nextDue(containerID: string, after: number): number | undefined {
    const inst = this.instances.get(containerID);
    if (!inst || inst.stoppedAt !== undefined || inst.rate <= 0) return undefined;
    const interval = 1000 / inst.rate;
    let i = Math.max(0, Math.floor((after - inst.startedAt) / interval));
    for (;; i++) {
      const l = generatedLine(this.seed, inst, i);
      if (l.ms > after) return l.ms;
    }
  }

  instance(containerID: string) {
    return this.instances.get(containerID);
  }
}

const sortLines = (ls: Line[]) => ls.sort((a, b) => a.ms - b.ms || a.ns - b.ns);

const byStore = new WeakMap<ObjectStore, SimLogs>();

export function logsFor(store: ObjectStore, clock?: SimClock): SimLogs {
  let l = byStore.get(store);
  if (!l) {
    const c = clock ?? nodeSimConfig(store).clock;
    if (!c) throw new Error('kube-sim logs: no clock configured for this store');
    l = new SimLogs(store, c);
    byStore.set(store, l);
  }
  return l;
}

const badRequest = (m: string) => new StatusError(400, 'BadRequest', m);

function intParam(q: URLSearchParams, name: string, min: number): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw badRequest(`strconv.ParseInt: parsing "${v}": invalid syntax`);
  if (n < min) throw new StatusError(422, 'Invalid', `PodLogOptions "" is invalid: ${name}: Invalid value: ${n}: must be ${min === 0 ? 'greater than or equal to 0' : 'greater than 0'}`);
  return n;
}

/** pods/log, replacing part 1's placeholder. */
registerSubresource('pods', 'log', (r) => {
  const pod = r.store.get('', 'pods', r.namespace, r.name);
  if (!pod) throw notFound('', 'pods', r.name);
  const q = r.query;
  const names: string[] = (pod.spec?.containers ?? []).map((c: any) => c.name);
  const init: string[] = (pod.spec?.initContainers ?? []).map((c: any) => c.name);
  let container = q.get('container') ?? '';
  if (!container) {
    if (names.length === 1) container = names[0];
    else {
      const initPart = init.length ? ` or one of the init containers: [${init.join(' ')}]` : '';
      throw badRequest(`a container name must be specified for pod ${r.name}, choose one of: [${names.join(' ')}]${initPart}`);
    }
  }
  if (!names.includes(container) && !init.includes(container)) throw badRequest(`container ${container} is not valid for pod ${r.name}`);
  const bool = (n: string) => q.get(n) === 'true' || q.get(n) === '1';
  const follow = bool('follow');
  const previous = bool('previous');
  const timestamps = bool('timestamps');
  const tailLines = intParam(q, 'tailLines', 0);
  const sinceSeconds = intParam(q, 'sinceSeconds', 1);
  const limitBytes = intParam(q, 'limitBytes', 1);
  const sinceTime = q.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTime) throw new StatusError(422, 'Invalid', 'PodLogOptions "" is invalid: sinceSeconds: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified');

  const res = r.res!;
  const headers = { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' };
  if (!pod.spec?.nodeName) {
    res.writeHead(200, { ...headers, 'Content-Length': 0 });
    res.end();
    return undefined;
  }
  const st = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((c: any) => c.name === container);
  // the kubelet's validateContainerLogStatus
  let containerID: string | undefined;
  if (previous) {
    containerID = st?.lastState?.terminated?.containerID;
    if (!containerID) throw badRequest(`previous terminated container "${container}" in pod "${r.name}" not found`);
  } else if (st?.state?.running) containerID = st.state.running.containerID ?? st.containerID;
  else if (st?.state?.terminated) containerID = st.state.terminated.containerID ?? st.containerID;
  else if (st?.lastState?.terminated?.containerID) containerID = st.lastState.terminated.containerID;
  else throw badRequest(`container "${container}" in pod "${r.name}" is waiting to start: ${st?.state?.waiting?.reason ?? 'ContainerCreating'}`);

  const logs = logsFor(r.store);
  const clock = nodeSimConfig(r.store).clock!;
  const nowMs = clock.now();
  const since = sinceSeconds !== undefined ? nowMs - sinceSeconds * 1000 : sinceTime ? Date.parse(sinceTime) : undefined;
  const fmt = (l: Line) => `${timestamps ? `${rfc3339Nano(l.ms, l.ns)} ` : ''}${l.text}\n`;
  let lines = logs.lines(containerID!, nowMs);
  if (since !== undefined && !Number.isNaN(since)) lines = lines.filter((l) => l.ms >= since);
  if (tailLines !== undefined) lines = tailLines === 0 ? [] : lines.slice(-tailLines);
  let budget = limitBytes ?? Infinity;
  const write = (out: ServerResponse, text: string): boolean => {
    let buf = Buffer.from(text);
    if (buf.length > budget) buf = buf.subarray(0, budget);
    budget -= buf.length;
    if (buf.length) out.write(buf);
    return budget > 0;
  };
  const inst = logs.instance(containerID!);
  if (!follow || !inst || inst.stoppedAt !== undefined) {
    let body = lines.map(fmt).join('');
    if (limitBytes !== undefined) body = Buffer.from(body).subarray(0, limitBytes).toString();
    res.writeHead(200, { ...headers, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
    return undefined;
  }
  // follow: stream what is there, then new lines as the sim clock reaches them, until the container stops
  res.writeHead(200, { ...headers, 'Transfer-Encoding': 'chunked' });
  res.flushHeaders(); // clients (client-node's Log) wait for the headers before reading the stream
  let cursor = nowMs;
  let seenAppended = inst.appended.length;
  let done = false;
  let timer: number | undefined;
  const finish = () => {
    if (done) return;
    done = true;
    inst.followers.delete(onChange);
    if (timer !== undefined) clock.clearTimeout(timer);
    res.end();
  };
  const flush = () => {
    if (done) return;
    const now = clock.now();
    const fresh = sortLines([...logs.generated(containerID!, cursor, now), ...inst.appended.slice(seenAppended)]);
    cursor = now;
    seenAppended = inst.appended.length;
    for (const l of fresh) if (!write(res, fmt(l))) return finish();
    if (inst.stoppedAt !== undefined || !logs.instance(containerID!)) return finish();
    schedule();
  };
  const schedule = () => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    const due = logs.nextDue(containerID!, cursor);
    if (due !== undefined) timer = clock.setTimeout(flush, due - clock.now());
  };
  function onChange() {
    queueMicrotask(flush);
  }
  inst.followers.add(onChange);
  res.on('close', finish);
  for (const l of lines) if (!write(res, fmt(l))) {
    finish();
    return undefined;
  }
  schedule();
  return undefined;
});
