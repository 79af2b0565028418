/**
 * Fidelity-suite support: the same tests run against kube-sim (default) or a real cluster
 * (TEST_KUBECONFIG=path). Each test file gets its own namespace, deleted afterwards.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import * as k8s from '@kubernetes/client-node';
import { startKubeSim, type KubeSim } from '../index';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  body: any;
}

export interface RawRequest {
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  /** no Authorization header */
  anonymous?: boolean;
  token?: string;
}

export interface TestCluster {
  isSim: boolean;
  sim?: KubeSim;
  kc: k8s.KubeConfig;
  server: string;
  /** unique namespace for this test file (created) */
  namespace: string;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  rbac: k8s.RbacAuthorizationV1Api;
  objects: k8s.KubernetesObjectApi;
  /** Raw HTTP with the kubeconfig's credentials and CA: exact status codes and bodies. */
  raw(method: string, path: string, req?: RawRequest): Promise<RawResponse>;
  /** Raw watch: collects JSON lines until the server ends the stream or `until` is satisfied. */
  watchRaw(path: string, opts?: { until?: (events: any[]) => boolean; timeoutMs?: number }): Promise<{ events: any[]; ended: boolean }>;
  /** A fresh name with the test prefix. */
  name(prefix: string): string;
  /** Create another namespace owned by this test run (deleted at teardown). */
  extraNamespace(prefix: string): Promise<string>;
  stop(): Promise<void>;
}

let announced = false;
let counter = 0;

const rand = () => Math.random().toString(36).slice(2, 7);

export async function setupCluster(prefix: string): Promise<TestCluster> {
  const kc = new k8s.KubeConfig();
  let sim: KubeSim | undefined;
  const external = process.env.TEST_KUBECONFIG;
  if (external) kc.loadFromString(readFileSync(external, 'utf8'));
  else {
    sim = await startKubeSim();
    kc.loadFromString(sim.kubeconfig);
  }
  if (!announced) {
    announced = true;
    console.log(external ? `fidelity suite: real cluster from TEST_KUBECONFIG (${kc.getCurrentCluster()?.server})` : `fidelity suite: kube-sim at ${sim!.url}`);
  }
  const server = kc.getCurrentCluster()!.server.replace(/\/$/, '');
  const httpsOpts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(httpsOpts);
  const baseHeaders = { ...((httpsOpts.headers as Record<string, string>) ?? {}) };

  const raw = (method: string, path: string, req: RawRequest = {}): Promise<RawResponse> =>
    new Promise((resolve, reject) => {
      const u = new URL(server + path);
      const headers: Record<string, string> = { Accept: 'application/json', ...baseHeaders, ...(req.headers ?? {}) };
      if (req.anonymous) delete headers.Authorization, delete headers.authorization;
      if (req.token) headers.Authorization = `Bearer ${req.token}`;
      let payload: string | undefined;
      if (req.body !== undefined) {
        payload = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
        headers['Content-Type'] = req.contentType ?? 'application/json';
        headers['Content-Length'] = String(Buffer.byteLength(payload));
      }
      const lib = u.protocol === 'https:' ? https : http;
      const { agent: _a, headers: _h, ...tls } = httpsOpts as any;
      const r = lib.request(u, { method, headers, ...(u.protocol === 'https:' ? tls : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: any = undefined;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
        });
      });
      r.on('error', reject);
      if (payload !== undefined) r.write(payload);
      r.end();
    });

  const watchRaw = (path: string, opts: { until?: (events: any[]) => boolean; timeoutMs?: number } = {}) =>
    new Promise<{ events: any[]; ended: boolean }>((resolve, reject) => {
      const u = new URL(server + path);
      const lib = u.protocol === 'https:' ? https : http;
      const { agent: _a, headers: _h, ...tls } = httpsOpts as any;
      const events: any[] = [];
      let buf = '';
      let done = false;
      const finish = (ended: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        r.destroy();
        resolve({ events, ended });
      };
      const timer = setTimeout(() => finish(false), opts.timeoutMs ?? 10_000);
      const r = lib.request(u, { method: 'GET', headers: { Accept: 'application/json', ...baseHeaders }, ...(u.protocol === 'https:' ? tls : {}) }, (res) => {
        if ((res.statusCode ?? 0) !== 200) {
          let t = '';
          res.on('data', (c) => (t += c));
          res.on('end', () => {
            done = true;
            clearTimeout(timer);
            reject(Object.assign(new Error(`watch ${path}: HTTP ${res.statusCode}: ${t}`), { status: res.statusCode, body: t }));
          });
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          buf += c;
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i).trim();
            buf = buf.slice(i + 1);
            if (line) events.push(JSON.parse(line));
          }
          if (opts.until?.(events)) finish(false);
        });
        res.on('end', () => finish(true));
        res.on('error', () => finish(true));
      });
      r.on('error', (e) => {
        if (!done) {
          done = true;
          clearTimeout(timer);
          reject(e);
        }
      });
      r.end();
    });

  const core = kc.makeApiClient(k8s.CoreV1Api);
  const namespaces: string[] = [];
  const mkNamespace = async (p: string) => {
    const ns = `${p}-${rand()}-${++counter}`;
    await core.createNamespace({ body: { metadata: { name: ns, labels: { 'bosun.test/fidelity': 'true' } } } });
    namespaces.push(ns);
    return ns;
  };
  const namespace = await mkNamespace(`fid-${prefix}`);

  return {
    isSim: !!sim,
    sim,
    kc,
    server,
    namespace,
    core,
    apps: kc.makeApiClient(k8s.AppsV1Api),
    rbac: kc.makeApiClient(k8s.RbacAuthorizationV1Api),
    objects: k8s.KubernetesObjectApi.makeApiClient(kc),
    raw,
    watchRaw,
    name: (p: string) => `${p}-${rand()}`,
    extraNamespace: mkNamespace,
    async stop() {
      for (const ns of namespaces) await core.deleteNamespace({ name: ns }).catch(() => undefined);
      await sim?.stop();
    },
  };
}

/** Polls `fn` until it returns a truthy value (or throws after timeoutMs). */
export async function eventually<T>(fn: () => Promise<T> | T, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`eventually: timed out${last ? `: ${String((last as any)?.message ?? last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Resolves to the ApiException thrown by `p` (fails if it does not throw). */
export async function apiError(p: Promise<unknown>): Promise<{ code: number; body: any }> {
  try {
    await p;
  } catch (e: any) {
    let body = e.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        // keep text
      }
    }
    return { code: e.code, body };
  }
  throw new Error('expected the call to fail');
}

/** A pod spec that a real cluster never schedules (so phase/nodeName stay put when TEST_KUBECONFIG is used). */
export const podSpec = (image = 'nginx:1.27') => ({ containers: [{ name: 'app', image }], nodeSelector: { 'bosun.test/never-schedule': 'true' } });
