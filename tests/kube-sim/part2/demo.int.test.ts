import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { startKubeSim } from '../index';
import { populateDemo, DEMO_NAMESPACES } from '../demo';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as any).port;
      s.close(() => resolve(port));
    });
  });

let child: ChildProcess | undefined;
let dir: string | undefined;
afterAll(async () => {
  if (child && child.exitCode === null && child.pid) {
    const exited = new Promise((r) => child!.once('exit', r));
    process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('kube-sim --demo', () => {
  it('populateDemo creates the demo objects once (idempotent)', async () => {
    const sim = await startKubeSim({ tls: false, nodes: 3, controllers: ['garbage-collector', 'namespace'] });
    try {
      const n = populateDemo(sim.store);
      expect(n).toBeGreaterThan(20);
      expect(populateDemo(sim.store)).toBe(0);
      for (const ns of DEMO_NAMESPACES) expect(sim.store.get('', 'namespaces', '', ns)).toBeTruthy();
      expect(sim.store.list('apps', 'statefulsets', 'shop').map((o) => o.metadata.name)).toEqual(['postgres']);
      expect(sim.store.list('batch', 'jobs', 'payments').map((o) => o.metadata.name)).toEqual(['ledger-migrate']);
      expect(sim.store.list('', 'nodes').length).toBe(3);
      expect(Buffer.from(sim.store.get('', 'secrets', 'shop', 'postgres-credentials').data.POSTGRES_PASSWORD, 'base64').toString()).toBe('demo-password');
    } finally {
      await sim.stop();
    }
  });

  it('the CLI with --demo writes a kubeconfig and serves the demo cluster', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kube-sim-demo-'));
    const out = join(dir, 'kubeconfig');
    const port = await freePort();
    child = spawn('npx', ['tsx', 'tests/kube-sim/cli.ts', '--demo', '--port', String(port), '--kubeconfig-out', out], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const deadline = Date.now() + 60_000;
    while (!(existsSync(out) && output.includes('listening on'))) {
      if (child.exitCode !== null) throw new Error(`kube-sim cli exited: ${output}`);
      if (Date.now() > deadline) throw new Error(`kube-sim cli did not start: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(output).toContain('kube-sim demo:');
    const kc = new k8s.KubeConfig();
    kc.loadFromString(readFileSync(out, 'utf8'));
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const deps = await apps.listNamespacedDeployment({ namespace: 'shop' });
    expect(deps.items.map((d) => d.metadata?.name).sort()).toEqual(['cart', 'catalog', 'storefront']);
    expect(deps.items.find((d) => d.metadata?.name === 'storefront')?.spec?.replicas).toBe(3);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    expect((await core.listNode()).items.length).toBe(3);
    expect((await core.listNamespace()).items.map((n) => n.metadata?.name)).toEqual(expect.arrayContaining(['shop', 'payments', 'monitoring']));
    expect((await apps.listNamespacedStatefulSet({ namespace: 'shop' })).items.map((s) => s.metadata?.name)).toEqual(['postgres']);
    expect((await kc.makeApiClient(k8s.BatchV1Api).listNamespacedJob({ namespace: 'payments' })).items.map((j) => j.metadata?.name)).toEqual(['ledger-migrate']);
  });
});
