/**
 * The Kubernetes proxy end to end: a running Bosun (PGlite, then PostgreSQL) in front of kube-sim with RBAC enforced,
 * used by @kubernetes/client-node configured only from the kubeconfig Bosun hands out, so every call
 * goes through `/k8s/clusters/<id>` with the caller impersonated.
 *
 * The RBAC that Bosun's reconciler will project from grants is written here by hand (Role and
 * RoleBinding for `bosun:alice` / `bosun:bob` in ns-a), as a developer's would be: pods, logs, exec,
 * read-only deployments; nothing in ns-b.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { Writable, PassThrough } from 'node:stream';
import type { IncomingHttpHeaders } from 'node:http';
import WebSocket from 'ws';
import { AppsV1Api, CoreV1Api, Exec, KubeConfig, Log, RbacAuthorizationV1Api, Watch, type V1Pod } from '@kubernetes/client-node';
import { startKubeSim, type KubeSim } from '../kube-sim';
import { startBosun, type RunningBosun } from '../../app/bosun';
import { bosunClient, httpStatusOf } from '../support/bosun-client';
import { addNodes } from '../support/kube-nodes';
import { createTestDatabase } from '../support/postgres';
import { tenancyCommand } from '../../commands/tenancy';
import { systemActor } from '../../commands/context';
import { generateApiKey } from '../../identity/api-keys';
import { kubeUserName, KUBE_ALL_USERS_GROUP } from '../../kube/identities';
import type { Scope } from '../../domain/permissions';

const ADMIN_PASSWORD = 'correct-horse-battery-9';
const USER_PASSWORD = 'alice-Passw0rd-long';
const SIM_ADMIN_TOKEN = `sim-admin-${randomBytes(16).toString('hex')}`;

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  closed: boolean;
}

const backends = [
  { name: 'PGlite', database: async () => ({ url: null as string | null, drop: async () => {} }) },
  { name: 'PostgreSQL', database: async () => createTestDatabase('bosun_k8s_proxy') },
];

for (const backend of backends) describe(`Kubernetes proxy (${backend.name}, kube-sim with RBAC)`, () => {
  let sim: KubeSim;
  let other: KubeSim;
  let bosun: RunningBosun;
  let dataDir: string;
  let dropDatabase: (() => Promise<void>) | undefined;
  let admin: ReturnType<typeof bosunClient>;
  let alice: ReturnType<typeof bosunClient>;
  let kubeconfigYaml: string;
  let aliceKey: string;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  const logs: string[] = [];
  const seen: Seen[] = [];
  const seenByOther: Seen[] = [];
  const keys: string[] = [];
  let stopped = false;

  /** Requests that reached a cluster on behalf of some caller (Bosun's own reconciler calls carry no impersonation). */
  const impersonated = (list: Seen[]) => list.filter((s) => s.headers['impersonate-user'] !== undefined).length;
  const recorder = (into: Seen[]) => ({
    before(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) {
      const entry: Seen = { method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers }, closed: false };
      into.push(entry);
      res.on('close', () => (entry.closed = true));
    },
  });
  const simUsers = () => [{ name: 'admin', token: SIM_ADMIN_TOKEN, groups: ['system:masters'] }];
  const context = () => ({ actor: systemActor, commandId: randomUUID(), correlationId: randomUUID(), causationId: null, clientIp: null, now: new Date() });
  const handle = async (type: string, command: Record<string, unknown>, now?: Date) => {
    const result = await bosun.services.handle(tenancyCommand(type as any), { type, ...command } as any, { ...context(), ...(now ? { now } : {}) });
    await bosun.services.readModels.waitForPosition(result.position, 10_000);
    return result;
  };
  /** A key made directly with the CreateApiKey command (for cases the kubeconfig download cannot make: expired, limited). */
  const makeKey = async (userId: string, options: { scopes?: Scope[] | null; now?: string; expiresAt?: string } = {}) => {
    const generated = generateApiKey();
    const keyId = randomUUID();
    const now = options.now ?? new Date().toISOString();
    await handle('CreateApiKey', {
      userId,
      keyId,
      name: `test-${keyId}`,
      prefix: generated.prefix,
      secretSha256: generated.secretSha256,
      permissions: ['namespaces:read', 'workloads:read', 'containers:exec', 'containers:logs'],
      scopes: options.scopes ?? null,
      expiresAt: options.expiresAt ?? new Date(Date.parse(now) + 86_400_000).toISOString(),
      now,
    });
    keys.push(generated.key);
    return { key: generated.key, keyId };
  };
  const proxied = (path: string, init: RequestInit & { key?: string | null } = {}) => {
    const { key = aliceKey, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (key) headers.set('authorization', `Bearer ${key}`);
    return fetch(`${bosun.url}/k8s/clusters/${path}`, { ...rest, headers });
  };
  const statusOf = async (response: Response) => ({ code: response.status, body: (await response.json()) as Record<string, any> });
  const apiError = (error: any) => ({ code: error?.code as number, body: (typeof error?.body === 'string' ? JSON.parse(error.body) : error?.body) as Record<string, any> });
  const podBody = (name: string): V1Pod => ({
    metadata: { name, annotations: { 'kube-sim.bosun.io/log-lines-per-second': '0' } },
    spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] },
  });
  const kubernetesAudit = async () => (await admin.client.audit.list.query({ module: 'kubernetes', limit: 500 })).items;

  beforeAll(async () => {
    sim = await startKubeSim({ nodes: 0, users: simUsers(), faults: recorder(seen) });
    await addNodes(sim.kubeconfig, 2, { cpu: '8', memory: '32Gi' });
    other = await startKubeSim({ nodes: 0, users: simUsers(), faults: recorder(seenByOther) });
    await addNodes(other.kubeconfig, 1, { cpu: '4', memory: '16Gi' });
    dataDir = mkdtempSync(join(tmpdir(), 'bosun-k8s-proxy-'));
    const capture = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    const database = await backend.database();
    dropDatabase = database.drop;
    bosun = await startBosun({
      config: { dataDir, port: 0, databaseUrl: database.url, adminPassword: ADMIN_PASSWORD, resyncSeconds: 1 },
      reconcilerBackoff: { baseMs: 50, maxMs: 500 },
      logger: { level: 'debug', stream: capture },
    });

    admin = bosunClient(bosun.url);
    await admin.client.auth.login.mutate({ username: 'admin', password: ADMIN_PASSWORD });
    const a = admin.client;
    for (const [name, s] of [['sim', sim], ['other', other]] as const) {
      const inspected = await a.clusters.inspectKubeconfig.mutate({ kubeconfig: s.kubeconfig });
      await a.clusters.register.mutate({ commandId: randomUUID(), name, kubeconfig: s.kubeconfig, context: inspected.contexts[0].name });
    }
    for (const ws of ['ws-a', 'ws-b']) {
      await a.workspaces.create.mutate({ commandId: randomUUID(), name: ws, ceilingCpu: '4', ceilingMemory: '16Gi' });
      await a.workspaces.bind.mutate({ commandId: randomUUID(), workspaceId: ws, clusterId: 'sim', cpu: '4', memory: '16Gi' });
    }
    const quota = { quotaCpu: '2', quotaMemory: '4Gi', defaultRequestCpu: '100m', defaultRequestMemory: '128Mi', defaultLimitCpu: '500m', defaultLimitMemory: '512Mi' };
    for (const [ws, ns] of [['ws-a', 'ns-a'], ['ws-b', 'ns-b']]) {
      await a.namespaces.create.mutate({ commandId: randomUUID(), clusterId: 'sim', workspaceId: ws, name: ns, ...quota });
    }
    const deadline = Date.now() + 30_000;
    while ((await a.namespaces.list.query()).filter((n) => n.status === 'ready').length < 2) {
      if (Date.now() > deadline) throw new Error('ns-a and ns-b did not become ready within 30 s');
      await new Promise((r) => setTimeout(r, 100));
    }

    // What the RBAC reconciler will project for a developer on ns-a, written by hand.
    const simAdmin = new KubeConfig();
    simAdmin.loadFromString(sim.kubeconfig);
    const rbac = simAdmin.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: 'ns-a',
      body: {
        metadata: { name: 'test-developer' },
        rules: [
          { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
          { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
          { apiGroups: [''], resources: ['pods/exec'], verbs: ['get', 'create'] },
          { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch'] },
        ],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: 'ns-a',
      body: {
        metadata: { name: 'test-developer' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'test-developer' },
        subjects: ['alice', 'bob'].map((u) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: kubeUserName(u) })),
      },
    });
    await simAdmin.makeApiClient(AppsV1Api).createNamespacedDeployment({
      namespace: 'ns-a',
      body: {
        metadata: { name: 'web' },
        spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
      },
    });
    await simAdmin.makeApiClient(CoreV1Api).createNamespacedPod({ namespace: 'ns-b', body: podBody('private') });

    // alice and bob: developers on ns-a, made through the command pipeline.
    for (const user of ['alice', 'bob']) {
      await handle('CreateUser', { userId: user, displayName: user === 'alice' ? 'Alice' : 'Bob', email: null, source: 'local', externalSubject: null });
      await handle('GrantRole', {
        subject: { kind: 'user', id: user },
        roleId: 'developer',
        scope: { kind: 'namespace', clusterId: 'sim', namespace: 'ns-a', workspaceId: 'ws-a' },
        by: 'admin',
      });
    }
    await bosun.services.accounts.setPassword('alice', USER_PASSWORD, new Date());
    alice = bosunClient(bosun.url);
    await alice.client.auth.login.mutate({ username: 'alice', password: USER_PASSWORD });

    const downloaded = await alice.client.kubeconfig.download.mutate({ commandId: randomUUID(), clusterId: 'sim' });
    kubeconfigYaml = downloaded.yaml;
    kc = new KubeConfig();
    kc.loadFromString(kubeconfigYaml);
    aliceKey = kc.getCurrentUser()!.token!;
    keys.push(aliceKey);
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
  });

  afterAll(async () => {
    if (!stopped) await bosun?.stop();
    await sim?.stop();
    await other?.stop();
    await dropDatabase?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  describe('the downloaded kubeconfig', () => {
    it('points at the proxy with a fresh key of alice, in her namespace', async () => {
      expect(kc.getCurrentCluster()!.server).toBe(`${bosun.url}/k8s/clusters/sim`);
      expect(kc.getContextObject(kc.getCurrentContext())!.namespace).toBe('ns-a');
      expect(aliceKey).toMatch(/^bsk_/);
      const mine = await alice.client.apiKeys.list.query();
      const key = mine.find((k) => k.name.startsWith('kubeconfig-sim-'))!;
      expect(key).toBeDefined();
      expect(key.scopes).toBeNull();
      expect(key.permissions).toEqual(expect.arrayContaining(['containers:exec', 'containers:logs', 'apps:deploy']));
      expect(key.permissions).not.toContain('clusters:manage');
      // A second download the same day gets a name of its own.
      const again = await alice.client.kubeconfig.download.mutate({ commandId: randomUUID(), clusterId: 'sim', expiresInDays: 1 });
      expect(again.keyId).not.toBe(key.keyId);
      keys.push(new KubeConfigFrom(again.yaml).token);
    });

    it('is refused for a cluster alice cannot reach, and to an API key', async () => {
      const refused = await alice.client.kubeconfig.download.mutate({ commandId: randomUUID(), clusterId: 'other' }).catch((e) => e);
      expect(httpStatusOf(refused)).toBe(403);
      expect(refused.message).toContain('cluster "other"');
      const byKey = bosunClient(bosun.url, { authorization: `Bearer ${aliceKey}` });
      const keyRefused = await byKey.client.kubeconfig.download.mutate({ commandId: randomUUID(), clusterId: 'sim' }).catch((e) => e);
      expect(httpStatusOf(keyRefused)).toBe(403);
    });
  });

  describe('as alice, through client-node', () => {
    it('lists pods in ns-a', async () => {
      const pods = await core.listNamespacedPod({ namespace: 'ns-a' });
      expect(Array.isArray(pods.items)).toBe(true);
    });

    it('is refused by the cluster (403 Status passed through) in ns-b and when patching a Deployment', async () => {
      const listB = apiError(await core.listNamespacedPod({ namespace: 'ns-b' }).catch((e) => e));
      expect(listB.code).toBe(403);
      expect(listB.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403 });
      expect(listB.body.message).toContain(`User "${kubeUserName('alice')}" cannot list resource "pods" in API group "" in the namespace "ns-b"`);

      const patch = apiError(
        await apps.patchNamespacedDeployment({ namespace: 'ns-a', name: 'web', body: [{ op: 'replace', path: '/spec/replicas', value: 3 }] }).catch((e) => e),
      );
      expect(patch.code).toBe(403);
      expect(patch.body.message).toContain('cannot patch resource "deployments" in API group "apps"');
    });

    it('sends the cluster its own credentials and impersonates alice, never passing hers on', () => {
      const hers = seen.filter((s) => s.headers['impersonate-user'] === kubeUserName('alice'));
      expect(hers.length).toBeGreaterThan(0);
      for (const s of hers) {
        expect(s.headers.authorization).toBe(`Bearer ${SIM_ADMIN_TOKEN}`);
        expect(s.headers.cookie).toBeUndefined();
        expect(String(s.headers['impersonate-group'])).toContain(KUBE_ALL_USERS_GROUP);
      }
      expect(seen.some((s) => JSON.stringify(s.headers).includes('bsk_'))).toBe(false);
    });

    it('streams a watch: a pod created afterwards arrives as an event', async () => {
      const { metadata } = await core.listNamespacedPod({ namespace: 'ns-a' });
      const events: string[] = [];
      const ended: unknown[] = [];
      const controller = await new Watch(kc).watch(
        '/api/v1/namespaces/ns-a/pods',
        { resourceVersion: metadata!.resourceVersion },
        (type, obj: V1Pod) => events.push(`${type} ${obj.metadata?.name}`),
        (err) => ended.push(err),
      );
      await expect.poll(() => seen.some((s) => s.url.includes('/namespaces/ns-a/pods') && s.url.includes('watch=true') && !s.closed)).toBe(true);
      await core.createNamespacedPod({ namespace: 'ns-a', body: podBody('worker') });
      await expect.poll(() => events, { timeout: 10_000 }).toContain('ADDED worker');
      const watchAtSim = seen.find((s) => s.url.includes('watch=true') && !s.closed)!;
      controller.abort();
      // The caller went away: so did the proxy's call to the cluster.
      await expect.poll(() => watchAtSim.closed, { timeout: 5_000 }).toBe(true);
    });

    it('streams a followed log while it is written, until the container goes', async () => {
      await core.createNamespacedPod({ namespace: 'ns-a', body: podBody('tail') });
      await expect
        .poll(async () => (await core.readNamespacedPod({ namespace: 'ns-a', name: 'tail' })).status?.containerStatuses?.[0]?.state?.running !== undefined, { timeout: 15_000 })
        .toBe(true);
      const out = new PassThrough();
      let text = '';
      let ended = false;
      out.on('data', (d) => (text += d.toString()));
      out.on('end', () => (ended = true));
      await new Log(kc).log('ns-a', 'tail', 'main', out, { follow: true });
      sim.logs.append('ns-a', 'tail', 'main', 'first line through the proxy');
      await expect.poll(() => text, { timeout: 5_000 }).toContain('first line through the proxy');
      expect(ended).toBe(false);
      sim.logs.append('ns-a', 'tail', 'main', 'second line, same stream');
      await expect.poll(() => text, { timeout: 5_000 }).toContain('second line, same stream');
      // The pod goes: the API server ends the followed log, and the proxy ends it for the caller.
      await core.deleteNamespacedPod({ namespace: 'ns-a', name: 'tail' });
      await expect.poll(() => ended, { timeout: 10_000 }).toBe(true);
    });

    it('runs `echo hi` over exec (WebSocket upgrade through the proxy)', async () => {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      let out = '';
      stdout.on('data', (d) => (out += d));
      const status = await new Promise<any>((resolve, reject) => {
        new Exec(kc).exec('ns-a', 'worker', 'main', ['echo', 'hi'], stdout, stderr, null, false, (s) => resolve(s)).catch(reject);
      });
      expect(status).toEqual({ metadata: {}, status: 'Success' });
      await expect.poll(() => out).toBe('hi\n');
    });

    it('passes on the cluster refusing an exec session (403 before the upgrade)', async () => {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const ws = new WebSocket(`${bosun.url.replace('http', 'ws')}/k8s/clusters/sim/api/v1/namespaces/ns-b/pods/private/exec?command=id&stdout=true`, ['v5.channel.k8s.io', 'v4.channel.k8s.io'], {
          headers: { authorization: `Bearer ${aliceKey}` },
        });
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        });
        ws.on('open', () => reject(new Error('the upgrade succeeded')));
        ws.on('error', () => {});
      });
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body).message).toContain('cannot create resource "pods/exec"');
    });

    it('opens an exec session by session cookie only from Bosun’s own page (Origin checked)', async () => {
      const open = (origin: string) =>
        new Promise<number>((resolve) => {
          const ws = new WebSocket(`${bosun.url.replace('http', 'ws')}/k8s/clusters/sim/api/v1/namespaces/ns-a/pods/worker/exec?command=true&stdout=true`, ['v5.channel.k8s.io'], {
            headers: { cookie: alice.cookie() },
            origin,
          });
          ws.on('open', () => {
            ws.close();
            resolve(101);
          });
          ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
          ws.on('error', () => {});
        });
      expect(await open('https://evil.example')).toBe(403);
      expect(await open(bosun.url)).toBe(101);
    });

    it('routes long paths (names far longer than a router parameter) to the cluster', async () => {
      const name = `rb-${'x'.repeat(240)}`;
      const { code, body } = await statusOf(await proxied(`sim/apis/rbac.authorization.k8s.io/v1/namespaces/ns-a/rolebindings/${name}`));
      expect(code).toBe(403);
      expect(body.message).toContain(`rolebindings.rbac.authorization.k8s.io "${name}" is forbidden`);
    });

    it('works with the session cookie too; a mutation by cookie needs the CSRF header', async () => {
      const cookie = alice.cookie();
      const list = await proxied('sim/api/v1/namespaces/ns-a/pods', { key: null, headers: { cookie } });
      expect(list.status).toBe(200);
      const post = await statusOf(
        await proxied('sim/api/v1/namespaces/ns-a/pods', { key: null, method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(podBody('by-cookie')) }),
      );
      expect(post.code).toBe(403);
      expect(post.body).toMatchObject({ kind: 'Status', code: 403 });
      expect(post.body.message).toContain('CSRF');
    });
  });

  describe('refusals by Bosun', () => {
    it('answers 401 as a Status without credentials', async () => {
      const { code, body } = await statusOf(await proxied('sim/api/v1/namespaces/ns-a/pods', { key: null }));
      expect(code).toBe(401);
      expect(body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401 });
      expect(typeof body.message).toBe('string');
    });

    it('refuses (and audits) a request carrying its own Impersonate-User header', async () => {
      const before = impersonated(seen);
      const { code, body } = await statusOf(await proxied('sim/api/v1/namespaces/ns-a/pods', { headers: { 'Impersonate-User': 'admin' } }));
      expect(code).toBe(403);
      expect(body.message).toMatch(/Impersonate/);
      expect(impersonated(seen)).toBe(before);
      await expect.poll(async () => (await kubernetesAudit()).some((r) => r.outcome === 'rejected' && /Impersonate/.test(r.message ?? '') && r.actor.id === 'alice')).toBe(true);
    });

    it('answers 401 at once for a revoked key, an expired key and a disabled user’s key', async () => {
      const second = await alice.client.kubeconfig.download.mutate({ commandId: randomUUID(), clusterId: 'sim' });
      const secondKey = new KubeConfigFrom(second.yaml).token;
      keys.push(secondKey);
      expect((await proxied('sim/api/v1/namespaces/ns-a/pods', { key: secondKey })).status).toBe(200);
      await handle('RevokeApiKey', { userId: 'alice', keyId: second.keyId });
      const revoked = await statusOf(await proxied('sim/api/v1/namespaces/ns-a/pods', { key: secondKey }));
      expect(revoked.code).toBe(401);
      expect(revoked.body.message).toContain('revoked');

      const expired = await makeKey('alice', { now: '2020-01-01T00:00:00.000Z', expiresAt: '2020-01-02T00:00:00.000Z' });
      const expiredAnswer = await statusOf(await proxied('sim/api/v1/namespaces/ns-a/pods', { key: expired.key }));
      expect(expiredAnswer.code).toBe(401);
      expect(expiredAnswer.body.message).toContain('expired');

      const bob = await makeKey('bob');
      expect((await proxied('sim/api/v1/namespaces/ns-a/pods', { key: bob.key })).status).toBe(200);
      await handle('DisableUser', { userId: 'bob', by: 'admin' });
      const disabled = await statusOf(await proxied('sim/api/v1/namespaces/ns-a/pods', { key: bob.key }));
      expect(disabled.code).toBe(401);
      expect(disabled.body.reason).toBe('Unauthorized');
    });

    it('answers 403 before any upstream call for a cluster alice holds nothing on', async () => {
      const { code, body } = await statusOf(await proxied('other/api/v1/namespaces'));
      expect(code).toBe(403);
      expect(body).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
      expect(body.message).toContain('cluster "other"');
      expect(impersonated(seenByOther)).toBe(0);
      // An unknown cluster looks the same to her.
      expect((await proxied('nope/api/v1/namespaces')).status).toBe(403);
    });

    it('refuses a key limited to scopes that do not reach the cluster', async () => {
      const limited = await makeKey('alice', { scopes: [{ kind: 'workspace', workspaceId: 'ws-b' }] });
      const before = impersonated(seen);
      const { code, body } = await statusOf(await proxied('sim/api/v1/namespaces/ns-a/pods', { key: limited.key }));
      expect(code).toBe(403);
      expect(body.message).toContain('cluster "sim"');
      expect(impersonated(seen)).toBe(before);
      const inScope = await makeKey('alice', { scopes: [{ kind: 'namespace', clusterId: 'sim', namespace: 'ns-a', workspaceId: 'ws-a' }] });
      expect((await proxied('sim/api/v1/namespaces/ns-a/pods', { key: inScope.key })).status).toBe(200);
    });
  });

  describe('the audit trail', () => {
    it('holds the mutating calls with verb, resource, namespace and status, the refused patch included; no reads', async () => {
      let records: Awaited<ReturnType<typeof kubernetesAudit>> = [];
      await expect
        .poll(
          async () => {
            records = await kubernetesAudit();
            return ['create pods', 'patch deployments', 'create pods/exec', 'delete pods'].every((action) => records.some((r) => r.action === action));
          },
          { timeout: 10_000 },
        )
        .toBe(true);

      const created = records.find((r) => r.action === 'create pods' && r.target.namespace === 'ns-a' && r.outcome === 'accepted')!;
      expect(created).toMatchObject({ module: 'kubernetes', outcome: 'accepted', actor: { kind: 'apiKey', id: 'alice' } });
      expect(created.target).toMatchObject({ kind: 'namespace', clusterId: 'sim', namespace: 'ns-a', workspaceId: 'ws-a' });
      expect(created.command).toMatchObject({ verb: 'create', resource: 'pods', namespace: 'ns-a', status: 201 });

      const patch = records.find((r) => r.action === 'patch deployments')!;
      expect(patch).toMatchObject({ outcome: 'rejected', code: 'forbidden' });
      expect(patch.command).toMatchObject({ verb: 'patch', apiGroup: 'apps', resource: 'deployments', namespace: 'ns-a', name: 'web', status: 403 });
      expect(patch.message).toContain('cannot patch resource "deployments"');

      const exec = records.find((r) => r.action === 'create pods/exec' && r.target.namespace === 'ns-a')!;
      expect(exec).toMatchObject({ outcome: 'accepted' });
      expect(exec.command).toMatchObject({ verb: 'create', resource: 'pods', subresource: 'exec', name: 'worker', status: 101 });

      const deleted = records.find((r) => r.action === 'delete pods')!;
      expect(deleted).toMatchObject({ outcome: 'accepted' });
      expect(deleted.command).toMatchObject({ verb: 'delete', resource: 'pods', namespace: 'ns-a', name: 'tail', status: 200 });

      const refusedExec = records.find((r) => r.action === 'create pods/exec' && r.target.namespace === 'ns-b')!;
      expect(refusedExec).toMatchObject({ outcome: 'rejected', code: 'forbidden' });
      expect(refusedExec.command).toMatchObject({ status: 403 });

      // Reads that reached the cluster are not audited, allowed or refused by it (list pods in ns-b was a 403 from RBAC).
      const reads = records.filter((r) => /^(get|list|watch) /.test(r.action));
      expect(reads.filter((r) => r.outcome === 'accepted')).toEqual([]);
      expect(reads.every((r) => /Impersonate|cluster "(other|nope|sim)"/.test(r.message ?? ''))).toBe(true);
      expect(records.some((r) => r.target.namespace === 'ns-b' && r.action === 'list pods')).toBe(false);
    });

    it('keeps no secret: neither the cluster token nor any API key is in audit rows, events or logs', async () => {
      const rows = JSON.stringify(await bosun.services.db.selectFrom('audit_records').selectAll().execute());
      const events = JSON.stringify(await bosun.services.store.readAll({ limit: 100_000 }));
      const logText = logs.join('');
      expect(logText.length).toBeGreaterThan(0);
      expect(keys.length).toBeGreaterThan(3);
      for (const text of [rows, events, logText]) {
        expect(text).not.toContain(SIM_ADMIN_TOKEN);
        for (const key of keys) expect(text).not.toContain(key);
      }
    });
  });

  describe('shutdown', () => {
    it('ends open watches and exec sessions when Bosun stops, instead of waiting for them', async () => {
      await core.createNamespacedPod({ namespace: 'ns-a', body: podBody('shell') });
      await expect
        .poll(async () => (await core.readNamespacedPod({ namespace: 'ns-a', name: 'shell' })).status?.containerStatuses?.[0]?.state?.running !== undefined, { timeout: 15_000 })
        .toBe(true);
      const watch = await proxied('sim/api/v1/namespaces/ns-a/pods?watch=true');
      expect(watch.status).toBe(200);
      const reading = watch.body!.getReader().read().then(() => 'read', () => 'cut');
      const stdin = new PassThrough();
      let sessionClosed = false;
      const session = await new Exec(kc).exec('ns-a', 'shell', 'main', ['sh'], new PassThrough(), new PassThrough(), stdin, false);
      session.on('close', () => (sessionClosed = true));
      await expect.poll(() => seen.filter((s) => s.url.includes('watch=true') && !s.closed).length).toBeGreaterThan(0);
      const started = Date.now();
      await bosun.stop();
      stopped = true;
      expect(Date.now() - started).toBeLessThan(10_000);
      await reading;
      await expect.poll(() => sessionClosed).toBe(true);
    });
  });
});

/** The token of a kubeconfig's current user. */
class KubeConfigFrom {
  readonly token: string;
  constructor(yaml: string) {
    const kc = new KubeConfig();
    kc.loadFromString(yaml);
    this.token = kc.getCurrentUser()!.token!;
  }
}
