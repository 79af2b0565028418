import { PassThrough } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance, pod, sleep, startNodeEnv, waitFor, type NodeEnv } from './nodes-support';

let env: NodeEnv;
let log: k8s.Log;
beforeAll(async () => {
  env = await startNodeEnv({ seed: 7 });
  log = new k8s.Log(env.kc);
});
afterAll(async () => {
  await env?.stop();
});

const running = (name: string, c = 0) => waitFor(`${name} running`, async () => (await env.core.readNamespacedPod({ namespace: env.ns, name })).status?.containerStatuses?.[c]?.state?.running);

/** Log.log into a string; resolves when the server ends the stream (or after `ms` when following). */
async function readLog(name: string, container: string, opts: k8s.LogOptions, untilMs = 0): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += d.toString()));
  const ended = new Promise<void>((r) => out.on('end', () => r()));
  const ctl = await log.log(env.ns, name, container, out, opts);
  if (untilMs) {
    await sleep(untilMs);
    ctl.abort();
  } else await ended;
  return text;
}


describe('pods/log', () => {
  it('generated lines over sim time, tailLines, timestamps, sinceSeconds, limitBytes, appended lines', async () => {
    // a container that stops after 10 s: its log no longer grows, so reads compare exactly
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('chatty', { image: 'bosun/shop-api:2.1', restartPolicy: 'Never' }, { 'kube-sim.bosun.io/run-seconds': '10' }) });
    await running('chatty');
    await advance(env.sim, 11_000);
    await waitFor('Succeeded', async () => (await env.core.readNamespacedPod({ namespace: env.ns, name: 'chatty' })).status?.phase === 'Succeeded');
    const all = await readLog('chatty', 'app', {});
    const lines = all.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(lines[0]).toMatch(/ info shop-api: starting \(pid \d+\)$/);
    for (const l of lines) expect(l).not.toMatch(/undefined|=-\d/);
    const tail = await readLog('chatty', 'app', { tailLines: 3, timestamps: true });
    const tl = tail.trimEnd().split('\n');
    expect(tl).toHaveLength(3);
    for (const l of tl) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z /);
    expect(tl.map((l) => l.replace(/^\S+ /, ''))).toEqual(lines.slice(-3));
    expect(await readLog('chatty', 'app', { sinceSeconds: 3600 })).toBe(all);
    const recent = (await readLog('chatty', 'app', { sinceSeconds: 4 })).trimEnd().split('\n').filter(Boolean);
    expect(recent.length).toBeLessThan(lines.length);
    expect(lines.slice(lines.length - recent.length)).toEqual(recent);
    expect(await readLog('chatty', 'app', { limitBytes: 20 })).toBe(all.slice(0, 20));
    // appended lines land in the running instance, stamped with the sim clock
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('quiet', { image: 'busybox' }, { 'kube-sim.bosun.io/log-lines-per-second': '0' }) });
    await running('quiet');
    env.sim.logs.append(env.ns, 'quiet', 'app', 'hello from the test');
    env.sim.logs.append(env.ns, 'quiet', 'app', 'and again');
    expect(await readLog('quiet', 'app', {})).toBe('hello from the test\nand again\n');
    expect(await readLog('quiet', 'app', { tailLines: 1 })).toBe('and again\n');
  });

  it('is deterministic per seed', async () => {
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('steady', { image: 'bosun/shop-api:2.1' }) });
    await running('steady');
    await advance(env.sim, 5000);
    const other = await startNodeEnv({ seed: 7 });
    try {
      await other.core.createNamespacedPod({ namespace: other.ns, body: pod('steady', { image: 'bosun/shop-api:2.1' }) });
      await waitFor('running', async () => (await other.core.readNamespacedPod({ namespace: other.ns, name: 'steady' })).status?.containerStatuses?.[0]?.state?.running);
      await advance(other.sim, 5000);
      const text = (await other.core.readNamespacedPodLog({ namespace: other.ns, name: 'steady' })) as string;
      const ours = await readLog('steady', 'app', {});
      // same seed, same pod: the same lines (timestamps differ with start time)
      const strip = (s: string) => s.split('\n').slice(2, 5).map((l) => l.replace(/^\S+ (info|warn|debug|error) /, '$1 ').replace(/\[[^\]]+\]/, '[]'));
      expect(strip(text)).toEqual(strip(ours));
    } finally {
      await other.stop();
    }
  });

  it('follow streams new lines as the clock moves and ends when the container stops', async () => {
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('follow-me', { image: 'busybox', restartPolicy: 'Never' }, { 'kube-sim.bosun.io/run-seconds': '30', 'kube-sim.bosun.io/log-lines-per-second': '0' }) });
    await running('follow-me');
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => (text += d.toString()));
    const ended = new Promise<void>((r) => out.on('end', () => r()));
    await log.log(env.ns, 'follow-me', 'app', out, { follow: true });
    await sleep(100);
    env.sim.logs.append(env.ns, 'follow-me', 'app', 'line one');
    await waitFor('first line', () => text.includes('line one\n'));
    env.sim.logs.append(env.ns, 'follow-me', 'app', 'line two');
    await waitFor('second line', () => text.includes('line two\n'));
    await advance(env.sim, 31_000);
    await ended;
    expect(text).toBe('line one\nline two\n');
  });

  it('follow with timestamps streams generated lines as the sim clock advances, until the pod goes', async () => {
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('ticker', { image: 'bosun/worker' }) });
    await running('ticker');
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => (text += d.toString()));
    const ended = new Promise<void>((r) => out.on('end', () => r()));
    await log.log(env.ns, 'ticker', 'app', out, { follow: true, timestamps: true, tailLines: 1 });
    await waitFor('tail line', () => text.split('\n').length >= 2);
    const before = text.split('\n').length;
    await advance(env.sim, 5000, 500);
    await waitFor('5 more lines', () => text.split('\n').length >= before + 4);
    for (const l of text.trimEnd().split('\n')) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z \S/);
    // (aborting client-node's Log leaves an unhandled AbortError in its pipe, so end it from the server side)
    await env.core.deleteNamespacedPod({ namespace: env.ns, name: 'ticker' });
    await ended;
  });

  it('a following client that disconnects is forgotten; Content-Type text/plain', async () => {
    await env.core.createNamespacedPod({ namespace: env.ns, body: pod('quitter', { image: 'bosun/worker' }) });
    await running('quitter');
    const containerID = (await env.core.readNamespacedPod({ namespace: env.ns, name: 'quitter' })).status!.containerStatuses![0].containerID!;
    const https = await import('node:https');
    const opts: any = {};
    await env.kc.applyToHTTPSOptions(opts);
    const url = new URL(`${env.kc.getCurrentCluster()!.server}/api/v1/namespaces/${env.ns}/pods/quitter/log?follow=true`);
    const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => https.get(url, opts, resolve).on('error', reject));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain');
    const inst = env.sim.logs.instance(containerID)!;
    await waitFor('follower registered', () => inst.followers.size === 1);
    res.destroy();
    await waitFor('follower gone', () => inst.followers.size === 0);
  });

  it('container is required with several containers; previous logs of a restarted container; 400 without one', async () => {
    await env.core.createNamespacedPod({
      namespace: env.ns,
      body: { metadata: { name: 'duo' }, spec: { containers: [{ name: 'web', image: 'nginx' }, { name: 'crashy', image: 'crash' }] } },
    });
    await running('duo');
    const err = await env.core.readNamespacedPodLog({ namespace: env.ns, name: 'duo' }).catch((e) => e);
    expect(err.code).toBe(400);
    expect(String(err.body)).toContain('a container name must be specified for pod duo, choose one of: [web crashy]');
    const noPrev = await env.core.readNamespacedPodLog({ namespace: env.ns, name: 'duo', container: 'web', previous: true }).catch((e) => e);
    expect(noPrev.code).toBe(400);
    expect(String(noPrev.body)).toContain('previous terminated container \\"web\\" in pod \\"duo\\" not found');
    await advance(env.sim, 1000, 250);
    await waitFor('restarted', async () => (await env.core.readNamespacedPod({ namespace: env.ns, name: 'duo' })).status!.containerStatuses![1].restartCount === 1);
    const prev = await readLog('duo', 'crashy', { previous: true });
    expect(prev.trimEnd().split('\n').pop()).toMatch(/error crashy: fatal error, exiting with status 1$/);
    const cur = await readLog('duo', 'crashy', {});
    expect(cur).not.toContain('fatal error');
  });
});
