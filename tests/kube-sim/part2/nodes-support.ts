/** Support for the node-side tests (scheduler, kubelet, logs, metrics, drain). */
import * as k8s from '@kubernetes/client-node';
import { startKubeSim, type KubeSim, type KubeSimOptions } from '../index';

export interface NodeEnv {
  sim: KubeSim;
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  policy: k8s.PolicyV1Api;
  ns: string;
  stop(): Promise<void>;
}

export async function startNodeEnv(opts: KubeSimOptions = {}, ns = 'n2'): Promise<NodeEnv> {
  const sim = await startKubeSim(opts);
  const kc = new k8s.KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  sim.store.create('', 'namespaces', '', { metadata: { name: ns } });
  return { sim, kc, ns, core: kc.makeApiClient(k8s.CoreV1Api), policy: kc.makeApiClient(k8s.PolicyV1Api), stop: () => sim.stop() };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
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

export const pod = (name: string, spec: Partial<k8s.V1PodSpec> & { image?: string } = {}, annotations?: Record<string, string>, labels?: Record<string, string>): k8s.V1Pod => {
  const { image, ...rest } = spec;
  return { metadata: { name, annotations, labels }, spec: { containers: [{ name: 'app', image: image ?? 'nginx:1.27' }], ...rest } };
};

/** Events of one object, through the API. */
export async function eventsOf(env: NodeEnv, name: string): Promise<k8s.CoreV1Event[]> {
  const l = await env.core.listNamespacedEvent({ namespace: env.ns, fieldSelector: `involvedObject.name=${name}` });
  return l.items;
}

/** Advance the sim clock in steps, letting deferred controller work run between steps. */
export async function advance(sim: KubeSim, ms: number, step = 1000) {
  for (let t = 0; t < ms; t += step) {
    sim.clock.advance(Math.min(step, ms - t));
    await sleep(5);
  }
}

/** client-node option for merge-patch requests (its default is JSON patch). */
export const MERGE = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

export const cordon = (env: NodeEnv, name: string, unschedulable = true) => env.core.patchNode({ name, body: { spec: { unschedulable } } }, MERGE);
