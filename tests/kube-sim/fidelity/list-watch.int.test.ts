import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Watch, makeInformer, type V1ConfigMap } from '@kubernetes/client-node';
import { podSpec, setupCluster, type TestCluster } from './cluster';

let c: TestCluster;
let ns: string;
beforeAll(async () => {
  c = await setupCluster('lw');
  ns = c.namespace;
  const mk = (name: string, labels: Record<string, string>) => c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, labels } } });
  await mk('sel-a', { app: 'web', tier: 'front' });
  await mk('sel-b', { app: 'web', tier: 'back' });
  await mk('sel-c', { app: 'db' });
  await mk('sel-d', { other: 'x' });
});
afterAll(async () => {
  await c?.stop();
});

const names = (l: { items: Array<{ metadata?: { name?: string } }> }) => l.items.map((i) => i.metadata!.name!).filter((n) => n.startsWith('sel-')).sort();

describe('label selectors', () => {
  const cases: Array<[string, string[]]> = [
    ['app=web', ['sel-a', 'sel-b']],
    ['app==web', ['sel-a', 'sel-b']],
    ['app!=web', ['sel-c', 'sel-d']],
    ['app in (web,db)', ['sel-a', 'sel-b', 'sel-c']],
    ['app notin (web)', ['sel-c', 'sel-d']],
    ['tier', ['sel-a', 'sel-b']],
    ['!tier', ['sel-c', 'sel-d']],
    ['app=web,tier=back', ['sel-b']],
  ];
  for (const [sel, want] of cases)
    it(`selects ${sel}`, async () => {
      expect(names(await c.core.listNamespacedConfigMap({ namespace: ns, labelSelector: sel }))).toEqual(want);
    });

  it('rejects an unparsable selector with 400', async () => {
    const r = await c.raw('GET', `/api/v1/namespaces/${ns}/configmaps?labelSelector=${encodeURIComponent('app in web')}`);
    expect(r.status).toBe(400);
    expect(r.body.reason).toBe('BadRequest');
  });
});

describe('field selectors', () => {
  it('select by metadata.name and metadata.namespace', async () => {
    expect(names(await c.core.listNamespacedConfigMap({ namespace: ns, fieldSelector: 'metadata.name=sel-c' }))).toEqual(['sel-c']);
    expect(names(await c.core.listNamespacedConfigMap({ namespace: ns, fieldSelector: 'metadata.name!=sel-c' }))).toEqual(['sel-a', 'sel-b', 'sel-d']);
    const all = await c.core.listConfigMapForAllNamespaces({ fieldSelector: `metadata.namespace=${ns},metadata.name=sel-a` });
    expect(all.items.map((i) => i.metadata?.name)).toEqual(['sel-a']);
  });

  it('select pods by status.phase and spec.nodeName', async () => {
    await c.core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'fs-pod' }, spec: podSpec() } });
    const pending = await c.core.listNamespacedPod({ namespace: ns, fieldSelector: 'status.phase=Pending,metadata.name=fs-pod' });
    expect(pending.items.map((p) => p.metadata?.name)).toEqual(['fs-pod']);
    const unscheduled = await c.core.listNamespacedPod({ namespace: ns, fieldSelector: 'spec.nodeName=,metadata.name=fs-pod' });
    expect(unscheduled.items).toHaveLength(1);
    const running = await c.core.listNamespacedPod({ namespace: ns, fieldSelector: 'status.phase=Running,metadata.name=fs-pod' });
    expect(running.items).toHaveLength(0);
  });

  it('select events by involvedObject', async () => {
    await c.core.createNamespacedEvent({
      namespace: ns,
      // A pod name no test creates: the scheduler and kubelet record events of their own for real pods.
      body: { metadata: { name: 'ev1' }, involvedObject: { kind: 'Pod', name: 'fs-ghost', namespace: ns }, reason: 'Test', message: 'hello', type: 'Normal' },
    });
    const evs = await c.core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.kind=Pod,involvedObject.name=fs-ghost' });
    expect(evs.items.map((e) => e.metadata?.name)).toEqual(['ev1']);
  });

  it('rejects unsupported fields with 400 like kube-apiserver', async () => {
    const r = await c.raw('GET', `/api/v1/namespaces/${ns}/configmaps?fieldSelector=data.foo%3Dbar`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400, message: 'field label not supported: data.foo' });
  });
});

