/**
 * Support for the workload-controller tests: a sim without the scheduler/kubelet (pods stay Pending
 * until a test makes them Ready) or with them (`real: true`), API clients, and helpers to drive pods.
 */
import * as k8s from '@kubernetes/client-node';
import { startKubeSim, type KubeSim } from '../index';
import { controllerNames } from '../controllers/index';

export const NODE_AGENTS = ['scheduler', 'kubelet', 'node-lifecycle', 'metrics'];

export interface WorkloadEnv {
  sim: KubeSim;
  kc: k8s.KubeConfig;
  apps: k8s.AppsV1Api;
  batch: k8s.BatchV1Api;
  core: k8s.CoreV1Api;
  hpa: k8s.AutoscalingV2Api;
  ns: string;
}

export async function startEnv(opts: { real?: boolean; nodes?: number; ns?: string } = {}): Promise<WorkloadEnv> {
  const controllers = controllerNames().filter((n) => opts.real || !NODE_AGENTS.includes(n));
  const sim = await startKubeSim({ controllers, nodes: opts.nodes });
  const kc = new k8s.KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  const ns = opts.ns ?? 'wl';
  sim.store.create('', 'namespaces', '', { metadata: { name: ns } });
  return { sim, kc, ns, apps: kc.makeApiClient(k8s.AppsV1Api), batch: kc.makeApiClient(k8s.BatchV1Api), core: kc.makeApiClient(k8s.CoreV1Api), hpa: kc.makeApiClient(k8s.AutoscalingV2Api) };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
    await sleep(20);
  }
}

/** Pods in the namespace (optionally of one owner name prefix). */
export const podsOf = (sim: KubeSim, ns: string, prefix = '') => sim.store.list('', 'pods', ns).filter((p) => p.metadata.name.startsWith(prefix));

/** What the kubelet would write: Running + Ready=True (or Ready=False). */
export function setPodReady(sim: KubeSim, pod: any, ready = true) {
  const ts = sim.clock.date().toISOString().replace(/\.\d+Z$/, 'Z');
  const cur = sim.store.get('', 'pods', pod.metadata.namespace, pod.metadata.name);
  if (!cur) return;
  const status = structuredClone(cur.status ?? {});
  status.phase = 'Running';
  status.startTime ??= ts;
  const s = ready ? 'True' : 'False';
  status.conditions = [
    { type: 'PodReadyToStartContainers', status: 'True', lastProbeTime: null, lastTransitionTime: ts },
    { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: ts },
    { type: 'Ready', status: s, lastProbeTime: null, lastTransitionTime: ts },
    { type: 'ContainersReady', status: s, lastProbeTime: null, lastTransitionTime: ts },
    { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: ts },
  ];
  sim.store.updateStatus('', 'pods', cur.metadata.namespace, cur.metadata.name, status);
}

export function setPodPhase(sim: KubeSim, pod: any, phase: 'Succeeded' | 'Failed') {
  const cur = sim.store.get('', 'pods', pod.metadata.namespace, pod.metadata.name);
  if (!cur) return;
  const ts = sim.clock.date().toISOString().replace(/\.\d+Z$/, 'Z');
  const status = structuredClone(cur.status ?? {});
  status.phase = phase;
  status.conditions = [{ type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: ts, reason: 'PodCompleted' }];
  status.containerStatuses = (cur.spec.containers ?? []).map((c: any) => ({
    name: c.name, image: c.image, imageID: '', ready: false, restartCount: 0, started: false,
    state: { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, reason: phase === 'Succeeded' ? 'Completed' : 'Error', startedAt: ts, finishedAt: ts } },
  }));
  sim.store.updateStatus('', 'pods', cur.metadata.namespace, cur.metadata.name, status);
}

/** Makes every pending pod matching the prefix Ready (a fake kubelet pass). */
export function readyAll(sim: KubeSim, ns: string, prefix = '') {
  for (const p of podsOf(sim, ns, prefix)) if (!p.metadata.deletionTimestamp && !(p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True') && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed') setPodReady(sim, p);
}

export const eventsFor = (sim: KubeSim, ns: string, name: string) => sim.store.list('', 'events', ns).filter((e) => e.involvedObject?.name === name);

export const container = (image = 'nginx:1.27', extra: any = {}) => ({ name: 'app', image, ...extra });
