/**
 * The apps reconciler against kube-sim: applies a revision in dependency order with Bosun's labels,
 * prunes what a new revision dropped, undeploys exactly what the app created, reports a failure
 * once with the API server's reason and recovers when the cluster does, while a dead cluster does
 * not hold up a healthy one.
 */
import type { KubeConfig, KubernetesObject as KubeObject } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim } from '../../kube-sim/index';
import { startAppsReconciler, type AppOutcomeReport, type AppsReconciler, type AppsReconcilerOptions, type AppsSource, type AppTarget } from '../../../reconcilers/apps';
import { clusterClient, type ClusterClient } from '../../../reconcilers/runtime/kube';
import type { KubernetesObject } from '../../../domain/template/objects';
import { eventually, kubeConfigOf, sleep, testClient } from '../support';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await Promise.race([c().catch(() => {}), sleep(3000)]);
});

async function sim(): Promise<KubeSim> {
  const s = await startKubeSim();
  cleanups.push(() => s.stop());
  return s;
}

function start(opts: Partial<AppsReconcilerOptions> & Pick<AppsReconcilerOptions, 'source' | 'kubeConfigFor' | 'recordOutcome'>): AppsReconciler {
  const r = startAppsReconciler({ resyncMs: 300, backoff: { baseMs: 20, capMs: 300, jitter: 0.1 }, requestTimeoutMs: 3000, onError: () => {}, ...opts });
  cleanups.push(() => r.stop());
  return r;
}

/** Stands in for the apps read model. */
class MemoryApps implements AppsSource {
  readonly apps = new Map<string, Map<string, AppTarget>>();
  constructor(readonly clusters: string[]) {}
  put(clusterId: string, app: AppTarget): void {
    if (!this.apps.has(clusterId)) this.apps.set(clusterId, new Map());
    this.apps.get(clusterId)!.set(`${app.namespace}/${app.name}`, app);
  }
  async listClusters() {
    return this.clusters;
  }
  async listApps(clusterId: string) {
    return [...(this.apps.get(clusterId)?.values() ?? [])];
  }
  async getApp(clusterId: string, namespace: string, name: string) {
    return this.apps.get(clusterId)?.get(`${namespace}/${name}`) ?? null;
  }
}

class Outcomes {
  readonly reports: AppOutcomeReport[] = [];
  readonly record = (r: AppOutcomeReport) => void this.reports.push(r);
  of(clusterId: string, name: string) {
    return this.reports.filter((r) => r.clusterId === clusterId && r.name === name).map((r) => r.outcome);
  }
}

/** A client that records the order of applies and deletes. */
function recording(calls: string[]) {
  return (kc: KubeConfig, opts: { fieldManager: string; timeoutMs: number }): ClusterClient => {
    const real = clusterClient(kc, opts);
    return {
      ...real,
      apply: async (o) => {
        calls.push(`apply ${o.kind}/${o.metadata?.name}`);
        return real.apply(o);
      },
      delete: async (ref) => {
        calls.push(`delete ${ref.kind}/${ref.metadata.name}`);
        return real.delete(ref);
      },
    };
  };
}

const L = { 'app.kubernetes.io/managed-by': 'bosun', 'app.kubernetes.io/instance': 'shop' };
/** As rendered, deliberately listed Ingress first: apply order must not depend on the template's order. */
function manifests(namespace: string, { image = 'nginx:1.27', withConfig = true } = {}): KubernetesObject[] {
  const objects: any[] = [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'shop', namespace, labels: L },
      spec: { rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'shop', port: { number: 80 } } } }] } }] },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop', namespace, labels: L }, spec: { selector: { app: 'shop' }, ports: [{ port: 80 }] } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'shop', namespace, labels: L },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'shop' } },
        template: { metadata: { labels: { app: 'shop', ...L } }, spec: { containers: [{ name: 'app', image }] } },
      },
    },
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'shop-data', namespace, labels: L }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
  ];
  if (withConfig) objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shop-config', namespace, labels: L }, data: { a: '1' } });
  return objects;
}

async function namespaceOn(s: KubeSim, name: string): Promise<void> {
  await testClient(s.kubeconfig).apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as KubeObject);
}

const ref = (kind: string, apiVersion: string, name: string, namespace: string) => ({ apiVersion, kind, metadata: { name, namespace } });

