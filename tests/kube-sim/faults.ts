/**
 * Fault injection, switchable at run time:
 *
 *   sim.faults.set({ seed: 7, rules: [
 *     { route: { method: 'GET', path: '/api/v1/namespaces' }, latencyMs: 500 },
 *     { route: { path: '/apis/apps' }, error: { code: 503, rate: 0.5 } },
 *     { route: { path: '/api/v1/pods' }, watch: { closeAfterEvents: 3 } },
 *   ] });
 *   sim.faults.clear();
 *   await sim.faults.down();  ...  await sim.faults.recover();
 *
 * and over HTTP on the same server (admin users, i.e. system:masters, only):
 *   GET /_sim/faults, POST /_sim/faults (body: a spec, a rule or an array of rules; ?append=1 adds),
 *   DELETE /_sim/faults, POST /_sim/faults/down {"forMs": 2000} (the server comes back by itself).
 *
 * `/_sim/` requests themselves are exempt from rules, so a 100 % error rule can always be cleared.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { StatusError } from './errors';
import type { UserInfo } from './hooks';

export interface FaultRoute {
  /** HTTP method (any when omitted). */
  method?: string;
  /** Path prefix (matched against the path without query). */
  path?: string;
  /** Regular expression on the path (string form for the HTTP endpoint). */
  pathRegex?: string | RegExp;
  /** Only watch requests (`?watch=1` or `/watch/` paths) when true, only non-watch when false. */
  watch?: boolean;
}

export interface FaultError {
  /** 500 InternalError, 503 ServiceUnavailable, 429 TooManyRequests, 504 Timeout, or another code. */
  code: number;
  /** Probability 0..1 per matching request (default 1), drawn from the seeded generator. */
  rate?: number;
  /** Retry-After seconds (429 default 1; 503 none unless given). */
  retryAfterSeconds?: number;
  message?: string;
}

export interface WatchFault {
  /** End the stream after this many events (the client sees a server-side close). */
  closeAfterEvents?: number;
  /** End the stream after this many milliseconds. */
  closeAfterMs?: number;
  /** Send half of the event after `afterEvents` events (mid-JSON) then cut the stream. */
  truncateAfterEvents?: number;
  /** How the stream is cut: 'end' (a clean end of the chunked response, default) or 'reset' (socket destroyed). */
  mode?: 'end' | 'reset';
}

export interface FaultRule {
  route?: FaultRoute;
  /** Added latency (ms) before the request is served. */
  latencyMs?: number;
  error?: FaultError;
  watch?: WatchFault;
  /** Apply to at most this many matching requests, then the rule is spent. */
  times?: number;
}

export interface FaultSpec {
  /** Seed of the generator behind error rates (default 1): same seed + same request order = same faults. */
  seed?: number;
  rules?: FaultRule[];
}

export interface FaultOptions extends FaultSpec {
  /** Added latency per request, in milliseconds (all routes). */
  latencyMs?: number;
  /** Custom hook; answer `res` to short-circuit the request. */
  before?: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
}

export interface FaultState {
  seed: number;
  rules: Array<Omit<FaultRule, 'route'> & { route?: Omit<FaultRoute, 'pathRegex'> & { pathRegex?: string }; matched: number; injected: number }>;
  down: boolean;
}

/** What index.ts gives the controller so that it can take the listener down and up. */
export interface FaultServerHooks {
  stopListening(): Promise<void>;
  startListening(): Promise<void>;
  destroySockets(): void;
}

export interface FaultController {
  /** Replace the current faults: a spec `{seed, rules}`, one rule, or an array of rules. */
  set(spec: FaultSpec | FaultRule | FaultRule[]): void;
  /** Add one rule to the current ones. */
  add(rule: FaultRule): void;
  /** Remove every rule (the cluster stays down if it is down: see recover). */
  clear(): void;
  get(): FaultState;
  /** Cluster down: stop accepting connections (ECONNREFUSED) and destroy open sockets. `forMs` recovers by itself. */
  down(opts?: { forMs?: number }): Promise<void>;
  /** Accept connections again, on the same port. */
  recover(): Promise<void>;
  readonly isDown: boolean;
}

