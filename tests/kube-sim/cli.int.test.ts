import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as any).port;
      s.close(() => resolve(port));
    });
  });

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const ch of children) {
    if (ch.exitCode === null && ch.pid) {
      // npx → tsx → node: signal the whole process group
      const exited = new Promise((r) => ch.once('exit', r));
      process.kill(-ch.pid, 'SIGTERM');
      await exited;
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function startCli(extra: string[]): Promise<{ kubeconfig: string; output: () => string }> {
  const dir = mkdtempSync(join(tmpdir(), 'kube-sim-cli-'));
  dirs.push(dir);
  const out = join(dir, 'kubeconfig');
  const port = await freePort();
  const child = spawn('npx', ['tsx', 'tests/kube-sim/cli.ts', '--port', String(port), '--kubeconfig-out', out, ...extra], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 60_000;
  while (!(existsSync(out) && output.includes('listening on'))) {
    if (child.exitCode !== null) throw new Error(`kube-sim cli exited: ${output}`);
    if (Date.now() > deadline) throw new Error(`kube-sim cli did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(output).toContain(`:${port}`);
  return { kubeconfig: readFileSync(out, 'utf8'), output: () => output };
}

describe('kube-sim cli', () => {
  it('serves HTTPS and writes a kubeconfig usable by client-node', async () => {
    const { kubeconfig, output } = await startCli([]);
    expect(output()).toMatch(/kube-sim listening on https:\/\/127\.0\.0\.1:\d+/);
    const kc = new k8s.KubeConfig();
    kc.loadFromString(kubeconfig);
    expect(kc.getCurrentCluster()?.caData).toBeTruthy();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const nss = await core.listNamespace();
    expect(nss.items.map((n) => n.metadata?.name)).toContain('kube-system');
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'from-cli' } } });
    expect((await core.readNamespacedConfigMap({ namespace: 'default', name: 'from-cli' })).metadata?.name).toBe('from-cli');
  });

  it('serves plain HTTP with --http', async () => {
    const { kubeconfig } = await startCli(['--http']);
    const kc = new k8s.KubeConfig();
    kc.loadFromString(kubeconfig);
    expect(kc.getCurrentCluster()?.server).toMatch(/^http:\/\//);
    const v = await kc.makeApiClient(k8s.VersionApi).getCode();
    expect(v.major).toBe('1');
  });
});
