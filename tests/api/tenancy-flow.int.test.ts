import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startKubeSim, type KubeSim } from '../kube-sim';
import { startBosun, type RunningBosun } from '../../app/bosun';
import { bosunClient, fieldOf, httpStatusOf } from '../support/bosun-client';
import { addNodes } from '../support/kube-nodes';
import { createTestDatabase } from '../support/postgres';

const backends = [
  { name: 'PGlite', database: async () => ({ url: null as string | null, drop: async () => {} }) },
  { name: 'PostgreSQL', database: async () => createTestDatabase('bosun_flow') },
];

for (const backend of backends) {
  describe(`tenancy flow through the API (${backend.name})`, () => {
    let sim: KubeSim;
    let bosun: RunningBosun;
    let dataDir: string;
    let dropDatabase: () => Promise<void>;
    let api: ReturnType<typeof bosunClient>['client'];
    let core: CoreV1Api;
    let last = 0;

    beforeAll(async () => {
      sim = await startKubeSim({ nodes: 0 });
      await addNodes(sim.kubeconfig, 3, { cpu: '4', memory: '16Gi' });
      const kc = new KubeConfig();
      kc.loadFromString(sim.kubeconfig);
      core = kc.makeApiClient(CoreV1Api);
      dataDir = mkdtempSync(join(tmpdir(), 'bosun-flow-'));
      const db = await backend.database();
      dropDatabase = db.drop;
      bosun = await startBosun({
        config: { dataDir, port: 0, databaseUrl: db.url, adminPassword: 'correct-horse-battery-9', resyncSeconds: 1 },
        reconcilerBackoff: { baseMs: 50, maxMs: 500 },
      });
      api = bosunClient(bosun.url).client;
    });

    afterAll(async () => {
      await bosun?.stop();
      await sim?.stop();
      await dropDatabase?.();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('refuses anonymous calls and wrong passwords', async () => {
      await expect(api.clusters.list.query()).rejects.toSatisfy((e) => httpStatusOf(e) === 401);
      await expect(api.auth.login.mutate({ username: 'admin', password: 'nope' })).rejects.toSatisfy((e) => httpStatusOf(e) === 401);
      const me = await api.auth.login.mutate({ username: 'admin', password: 'correct-horse-battery-9' });
      expect(me.user.name).toBe('admin');
    });

    it('registers a cluster from a kubeconfig and shows its inventory', async () => {
      const inspected = await api.clusters.inspectKubeconfig.mutate({ kubeconfig: sim.kubeconfig });
      expect(inspected.contexts.length).toBeGreaterThan(0);
      const { position } = await api.clusters.register.mutate({
        commandId: randomUUID(),
        name: 'sim',
        kubeconfig: sim.kubeconfig,
        context: inspected.contexts[0].name,
      });
      last = position;
      const cluster = await api.clusters.get.query({ clusterId: 'sim', minPosition: position });
      expect(cluster.nodeCount).toBe(3);
      expect(cluster.allocatable).toEqual({ cpuMillis: 12_000, memoryBytes: 48 * 2 ** 30 });
      expect(cluster.kubernetesVersion).toMatch(/^v1\./);
    });

    it('answers bad input with a 4xx naming the field and writes nothing', async () => {
      const before = await bosun.services.store.headPosition();
      const bad = await api.clusters.register.mutate({ commandId: randomUUID(), name: 'x', kubeconfig: 'clusters: [' }).catch((e) => e);
      expect(httpStatusOf(bad)).toBe(400);
      expect(fieldOf(bad)).toMatch(/^kubeconfig/);
      const badName = await api.workspaces.create
        .mutate({ commandId: randomUUID(), name: 'Team_A', ceilingCpu: '4', ceilingMemory: '8Gi' })
        .catch((e) => e);
      expect(httpStatusOf(badName)).toBe(400);
      expect(fieldOf(badName)).toBe('name');
      expect(badName.message).toMatch(/^name: Invalid value: "Team_A"/);
      const badQuantity = await api.workspaces.create
        .mutate({ commandId: randomUUID(), name: 'team-a', ceilingCpu: 'lots', ceilingMemory: '8Gi' })
        .catch((e) => e);
      expect(httpStatusOf(badQuantity)).toBe(400);
      expect(fieldOf(badQuantity)).toBe('ceilingCpu');
      expect(await bosun.services.store.headPosition()).toBe(before);
    });

    it('creates a workspace, binds resources, and refuses over-commit naming the numbers', async () => {
      await api.clusters.setOvercommit.mutate({ commandId: randomUUID(), clusterId: 'sim', cpuRatio: 1.5, memoryRatio: 1 });
      last = (await api.workspaces.create.mutate({ commandId: randomUUID(), name: 'team-a', ceilingCpu: '10', ceilingMemory: '32Gi' })).position;
      last = (await api.workspaces.bind.mutate({ commandId: randomUUID(), workspaceId: 'team-a', clusterId: 'sim', cpu: '8', memory: '16Gi' })).position;
      const tooMuch = await api.workspaces.create
        .mutate({ commandId: randomUUID(), name: 'team-b', ceilingCpu: '100', ceilingMemory: '100Gi' })
        .then(() => api.workspaces.bind.mutate({ commandId: randomUUID(), workspaceId: 'team-b', clusterId: 'sim', cpu: '11', memory: '1Gi' }))
        .catch((e) => e);
      expect(httpStatusOf(tooMuch)).toBe(422);
      expect(fieldOf(tooMuch)).toBe('cpu');
      expect(tooMuch.message).toContain('18'); // bindable 12 × 1.5
      const ws = await api.workspaces.get.query({ workspaceId: 'team-a', minPosition: last });
      expect(ws.bindings).toHaveLength(1);
    });

    it('creates a namespace that the reconciler provisions on the cluster', async () => {
      last = (
        await api.namespaces.create.mutate({
          commandId: randomUUID(),
          clusterId: 'sim',
          workspaceId: 'team-a',
          name: 'team-a-dev',
          quotaCpu: '2',
          quotaMemory: '4Gi',
          defaultRequestCpu: '100m',
          defaultRequestMemory: '128Mi',
          defaultLimitCpu: '500m',
          defaultLimitMemory: '512Mi',
        })
      ).position;
      await expect.poll(async () => (await api.namespaces.get.query({ clusterId: 'sim', name: 'team-a-dev' })).status, { timeout: 20_000 }).toBe('ready');
      const ns = await core.readNamespace({ name: 'team-a-dev' });
      expect(ns.metadata?.labels?.['app.kubernetes.io/managed-by']).toBe('bosun');
      const quota = await core.readNamespacedResourceQuota({ namespace: 'team-a-dev', name: 'bosun-quota' });
      expect(quota.spec?.hard?.['limits.cpu']).toBe('2');
      const limits = await core.readNamespacedLimitRange({ namespace: 'team-a-dev', name: 'bosun-defaults' });
      expect(limits.spec?.limits?.[0]?.defaultRequest?.cpu).toBe('100m');
    });

    it('refuses a namespace quota larger than the binding has left', async () => {
      const refused = await api.namespaces.create
        .mutate({
          commandId: randomUUID(),
          clusterId: 'sim',
          workspaceId: 'team-a',
          name: 'team-a-big',
          quotaCpu: '7',
          quotaMemory: '1Gi',
          defaultRequestCpu: '100m',
          defaultRequestMemory: '128Mi',
          defaultLimitCpu: '500m',
          defaultLimitMemory: '512Mi',
        })
        .catch((e) => e);
      expect(httpStatusOf(refused)).toBe(422);
      expect(refused.message).toMatch(/6/); // 8 bound − 2 allocated
    });

    it('is idempotent on commandId', async () => {
      const commandId = randomUUID();
      const first = await api.workspaces.create.mutate({ commandId, name: 'team-c', ceilingCpu: '1', ceilingMemory: '1Gi' });
      const again = await api.workspaces.create.mutate({ commandId, name: 'team-c', ceilingCpu: '1', ceilingMemory: '1Gi' });
      expect(again.position).toBe(first.position);
    });

    it('audits every action, refused ones included, with the command and its events', async () => {
      const page = await api.audit.list.query({ minPosition: last, limit: 100 });
      const actions = page.items.map((r) => r.action);
      expect(actions).toEqual(expect.arrayContaining(['RegisterCluster', 'CreateWorkspace', 'BindClusterResources', 'CreateNamespace']));
      const rejected = await api.audit.list.query({ outcome: 'rejected' });
      expect(rejected.items.length).toBeGreaterThanOrEqual(2);
      expect(rejected.items.every((r) => r.outcome === 'rejected')).toBe(true);
      const created = page.items.find((r) => r.action === 'CreateNamespace' && r.outcome === 'accepted')!;
      const detail = await api.audit.get.query({ commandId: created.commandId });
      expect(detail.events.map((e) => e.type)).toEqual(expect.arrayContaining(['NamespaceCreated', 'ClusterNamespaceAllocated']));
      expect(detail.actor.name).toBe('admin');
    });

    it('restores a quota edited by hand at the next resync, and removes a deleted namespace', async () => {
      await core.patchNamespacedResourceQuota(
        { namespace: 'team-a-dev', name: 'bosun-quota', body: [{ op: 'replace', path: '/spec/hard/limits.cpu', value: '64' }] },
      );
      await expect
        .poll(async () => (await core.readNamespacedResourceQuota({ namespace: 'team-a-dev', name: 'bosun-quota' })).spec?.hard?.['limits.cpu'], { timeout: 20_000 })
        .toBe('2');
      await api.namespaces.delete.mutate({ commandId: randomUUID(), clusterId: 'sim', name: 'team-a-dev' });
      await expect
        .poll(async () => core.readNamespace({ name: 'team-a-dev' }).then(() => 'present', () => 'gone'), { timeout: 20_000 })
        .toBe('gone');
    });

    it('refuses to remove a cluster in use, and destroys its key material once removed', async () => {
      const inUse = await api.clusters.remove.mutate({ commandId: randomUUID(), clusterId: 'sim' }).catch((e) => e);
      expect(httpStatusOf(inUse)).toBe(409);
      expect(inUse.message).toContain('team-a');
      const credentialsBefore = await bosun.services.db.selectFrom('credentials').select('id').execute();
      expect(credentialsBefore).toHaveLength(1);

      await api.workspaces.unbind.mutate({ commandId: randomUUID(), workspaceId: 'team-a', clusterId: 'sim' });
      const { position } = await api.clusters.remove.mutate({ commandId: randomUUID(), clusterId: 'sim' });
      const listed = await api.clusters.list.query({ minPosition: position });
      expect(listed.map((c) => c.clusterId)).not.toContain('sim');
      expect(await bosun.services.db.selectFrom('credentials').select('id').execute()).toHaveLength(0);
      await expect(bosun.services.clusterAccess.clientFor('sim')).rejects.toThrow(/not registered/);
    });
  });
}