/** The interface server.ts calls. */
export interface Faults {
  before?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Upgrade requests (exec/attach): true when the fault answered the socket itself. */
  beforeUpgrade?: (req: IncomingMessage, socket: Duplex) => Promise<boolean>;
  /** `/_sim/faults` admin endpoint, after authentication. */
  admin?: (req: IncomingMessage, res: ServerResponse, user: UserInfo) => Promise<void>;
  controller?: FaultController;
  bindServer?(hooks: FaultServerHooks): void;
}

/** mulberry32: small, fast, seedable. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface LiveRule {
  rule: FaultRule;
  regex?: RegExp;
  matched: number;
  injected: number;
  random: () => number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function isWatch(url: URL): boolean {
  const w = url.searchParams.get('watch');
  return w === '1' || w === 'true' || /^\/(api|apis)\/(.+\/)?watch\//.test(url.pathname);
}

/** The Status body kube-apiserver sends for these codes. */
export function faultStatus(err: FaultError): StatusError {
  const msg = err.message;
  switch (err.code) {
    case 429:
      // API Priority and Fairness rejection
      return new StatusError(429, 'TooManyRequests', msg ?? 'Too many requests, please try again later.', { retryAfterSeconds: err.retryAfterSeconds ?? 1 });
    case 500: {
      const m = msg ?? 'kube-sim injected fault';
      return new StatusError(500, 'InternalError', `Internal error occurred: ${m}`, { causes: [{ message: m } as any], ...(err.retryAfterSeconds ? { retryAfterSeconds: err.retryAfterSeconds } : {}) });
    }
    case 503:
      return new StatusError(503, 'ServiceUnavailable', msg ?? 'the server is currently unable to handle the request', err.retryAfterSeconds ? { retryAfterSeconds: err.retryAfterSeconds } : undefined);
    case 504:
      return new StatusError(504, 'Timeout', msg ?? 'Timeout: request did not complete within the allotted timeout', { retryAfterSeconds: err.retryAfterSeconds ?? 0 } as any);
    default:
      return new StatusError(err.code, 'InternalError', msg ?? `kube-sim injected fault ${err.code}`, err.retryAfterSeconds ? { retryAfterSeconds: err.retryAfterSeconds } : undefined);
  }
}

