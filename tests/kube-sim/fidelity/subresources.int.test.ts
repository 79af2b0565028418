import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, podSpec, setupCluster, type TestCluster } from './cluster';

let c: TestCluster;
let ns: string;
beforeAll(async () => {
  c = await setupCluster('sub');
  ns = c.namespace;
});
afterAll(async () => {
  await c?.stop();
});

describe('connect-style subresources', () => {
  it('pods/log: 404 for a missing pod, container checks, empty log before scheduling, 400 while waiting', async () => {
    expect((await c.raw('GET', `/api/v1/namespaces/${ns}/pods/missing/log`)).status).toBe(404);
    await c.core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'logs' }, spec: { ...podSpec(), containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'nginx' }] } } });
    const noContainer = await c.raw('GET', `/api/v1/namespaces/${ns}/pods/logs/log`);
    expect(noContainer.status).toBe(400);
    expect(noContainer.body.message).toBe('a container name must be specified for pod logs, choose one of: [a b]');
    const wrong = await c.raw('GET', `/api/v1/namespaces/${ns}/pods/logs/log?container=zz`);
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toBe('container zz is not valid for pod logs');
    if (c.isSim) {
      const empty = await c.raw('GET', `/api/v1/namespaces/${ns}/pods/logs/log?container=a`);
      expect(empty.status).toBe(200);
      expect(empty.text).toBe('');
    }
  });

  it('pods/eviction deletes the pod and answers 201 Success', async () => {
    await c.core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'evict-me' }, spec: podSpec() } });
    const r = await c.raw('POST', `/api/v1/namespaces/${ns}/pods/evict-me/eviction`, { body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'evict-me', namespace: ns } } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ kind: 'Status', status: 'Success', code: 201 });
    await eventually(async () => {
      const g = await c.raw('GET', `/api/v1/namespaces/${ns}/pods/evict-me`);
      return g.status === 404 || !!g.body?.metadata?.deletionTimestamp;
    });
  });

  it('pods/eviction of a missing pod is 404', async () => {
    const r = await c.raw('POST', `/api/v1/namespaces/${ns}/pods/nope/eviction`, { body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'nope', namespace: ns } } });
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ reason: 'NotFound', message: 'pods "nope" not found' });
  });

  it('pods/binding assigns a node once', async () => {
    await c.core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'bind-me' }, spec: podSpec() } });
    const nodes = await c.core.listNode();
    const node = nodes.items[0]?.metadata?.name ?? 'node-x';
    const r = await c.raw('POST', `/api/v1/namespaces/${ns}/pods/bind-me/binding`, { body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bind-me' }, target: { apiVersion: 'v1', kind: 'Node', name: node } } });
    expect(r.status).toBe(201);
    expect((await c.core.readNamespacedPod({ name: 'bind-me', namespace: ns })).spec?.nodeName).toBe(node);
    const again = await c.raw('POST', `/api/v1/namespaces/${ns}/pods/bind-me/binding`, { body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bind-me' }, target: { apiVersion: 'v1', kind: 'Node', name: node } } });
    expect(again.status).toBe(409);
  });

  it('serviceaccounts/token mints a token the API server accepts', async () => {
    await eventually(() => c.core.readNamespacedServiceAccount({ name: 'default', namespace: ns }));
    const r = await c.raw('POST', `/api/v1/namespaces/${ns}/serviceaccounts/default/token`, { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1' });
    const token = r.body.status.token;
    expect(token.split('.')).toHaveLength(3);
    const api = await c.raw('GET', '/api', { token });
    expect(api.status).toBe(200);
    const pods = await c.raw('GET', `/api/v1/namespaces/${ns}/pods`, { token });
    expect(pods.status).toBe(403);
    expect(pods.body.message).toBe(`pods is forbidden: User "system:serviceaccount:${ns}:default" cannot list resource "pods" in API group "" in the namespace "${ns}"`);
  });

  it('exec on an unscheduled pod is refused with 400 before any upgrade, as the real server does', async () => {
    await c.core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'conn' }, spec: podSpec() } });
    const exec = await c.raw('POST', `/api/v1/namespaces/${ns}/pods/conn/exec?command=ls`);
    expect(exec.status).toBe(400);
    expect(exec.body.message).toBe('pod conn does not have a host assigned');
  });

  it.runIf(!process.env.TEST_KUBECONFIG)('kube-sim only (skipped with TEST_KUBECONFIG: a real cluster proxies instead): proxy answers 404 for a missing object (port-forward and proxy are not simulated)', async () => {
    expect((await c.raw('GET', `/api/v1/nodes/missing/proxy`)).status).toBe(404);
  });
});
