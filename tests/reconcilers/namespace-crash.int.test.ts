/**
 * Killed mid-apply converges: the reconciler runs in a child process that is SIGKILLed several
 * times while it applies (and while desired state changes between runs); a final run must leave
 * the cluster with exactly the desired objects — nothing missing, nothing stale, nothing extra.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim } from '../kube-sim/index';
import type { DeletedNamespace } from '../../reconcilers/namespace/reconciler';
import { buildNamespaceObjects, NAMESPACED_KINDS, managedSelector, type NamespaceSpec } from '../../reconcilers/namespace/desired';
import { aNamespace, eventually, Gi, sleep, testClient } from './support';

const FIXTURE = fileURLToPath(new URL('./fixtures/namespace-reconciler-process.ts', import.meta.url));
const CLUSTER = 'c-crash';

let sim: KubeSim;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  // Every request takes a little while, so a kill lands between the objects of a namespace.
  sim = await startKubeSim({ faults: { latencyMs: 8 } });
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await sim?.stop();
});

interface Run {
  child: ChildProcess;
  outcomes: Array<{ name: string; generation: number; outcome: unknown }>;
  /** Successful reconciles so far. */
  reconciled: () => number;
  ready: Promise<void>;
  exited: Promise<void>;
}

function runReconciler(desired: NamespaceSpec[], deleted: DeletedNamespace[]): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    env: {
      ...process.env,
      RECONCILER_KUBECONFIG: sim.kubeconfig,
      RECONCILER_CLUSTER: CLUSTER,
      RECONCILER_DESIRED: JSON.stringify(desired),
      RECONCILER_DELETED: JSON.stringify(deleted),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const outcomes: Run['outcomes'] = [];
  let reconciled = 0;
  let stderr = '';
  let buffered = '';
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line === 'READY') onReady();
      else if (line.startsWith('OUTCOME ')) outcomes.push(JSON.parse(line.slice(8)));
      else if (line.startsWith('RECONCILED ') && line.endsWith(' ok')) reconciled++;
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve, reject) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      if (code !== 0 && signal !== 'SIGKILL' && signal !== 'SIGTERM') reject(new Error(`reconciler process exited ${code ?? signal}: ${stderr}`));
      else resolve();
    });
  });
  exited.catch(() => onReady());
  return { child, outcomes, reconciled: () => reconciled, ready, exited };
}

/** Managed namespaces of this cluster, and every managed object inside them, as `Kind/ns/name`. */
async function clusterState(): Promise<{ namespaces: string[]; objects: Map<string, any> }> {
  const c = testClient(sim.kubeconfig);
  const namespaces = (await c.list('v1', 'Namespace', { labelSelector: managedSelector(CLUSTER) })).map((n) => n.metadata!.name!).sort();
  const objects = new Map<string, any>();
  for (const ns of namespaces) {
    for (const { apiVersion, kind } of NAMESPACED_KINDS) {
      for (const o of await c.list(apiVersion, kind, { namespace: ns, labelSelector: managedSelector() })) objects.set(`${kind}/${ns}/${o.metadata!.name}`, o);
    }
  }
  return { namespaces, objects };
}

describe('namespace reconciler killed mid-apply (kube-sim, child process)', () => {
  it('converges to exactly the desired objects after repeated SIGKILLs', async () => {
    const all = Array.from({ length: 16 }, (_, i) => `crash-${String(i).padStart(2, '0')}`);
    // Desired state moves on between runs: namespaces come and go, quotas change, isolation flips.
    const phases: Array<{ desired: NamespaceSpec[]; deleted: DeletedNamespace[] }> = [
      { desired: all.slice(0, 10).map((n) => aNamespace(CLUSTER, n, { isolation: true })), deleted: [] },
      {
        desired: all.slice(3, 13).map((n) => aNamespace(CLUSTER, n, { generation: 2, quotaCpuMillis: 3000, isolation: true })),
        deleted: all.slice(0, 3).map((name) => ({ name, generation: 2 })),
      },
      {
        desired: all.slice(6, 16).map((n) => aNamespace(CLUSTER, n, { generation: 3, quotaCpuMillis: 5000, quotaMemoryBytes: 6 * Gi })),
        deleted: all.slice(0, 6).map((name) => ({ name, generation: 3 })),
      },
    ];
    const final = {
      desired: all.slice(1, 12).map((n) => aNamespace(CLUSTER, n, { generation: 4, quotaCpuMillis: 1500, isolation: n.endsWith('0') })),
      deleted: [all[0], ...all.slice(12)].map((name) => ({ name, generation: 4 })),
    };

    let kills = 0;
    let interrupted = 0;
    for (const phase of [...phases, phases[0]]) {
      const run = runReconciler(phase.desired, phase.deleted);
      await run.ready;
      // Kill after a varying number of finished keys: the other workers are in the middle of applies.
      const after = 1 + Math.floor(Math.random() * (phase.desired.length / 2));
      await eventually(() => expect(run.reconciled()).toBeGreaterThanOrEqual(after), 20_000, 2);
      await sleep(Math.floor(Math.random() * 30));
      run.child.kill('SIGKILL');
      await run.exited;
      kills++;
      const provisioned = new Set(run.outcomes.filter((o) => o.outcome === 'provisioned').map((o) => o.name));
      if (provisioned.size < phase.desired.length) interrupted++;
    }
    expect(kills).toBe(4);
    // The kills must have interrupted work in progress, or the test proves nothing.
    expect(interrupted).toBeGreaterThanOrEqual(3);

    const run = runReconciler(final.desired, final.deleted);
    await run.ready;
    try {
      await eventually(async () => {
        const { namespaces, objects } = await clusterState();
        expect(namespaces).toEqual(final.desired.map((s) => s.name).sort());
        const expected = new Map<string, any>();
        for (const spec of final.desired) {
          for (const o of buildNamespaceObjects(spec).slice(1)) expected.set(`${o.kind}/${spec.name}/${o.metadata.name}`, o);
        }
        expect([...objects.keys()].sort()).toEqual([...expected.keys()].sort());
        for (const [key, want] of expected) {
          const got = objects.get(key);
          if (want.kind === 'ResourceQuota') expect(got.spec.hard).toEqual(want.spec.hard);
          if (want.kind === 'LimitRange') expect(got.spec.limits[0]).toMatchObject(want.spec.limits[0]);
          if (want.kind === 'NetworkPolicy') expect(got.spec).toMatchObject(want.spec);
          expect(got.metadata.labels).toEqual(want.metadata.labels);
        }
      }, 30_000, 100);
      // Deleted namespaces are gone (not merely terminating).
      const c = testClient(sim.kubeconfig);
      await eventually(async () => {
        for (const d of final.deleted) expect(await c.get({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: d.name } })).toBeUndefined();
      }, 30_000, 100);
      await eventually(() => {
        const provisioned = new Set(run.outcomes.filter((o) => o.outcome === 'provisioned' && o.generation === 4).map((o) => o.name));
        expect([...provisioned].sort()).toEqual(final.desired.map((s) => s.name).sort());
      });
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  }, 180_000);
});
