/**
 * metrics.k8s.io/v1beta1 as metrics-server serves it: PodMetrics for running pods (per-container cpu
 * and memory usage) and NodeMetrics for nodes, get and list (namespaced and cluster-wide, label
 * selectors), discovered under /apis and authorized by RBAC like any resource.
 *
 * Usage moves over time (a smooth deterministic walk per seed between ~20% and ~90% of each container's
 * request — or limit, or a small default — re-sampled every scrape on the sim clock) and tests can pin it
 * with `sim.metrics.setPodUsage(...)`. The objects are refreshed every `resolutionMs` (15 s) of sim time,
 * when a pod starts or stops running, and when usage is set.
 */
import { methodNotAllowed } from '../errors';
import type { ObjectStore } from '../objects';
import type { SimClock } from '../clock';
import type { Registry, ResourceDef } from '../registry';
import { containerRequests, isTerminal, nodeSimConfig, quantity, rfc3339, unit } from '../nodes/util';
import { registerController, type Controller, type ControllerContext } from '../controllers/index';

export const METRICS_GROUP = 'metrics.k8s.io';
const RESOLUTION_MS = 15_000;

function metricsDef(resource: 'pods' | 'nodes'): ResourceDef {
  const kind = resource === 'pods' ? 'PodMetrics' : 'NodeMetrics';
  return {
    group: METRICS_GROUP,
    version: 'v1beta1',
    resource,
    singular: '',
    kind,
    listKind: `${kind}List`,
    namespaced: resource === 'pods',
    shortNames: [],
    verbs: ['get', 'list'],
    subresources: [],
    hasStatus: false,
    generation: false,
    nameRule: 'subdomain',
    fieldLabels: [],
    returnDeletedObject: false,
  };
}

export function registerMetricsApi(registry: Registry) {
  if (!registry.get(METRICS_GROUP, 'v1beta1', 'pods')) registry.add(metricsDef('pods'));
  if (!registry.get(METRICS_GROUP, 'v1beta1', 'nodes')) registry.add(metricsDef('nodes'));
}

export interface Usage {
  /** cores or a quantity ("250m") */
  cpu?: string | number;
  /** bytes or a quantity ("128Mi") */
  memory?: string | number;
}

/** metrics-server's formats: nanocores and KiB. */
const fmtCpu = (cores: number) => `${Math.max(0, Math.round(cores * 1e9))}n`;
const fmtMem = (bytes: number) => `${Math.max(0, Math.round(bytes / 1024))}Ki`;

export class SimMetrics {
  private overrides = new Map<string, { cpu?: number; memory?: number }>(); // ns/pod/container
  refresh: () => void = () => {};

  constructor(
    private store: ObjectStore,
    private clock: SimClock,
  ) {}

  /**
   * Pins a pod's usage: every container (or only `container`) reports `usage` until cleared with
   * `clearPodUsage`. Fields left out keep moving.
   */
  setPodUsage(namespace: string, pod: string, container: string | undefined | Usage, usage?: Usage) {
    if (typeof container === 'object') {
      usage = container;
      container = undefined;
    }
    const p = this.store.get('', 'pods', namespace, pod);
    const names: string[] = container ? [container] : (p?.spec?.containers ?? []).map((c: any) => c.name);
    for (const n of names) {
      const o: { cpu?: number; memory?: number } = {};
      if (usage?.cpu !== undefined) o.cpu = quantity(usage.cpu);
      if (usage?.memory !== undefined) o.memory = quantity(usage.memory);
      this.overrides.set(`${namespace}/${pod}/${n}`, o);
    }
    this.refresh();
  }

  clearPodUsage(namespace: string, pod: string) {
    for (const k of [...this.overrides.keys()]) if (k.startsWith(`${namespace}/${pod}/`)) this.overrides.delete(k);
    this.refresh();
  }