describe('pagination', () => {
  it('pages with limit/continue and reports remainingItemCount', async () => {
    const page1 = await c.raw('GET', `/api/v1/namespaces/${ns}/configmaps?labelSelector=&limit=2`);
    expect(page1.status).toBe(200);
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.metadata.continue).toBeTruthy();
    const total = (await c.core.listNamespacedConfigMap({ namespace: ns })).items.length;
    expect(page1.body.metadata.remainingItemCount).toBe(total - 2);
    const seen = [...page1.body.items.map((i: any) => i.metadata.name)];
    let token = page1.body.metadata.continue;
    while (token) {
      const p = await c.core.listNamespacedConfigMap({ namespace: ns, limit: 2, _continue: token });
      seen.push(...p.items.map((i) => i.metadata!.name!));
      token = p.metadata?._continue;
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
  });

  it('rejects a garbage continue token with 400', async () => {
    const r = await c.raw('GET', `/api/v1/namespaces/${ns}/configmaps?limit=1&continue=garbage`);
    expect(r.status).toBe(400);
  });

  it.runIf(!process.env.TEST_KUBECONFIG)('kube-sim: an expired continue token is 410 Expired', async () => {
    const page1 = await c.raw('GET', `/api/v1/namespaces/${ns}/configmaps?limit=1`);
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'after-compact' } } });
    c.sim!.store.compact();
    const r = await c.raw('GET', `/api/v1/namespaces/${ns}/configmaps?limit=1&continue=${encodeURIComponent(page1.body.metadata.continue)}`);
    expect(r.status).toBe(410);
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'Expired', code: 410 });
    expect(r.body.message).toMatch(/^The provided continue parameter is too old/);
  });
});