function writeStatus(res: ServerResponse, e: StatusError) {
  const body = JSON.stringify(e.toStatus());
  const headers: Record<string, string | number> = { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Content-Length': Buffer.byteLength(body) };
  if (e.details?.retryAfterSeconds) headers['Retry-After'] = String(e.details.retryAfterSeconds);
  res.writeHead(e.code, headers);
  res.end(body);
}

function upgradeStatus(socket: Duplex, e: StatusError) {
  const body = JSON.stringify(e.toStatus());
  const retry = e.details?.retryAfterSeconds ? `Retry-After: ${e.details.retryAfterSeconds}\r\n` : '';
  socket.end(`HTTP/1.1 ${e.code} Fault\r\nContent-Type: application/json\r\n${retry}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Wraps a watch response: counts event lines written and cuts the stream as the fault says. */
function wrapWatch(res: ServerResponse, f: WatchFault) {
  const origWrite = res.write.bind(res) as (chunk: any, ...a: any[]) => boolean;
  let events = 0;
  let cut = false;
  const terminate = () => {
    if (f.mode === 'reset') res.socket?.destroy();
    else res.end();
  };
  const cutNow = () => {
    if (cut) return;
    cut = true;
    terminate();
  };
  (res as any).write = (chunk: any, ...rest: any[]) => {
    if (cut) return false;
    const s = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (f.truncateAfterEvents !== undefined && events >= f.truncateAfterEvents) {
      cut = true;
      const ok = origWrite(s.slice(0, Math.max(1, Math.floor(s.length / 2))));
      // let the half line reach the client before the cut
      setImmediate(terminate);
      return ok;
    }
    const ok = origWrite(chunk, ...rest);
    if (s.endsWith('\n')) events++;
    if (f.closeAfterEvents !== undefined && events >= f.closeAfterEvents) setImmediate(cutNow);
    return ok;
  };
  if (f.closeAfterMs !== undefined) {
    const t = setTimeout(cutNow, f.closeAfterMs);
    res.on('close', () => clearTimeout(t));
  }
  if (f.closeAfterEvents === 0) setImmediate(cutNow);
}

function normalize(spec: FaultSpec | FaultRule | FaultRule[]): FaultSpec {
  if (Array.isArray(spec)) return { rules: spec };
  if (spec && typeof spec === 'object' && ('rules' in spec || 'seed' in spec)) return spec as FaultSpec;
  return { rules: [spec as FaultRule] };
}

function validateRule(r: any): FaultRule {
  if (!r || typeof r !== 'object' || Array.isArray(r)) throw new StatusError(400, 'BadRequest', 'a fault rule must be an object');
  if (r.error && (typeof r.error.code !== 'number' || r.error.code < 400 || r.error.code > 599)) throw new StatusError(400, 'BadRequest', 'error.code must be an HTTP error code (400..599)');
  if (r.error?.rate !== undefined && !(r.error.rate >= 0 && r.error.rate <= 1)) throw new StatusError(400, 'BadRequest', 'error.rate must be within 0..1');
  if (r.route?.pathRegex !== undefined && typeof r.route.pathRegex === 'string') {
    try {
      new RegExp(r.route.pathRegex);
    } catch (e: any) {
      throw new StatusError(400, 'BadRequest', `route.pathRegex: ${e.message}`);
    }
  }
  return r;
}

export function createFaults(opts: FaultOptions = {}): Faults {
  let seed = opts.seed ?? 1;
  let live: LiveRule[] = [];
  let hooks: FaultServerHooks | undefined;
  let down = false;
  let recoverTimer: NodeJS.Timeout | undefined;

  const toLive = (rule: FaultRule, index: number): LiveRule => {
    const rx = rule.route?.pathRegex;
    return { rule, regex: rx === undefined ? undefined : rx instanceof RegExp ? rx : new RegExp(rx), matched: 0, injected: 0, random: prng(seed * 1000003 + index) };
  };
  const install = (spec: FaultSpec) => {
    if (spec.seed !== undefined) seed = spec.seed;
    live = (spec.rules ?? []).map((r, i) => toLive(validateRule(r), i));
  };
  install({ seed, rules: [...(opts.latencyMs ? [{ latencyMs: opts.latencyMs }] : []), ...(opts.rules ?? [])] });

  const matching = (req: IncomingMessage, url: URL): LiveRule[] => {
    const method = (req.method ?? 'GET').toUpperCase();
    const watch = isWatch(url);
    const out: LiveRule[] = [];
    for (const l of live) {
      const r = l.rule.route;
      if (l.rule.times !== undefined && l.matched >= l.rule.times) continue;
      if (r?.method && r.method.toUpperCase() !== method) continue;
      if (r?.path && !url.pathname.startsWith(r.path)) continue;
      if (l.regex && !l.regex.test(url.pathname)) continue;
      if (r?.watch !== undefined && r.watch !== watch) continue;
      out.push(l);
    }
    return out;
  };

  /** Runs latency and error rules; returns the error to answer with, if any, and the watch faults. */
  const evaluate = async (req: IncomingMessage, url: URL): Promise<{ error?: StatusError; watch?: WatchFault }> => {
    const rules = matching(req, url);
    let latency = 0;
    let error: StatusError | undefined;
    let watch: WatchFault | undefined;
    for (const l of rules) {
      l.matched++;
      let hit = false;
      if (l.rule.latencyMs) {
        latency += l.rule.latencyMs;
        hit = true;
      }
      if (l.rule.error && !error) {
        const rate = l.rule.error.rate ?? 1;
        if (rate >= 1 || l.random() < rate) {
          error = faultStatus(l.rule.error);
          hit = true;
        }
      }
      if (l.rule.watch && isWatch(url) && !watch) {
        watch = l.rule.watch;
        hit = true;
      }
      if (hit) l.injected++;
    }
    if (latency > 0) await sleep(latency);
    return { error, watch };
  };

  const controller: FaultController = {
    set(spec) {
      install(normalize(spec));
    },
    add(rule) {
      live.push(toLive(validateRule(rule), live.length));
    },
    clear() {
      live = [];
    },
    get() {
      return {
        seed,
        down,
        rules: live.map((l) => {
          const { route, ...rest } = l.rule;
          const r: any = { ...rest, matched: l.matched, injected: l.injected };
          if (route) r.route = { ...route, ...(route.pathRegex !== undefined ? { pathRegex: String(route.pathRegex instanceof RegExp ? route.pathRegex.source : route.pathRegex) } : {}) };
          return r;
        }),
      };
    },
    async down(o = {}) {
      if (!hooks) throw new Error('kube-sim faults: no server bound');
      if (recoverTimer) clearTimeout(recoverTimer);
      recoverTimer = undefined;
      if (!down) {
        down = true;
        const stopped = hooks.stopListening();
        hooks.destroySockets();
        await stopped;
      }
      if (o.forMs !== undefined) {
        recoverTimer = setTimeout(() => void controller.recover().catch((e) => console.error('kube-sim faults: recover failed', e)), o.forMs);
        recoverTimer.unref?.();
      }
    },
    async recover() {
      if (recoverTimer) clearTimeout(recoverTimer);
      recoverTimer = undefined;
      if (!down || !hooks) return;
      await hooks.startListening();
      down = false;
    },
    get isDown() {
      return down;
    },
  };

  const readJson = async (req: IncomingMessage): Promise<any> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8').trim();
    if (!text) return {};
    try {
      return JSON.parse(text);
    } catch (e: any) {
      throw new StatusError(400, 'BadRequest', `invalid JSON body: ${e.message}`);
    }
  };

  return {
    controller,
    bindServer(h) {
      hooks = h;
    },
    async before(req, res) {
      if ((req.url ?? '/').startsWith('/_sim/')) return;
      if (live.length) {
        const { error, watch } = await evaluate(req, new URL(req.url ?? '/', 'http://kube-sim'));
        if (error) return writeStatus(res, error);
        if (watch) wrapWatch(res, watch);
      }
      await opts.before?.(req, res);
    },
    async beforeUpgrade(req, socket) {
      if (!live.length) return false;
      const url = new URL(req.url ?? '/', 'http://kube-sim');
      const { error } = await evaluate(req, url);
      if (!error) return false;
      upgradeStatus(socket, error);
      return true;
    },
    async admin(req, res, user) {
      const url = new URL(req.url ?? '/', 'http://kube-sim');
      const path = url.pathname.replace(/\/$/, '');
      const method = (req.method ?? 'GET').toUpperCase();
      if (!user.groups.includes('system:masters'))
        throw new StatusError(403, 'Forbidden', `forbidden: User "${user.name}" cannot ${method.toLowerCase()} path "${url.pathname}"`, {});
      const send = (code: number, body: unknown) => {
        const data = JSON.stringify(body);
        res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
        res.end(data);
      };
      if (path === '/_sim/faults') {
        if (method === 'GET') return send(200, controller.get());
        if (method === 'DELETE') {
          controller.clear();
          return send(200, controller.get());
        }
        if (method === 'POST' || method === 'PUT') {
          const body = await readJson(req);
          const append = url.searchParams.get('append');
          if (append === '1' || append === 'true') for (const r of normalize(body).rules ?? []) controller.add(r);
          else controller.set(body);
          return send(200, controller.get());
        }
        throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      }
      if (path === '/_sim/faults/down' && method === 'POST') {
        const body = await readJson(req);
        const forMs = Number(body.forMs ?? url.searchParams.get('forMs') ?? 1000);
        // answer first: the connection carrying this request is destroyed with the others
        send(202, { down: true, forMs });
        setTimeout(() => void controller.down({ forMs }).catch(() => {}), 10);
        return;
      }
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
    },
  };
}
