import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance, pod, startNodeEnv, waitFor, type NodeEnv } from './nodes-support';

let env: NodeEnv;
let metrics: k8s.Metrics;
beforeAll(async () => {
  env = await startNodeEnv({ nodePools: [{ name: 'm', count: 2 }] });
  metrics = new k8s.Metrics(env.kc);
});
afterAll(async () => {
  await env?.stop();
});

const cpuCores = (q: string) => (q.endsWith('n') ? Number(q.slice(0, -1)) / 1e9 : q.endsWith('m') ? Number(q.slice(0, -1)) / 1e3 : Number(q));
const memBytes = (q: string) => (q.endsWith('Ki') ? Number(q.slice(0, -2)) * 1024 : Number(q));

describe('metrics.k8s.io', () => {
  it('is discovered', async () => {
    const apis = await env.kc.makeApiClient(k8s.ApisApi).getAPIVersions();
    expect(apis.groups.map((g) => g.name)).toContain('metrics.k8s.io');
    const res = await fetchJson(env, '/apis/metrics.k8s.io/v1beta1');
    expect(res.resources.map((r: any) => `${r.name}:${r.kind}:${r.verbs.join(',')}`)).toEqual(['nodes:NodeMetrics:get,list', 'pods:PodMetrics:get,list']);
  });

  it('PodMetrics and NodeMetrics through client-node Metrics: within requests, moving with the clock, settable', async () => {
    await env.core.createNamespacedPod({
      namespace: env.ns,
      body: pod('busy', { containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } } }] }, undefined, { app: 'busy' }),
    });
    const pm = await waitFor('pod metrics', async () => (await metrics.getPodMetrics(env.ns)).items.find((m) => m.metadata.name === 'busy'));
    expect(pm.containers).toHaveLength(1);
    const u0 = pm.containers[0].usage;
    expect(u0.cpu).toMatch(/^\d+n$/);
    expect(u0.memory).toMatch(/^\d+Ki$/);
    expect(cpuCores(u0.cpu)).toBeGreaterThan(0);
    expect(cpuCores(u0.cpu)).toBeLessThanOrEqual(0.5);
    expect(memBytes(u0.memory)).toBeLessThanOrEqual(512 * 1024 * 1024);
    await advance(env.sim, 60_000, 5000);
    const pm2 = await waitFor('moved', async () => {
      const m = (await metrics.getPodMetrics(env.ns)).items.find((m) => m.metadata.name === 'busy');
      return m && m.containers[0].usage.cpu !== u0.cpu ? m : undefined;
    });
    expect(cpuCores(pm2.containers[0].usage.cpu)).toBeLessThanOrEqual(0.5);

    env.sim.metrics.setPodUsage(env.ns, 'busy', 'app', { cpu: '750m', memory: '300Mi' });
    const pinned = await waitFor('pinned', async () => {
      const m = (await metrics.getPodMetrics(env.ns)).items.find((m) => m.metadata.name === 'busy');
      return m?.containers[0].usage.cpu === '750000000n' ? m : undefined;
    });
    expect(pinned.containers[0].usage.memory).toBe(`${300 * 1024}Ki`);

    const nodes = await metrics.getNodeMetrics();
    expect(nodes.items.map((n) => n.metadata.name)).toEqual(['m-1', 'm-2']);
    const p = await env.core.readNamespacedPod({ namespace: env.ns, name: 'busy' });
    const nm = nodes.items.find((n) => n.metadata.name === p.spec!.nodeName)!;
    expect(cpuCores(nm.usage.cpu)).toBeGreaterThan(0.75);

    // cluster-wide list, get, label selector
    expect((await metrics.getPodMetrics()).items.some((m) => m.metadata.name === 'busy' && m.metadata.namespace === env.ns)).toBe(true);
    const one = await fetchJson(env, `/apis/metrics.k8s.io/v1beta1/namespaces/${env.ns}/pods/busy`);
    expect(one).toMatchObject({ kind: 'PodMetrics', apiVersion: 'metrics.k8s.io/v1beta1', metadata: { name: 'busy' } });
    const sel = await fetchJson(env, `/apis/metrics.k8s.io/v1beta1/namespaces/${env.ns}/pods?labelSelector=app%3Dother`);
    expect(sel.items).toEqual([]);
    const node = await fetchJson(env, '/apis/metrics.k8s.io/v1beta1/nodes/m-1');
    expect(node.kind).toBe('NodeMetrics');
    const write = await fetchJson(env, `/apis/metrics.k8s.io/v1beta1/namespaces/${env.ns}/pods`, { metadata: { name: 'fake' }, containers: [] });
    expect(write).toMatchObject({ kind: 'Status', code: 405, reason: 'MethodNotAllowed' });
  });

  it('is authorized by RBAC (group metrics.k8s.io)', async () => {
    const alice = new k8s.KubeConfig();
    alice.loadFromString(env.sim.kubeconfigFor('alice'));
    const err = await new k8s.Metrics(alice).getPodMetrics(env.ns).catch((e) => e);
    expect(err.code).toBe(403);
  });
});

async function fetchJson(env: NodeEnv, path: string, post?: unknown): Promise<any> {
  const https = await import('node:https');
  const opts: any = {};
  await env.kc.applyToHTTPSOptions(opts);
  const url = new URL(env.kc.getCurrentCluster()!.server + path);
  return new Promise((resolve, reject) => {
    const req = https.request(url, { ...opts, method: post ? 'POST' : 'GET', headers: { ...opts.headers, 'Content-Type': 'application/json' } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(JSON.parse(body)));
    });
    req.on('error', reject);
    req.end(post ? JSON.stringify(post) : undefined);
  });
}
