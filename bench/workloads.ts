/**
 * Workload list: how fast the API serves the pods of a namespace with 2,000 running pods.
 *
 *   npm run bench:workloads [-- --pods 2000 --calls 300 --concurrent 8]
 *
 * Setup (one process): kube-sim with the kubelet (pods run), Bosun on embedded PGlite with a cluster,
 * a workspace and a namespace; the pods are created through `sim.store` (fast), spread over 5 nodes,
 * and the bench waits until every one is Running. Then, as the admin over HTTP through the real
 * server (tRPC, session cookie, CSRF and all), `workloads.list {kind: 'Pod'}`: the first call (list
 * and watch start), `--calls` sequential calls, then the same number with `--concurrent` in flight.
 * Figures on stdout and in bench/workloads-results.json. Server, cluster and client share one
 * event loop, so the figures are upper bounds of what the API itself needs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { startKubeSim } from '../tests/kube-sim/index';
import { startBosun } from '../app/bosun';
import { bosunClient } from '../tests/support/bosun-client';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    pods: { type: 'string', default: '2000' },
    calls: { type: 'string', default: '300' },
    concurrent: { type: 'string', default: '8' },
    out: { type: 'string', default: join(here, 'workloads-results.json') },
  },
  allowPositionals: true,
});
const PODS = Number(values.pods);
const CALLS = Number(values.calls);
const CONCURRENT = Number(values.concurrent);
const NAMESPACE = 'bench';
const CLUSTER = 'bench-sim';
const TARGET_P99_MS = 150;
const log = (line: string) => console.log(line);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}
const round = (n: number) => Math.round(n * 10) / 10;

async function main() {
  const loadBefore = loadavg();
  const sim = await startKubeSim({
    nodePools: [{ name: 'bench', count: 5, cpu: '64', memory: '256Gi', pods: 1000 }],
    kubelet: { logLinesPerSecond: 0 },
  } as any);
  const dataDir = mkdtempSync(join(tmpdir(), 'bosun-workloads-bench-'));
  const adminPassword = 'bench-Passw0rd-long';
  const bosun = await startBosun({ config: { dataDir, port: 0, databaseUrl: null, adminPassword, resyncSeconds: 30 } as any });
  try {
    const admin = bosunClient(bosun.url);
    const a = admin.client;
    await a.auth.login.mutate({ username: 'admin', password: adminPassword });
    const inspected = await a.clusters.inspectKubeconfig.mutate({ kubeconfig: sim.kubeconfig });
    await a.clusters.register.mutate({ commandId: randomUUID(), name: CLUSTER, kubeconfig: sim.kubeconfig, context: inspected.contexts[0].name });
    await a.workspaces.create.mutate({ commandId: randomUUID(), name: 'bench-ws', ceilingCpu: '64', ceilingMemory: '256Gi' });
    await a.workspaces.bind.mutate({ commandId: randomUUID(), workspaceId: 'bench-ws', clusterId: CLUSTER, cpu: '64', memory: '256Gi' });
    await a.namespaces.create.mutate({
      commandId: randomUUID(),
      clusterId: CLUSTER,
      workspaceId: 'bench-ws',
      name: NAMESPACE,
      quotaCpu: '64',
      quotaMemory: '256Gi',
      defaultRequestCpu: '10m',
      defaultRequestMemory: '16Mi',
      defaultLimitCpu: '20m',
      defaultLimitMemory: '32Mi',
    });
    const readyBy = Date.now() + 60_000;
    while (!(await a.namespaces.list.query()).some((n) => n.name === NAMESPACE && n.status === 'ready')) {
      if (Date.now() > readyBy) throw new Error('namespace not ready within 60 s');
      await sleep(100);
    }

    const nodes = (sim.store.list('', 'nodes', '') as any[]).map((n) => n.metadata.name);
    const created = performance.now();
    for (let i = 0; i < PODS; i++) {
      sim.store.create('', 'pods', NAMESPACE, {
        metadata: { name: `web-${String(i).padStart(4, '0')}`, labels: { app: 'web', shard: String(i % 20) } },
        spec: {
          nodeName: nodes[i % nodes.length],
          containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
        },
      });
    }
    const running = () => (sim.store.list('', 'pods', NAMESPACE) as any[]).filter((p) => p.status?.phase === 'Running').length;
    const runBy = Date.now() + 180_000;
    while (running() < PODS) {
      if (Date.now() > runBy) throw new Error(`only ${running()} of ${PODS} pods Running after 180 s`);
      await sleep(250);
    }
    const setupMs = performance.now() - created;
    log(`${PODS} pods created and Running in ${(setupMs / 1000).toFixed(1)} s`);

    await sleep(5_000); // let the kubelet's start-up burst settle
    const input = { clusterId: CLUSTER, namespace: NAMESPACE, kind: 'Pod' as const };
    // The measured calls are plain HTTP GETs of the tRPC route with the session cookie, read to the
    // last byte but not parsed: what a browser's request costs the server, without this process
    // (which also runs the server and the cluster) spending time on the client's JSON parsing.
    const url = (kind: string) => `${bosun.url}/trpc/workloads.list?input=${encodeURIComponent(JSON.stringify({ ...input, kind }))}`;
    const get = async (kind = 'Pod') => {
      const response = await fetch(url(kind), { headers: { cookie: admin.cookie() } });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`);
      return text;
    };
    let t0 = performance.now();
    const first = await a.workloads.list.query(input);
    const firstMs = performance.now() - t0;
    const runningRows = first.items.filter((r) => r.status === 'Running').length;
    if (first.items.length !== PODS || runningRows !== PODS) throw new Error(`list returned ${first.items.length} rows, ${runningRows} Running`);
    const bytes = Buffer.byteLength(JSON.stringify(first));
    log(`first call (list + watch start): ${firstMs.toFixed(1)} ms, ${first.items.length} rows, ${(bytes / 1024).toFixed(0)} KiB`);

    for (let i = 0; i < 20; i++) await get(); // warm-up
    // The fixed cost of a call (session, permission, scope, cache lookup): an empty kind.
    await get('CronJob');
    const empty: number[] = [];
    for (let i = 0; i < 100; i++) {
      t0 = performance.now();
      await get('CronJob');
      empty.push(performance.now() - t0);
    }
    empty.sort((x, y) => x - y);
    const sequential: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      t0 = performance.now();
      const text = await get();
      sequential.push(performance.now() - t0);
      if (text.length < bytes * 0.9) throw new Error(`call ${i}: a short answer (${text.length} bytes)`);
    }
    sequential.sort((x, y) => x - y);

    const concurrent: number[] = [];
    let next = 0;
    const wallStart = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENT }, async () => {
        while (next < CALLS) {
          next++;
          const s = performance.now();
          await get();
          concurrent.push(performance.now() - s);
        }
      }),
    );
    const wallMs = performance.now() - wallStart;
    concurrent.sort((x, y) => x - y);

    // A change made in the cluster shows in the list (served from the watch cache).
    sim.store.delete('', 'pods', NAMESPACE, 'web-0000');
    let seenMs = Number.NaN;
    t0 = performance.now();
    for (;;) {
      const r = await a.workloads.list.query(input);
      if (!r.items.some((p) => p.name === 'web-0000')) {
        seenMs = performance.now() - t0;
        break;
      }
      if (performance.now() - t0 > 10_000) throw new Error('a deleted pod stayed in the list for 10 s');
    }

    const results = {
      when: new Date().toISOString(),
      pods: PODS,
      calls: CALLS,
      responseKiB: Math.round(bytes / 1024),
      firstCallMs: round(firstMs),
      emptyList: { p50: round(quantile(empty, 0.5)), p99: round(quantile(empty, 0.99)) },
      sequential: { p50: round(quantile(sequential, 0.5)), p90: round(quantile(sequential, 0.9)), p99: round(quantile(sequential, 0.99)), max: round(sequential[sequential.length - 1]) },
      concurrent: {
        inFlight: CONCURRENT,
        p50: round(quantile(concurrent, 0.5)),
        p99: round(quantile(concurrent, 0.99)),
        callsPerSecond: Math.round((CALLS / wallMs) * 1000),
      },
      deletedPodGoneFromListMs: round(seenMs),
      targetP99Ms: TARGET_P99_MS,
      machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavgBefore: loadBefore.map(round), loadavgAfter: loadavg().map(round) },
    };
    log(`sequential (${CALLS} calls): p50 ${results.sequential.p50} ms, p90 ${results.sequential.p90} ms, p99 ${results.sequential.p99} ms, max ${results.sequential.max} ms`);
    log(`fixed cost (an empty kind, 100 calls): p50 ${results.emptyList.p50} ms, p99 ${results.emptyList.p99} ms`);
    log(`${CONCURRENT} in flight (${CALLS} calls): p50 ${results.concurrent.p50} ms, p99 ${results.concurrent.p99} ms, ${results.concurrent.callsPerSecond} calls/s`);
    log(`a pod deleted in the cluster left the list after ${results.deletedPodGoneFromListMs} ms`);
    log(`machine: ${results.machine.cpus} CPUs, load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    writeFileSync(values.out!, `${JSON.stringify(results, null, 2)}\n`);
    const ok = results.sequential.p99 < TARGET_P99_MS;
    log(ok ? `PASS: p99 ${results.sequential.p99} ms < ${TARGET_P99_MS} ms` : `FAIL: p99 ${results.sequential.p99} ms ≥ ${TARGET_P99_MS} ms`);
    process.exitCode = ok ? 0 : 1;
  } finally {
    await bosun.stop();
    await sim.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
