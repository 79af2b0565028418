/**
 * Dev environments over the API against kube-sim: a developer starts one (a Deployment on the
 * cluster, its pod Running, status running), the quota refusal names the numbers and writes
 * nothing, stop scales to 0, delete removes the Deployment and releases the reservation, a tester
 * is refused, and each user sees only their own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { until } from '../support/until';
import { refusalOf } from '../support/bosun-client';
import { CLUSTER, NS_A, USER_PASSWORD, WS_A, startTenants, type Client, type Tenants } from './support/tenants';
import { clusterClient, type ClusterClient } from '../../reconcilers/runtime/kube';

const id = () => randomUUID();

describe('dev environments API', () => {
  let t: Tenants;
  let dev: Client['client'];
  let dev2: Client['client'];
  let kube: ClusterClient;
  const box = { clusterId: CLUSTER, namespace: NS_A, name: 'box' };

  const deployment = () => kube.get({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'devenv-box', namespace: NS_A } }) as Promise<any>;
  const pods = (name = 'box') => kube.list('v1', 'Pod', { namespace: NS_A, labelSelector: `bosun.io/devenv=${name}` }) as Promise<any[]>;

  beforeAll(async () => {
    t = await startTenants();
    dev = t.as.developer.client;
    const a = t.admin.client;
    await a.users.create.mutate({ commandId: id(), userId: 'dev-two', displayName: 'dev-two', email: 'dev-two@example.com', password: USER_PASSWORD });
    const { position } = await a.members.grant.mutate({
      commandId: id(),
      subject: { kind: 'user', id: 'dev-two' },
      roleId: 'developer',
      scope: { kind: 'namespace', clusterId: CLUSTER, namespace: NS_A, workspaceId: WS_A },
    });
    await t.bosun.services.readModels.waitForPosition(position, 10_000);
    dev2 = (await t.login('dev-two')).client;
    const kc = new KubeConfig();
    kc.loadFromString(t.sim.kubeconfig);
    kube = clusterClient(kc, { fieldManager: 'test', timeoutMs: 10_000 });
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
  });

  it('a developer starts one: a Deployment runs its image with requests = limits, the pod Running, status running', async () => {
    const before = await dev.devenvs.quota.query({ clusterId: CLUSTER, namespace: NS_A });
    expect(before.remaining).toEqual({ cpuMillis: 1000, memoryBytes: 2 * 2 ** 30 });
    const { position } = await dev.devenvs.start.mutate({ commandId: id(), ...box, image: 'ubuntu:24.04', cpu: '200m', memory: '256Mi' });
    const listed = await dev.devenvs.list.query({ minPosition: position });
    expect(listed.map((e) => [e.name, e.ownerId, e.image, e.cpuMillis, e.memoryBytes])).toEqual([['box', 'r-developer', 'ubuntu:24.04', 200, 256 * 2 ** 20]]);

    const running = await until('status running', async () => {
      const env = await dev.devenvs.get.query(box);
      return env.status === 'running' ? env : null;
    });
    expect(running).toMatchObject({ ownerId: 'r-developer', mine: true, statusReason: null });

    const d = await deployment();
    expect(d.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'bosun', 'bosun.io/devenv': 'box', 'bosun.io/owner': 'r-developer' });
    expect(d.metadata.managedFields.map((f: any) => f.manager)).toContain('bosun');
    expect(d.spec.replicas).toBe(1);
    const container = d.spec.template.spec.containers[0];
    expect(container).toMatchObject({ name: 'dev', image: 'ubuntu:24.04', command: ['sleep', 'infinity'] });
    expect(container.resources).toEqual({ requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: '200m', memory: '256Mi' } });
    const [pod] = await pods();
    expect(pod.status.phase).toBe('Running');

    const forTerminal = await dev.devenvs.pod.query(box);
    expect(forTerminal).toMatchObject({ pod: pod.metadata.name, container: 'dev', phase: 'Running', ready: true });

    const after = await dev.devenvs.quota.query({ clusterId: CLUSTER, namespace: NS_A });
    expect(after.remaining).toEqual({ cpuMillis: 800, memoryBytes: 2 * 2 ** 30 - 256 * 2 ** 20 });
  }, 60_000);

  it('refuses a start beyond the quota left, with the numbers, and writes nothing', async () => {
    const refusal = await refusalOf(dev.devenvs.start.mutate({ commandId: id(), ...box, name: 'big', image: 'ubuntu:24.04', cpu: '1', memory: '256Mi' }));
    expect(refusal.status).toBe(422);
    expect(refusal.field).toBe('cpu');
    expect(refusal.message).toContain('the dev environment needs 1 core but namespace "a-dev" has 0.8 cores left in its quota');
    expect((await dev.devenvs.list.query()).map((e) => e.name)).toEqual(['box']);
    expect(await kube.get({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'devenv-big', namespace: NS_A } })).toBeUndefined();
    expect((await dev.devenvs.quota.query({ clusterId: CLUSTER, namespace: NS_A })).remaining.cpuMillis).toBe(800);
  });

  it('refuses bad input naming the field (400), writing nothing', async () => {
    const image = await refusalOf(dev.devenvs.start.mutate({ commandId: id(), ...box, name: 'bad', image: 'Not A Ref', cpu: '100m', memory: '64Mi' }));
    expect([image.status, image.field]).toEqual([400, 'image']);
    const cpu = await refusalOf(dev.devenvs.start.mutate({ commandId: id(), ...box, name: 'bad', image: 'busybox', cpu: 'fast', memory: '64Mi' }));
    expect([cpu.status, cpu.field]).toEqual([400, 'cpu']);
    const name = await refusalOf(dev.devenvs.start.mutate({ commandId: id(), ...box, name: 'Bad_Name', image: 'busybox', cpu: '100m', memory: '64Mi' }));
    expect([name.status, name.field]).toEqual([400, 'name']);
    expect((await dev.devenvs.list.query()).map((e) => e.name)).toEqual(['box']);
  });

  it('lists per user: another developer neither sees nor touches mine; a platform admin may list all', async () => {
    expect(await dev2.devenvs.list.query()).toEqual([]);
    expect((await refusalOf(dev2.devenvs.get.query(box))).status).toBe(404);
    expect((await refusalOf(dev2.devenvs.pod.query(box))).status).toBe(404);
    expect((await refusalOf(dev2.devenvs.stop.mutate({ commandId: id(), ...box }))).status).toBe(404);
    expect((await refusalOf(dev2.devenvs.delete.mutate({ commandId: id(), ...box }))).status).toBe(404);
    expect(await t.admin.client.devenvs.list.query()).toEqual([]);
    expect((await t.admin.client.devenvs.list.query({ all: true })).map((e) => [e.name, e.ownerId, e.mine])).toEqual([['box', 'r-developer', false]]);
    // dev-two's own environment of the same namespace is theirs alone.
    const { position } = await dev2.devenvs.start.mutate({ commandId: id(), ...box, name: 'other', image: 'busybox', cpu: '100m', memory: '64Mi' });
    expect((await dev2.devenvs.list.query({ minPosition: position })).map((e) => e.name)).toEqual(['other']);
    expect((await dev.devenvs.list.query({ minPosition: position })).map((e) => e.name)).toEqual(['box']);
    await dev2.devenvs.delete.mutate({ commandId: id(), ...box, name: 'other' });
  });

  it('refuses a tester (no devenv:manage)', async () => {
    const tester = t.as.tester.client;
    const refusal = await refusalOf(tester.devenvs.start.mutate({ commandId: id(), ...box, name: 'tst', image: 'busybox', cpu: '100m', memory: '64Mi' }));
    expect(refusal.status).toBe(403);
    expect(refusal.message).toContain('permission devenv:manage');
    expect((await refusalOf(tester.devenvs.list.query())).status).toBe(403);
  });

  it('stop scales to 0 (no pod, status stopped), resume brings it back', async () => {
    const stopped = await dev.devenvs.stop.mutate({ commandId: id(), ...box });
    await dev.devenvs.list.query({ minPosition: stopped.position });
    await until('replicas 0', async () => (await deployment())?.spec.replicas === 0);
    await until('no pod', async () => (await pods()).length === 0);
    await until('status stopped', async () => (await dev.devenvs.get.query(box)).status === 'stopped');
    expect(await dev.devenvs.pod.query(box)).toBeNull();
    // Stopping keeps the reservation, so resuming never fails for want of quota.
    expect((await dev.devenvs.quota.query({ clusterId: CLUSTER, namespace: NS_A })).remaining.cpuMillis).toBe(800);

    await dev.devenvs.resume.mutate({ commandId: id(), ...box });
    await until('running again', async () => (await dev.devenvs.get.query(box)).status === 'running');
    expect((await deployment()).spec.replicas).toBe(1);
  }, 60_000);

  it('delete removes the Deployment and releases the reservation', async () => {
    const { position } = await dev.devenvs.delete.mutate({ commandId: id(), ...box });
    expect(await dev.devenvs.list.query({ minPosition: position })).toEqual([]);
    expect((await refusalOf(dev.devenvs.get.query(box))).status).toBe(404);
    await until('Deployment gone', async () => (await deployment()) === undefined);
    await until('pods gone', async () => (await pods()).length === 0);
    expect((await dev.devenvs.quota.query({ clusterId: CLUSTER, namespace: NS_A })).remaining).toEqual({ cpuMillis: 1000, memoryBytes: 2 * 2 ** 30 });
    // The whole quota is free again: an environment of 1 CPU now fits.
    await dev.devenvs.start.mutate({ commandId: id(), ...box, name: 'big', image: 'ubuntu:24.04', cpu: '1', memory: '256Mi' });
    await dev.devenvs.delete.mutate({ commandId: id(), ...box, name: 'big' });
  }, 60_000);

  it('records an image that cannot be pulled as failed, with the reason', async () => {
    await dev.devenvs.start.mutate({ commandId: id(), ...box, name: 'broken', image: 'registry.example.com/notfound:1', cpu: '100m', memory: '64Mi' });
    const failed = await until('status failed', async () => {
      const env = await dev.devenvs.get.query({ ...box, name: 'broken' });
      return env.status === 'failed' ? env : null;
    });
    expect(failed.statusReason).toMatch(/ErrImagePull|ImagePullBackOff/);
    await dev.devenvs.delete.mutate({ commandId: id(), ...box, name: 'broken' });
  }, 60_000);
});