describe('watch', () => {
  it('streams ADDED/MODIFIED/DELETED through client-node Watch', async () => {
    const list = await c.core.listNamespacedConfigMap({ namespace: ns });
    const events: Array<[string, string]> = [];
    const w = new Watch(c.kc);
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const ctrl = await w.watch(
      `/api/v1/namespaces/${ns}/configmaps`,
      { resourceVersion: list.metadata!.resourceVersion, labelSelector: 'watched=yes' },
      (type, obj) => {
        events.push([type, obj.metadata.name]);
        expect(obj.kind).toBe('ConfigMap');
        if (type === 'DELETED') done();
      },
      () => undefined,
    );
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'w1', labels: { watched: 'yes' } } } });
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'w-ignored' } } });
    await c.core.replaceNamespacedConfigMap({ name: 'w1', namespace: ns, body: { metadata: { name: 'w1', labels: { watched: 'yes' } }, data: { a: 'b' } } });
    await c.core.deleteNamespacedConfigMap({ name: 'w1', namespace: ns });
    await finished;
    ctrl.abort();
    expect(events).toEqual([
      ['ADDED', 'w1'],
      ['MODIFIED', 'w1'],
      ['DELETED', 'w1'],
    ]);
  });

  it('starts with synthetic ADDED events when no resourceVersion is given', async () => {
    const { events } = await c.watchRaw(`/api/v1/namespaces/${ns}/configmaps?watch=1&labelSelector=app%3Dweb`, { until: (e) => e.length >= 2, timeoutMs: 5000 });
    expect(events.map((e) => [e.type, e.object.metadata.name]).sort()).toEqual([
      ['ADDED', 'sel-a'],
      ['ADDED', 'sel-b'],
    ]);
  });

  it('supports the legacy /watch/ path', async () => {
    const { events } = await c.watchRaw(`/api/v1/watch/namespaces/${ns}/configmaps/sel-c`, { until: (e) => e.length >= 1, timeoutMs: 5000 });
    expect(events[0]).toMatchObject({ type: 'ADDED', object: { kind: 'ConfigMap', metadata: { name: 'sel-c' } } });
  });

  it('ends at timeoutSeconds and sends BOOKMARKs when allowed', async () => {
    const rv = (await c.core.listNamespacedConfigMap({ namespace: ns })).metadata!.resourceVersion!;
    const started = Date.now();
    const { events, ended } = await c.watchRaw(`/api/v1/namespaces/${ns}/configmaps?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true&timeoutSeconds=2`, { timeoutMs: 10_000 });
    expect(ended).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    const bm = events.filter((e) => e.type === 'BOOKMARK');
    if (c.isSim) expect(bm.length).toBeGreaterThanOrEqual(1);
    for (const b of bm) {
      expect(b.object.kind).toBe('ConfigMap');
      expect(b.object.metadata.resourceVersion).toMatch(/^\d+$/);
    }
  });

  it.runIf(!process.env.TEST_KUBECONFIG)('sends an initial-events-end BOOKMARK with sendInitialEvents (WatchList)', async () => {
    const { events } = await c.watchRaw(`/api/v1/namespaces/${ns}/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&labelSelector=app%3Ddb`, {
      until: (e) => e.some((x) => x.type === 'BOOKMARK'),
      timeoutMs: 5000,
    });
    expect(events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'sel-c' } } });
    const bm = events.find((e) => e.type === 'BOOKMARK');
    expect(bm.object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
  });

  it('emits a 410 Expired ERROR event for a resourceVersion older than the window', async () => {
    let oldRv = '1';
    if (c.isSim) {
      oldRv = (await c.core.listNamespacedConfigMap({ namespace: ns })).metadata!.resourceVersion!;
      await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'bump' } } });
      c.sim!.store.compact();
    }
    const { events } = await c.watchRaw(`/api/v1/namespaces/${ns}/configmaps?watch=1&resourceVersion=${oldRv}`, { until: (e) => e.length >= 1, timeoutMs: 5000 });
    expect(events[0].type).toBe('ERROR');
    expect(events[0].object).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410 });
    expect(events[0].object.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
  });

  it('emits DELETED when an object stops matching the selector', async () => {
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'leaver', labels: { stay: 'yes' } } } });
    const rv = (await c.core.listNamespacedConfigMap({ namespace: ns })).metadata!.resourceVersion!;
    const p = c.watchRaw(`/api/v1/namespaces/${ns}/configmaps?watch=1&resourceVersion=${rv}&labelSelector=stay%3Dyes`, { until: (e) => e.length >= 1, timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 200));
    await c.core.replaceNamespacedConfigMap({ name: 'leaver', namespace: ns, body: { metadata: { name: 'leaver', labels: { stay: 'no' } } } });
    const { events } = await p;
    expect(events[0]).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'leaver' } } });
  });

  it('feeds a client-node informer (list + watch with bookmarks)', async () => {
    const informer = makeInformer<V1ConfigMap>(c.kc, `/api/v1/namespaces/${ns}/configmaps`, () => c.core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'inf=yes' }), 'inf=yes');
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add:${o.metadata?.name}`));
    informer.on('update', (o) => seen.push(`update:${o.metadata?.name}`));
    informer.on('delete', (o) => seen.push(`delete:${o.metadata?.name}`));
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'inf-1', labels: { inf: 'yes' } } } });
    await informer.start();
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'inf-2', labels: { inf: 'yes' } } } });
    await c.core.replaceNamespacedConfigMap({ name: 'inf-2', namespace: ns, body: { metadata: { name: 'inf-2', labels: { inf: 'yes' } }, data: { x: 'y' } } });
    await c.core.deleteNamespacedConfigMap({ name: 'inf-1', namespace: ns });
    const { eventually } = await import('./cluster');
    await eventually(() => seen.includes('delete:inf-1') && seen.includes('update:inf-2'));
    await informer.stop();
    expect(seen).toEqual(['add:inf-1', 'add:inf-2', 'update:inf-2', 'delete:inf-1']);
    expect(informer.list().map((o) => o.metadata?.name)).toEqual(['inf-2']);
  });
});
