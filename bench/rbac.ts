/**
 * RBAC projection latency: how long after a grant (resp. revocation) lands in the read model does
 * the cluster itself allow (resp. refuse) the user's impersonated call?
 *
 *   npx tsx bench/rbac.ts [-- --namespaces 500 --workspaces 5 --rounds 250 --wide-rounds 2 --resync-every 50 --pglite --in-process --keep-alive]
 *
 * Setup: kube-sim in a child process (the cluster is another process, as in production; `--in-process`
 * shares the event loop instead), PostgreSQL read models in a fresh database (`--pglite`: in memory),
 * 500 Bosun namespaces over 5 workspaces with background grants (a platform auditor, a viewer per
 * workspace, an ops engineer per namespace), all reconciled before measuring.
 *
 * Each round: write a developer grant row on a random namespace as the identity projection would
 * (with a position bump), nudge the reconciler as the app does (`nudgeRbac` on the RoleGranted
 * event), then poll an impersonated SelfSubjectAccessReview (`create pods/exec`) every 10 ms until
 * allowed; then the same for the revocation until denied. Every 50 rounds a full resync pass starts,
 * so rounds also meet a resync under way. Then wide grants: viewer on a workspace (its namespaces
 * re-checked) and on the platform (all re-checked), timed until allowed in a random covered
 * namespace and until the pass is done. Figures on stdout and in bench/rbac-results.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import type { Kysely } from 'kysely';
import { openDatabase, type OpenedDatabase } from '../db/connect';
import { migrateToLatest } from '../db/migrate';
import type { Scope } from '../domain/permissions';
import { startRbacReconciler } from '../reconcilers/rbac/reconciler';
import { rbacDesiredState } from '../reconcilers/rbac/source';
import { nudgeRbac } from '../reconcilers/rbac/triggers';
import { clusterClient } from '../reconcilers/runtime/kube';
import { startKubeSim } from '../tests/kube-sim/index';
import { kubeConfigOf } from '../tests/reconcilers/support';
import { AccessReviewer, bosunNamespaceOnCluster, grant, insertCluster, insertNamespace, insertUser, revoke, type AccessQuestion } from '../tests/reconcilers/rbac/support';
import { createTestDatabase } from '../tests/support/postgres';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    namespaces: { type: 'string', default: '500' },
    workspaces: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '250' },
    'wide-rounds': { type: 'string', default: '2' },
    'resync-every': { type: 'string', default: '50' },
    pglite: { type: 'boolean', default: false },
    'in-process': { type: 'boolean', default: false },
    'keep-alive': { type: 'boolean', default: false },
    out: { type: 'string', default: join(here, 'rbac-results.json') },
  },
  allowPositionals: true,
});
const NAMESPACES = Number(values.namespaces);
const WORKSPACES = Number(values.workspaces);
const ROUNDS = Number(values.rounds);
const WIDE_ROUNDS = Number(values['wide-rounds']);
const RESYNC_EVERY = Number(values['resync-every']);
const CLUSTER = 'bench-cluster';
const POLL_MS = 10;
const TIMEOUT_MS = 30_000;

const log = (line: string) => console.log(line);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Cluster {
  kubeconfig: string;
  stop(): Promise<void>;
}

/** kube-sim's CLI in a child process; resolves once it listens and has written its kubeconfig. */
async function childSim(): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-rbac-bench-'));
  const file = join(dir, 'kubeconfig');
  const cli = fileURLToPath(new URL('../tests/kube-sim/cli.ts', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [...process.execArgv, cli, '--port', '0', '--kubeconfig-out', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('kubeconfig written to')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`kube-sim exited with ${code}: ${out}`)));
  });
  child.stdout!.resume();
  return {
    kubeconfig: readFileSync(file, 'utf8'),
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function inProcessSim(): Promise<Cluster> {
  const sim = await startKubeSim();
  return { kubeconfig: sim.kubeconfig, stop: () => sim.stop() };
}

async function openReadModels(): Promise<{ database: OpenedDatabase; drop(): Promise<void> }> {
  if (values.pglite) {
    const database = await openDatabase({ kind: 'pglite' });
    await migrateToLatest(database.db);
    return { database, drop: async () => {} };
  }
  const test = await createTestDatabase('bosun_rbac_bench');
  const database = await openDatabase({ kind: 'postgres', url: test.url, poolSize: 10 });
  await migrateToLatest(database.db);
  return { database, drop: test.drop };
}

/**
 * What-if (`--keep-alive`): client-node 2.x builds a new undici Agent, so a new TLS connection, for
 * every request (KubeConfig.applySecurityAuthentication → createDispatcher). Reusing the first one
 * shows what connection reuse in kube/client.ts would buy. Not what the app does today.
 */
function reuseConnections(kc: KubeConfig): void {
  const apply = kc.applySecurityAuthentication.bind(kc);
  let dispatcher: ReturnType<Parameters<typeof apply>[0]['getDispatcher']>;
  kc.applySecurityAuthentication = async (context) => {
    await apply(context);
    dispatcher ??= context.getDispatcher();
    if (dispatcher) context.setDispatcher(dispatcher);
  };
}

function percentiles(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
  const round = (x: number) => Math.round(x * 10) / 10;
  return { n: s.length, p50: round(at(50)), p95: round(at(95)), p99: round(at(99)), max: round(s[s.length - 1]), mean: round(s.reduce((a, b) => a + b, 0) / s.length) };
}

/** Milliseconds from `t0` until the review answers `want` (polling every 10 ms). */
async function until(reviewer: AccessReviewer, userId: string, q: AccessQuestion, want: boolean, t0: number): Promise<number> {
  for (;;) {
    if ((await reviewer.allowed(userId, q)) === want) return performance.now() - t0;
    if (performance.now() - t0 > TIMEOUT_MS) throw new Error(`${userId} ${q.verb} ${q.resource} in ${q.namespace}: still ${!want} after ${TIMEOUT_MS} ms`);
    await sleep(POLL_MS);
  }
}

async function main() {
  const started = new Date();
  const loadBefore = loadavg();
  log(`RBAC projection bench: ${NAMESPACES} namespaces in ${WORKSPACES} workspaces, ${ROUNDS} grants + ${ROUNDS} revocations, ${values.pglite ? 'PGlite' : 'PostgreSQL'}, kube-sim ${values['in-process'] ? 'in process' : 'in a child process'}`);
  const cluster = values['in-process'] ? await inProcessSim() : await childSim();
  const { database, drop } = await openReadModels();
  const db: Kysely<any> = database.db;
  const kc: KubeConfig = kubeConfigOf(cluster.kubeconfig);
  if (values['keep-alive']) reuseConnections(kc);
  const reviewer = AccessReviewer.fromKubeConfig(kc);
  const errors: string[] = [];

  try {
    // ---- setup: rows, Namespaces on the cluster, background grants ----
    let t = performance.now();
    await insertCluster(db, CLUSTER);
    const namespaces = Array.from({ length: NAMESPACES }, (_, i) => ({ name: `bench-ns-${i}`, workspaceId: `bench-ws-${i % WORKSPACES}` }));
    const setupClient = clusterClient(kc, { fieldManager: 'bench-setup', timeoutMs: 30_000 });
    for (let i = 0; i < namespaces.length; i += 25) {
      await Promise.all(
        namespaces.slice(i, i + 25).map(async (ns) => {
          await insertNamespace(db, CLUSTER, ns.name, ns.workspaceId);
          await bosunNamespaceOnCluster(setupClient, CLUSTER, ns.name, ns.workspaceId);
        }),
      );
    }
    await insertUser(db, 'auditor');
    await grant(db, { kind: 'user', id: 'auditor' }, 'platform-auditor', { kind: 'platform' });
    for (let w = 0; w < WORKSPACES; w++) {
      await insertUser(db, `viewer-${w}`);
      await grant(db, { kind: 'user', id: `viewer-${w}` }, 'viewer', { kind: 'workspace', workspaceId: `bench-ws-${w}` });
    }
    for (const [i, ns] of namespaces.entries()) {
      await insertUser(db, `ops-${i}`);
      await grant(db, { kind: 'user', id: `ops-${i}` }, 'ops-engineer', { kind: 'namespace', clusterId: CLUSTER, namespace: ns.name, workspaceId: ns.workspaceId });
    }
    log(`setup: ${NAMESPACES} namespaces and ${NAMESPACES + WORKSPACES + 1} grants written in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const reconciler = startRbacReconciler({
      source: rbacDesiredState(db),
      kubeConfigFor: async () => kc,
      resyncMs: 60_000, // the app's default (BOSUN_RESYNC_SECONDS)
      onError: (e) => errors.push(`${e.phase} ${e.key ?? ''}: ${(e.error as Error)?.message}`),
    });
    t = performance.now();
    while ((reconciler.metrics()[0]?.resyncs ?? 0) < 1) await sleep(POLL_MS); // the runtime's first resync lists the keys
    await reconciler.idle();
    const initialMs = performance.now() - t;
    const m0 = reconciler.metrics()[0];
    log(`initial projection: ${m0.applied} objects applied in ${(initialMs / 1000).toFixed(1)} s (${m0.reconciles} reconciles, ${m0.failures} failures)`);

    // ---- grant / revoke rounds ----
    await insertUser(db, 'dev');
    const grantMs: number[] = [];
    const revokeMs: number[] = [];
    const question = (namespace: string): AccessQuestion => ({ namespace, verb: 'create', resource: 'pods', subresource: 'exec' });
    for (let round = 0; round < ROUNDS; round++) {
      // A full resync pass (all namespaces re-checked) now and then, as the periodic resync does, so rounds meet one.
      if (round % RESYNC_EVERY === 0) void reconciler.resync();
      const ns = namespaces[Math.floor(Math.random() * namespaces.length)];
      const scope: Scope = { kind: 'namespace', clusterId: CLUSTER, namespace: ns.name, workspaceId: ns.workspaceId };
      const event = (type: string) => ({ type, data: { subject: { kind: 'user', id: 'dev' }, roleId: 'developer', scope } });

      let t0 = performance.now();
      await grant(db, { kind: 'user', id: 'dev' }, 'developer', scope);
      nudgeRbac(reconciler, event('RoleGranted'));
      grantMs.push(await until(reviewer, 'dev', question(ns.name), true, t0));

      t0 = performance.now();
      await revoke(db, { kind: 'user', id: 'dev' }, 'developer', scope);
      nudgeRbac(reconciler, event('RoleRevoked'));
      revokeMs.push(await until(reviewer, 'dev', question(ns.name), false, t0));
      if ((round + 1) % 50 === 0) log(`  ${round + 1}/${ROUNDS} rounds`);
    }

    // ---- wide grants: a workspace (its namespaces re-checked) and the platform (all of them) ----
    const wide = { workspace: { allowedMs: [] as number[], passMs: [] as number[] }, platform: { allowedMs: [] as number[], passMs: [] as number[] } };
    for (let round = 0; round < WIDE_ROUNDS * 2; round++) {
      const kind = round % 2 === 0 ? 'workspace' : 'platform';
      const userId = `wide-${round}`;
      await insertUser(db, userId);
      const workspaceId = `bench-ws-${round % WORKSPACES}`;
      const scope: Scope = kind === 'workspace' ? { kind, workspaceId } : { kind };
      const covered = kind === 'workspace' ? namespaces.filter((n) => n.workspaceId === workspaceId) : namespaces;
      const probe = covered[Math.floor(Math.random() * covered.length)];
      await reconciler.idle();
      const t0 = performance.now();
      await grant(db, { kind: 'user', id: userId }, 'viewer', scope);
      nudgeRbac(reconciler, { type: 'RoleGranted', data: { subject: { kind: 'user', id: userId }, roleId: 'viewer', scope } });
      wide[kind].allowedMs.push(await until(reviewer, userId, { namespace: probe.name, verb: 'list', resource: 'pods' }, true, t0));
      await sleep(POLL_MS); // the namespaces are being listed; idle() then waits for the whole pass
      await reconciler.idle();
      wide[kind].passMs.push(performance.now() - t0);
      for (const ns of covered) {
        if (!(await reviewer.allowed(userId, { namespace: ns.name, verb: 'list', resource: 'pods' }))) throw new Error(`${userId} not allowed in ${ns.name} after the pass`);
      }
    }

    const m = reconciler.metrics()[0];
    await reconciler.stop();
    const loadAfter = loadavg();
    const results = {
      date: started.toISOString(),
      node: process.version,
      readModels: values.pglite ? 'pglite' : 'postgres',
      kubeSim: values['in-process'] ? 'in-process' : 'child-process',
      connections: values['keep-alive'] ? 'reused (what-if)' : 'client-node default (new TLS connection per request)',
      namespaces: NAMESPACES,
      workspaces: WORKSPACES,
      initialProjection: { ms: Math.round(initialMs), applied: m0.applied },
      grantToAllowedMs: percentiles(grantMs),
      revokeToDeniedMs: percentiles(revokeMs),
      workspaceGrant: { namespaces: NAMESPACES / WORKSPACES, probeAllowedMs: percentiles(wide.workspace.allowedMs), passMs: percentiles(wide.workspace.passMs) },
      platformGrant: { namespaces: NAMESPACES, probeAllowedMs: percentiles(wide.platform.allowedMs), passMs: percentiles(wide.platform.passMs) },
      resyncEveryRounds: RESYNC_EVERY,
      reconciler: { reconciles: m.reconciles, failures: m.failures, applied: m.applied, deleted: m.deleted },
      errors: errors.slice(0, 20),
      loadAverage: { before: loadBefore.map((x) => Number(x.toFixed(2))), after: loadAfter.map((x) => Number(x.toFixed(2))) },
      targetP99Ms: 2000,
    };
    const fmt = (p: ReturnType<typeof percentiles>) => `p50 ${p.p50} ms, p95 ${p.p95} ms, p99 ${p.p99} ms, max ${p.max} ms (n=${p.n})`;
    log(`grant → allowed:  ${fmt(results.grantToAllowedMs)}`);
    log(`revoke → denied:  ${fmt(results.revokeToDeniedMs)}`);
    log(`workspace grant → allowed in a random namespace of it: ${fmt(results.workspaceGrant.probeAllowedMs)}; all ${NAMESPACES / WORKSPACES} re-checked: ${fmt(results.workspaceGrant.passMs)}`);
    log(`platform grant → allowed in a random namespace: ${fmt(results.platformGrant.probeAllowedMs)}; all ${NAMESPACES} re-checked: ${fmt(results.platformGrant.passMs)}`);
    log(`load average before ${results.loadAverage.before.join(' ')}, after ${results.loadAverage.after.join(' ')}; reconcile failures ${m.failures}`);
    const met = results.grantToAllowedMs.p99 < 2000 && results.revokeToDeniedMs.p99 < 2000;
    log(`target p99 < 2 s: ${met ? 'met' : 'NOT met'}`);
    writeFileSync(values.out!, `${JSON.stringify(results, null, 2)}\n`);
    log(`results written to ${values.out}`);
  } finally {
    reviewer.close();
    await database.close();
    await drop();
    await cluster.stop();
  }
}

await main();