  /** Current usage of a container (cores, bytes). */
  containerUsage(pod: any, c: any, atMs = this.clock.now()): { cpu: number; memory: number } {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}/${c.name}`;
    const seed = nodeSimConfig(this.store).seed;
    const req = containerRequests(c);
    const lim: Record<string, number> = {};
    for (const [k, v] of Object.entries(c.resources?.limits ?? {})) lim[k] = quantity(v);
    const cpuRef = req.cpu ?? lim.cpu ?? 0.1;
    const memRef = req.memory ?? lim.memory ?? 64 * 1024 * 1024;
    // smooth walk: interpolate between per-window samples
    const w = RESOLUTION_MS;
    const k = Math.floor(atMs / w);
    const f = (atMs - k * w) / w;
    const sample = (what: string, i: number) => unit(seed, key, what, i);
    const walk = (what: string) => sample(what, k) * (1 - f) + sample(what, k + 1) * f;
    let cpu = cpuRef * (0.2 + 0.7 * walk('cpu'));
    // memory drifts slowly around a per-container base
    const base = 0.35 + 0.3 * unit(seed, key, 'membase');
    let memory = memRef * (base + 0.2 * walk('mem'));
    if (lim.cpu) cpu = Math.min(cpu, lim.cpu);
    if (lim.memory) memory = Math.min(memory, lim.memory * 0.98);
    const o = this.overrides.get(key);
    if (o?.cpu !== undefined) cpu = o.cpu;
    if (o?.memory !== undefined) memory = o.memory;
    return { cpu, memory };
  }

  podMetrics(pod: any, atMs = this.clock.now()): any {
    return {
      metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, creationTimestamp: rfc3339(atMs), ...(pod.metadata.labels ? { labels: pod.metadata.labels } : {}) },
      timestamp: rfc3339(Math.floor(atMs / RESOLUTION_MS) * RESOLUTION_MS),
      window: `${RESOLUTION_MS / 1000}s`,
      containers: (pod.spec?.containers ?? [])
        .filter((c: any) => (pod.status?.containerStatuses ?? []).some((s: any) => s.name === c.name && s.state?.running))
        .map((c: any) => {
          const u = this.containerUsage(pod, c, atMs);
          return { name: c.name, usage: { cpu: fmtCpu(u.cpu), memory: fmtMem(u.memory) } };
        }),
    };
  }

  nodeMetrics(node: any, pods: any[], atMs = this.clock.now()): any {
    const seed = nodeSimConfig(this.store).seed;
    // system daemons, kubelet, runtime
    let cpu = 0.05 + 0.1 * unit(seed, node.metadata.name, 'sys', Math.floor(atMs / RESOLUTION_MS));
    let memory = (400 + 200 * unit(seed, node.metadata.name, 'sysmem')) * 1024 * 1024;
    for (const p of pods)
      for (const c of p.spec?.containers ?? [])
        if ((p.status?.containerStatuses ?? []).some((s: any) => s.name === c.name && s.state?.running)) {
          const u = this.containerUsage(p, c, atMs);
          cpu += u.cpu;
          memory += u.memory;
        }
    return {
      metadata: { name: node.metadata.name, creationTimestamp: rfc3339(atMs), ...(node.metadata.labels ? { labels: node.metadata.labels } : {}) },
      timestamp: rfc3339(Math.floor(atMs / RESOLUTION_MS) * RESOLUTION_MS),
      window: '20.05s',
      usage: { cpu: fmtCpu(cpu), memory: fmtMem(memory) },
    };
  }
}

const byStore = new WeakMap<ObjectStore, SimMetrics>();
export function metricsFor(store: ObjectStore, clock?: SimClock): SimMetrics {
  let m = byStore.get(store);
  if (!m) {
    const c = clock ?? nodeSimConfig(store).clock;
    if (!c) throw new Error('kube-sim metrics: no clock configured for this store');
    m = new SimMetrics(store, c);
    byStore.set(store, m);
  }
  return m;
}

const running = (p: any) => !!p.spec?.nodeName && !isTerminal(p) && (p.status?.containerStatuses ?? []).some((s: any) => s.state?.running);

/** metrics-server: keeps the PodMetrics/NodeMetrics objects current. */
export function metricsServer(): Controller {
  let stopped = false;
  let timer: number | undefined;
  let clockRef: SimClock | undefined;
  return {
    name: 'metrics',
    stop() {
      stopped = true;
      if (timer !== undefined) clockRef?.clearTimeout(timer);
    },
    start(ctx: ControllerContext) {
      const { store, clock } = ctx;
      clockRef = clock;
      registerMetricsApi(ctx.registry);
      // metrics-server serves get and list only: user writes are refused as kube-apiserver refuses unsupported verbs
      if (!store.admission.some((a) => a.name === 'MetricsReadOnly'))
        store.admission.push({
          name: 'MetricsReadOnly',
          admit(req) {
            if (req.group === METRICS_GROUP) throw methodNotAllowed();
          },
        });
      const metrics = metricsFor(store, clock);
      let queued = false;
      const scrape = () => {
        if (stopped) return;
        const now = clock.now();
        const pods = store.list('', 'pods');
        const live = new Set<string>();
        const byNode = new Map<string, any[]>();
        for (const p of pods) {
          if (!running(p)) continue;
          live.add(`${p.metadata.namespace}/${p.metadata.name}`);
          store.putRaw(METRICS_GROUP, 'pods', metrics.podMetrics(p, now));
          const l = byNode.get(p.spec.nodeName) ?? [];
          l.push(p);
          byNode.set(p.spec.nodeName, l);
        }
        for (const m of store.list(METRICS_GROUP, 'pods')) if (!live.has(`${m.metadata.namespace}/${m.metadata.name}`)) store.removeObject(METRICS_GROUP, 'pods', m.metadata.namespace, m.metadata.name);
        const nodes = new Set<string>();
        for (const n of store.list('', 'nodes')) {
          nodes.add(n.metadata.name);
          store.putRaw(METRICS_GROUP, 'nodes', metrics.nodeMetrics(n, byNode.get(n.metadata.name) ?? [], now));
        }
        for (const m of store.list(METRICS_GROUP, 'nodes')) if (!nodes.has(m.metadata.name)) store.removeObject(METRICS_GROUP, 'nodes', '', m.metadata.name);
      };
      const soon = () => {
        if (queued || stopped) return;
        queued = true;
        ctx.defer(() => {
          queued = false;
          scrape();
        });
      };
      metrics.refresh = soon;
      const tick = () => {
        scrape();
        if (!stopped) timer = clock.setTimeout(tick, RESOLUTION_MS - (clock.now() % RESOLUTION_MS) || RESOLUTION_MS);
      };
      // pods that start or stop running, nodes that come and go
      const state = new Map<string, boolean>();
      store.onWrite((def, type, obj) => {
        if (stopped || def.group !== '') return;
        if (def.resource === 'nodes' && type !== 'MODIFIED') soon();
        if (def.resource !== 'pods') return;
        const k = obj.metadata.uid;
        const r = type !== 'DELETED' && running(obj);
        if (state.get(k) !== r) {
          if (r) state.set(k, r);
          else state.delete(k);
          soon();
        }
      });
      store.onRemoved((def, obj) => {
        if (def.group === '' && def.resource === 'pods' && state.delete(obj.metadata.uid)) soon();
      });
      tick();
    },
  };
}

registerController('metrics', metricsServer);
