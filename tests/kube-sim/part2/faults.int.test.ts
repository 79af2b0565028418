import https from 'node:https';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { startKubeSim, type KubeSim } from '../index';

let sim: KubeSim;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;

beforeAll(async () => {
  sim = await startKubeSim({ controllers: ['garbage-collector', 'namespace'] });
  kc = new k8s.KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  core = kc.makeApiClient(k8s.CoreV1Api);
});

afterEach(async () => {
  sim.faults.clear();
  await sim.faults.recover();
});

afterAll(async () => {
  await sim?.stop();
});

async function failure(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}

function request(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = https.request(sim.url + path, { method, ca: sim.caPem, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Watches configmaps in `ns` through client-node; resolves with the events seen and how the watch ended. */
function watchConfigMaps(ns: string, resourceVersion: string): { events: string[]; done: Promise<any> } {
  const events: string[] = [];
  const done = new Promise<any>((resolve) => {
    void new k8s.Watch(kc).watch(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion }, (type, obj) => events.push(`${type} ${obj.metadata.name}`), (err) => resolve(err ?? 'closed'));
  });
  return { events, done };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('faults', () => {
  it('adds latency per route (method + path prefix) and recovers on clear', async () => {
    sim.faults.set({ route: { method: 'GET', path: '/api/v1/namespaces' }, latencyMs: 700 });
    let t = Date.now();
    await core.listNamespace();
    expect(Date.now() - t).toBeGreaterThanOrEqual(690);
    t = Date.now();
    await core.listNode(); // other route: not delayed
    expect(Date.now() - t).toBeLessThan(500);
    sim.faults.clear();
    t = Date.now();
    await core.listNamespace();
    expect(Date.now() - t).toBeLessThan(500);
  });

  it('answers 500 / 503 / 429 (Retry-After) Status errors like kube-apiserver', async () => {
    sim.faults.set([
      { route: { path: '/api/v1/namespaces/default/configmaps' }, error: { code: 503 } },
      { route: { path: '/api/v1/namespaces/default/secrets' }, error: { code: 429, retryAfterSeconds: 2 } },
      { route: { pathRegex: '^/api/v1/nodes' }, error: { code: 500 } },
    ]);
    let e = await failure(core.listNamespacedConfigMap({ namespace: 'default' }));
    expect(e.code).toBe(503);
    expect(JSON.parse(e.body)).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server is currently unable to handle the request', reason: 'ServiceUnavailable', code: 503 });
    e = await failure(core.listNamespacedSecret({ namespace: 'default' }));
    expect(e.code).toBe(429);
    expect(e.headers['retry-after']).toBe('2');
    expect(JSON.parse(e.body)).toMatchObject({ reason: 'TooManyRequests', message: 'Too many requests, please try again later.', details: { retryAfterSeconds: 2 } });
    e = await failure(core.listNode());
    expect(e.code).toBe(500);
    expect(JSON.parse(e.body)).toMatchObject({ reason: 'InternalError', message: 'Internal error occurred: kube-sim injected fault' });
    // unmatched routes are served
    expect((await core.listNamespace()).items.length).toBeGreaterThan(0);
    sim.faults.clear();
    expect((await core.listNamespacedConfigMap({ namespace: 'default' })).kind).toBe('ConfigMapList');
    expect((await core.listNode()).items.length).toBe(1);
  });

  it('error rates are deterministic per seed', async () => {
    const pattern = async () => {
      sim.faults.set({ seed: 42, rules: [{ route: { path: '/api/v1/namespaces/kube-public' }, error: { code: 503, rate: 0.5 } }] });
      const out: string[] = [];
      for (let i = 0; i < 24; i++) out.push(await core.readNamespace({ name: 'kube-public' }).then(() => 'ok', (e) => String(e.code)));
      return out.join(',');
    };
    const a = await pattern();
    const b = await pattern();
    expect(a).toBe(b);
    const errors = a.split(',').filter((x) => x === '503').length;
    expect(errors).toBeGreaterThan(3);
    expect(errors).toBeLessThan(21);
    expect(sim.faults.get().rules[0]).toMatchObject({ matched: 24, injected: errors });
  });

  it('drops a watch after N events; a new watch from the last resourceVersion recovers', async () => {
    await core.createNamespace({ body: { metadata: { name: 'fault-watch' } } });
    const rv = (await core.listNamespacedConfigMap({ namespace: 'fault-watch' })).metadata!.resourceVersion!;
    sim.faults.set({ route: { path: '/api/v1/namespaces/fault-watch/configmaps', watch: true }, watch: { closeAfterEvents: 2 } });
    const w = watchConfigMaps('fault-watch', rv);
    await sleep(100);
    for (let i = 1; i <= 4; i++) await core.createNamespacedConfigMap({ namespace: 'fault-watch', body: { metadata: { name: `cm-${i}` } } });
    expect(await w.done).toBe('closed');
    expect(w.events).toEqual(['ADDED cm-1', 'ADDED cm-2']);
    // plain requests on that path are not affected by a watch fault
    expect((await core.listNamespacedConfigMap({ namespace: 'fault-watch' })).items.length).toBeGreaterThanOrEqual(4);
    sim.faults.clear();
    const cm2 = await core.readNamespacedConfigMap({ namespace: 'fault-watch', name: 'cm-2' });
    const again = watchConfigMaps('fault-watch', cm2.metadata!.resourceVersion!);
    await sleep(300);
    expect(again.events.filter((e) => e.startsWith('ADDED cm-'))).toEqual(['ADDED cm-3', 'ADDED cm-4']);
  });

  it('an informer rides out dropped watches (reconnects from its resourceVersion) and a failed list', async () => {
    await core.createNamespace({ body: { metadata: { name: 'fault-informer' } } });
    const path = '/api/v1/namespaces/fault-informer/configmaps';
    sim.faults.set([
      { route: { path, watch: true }, watch: { closeAfterEvents: 1 }, times: 2 },
      { route: { path, watch: false, method: 'GET' }, error: { code: 503 }, times: 1 },
    ]);
    const informer = k8s.makeInformer(kc, path, () => core.listNamespacedConfigMap({ namespace: 'fault-informer' }));
    const errors: any[] = [];
    informer.on('error', (e: any) => {
      errors.push(e);
      setTimeout(() => void informer.start(), 100); // client-node's documented restart pattern
    });
    await informer.start().catch(() => {});
    for (let i = 1; i <= 4; i++) {
      await core.createNamespacedConfigMap({ namespace: 'fault-informer', body: { metadata: { name: `inf-${i}` } } });
      await sleep(50);
    }
    const deadline = Date.now() + 20_000;
    const names = () => informer.list('fault-informer').map((o) => o.metadata!.name).filter((n) => n!.startsWith('inf-')).sort();
    while (names().length < 4 && Date.now() < deadline) await sleep(100);
    expect(names()).toEqual(['inf-1', 'inf-2', 'inf-3', 'inf-4']);
    expect(errors.length).toBe(1);
    expect(sim.faults.get().rules.map((r) => r.injected)).toEqual([2, 1]);
    await informer.stop();
  });

  it('cuts a watch mid-JSON line (truncated) and after a time (reset)', async () => {
    const rv = (await core.listNamespacedConfigMap({ namespace: 'fault-watch' })).metadata!.resourceVersion!;
    sim.faults.set({ route: { path: '/api/v1/namespaces/fault-watch/configmaps' }, watch: { truncateAfterEvents: 1 } });
    const w = watchConfigMaps('fault-watch', rv);
    await sleep(100);
    await core.createNamespacedConfigMap({ namespace: 'fault-watch', body: { metadata: { name: 'trunc-1' } } });
    await core.createNamespacedConfigMap({ namespace: 'fault-watch', body: { metadata: { name: 'trunc-2' } } });
    await w.done;
    expect(w.events).toEqual(['ADDED trunc-1']); // the half line is not an event

    sim.faults.set({ route: { path: '/api/v1/namespaces/fault-watch/configmaps' }, watch: { closeAfterMs: 300, mode: 'reset' } });
    const t = Date.now();
    const r = watchConfigMaps('fault-watch', rv);
    const end = await r.done;
    expect(Date.now() - t).toBeGreaterThanOrEqual(250);
    expect(end).not.toBe(undefined);
  });

  it('cluster down refuses connections and drops open watches; recover() serves again on the same port', async () => {
    const rv = (await core.listNamespacedConfigMap({ namespace: 'default' })).metadata!.resourceVersion!;
    const w = watchConfigMaps('default', rv);
    await sleep(100);
    await sim.faults.down();
    expect(sim.faults.isDown).toBe(true);
    expect(await w.done).toBeTruthy();
    const e = await failure(core.listNamespace());
    expect(String(e?.cause?.code ?? e?.code ?? e)).toMatch(/ECONNREFUSED|ECONNRESET/);
    await sim.faults.recover();
    expect((await core.listNamespace()).items.length).toBeGreaterThan(0);
  });

  it('is switchable over HTTP by admins only', async () => {
    const denied = await request('POST', '/_sim/faults', 'alice-token', { route: { path: '/version' }, error: { code: 503 } });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ kind: 'Status', reason: 'Forbidden', message: 'forbidden: User "alice" cannot post path "/_sim/faults"' });
    const set = await request('POST', '/_sim/faults', 'admin-token', { seed: 3, rules: [{ route: { method: 'GET', pathRegex: '^/api/v1/namespaces$' }, error: { code: 503 } }] });
    expect(set.status).toBe(200);
    expect(set.body.rules).toHaveLength(1);
    expect((await failure(core.listNamespace())).code).toBe(503);
    const state = await request('GET', '/_sim/faults', 'admin-token');
    expect(state.body).toMatchObject({ seed: 3, down: false, rules: [{ matched: 1, injected: 1, route: { pathRegex: '^/api/v1/namespaces$' } }] });
    expect((await request('DELETE', '/_sim/faults', 'admin-token')).body.rules).toEqual([]);
    expect((await core.listNamespace()).items.length).toBeGreaterThan(0);
    // down for a while, back by itself
    expect((await request('POST', '/_sim/faults/down', 'admin-token', { forMs: 500 })).status).toBe(202);
    await sleep(150);
    await failure(core.listNamespace());
    await sleep(700);
    expect((await core.listNamespace()).items.length).toBeGreaterThan(0);
  });

  it('applies to exec upgrades too', async () => {
    sim.faults.set({ route: { path: '/api/v1/namespaces/default/pods' }, error: { code: 503 } });
    const e = await failure(new k8s.Exec(kc).exec('default', 'nope', 'c', ['ls'], null, null, null, false));
    expect(String(e?.message ?? e)).toContain('503');
  });
});