describe('apps reconciler (kube-sim)', () => {
  it('applies in dependency order with the labels, prunes a dropped object, undeploys exactly what it created', async () => {
    const s = await sim();
    await namespaceOn(s, 'team-a');
    const c = testClient(s.kubeconfig);
    await c.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hand-made', namespace: 'team-a' }, data: { x: '1' } } as KubeObject);
    const kc = kubeConfigOf(s.kubeconfig);
    const source = new MemoryApps(['c1']);
    source.put('c1', { kind: 'published', namespace: 'team-a', name: 'shop', revision: 1, manifests: manifests('team-a'), deployed: false });
    const calls: string[] = [];
    const log = new Outcomes();
    const r = start({ source, kubeConfigFor: async () => kc, recordOutcome: log.record, clientFactory: recording(calls), resyncMs: 60_000 });

    await eventually(() => expect(log.of('c1', 'shop')).toEqual([{ kind: 'deployed', revision: 1 }]));
    // Within a phase the template's order holds (the claim is listed before the ConfigMap).
    expect(calls.slice(0, 5)).toEqual(['apply PersistentVolumeClaim/shop-data', 'apply ConfigMap/shop-config', 'apply Deployment/shop', 'apply Service/shop', 'apply Ingress/shop']);
    const deployment = await c.get(ref('Deployment', 'apps/v1', 'shop', 'team-a'));
    expect(deployment?.metadata?.labels).toMatchObject({ ...L, 'bosun.io/app': 'shop', 'bosun.io/app-revision': '1' });
    expect((deployment as any).spec.template.metadata.labels).toMatchObject({ 'bosun.io/app': 'shop' });
    expect((deployment as any).spec.template.metadata.labels['bosun.io/app-revision']).toBeUndefined();
    expect((await c.get(ref('Ingress', 'networking.k8s.io/v1', 'shop', 'team-a')))?.metadata?.labels?.['bosun.io/app']).toBe('shop');

    // Revision 2 drops the ConfigMap and changes the image.
    calls.length = 0;
    source.put('c1', { kind: 'published', namespace: 'team-a', name: 'shop', revision: 2, manifests: manifests('team-a', { image: 'nginx:1.28', withConfig: false }), deployed: false });
    r.enqueue('c1', 'team-a', 'shop');
    await eventually(() => expect(log.of('c1', 'shop').at(-1)).toEqual({ kind: 'deployed', revision: 2 }));
    expect(calls).toContain('delete ConfigMap/shop-config');
    expect(await c.get(ref('ConfigMap', 'v1', 'shop-config', 'team-a'))).toBeUndefined();
    const d2 = (await c.get(ref('Deployment', 'apps/v1', 'shop', 'team-a'))) as any;
    expect(d2.spec.template.spec.containers[0].image).toBe('nginx:1.28');
    expect(d2.metadata.labels['bosun.io/app-revision']).toBe('2');

    // Undeploy: everything labelled as the app's goes, Ingress first, the hand-made ConfigMap stays.
    calls.length = 0;
    source.put('c1', { kind: 'undeploying', namespace: 'team-a', name: 'shop' });
    r.enqueue('c1', 'team-a', 'shop');
    await eventually(() => expect(log.of('c1', 'shop').at(-1)).toEqual({ kind: 'undeployed' }));
    expect(calls).toEqual(['delete Ingress/shop', 'delete Service/shop', 'delete Deployment/shop', 'delete PersistentVolumeClaim/shop-data']);
    for (const [kind, apiVersion, name] of [
      ['Ingress', 'networking.k8s.io/v1', 'shop'],
      ['Service', 'v1', 'shop'],
      ['Deployment', 'apps/v1', 'shop'],
    ]) {
      await eventually(async () => expect(await c.get(ref(kind, apiVersion, name, 'team-a'))).toBeUndefined());
    }
    expect(await c.get(ref('ConfigMap', 'v1', 'hand-made', 'team-a'))).toBeDefined();
  });

  it('once deployed, a resync re-creates a missing object but does not undo a day-2 change', async () => {
    const s = await sim();
    await namespaceOn(s, 'team-a');
    const c = testClient(s.kubeconfig);
    const source = new MemoryApps(['c1']);
    source.put('c1', { kind: 'published', namespace: 'team-a', name: 'shop', revision: 1, manifests: manifests('team-a'), deployed: true });
    const log = new Outcomes();
    start({ source, kubeConfigFor: async () => kubeConfigOf(s.kubeconfig), recordOutcome: log.record, resyncMs: 200 });
    await eventually(async () => expect(await c.get(ref('Deployment', 'apps/v1', 'shop', 'team-a'))).toBeDefined());
    // Someone scales by hand (as the workloads page does) and deletes the Service.
    await clusterClient(kubeConfigOf(s.kubeconfig), { fieldManager: 'bosun-workloads', timeoutMs: 3000 }).apply({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'shop', namespace: 'team-a' },
      spec: { replicas: 3 },
    } as KubeObject);
    await c.delete(ref('Service', 'v1', 'shop', 'team-a'));
    await eventually(async () => expect(await c.get(ref('Service', 'v1', 'shop', 'team-a'))).toBeDefined());
    await sleep(500);
    expect(((await c.get(ref('Deployment', 'apps/v1', 'shop', 'team-a'))) as any).spec.replicas).toBe(3);
  });

  it('reports deployed until the read model has it; published again at the same revision, it is reported again', async () => {
    const s = await sim();
    await namespaceOn(s, 'team-a');
    const source = new MemoryApps(['c1']);
    source.put('c1', { kind: 'published', namespace: 'team-a', name: 'shop', revision: 1, manifests: manifests('team-a'), deployed: false });
    const log = new Outcomes();
    const r = start({ source, kubeConfigFor: async () => kubeConfigOf(s.kubeconfig), recordOutcome: log.record, resyncMs: 60_000 });
    r.enqueue('c1', 'team-a', 'shop');
    await eventually(() => expect(log.of('c1', 'shop')[0]).toEqual({ kind: 'deployed', revision: 1 }));
    // The read model records it; from then on a resync reports nothing new.
    source.put('c1', { kind: 'published', namespace: 'team-a', name: 'shop', revision: 1, manifests: manifests('team-a'), deployed: true });
    await r.resync('c1');
    await sleep(300);
    const reported = log.of('c1', 'shop').length;
    await r.resync('c1');
    await sleep(300);
    expect(log.of('c1', 'shop')).toHaveLength(reported);
    // Unpublished and published again before this process saw the undeploy: deploying again, same revision.
    source.put('c1', { kind: 'published', namespace: 'team-a', name: 'shop', revision: 1, manifests: manifests('team-a'), deployed: false });
    r.enqueue('c1', 'team-a', 'shop');
    await eventually(() => expect(log.of('c1', 'shop').length).toBeGreaterThan(reported));
    expect(log.of('c1', 'shop').at(-1)).toEqual({ kind: 'deployed', revision: 1 });
  });

  it('reports a failure once with the API server\'s reason, retries, and recovers; a dead cluster does not hold up a healthy one', async () => {
    const healthy = await sim();
    const dead = await startKubeSim();
    const deadKc = kubeConfigOf(dead.kubeconfig);
    await Promise.race([dead.stop(), sleep(2000)]);
    const source = new MemoryApps(['c-ok', 'c-dead']);
    // The namespace is not on the cluster yet: applying into it is refused.
    source.put('c-ok', { kind: 'published', namespace: 'late', name: 'shop', revision: 1, manifests: manifests('late'), deployed: false });
    source.put('c-dead', { kind: 'published', namespace: 'team-a', name: 'shop', revision: 1, manifests: manifests('team-a'), deployed: false });
    const log = new Outcomes();
    const kcOk = kubeConfigOf(healthy.kubeconfig);
    const r = start({ source, kubeConfigFor: async (id) => (id === 'c-ok' ? kcOk : deadKc), recordOutcome: log.record, resyncMs: 60_000 });

    await eventually(() => {
      const [first] = log.of('c-ok', 'shop');
      expect(first).toEqual({ kind: 'failed', revision: 1, reason: expect.stringMatching(/namespaces? "late" not found/) });
      const [down] = log.of('c-dead', 'shop');
      expect(down).toEqual({ kind: 'failed', revision: 1, reason: expect.stringMatching(/cannot reach https:\/\/127\.0\.0\.1:\d+: connection refused/) });
    });
    await eventually(() => expect(r.metrics().find((m) => m.clusterId === 'c-ok')!.failures).toBeGreaterThanOrEqual(3));
    expect(log.of('c-ok', 'shop')).toHaveLength(1);

    await namespaceOn(healthy, 'late');
    await eventually(() => expect(log.of('c-ok', 'shop').at(-1)).toEqual({ kind: 'deployed', revision: 1 }));
    expect(log.of('c-ok', 'shop').map((o) => o.kind)).toEqual(['failed', 'deployed']);
    expect(log.of('c-dead', 'shop').map((o) => o.kind)).toEqual(['failed']);
  });
});
