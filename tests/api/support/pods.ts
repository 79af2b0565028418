/** Pods in the tenants' cluster for the containers tests (logs, terminal, metrics). */
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { KubeSim } from '../../kube-sim';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export function coreOf(sim: KubeSim): CoreV1Api {
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  return kc.makeApiClient(CoreV1Api);
}

/** A small pod (fits the tenants' 1 CPU quota many times) with one container `app` unless `containers` says otherwise. */
export function smallPod(name: string, options: { image?: string; annotations?: Record<string, string>; containers?: string[]; cpu?: string; memory?: string } = {}): V1Pod {
  const resources = {
    requests: { cpu: options.cpu ?? '20m', memory: options.memory ?? '16Mi' },
    limits: { cpu: '50m', memory: '32Mi' },
  };
  return {
    metadata: { name, annotations: options.annotations, labels: { app: name } },
    spec: {
      containers: (options.containers ?? ['app']).map((c) => ({ name: c, image: options.image ?? 'bosun/shop-api:2.1', resources })),
    },
  };
}

export async function createRunningPod(sim: KubeSim, namespace: string, pod: V1Pod, containers = 1): Promise<V1Pod> {
  const core = coreOf(sim);
  await core.createNamespacedPod({ namespace, body: pod });
  return waitFor(`pod ${pod.metadata!.name} running`, async () => {
    const p = await core.readNamespacedPod({ namespace, name: pod.metadata!.name! });
    const running = (p.status?.containerStatuses ?? []).filter((s) => s.state?.running).length;
    return running >= containers ? p : null;
  });
}
