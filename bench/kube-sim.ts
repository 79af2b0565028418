/**
 * kube-sim scale bench: one in-process kube-sim holding 5,000 nodes and 150,000 pods, a full paginated
 * list of every pod over HTTP (limit=500), and 50 concurrent HTTP watchers while pods are updated.
 *
 *   npm run bench:kube-sim [-- --nodes 5000 --pods 150000 --namespaces 100 --watchers 50 --updates 10000 --http-sample 2000]
 *
 * Re-runs itself under `node --max-old-space-size=4096 --max-semi-space-size=64 --expose-gc`, and
 * fails (exit 1) when RSS goes over 4 GiB or a figure is inconsistent. Figures: stdout and
 * bench/kube-sim-results.json. Server and clients share one process (one event loop), plain HTTP.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import os from 'node:os';
import v8 from 'node:v8';

const LIMIT_MB = 4096;
const here = dirname(fileURLToPath(import.meta.url));

if (!process.env.KUBE_SIM_BENCH_CHILD) {
  // a larger young generation: fewer promotions of short-lived request/event garbage into a 1 GB old space
  const r = spawnSync(process.execPath, [...process.execArgv, `--max-old-space-size=${LIMIT_MB}`, '--max-semi-space-size=64', '--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, KUBE_SIM_BENCH_CHILD: '1' },
  });
  process.exit(r.status ?? 1);
}

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '5000' },
    pods: { type: 'string', default: '150000' },
    namespaces: { type: 'string', default: '100' },
    watchers: { type: 'string', default: '50' },
    updates: { type: 'string', default: '10000' },
    'http-sample': { type: 'string', default: '2000' },
    out: { type: 'string', default: join(here, 'kube-sim-results.json') },
  },
});
const NODES = Number(values.nodes);
const PODS = Number(values.pods);
const NAMESPACES = Number(values.namespaces);
const WATCHERS = Number(values.watchers);
const UPDATES = Number(values.updates);
const HTTP_SAMPLE = Number(values['http-sample']);

const { startKubeSim, simNode } = await import('../tests/kube-sim/index');

const mb = (n: number) => Math.round(n / 1024 / 1024);
const gc = () => (globalThis as any).gc?.();
const mem = () => {
  gc();
  const m = process.memoryUsage();
  return { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), externalMb: mb(m.external) };
};
const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
const tick = () => new Promise((r) => setImmediate(r));
const log = (s: string) => console.log(`[kube-sim bench] ${s}`);

// no controllers: the scheduler/kubelet/workload controllers would act on 150k pods
const sim = await startKubeSim({ tls: false, nodes: 0, controllers: [] });
const store = sim.store;
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const base = new URL(sim.url);
const TOKEN = 'admin-token';

function request(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      { host: base.hostname, port: base.port, method, path, agent, headers: { Authorization: `Bearer ${TOKEN}`, Accept: 'application/json', ...(data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const nsName = (i: number) => `tenant-${String(i).padStart(3, '0')}`;
const nodeName = (i: number) => `kube-sim-node-${i + 1}`;

/** A pod as a ReplicaSet creates it and the scheduler binds it. */
function pod(i: number, ns: string): any {
  const app = `app-${i % 40}`;
  return {
    metadata: {
      name: `${app}-7d9f8c6b5-${i.toString(36).padStart(5, '0')}`,
      labels: { app, 'pod-template-hash': '7d9f8c6b5', tier: i % 3 === 0 ? 'frontend' : 'backend' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-7d9f8c6b5`, uid: `00000000-0000-4000-8000-${String(i % 40).padStart(12, '0')}`, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      nodeName: nodeName(i % Math.max(1, NODES)),
      containers: [
        {
          name: 'app',
          image: `registry.example.com/${ns}/${app}:1.${i % 7}.0`,
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          env: [
            { name: 'LOG_LEVEL', value: 'info' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
          ],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 10 },
        },
      ],
    },
  };
}

function runningStatus(i: number, p: any, probe = 0): any {
  const t = '2026-01-01T00:00:00Z';
  return {
    phase: 'Running',
    conditions: [
      { type: 'PodReadyToStartContainers', status: 'True', lastProbeTime: null, lastTransitionTime: t },
      { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: t },
      { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: probe ? new Date(Date.UTC(2026, 0, 1, 0, 0, probe % 86400)).toISOString() : t },
      { type: 'ContainersReady', status: 'True', lastProbeTime: null, lastTransitionTime: t },
      { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: t },
    ],
    hostIP: `10.0.${(i % NODES) >> 8}.${(i % NODES) & 255}`,
    podIP: `10.${64 + ((i >> 16) & 63)}.${(i >> 8) & 255}.${i & 255}`,
    startTime: t,
    containerStatuses: [
      { name: 'app', ready: true, restartCount: 0, started: true, image: p.spec.containers[0].image, imageID: `${p.spec.containers[0].image}@sha256:${'ab'.repeat(32)}`, containerID: `containerd://${i.toString(16).padStart(64, '0')}`, state: { running: { startedAt: t } }, lastState: {} },
    ],
    qosClass: 'Burstable',
  };
}

const results: any = { config: { nodes: NODES, pods: PODS, namespaces: NAMESPACES, watchers: WATCHERS, updates: UPDATES, httpSample: HTTP_SAMPLE, node: process.version, nodeFlags: process.execArgv.filter((a) => a.startsWith('--max') || a === '--expose-gc'), heapLimitMb: mb(v8.getHeapStatistics().heap_size_limit) } };
results.memoryAtStart = mem();

// ---- load
let t0 = performance.now();
for (let i = 0; i < NAMESPACES; i++) store.create('', 'namespaces', '', { metadata: { name: nsName(i) } });
for (let i = 0; i < NODES; i++) store.create('', 'nodes', '', simNode(nodeName(i), i + 1));
const nodesMs = performance.now() - t0;
log(`${NODES} nodes in ${Math.round(nodesMs)} ms`);

t0 = performance.now();
const inProcess = PODS - HTTP_SAMPLE;
for (let i = 0; i < inProcess; i++) {
  const ns = nsName(i % NAMESPACES);
  store.create('', 'pods', ns, pod(i, ns));
  if (i % 10000 === 9999) await tick();
}
const createMs = performance.now() - t0;
log(`${inProcess} pods created in-process in ${Math.round(createMs)} ms (${rate(inProcess, createMs)}/s)`);

t0 = performance.now();
let next = inProcess;
const httpWorkers = Array.from({ length: 16 }, async () => {
  for (;;) {
    const i = next++;
    if (i >= PODS) return;
    const ns = nsName(i % NAMESPACES);
    const r = await request('POST', `/api/v1/namespaces/${ns}/pods`, pod(i, ns));
    if (r.status !== 201) throw new Error(`HTTP create: ${r.status} ${r.text}`);
  }
});
await Promise.all(httpWorkers);
const httpCreateMs = performance.now() - t0;
if (HTTP_SAMPLE) log(`${HTTP_SAMPLE} pods created over HTTP (16 concurrent) in ${Math.round(httpCreateMs)} ms (${rate(HTTP_SAMPLE, httpCreateMs)}/s)`);

t0 = performance.now();
for (let i = 0; i < PODS; i++) {
  const ns = nsName(i % NAMESPACES);
  const p = pod(i, ns);
  store.updateStatus('', 'pods', ns, p.metadata.name, runningStatus(i, p));
  if (i % 10000 === 9999) await tick();
}
const statusMs = performance.now() - t0;
log(`${PODS} pod statuses set Running in ${Math.round(statusMs)} ms (${rate(PODS, statusMs)}/s)`);

results.load = {
  nodesCreatedPerSecond: rate(NODES, nodesMs),
  podsCreatedInProcessPerSecond: rate(inProcess, createMs),
  podsCreatedOverHttpPerSecond: HTTP_SAMPLE ? rate(HTTP_SAMPLE, httpCreateMs) : null,
  podStatusUpdatesPerSecond: rate(PODS, statusMs),
  objectsCreatedPerSecond: rate(NODES + PODS, nodesMs + createMs + httpCreateMs),
};
results.memoryAfterLoad = mem();
results.memoryAfterLoad.heapBytesPerObject = Math.round((results.memoryAfterLoad.heapUsedMb * 1024 * 1024) / (NODES + PODS));
log(`after load: ${JSON.stringify(results.memoryAfterLoad)}`);

// ---- full paginated list over HTTP
t0 = performance.now();
let listed = 0;
let pages = 0;
let bytes = 0;
let cont = '';
let listRv = '';
do {
  const r = await request('GET', `/api/v1/pods?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
  if (r.status !== 200) throw new Error(`list: ${r.status} ${r.text.slice(0, 300)}`);
  bytes += r.text.length;
  const l = JSON.parse(r.text);
  listed += l.items.length;
  pages++;
  cont = l.metadata.continue ?? '';
  listRv ||= l.metadata.resourceVersion;
} while (cont);
const listMs = performance.now() - t0;
results.list = { objects: listed, pages, mb: mb(bytes), ms: Math.round(listMs), objectsPerSecond: rate(listed, listMs), mbPerSecond: Math.round((bytes / 1024 / 1024 / listMs) * 1000) };
log(`list: ${listed} pods in ${pages} pages (${results.list.mb} MB) in ${Math.round(listMs)} ms (${results.list.objectsPerSecond} objects/s)`);
if (listed !== PODS) throw new Error(`list returned ${listed} pods, expected ${PODS}`);
results.memoryAfterList = mem();

// ---- 50 watchers, pods updated
const rv = store.resourceVersion;
const counts = new Array<number>(WATCHERS).fill(0);
const watchReqs: http.ClientRequest[] = [];
await Promise.all(
  Array.from(
    { length: WATCHERS },
    (_, w) =>
      new Promise<void>((resolve, reject) => {
        const req = http.request({ host: base.hostname, port: base.port, path: `/api/v1/pods?watch=1&resourceVersion=${rv}`, headers: { Authorization: `Bearer ${TOKEN}` }, agent: false }, (res) => {
          if (res.statusCode !== 200) reject(new Error(`watch ${res.statusCode}`));
          res.on('data', (c: Buffer) => {
            let n = 0;
            for (let i = c.indexOf(10); i >= 0; i = c.indexOf(10, i + 1)) n++;
            counts[w] += n;
          });
          resolve();
        });
        req.on('error', (e) => {
          if (!stopping) reject(e);
        });
        req.end();
        watchReqs.push(req);
      }),
  ),
);
let stopping = false;
await new Promise((r) => setTimeout(r, 200));
const BATCH = 250;
t0 = performance.now();
const total = () => counts.reduce((a, b) => a + b, 0);
let peakRss = 0;
for (let done = 0; done < UPDATES; ) {
  const end = Math.min(UPDATES, done + BATCH);
  for (let u = done; u < end; u++) {
    const i = (u * 7919) % PODS;
    const ns = nsName(i % NAMESPACES);
    const p = pod(i, ns);
    store.updateStatus('', 'pods', ns, p.metadata.name, runningStatus(i, p, u + 1));
  }
  done = end;
  // wait for every watcher to receive the batch (end-to-end delivery, bounded buffers)
  const deadline = Date.now() + 60_000;
  while (total() < done * WATCHERS) {
    if (Date.now() > deadline) throw new Error(`watchers stalled: ${total()} of ${done * WATCHERS} events`);
    await new Promise((r) => setTimeout(r, 1));
  }
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}
const watchMs = performance.now() - t0;
stopping = true;
for (const r of watchReqs) r.destroy();
results.watch = { watchers: WATCHERS, updates: UPDATES, eventsDelivered: total(), ms: Math.round(watchMs), eventsPerSecond: rate(total(), watchMs), updatesPerSecond: rate(UPDATES, watchMs), peakRssMb: mb(peakRss) };
log(`watch: ${total()} events to ${WATCHERS} watchers in ${Math.round(watchMs)} ms (${results.watch.eventsPerSecond} events/s, ${results.watch.updatesPerSecond} updates/s)`);
if (counts.some((c) => c !== UPDATES)) throw new Error(`watchers received ${Math.min(...counts)}..${Math.max(...counts)} events, expected ${UPDATES}`);

results.memoryAtEnd = mem();
// figures are noisy when other processes share the CPUs
results.loadAverage = os.loadavg().map((x) => Math.round(x * 100) / 100);
results.cpus = os.cpus().length;
const maxRss = Math.max(results.memoryAfterLoad.rssMb, results.memoryAfterList.rssMb, results.memoryAtEnd.rssMb, mb(peakRss));
results.pass = maxRss < LIMIT_MB;
results.maxRssMb = maxRss;
writeFileSync(values.out!, JSON.stringify(results, null, 2) + '\n');
log(`results written to ${values.out}`);
console.table({
  'nodes + pods': { value: `${NODES} + ${PODS}` },
  'objects created/s (in-process)': { value: results.load.podsCreatedInProcessPerSecond },
  'pods created/s (HTTP, 16 conc.)': { value: results.load.podsCreatedOverHttpPerSecond },
  'heap used after load (MB)': { value: results.memoryAfterLoad.heapUsedMb },
  'RSS after load (MB)': { value: results.memoryAfterLoad.rssMb },
  'list objects/s (HTTP, limit=500)': { value: results.list.objectsPerSecond },
  'watch events/s (50 watchers)': { value: results.watch.eventsPerSecond },
  'max RSS (MB)': { value: maxRss },
});
await sim.stop();
agent.destroy();
if (!results.pass) {
  console.error(`[kube-sim bench] FAIL: RSS ${maxRss} MB over ${LIMIT_MB} MB`);
  process.exit(1);
}
log('PASS');
process.exit(0);
