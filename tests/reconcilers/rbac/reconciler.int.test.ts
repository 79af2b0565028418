/**
 * The RBAC reconciler end to end: read-model rows in PostgreSQL → `rbacDesiredState(db)` →
 * Roles/RoleBindings on kube-sim (RBAC enforced) → the cluster's own answer to
 * SelfSubjectAccessReviews sent with the proxy's impersonation headers.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../../db/connect';
import { migrateToLatest } from '../../../db/migrate';
import { startRbacReconciler, type RbacReconciler, type RbacReconcilerOptions } from '../../../reconcilers/rbac/reconciler';
import { rbacDesiredState } from '../../../reconcilers/rbac/source';
import { nudgeRbac } from '../../../reconcilers/rbac/triggers';
import { startKubeSim, type KubeSim } from '../../kube-sim/index';
import { createTestDatabase } from '../../support/postgres';
import { eventually, kubeConfigOf, sleep, testClient } from '../support';
import {
  AccessReviewer,
  bosunNamespaceOnCluster,
  clearReadModels,
  defineRole,
  grant,
  insertCluster,
  insertNamespace,
  insertUser,
  revoke,
  setUserStatus,
  type AccessQuestion,
} from './support';

let sim: KubeSim;
let reviewer: AccessReviewer;
let database: OpenedDatabase;
let db: Kysely<any>;
let dropDatabase: () => Promise<void>;
const running: RbacReconciler[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  const test = await createTestDatabase('rbac_reconciler');
  dropDatabase = test.drop;
  database = await openDatabase({ kind: 'postgres', url: test.url, poolSize: 8 });
  db = database.db;
  await migrateToLatest(db);
  sim = await startKubeSim();
  reviewer = AccessReviewer.forSim(sim);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
  for (const c of cleanups.splice(0).reverse()) await Promise.race([c().catch(() => {}), sleep(3000)]);
  await clearReadModels(db);
});
afterAll(async () => {
  reviewer?.close();
  await sim?.stop();
  await database?.close();
  await dropDatabase?.();
});

function start(kubeConfigs: Record<string, KubeConfig>, extra: Partial<RbacReconcilerOptions> = {}): RbacReconciler {
  const r = startRbacReconciler({
    source: rbacDesiredState(db),
    kubeConfigFor: async (clusterId) => {
      const kc = kubeConfigs[clusterId];
      if (!kc) throw new Error(`no credentials for ${clusterId}`);
      return kc;
    },
    resyncMs: 60_000,
    backoff: { baseMs: 20, capMs: 200, jitter: 0.1 },
    requestTimeoutMs: 2000,
    onError: () => {},
    ...extra,
  });
  running.push(r);
  return r;
}

const client = () => testClient(sim.kubeconfig);
const pods = (namespace: string): AccessQuestion => ({ namespace, verb: 'get', resource: 'pods' });
const exec = (namespace: string): AccessQuestion => ({ namespace, verb: 'create', resource: 'pods', subresource: 'exec' });
const patchDeployments = (namespace: string): AccessQuestion => ({ namespace, verb: 'patch', group: 'apps', resource: 'deployments' });
const roleBinding = (namespace: string, roleId: string) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: { name: `bosun-${roleId}`, namespace },
});
const role = (namespace: string, roleId: string) => ({ ...roleBinding(namespace, roleId), kind: 'Role' });

/** One cluster `clusterId` on the shared sim with Bosun namespaces (rows and Namespace objects). */
async function cluster(clusterId: string, namespaces: Array<[name: string, workspaceId: string]>): Promise<void> {
  await insertCluster(db, clusterId);
  const c = client();
  await Promise.all(
    namespaces.map(async ([name, workspaceId]) => {
      await insertNamespace(db, clusterId, name, workspaceId);
      await bosunNamespaceOnCluster(c, clusterId, name, workspaceId);
    }),
  );
}

describe('RBAC reconciler (PostgreSQL read models → kube-sim)', () => {
  it('projects a developer grant exactly: exec and read in its namespace, no Deployment patch, nothing in another workspace; revocation takes it away', async () => {
    await cluster('c-dev', [
      ['dev-a', 'ws-1'],
      ['dev-b', 'ws-2'],
    ]);
    await insertUser(db, 'alice');
    await insertUser(db, 'bob');
    const alice = { kind: 'user', id: 'alice' } as const;
    const devOnA = { kind: 'namespace', clusterId: 'c-dev', namespace: 'dev-a', workspaceId: 'ws-1' } as const;
    await grant(db, alice, 'developer', devOnA);
    await grant(db, { kind: 'user', id: 'bob' }, 'ops-engineer', devOnA);
    const r = start({ 'c-dev': kubeConfigOf(sim.kubeconfig) });

    await eventually(async () => expect(await reviewer.allowed('alice', exec('dev-a'))).toBe(true));
    expect(await reviewer.allowed('alice', pods('dev-a'))).toBe(true);
    expect(await reviewer.allowed('alice', { namespace: 'dev-a', verb: 'get', resource: 'pods', subresource: 'log' })).toBe(true);
    expect(await reviewer.allowed('alice', patchDeployments('dev-a'))).toBe(false);
    expect(await reviewer.allowed('alice', { namespace: 'dev-a', verb: 'get', resource: 'secrets' })).toBe(true); // secrets:reveal (developer)
    expect(await reviewer.allowed('alice', pods('dev-b'))).toBe(false);
    expect(await reviewer.allowed('alice', exec('dev-b'))).toBe(false);
    expect(await reviewer.allowed('bob', patchDeployments('dev-a'))).toBe(true);
    expect(await reviewer.allowed('bob', patchDeployments('dev-b'))).toBe(false);

    const binding: any = await client().get(roleBinding('dev-a', 'developer'));
    expect(binding.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'bosun', 'bosun.io/component': 'rbac', 'bosun.io/cluster': 'c-dev', 'bosun.io/role': 'developer' });
    expect(binding.metadata.managedFields).toEqual(expect.arrayContaining([expect.objectContaining({ manager: 'bosun', operation: 'Apply' })]));

    await revoke(db, alice, 'developer', devOnA);
    await r.enqueueAll();
    await eventually(async () => expect(await reviewer.allowed('alice', exec('dev-a'))).toBe(false));
    expect(await reviewer.allowed('alice', pods('dev-a'))).toBe(false);
    expect(await client().get(roleBinding('dev-a', 'developer'))).toBeUndefined();
    expect(await client().get(role('dev-a', 'developer'))).toBeUndefined();
    expect(await reviewer.allowed('bob', patchDeployments('dev-a'))).toBe(true);
  });

  it('workspace and platform grants, groups, disabled users and custom-role changes, nudged as the app nudges', async () => {
    await cluster('c-wide', [
      ['wide-a', 'ws-1'],
      ['wide-a2', 'ws-1'],
      ['wide-b', 'ws-2'],
    ]);
    await insertUser(db, 'wanda');
    await insertUser(db, 'pat');
    await insertUser(db, 'mallory');
    await insertUser(db, 'carol', 'active', ['Team Blue']);
    const r = start({ 'c-wide': kubeConfigOf(sim.kubeconfig) });
    await r.resync();
    await r.idle();

    const events: Array<[() => Promise<void>, { type: string; data: unknown }]> = [
      [() => grant(db, { kind: 'user', id: 'wanda' }, 'viewer', { kind: 'workspace', workspaceId: 'ws-1' }), { type: 'RoleGranted', data: { scope: { kind: 'workspace', workspaceId: 'ws-1' } } }],
      [() => grant(db, { kind: 'user', id: 'pat' }, 'viewer', { kind: 'platform' }), { type: 'RoleGranted', data: { scope: { kind: 'platform' } } }],
      [() => grant(db, { kind: 'group', id: 'Team Blue' }, 'tester', { kind: 'namespace', clusterId: 'c-wide', namespace: 'wide-b', workspaceId: 'ws-2' }), { type: 'RoleGranted', data: { scope: { kind: 'namespace', clusterId: 'c-wide', namespace: 'wide-b', workspaceId: 'ws-2' } } }],
      [() => grant(db, { kind: 'user', id: 'mallory' }, 'developer', { kind: 'namespace', clusterId: 'c-wide', namespace: 'wide-a', workspaceId: 'ws-1' }), { type: 'RoleGranted', data: { scope: { kind: 'namespace', clusterId: 'c-wide', namespace: 'wide-a', workspaceId: 'ws-1' } } }],
    ];
    for (const [write, event] of events) {
      await write();
      nudgeRbac(r, event);
    }

    await eventually(async () => {
      expect(await reviewer.allowed('wanda', pods('wide-a'))).toBe(true);
      expect(await reviewer.allowed('wanda', pods('wide-a2'))).toBe(true);
      expect(await reviewer.allowed('pat', pods('wide-b'))).toBe(true);
      expect(await reviewer.allowed('carol', exec('wide-b'), ['Team Blue'])).toBe(true);
      expect(await reviewer.allowed('mallory', exec('wide-a'))).toBe(true);
    });
    expect(await reviewer.allowed('wanda', pods('wide-b'))).toBe(false);
    expect(await reviewer.allowed('wanda', exec('wide-a'))).toBe(false);
    expect(await reviewer.allowed('carol', exec('wide-b'))).toBe(false); // without the group header
    expect(await reviewer.allowed('carol', exec('wide-a'), ['Team Blue'])).toBe(false);

    // Disabling a user takes their bindings away; enabling gives them back.
    await setUserStatus(db, 'mallory', 'disabled');
    nudgeRbac(r, { type: 'UserDisabled', data: { userId: 'mallory' } });
    await eventually(async () => expect(await reviewer.allowed('mallory', exec('wide-a'))).toBe(false));
    await setUserStatus(db, 'mallory', 'active');
    nudgeRbac(r, { type: 'UserEnabled', data: { userId: 'mallory' } });
    await eventually(async () => expect(await reviewer.allowed('mallory', exec('wide-a'))).toBe(true));

    // A custom role: granted, then its permissions change.
    await defineRole(db, 'log-reader', ['containers:logs']);
    await grant(db, { kind: 'user', id: 'wanda' }, 'log-reader', { kind: 'workspace', workspaceId: 'ws-1' });
    nudgeRbac(r, { type: 'RoleGranted', data: { scope: { kind: 'workspace', workspaceId: 'ws-1' } } });
    const logs = (namespace: string): AccessQuestion => ({ namespace, verb: 'get', resource: 'pods', subresource: 'log' });
    await eventually(async () => expect(await reviewer.allowed('wanda', logs('wide-a2'))).toBe(true));
    expect(await reviewer.allowed('wanda', exec('wide-a2'))).toBe(false);
    await defineRole(db, 'log-reader', ['containers:logs', 'containers:exec']);
    nudgeRbac(r, { type: 'RoleUpdated', data: { roleId: 'log-reader' } });
    await eventually(async () => expect(await reviewer.allowed('wanda', exec('wide-a2'))).toBe(true));
  });

  it('restores hand-deleted and hand-edited objects at the next resync, and prunes only its own objects', async () => {
    await cluster('c-drift', [['drift-a', 'ws-1']]);
    await insertUser(db, 'alice');
    await grant(db, { kind: 'user', id: 'alice' }, 'developer', { kind: 'namespace', clusterId: 'c-drift', namespace: 'drift-a', workspaceId: 'ws-1' });
    const c = client();
    // Someone's own Role and RoleBinding in the namespace, and a stale Bosun one.
    await c.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'team-own', namespace: 'drift-a' }, rules: [] } as any);
    await c.apply({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'bosun-viewer', namespace: 'drift-a', labels: { 'app.kubernetes.io/managed-by': 'bosun', 'bosun.io/component': 'rbac', 'bosun.io/cluster': 'c-drift', 'bosun.io/role': 'viewer' } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bosun:ghost' }],
    } as any);
    start({ 'c-drift': kubeConfigOf(sim.kubeconfig) }, { resyncMs: 200 });

    await eventually(async () => expect(await reviewer.allowed('alice', exec('drift-a'))).toBe(true));
    await eventually(async () => expect(await c.get(roleBinding('drift-a', 'viewer'))).toBeUndefined());
    expect(await c.get({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'team-own', namespace: 'drift-a' } })).toBeDefined();

    await c.delete(roleBinding('drift-a', 'developer'));
    await c.delete(role('drift-a', 'developer'));
    expect(await reviewer.allowed('alice', exec('drift-a'))).toBe(false);
    await eventually(async () => expect(await reviewer.allowed('alice', exec('drift-a'))).toBe(true), 10_000);
    expect(await c.get(role('drift-a', 'developer'))).toBeDefined();

    // A hand edit that widens the Role is reverted.
    const current: any = await c.get(role('drift-a', 'developer'));
    const edited: any = await c.apply({
      ...current,
      metadata: { name: 'bosun-developer', namespace: 'drift-a' },
      rules: [...current.rules, { apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'] }],
    });
    expect(edited.rules).toHaveLength(current.rules.length + 1);
    await eventually(async () => expect(await reviewer.allowed('alice', patchDeployments('drift-a'))).toBe(false), 10_000);
  });

  it('never touches a namespace Bosun does not manage, and retries a namespace that does not exist yet', async () => {
    await insertCluster(db, 'c-ns');
    await insertNamespace(db, 'c-ns', 'late-a', 'ws-1');
    await insertNamespace(db, 'c-ns', 'foreign-a', 'ws-1');
    const c = client();
    await c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'foreign-a' } }); // someone else's
    await insertUser(db, 'alice');
    for (const namespace of ['late-a', 'foreign-a']) {
      await grant(db, { kind: 'user', id: 'alice' }, 'developer', { kind: 'namespace', clusterId: 'c-ns', namespace, workspaceId: 'ws-1' });
    }
    const errors: string[] = [];
    start({ 'c-ns': kubeConfigOf(sim.kubeconfig) }, { onError: (e) => void errors.push(`${e.key}: ${(e.error as Error).message}`) });

    await eventually(() => {
      expect(errors.some((e) => e.startsWith('late-a: namespace "late-a" does not exist on the cluster yet'))).toBe(true);
      expect(errors.some((e) => e.startsWith('foreign-a: namespace "foreign-a" on the cluster is not managed by Bosun'))).toBe(true);
    });
    await bosunNamespaceOnCluster(c, 'c-ns', 'late-a', 'ws-1');
    await eventually(async () => expect(await reviewer.allowed('alice', exec('late-a'))).toBe(true), 10_000);
    expect(await reviewer.allowed('alice', exec('foreign-a'))).toBe(false);
    expect(await c.list('rbac.authorization.k8s.io/v1', 'RoleBinding', { namespace: 'foreign-a' })).toEqual([]);
  });

  it('a grant on one namespace does not wait behind a resync of many namespaces', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `hol-${String(i).padStart(2, '0')}`);
    await cluster('c-hol', names.map((n) => [n, 'ws-1'] as [string, string]));
    await insertUser(db, 'viv');
    await grant(db, { kind: 'user', id: 'viv' }, 'viewer', { kind: 'workspace', workspaceId: 'ws-1' });
    const r = start({ 'c-hol': kubeConfigOf(sim.kubeconfig) }, { workersPerCluster: 2 });
    await eventually(() => expect(r.metrics()[0]?.resyncs).toBeGreaterThan(0));
    await r.idle();
    // Slow RBAC calls make a full pass take seconds (40 namespaces × 150 ms per RBAC call, 2 workers).
    sim.faults.add({ route: { pathRegex: '^/apis/rbac' }, latencyMs: 150 });
    cleanups.push(async () => sim.faults.clear());

    await r.resync();
    const last = names[names.length - 1];
    await grant(db, { kind: 'user', id: 'alice' }, 'developer', { kind: 'namespace', clusterId: 'c-hol', namespace: last, workspaceId: 'ws-1' });
    const t0 = Date.now();
    r.enqueue('c-hol', last);
    await eventually(async () => expect(await reviewer.allowed('alice', exec(last))).toBe(true), 5000, 10);
    const took = Date.now() - t0;
    expect(r.metrics()[0].background).toBeGreaterThan(20); // the pass is still far from done
    expect(took).toBeLessThan(1500);
    sim.faults.clear();
    await r.idle();
    expect(r.metrics()[0].background).toBe(0);
  });

  it('a cluster that is down does not stop another cluster; it converges once back', async () => {
    const down = await startKubeSim();
    cleanups.push(() => down.stop());
    const downReviewer = AccessReviewer.forSim(down);
    cleanups.push(async () => downReviewer.close());
    await cluster('c-up', [['up-a', 'ws-1']]);
    await insertCluster(db, 'c-down');
    await insertNamespace(db, 'c-down', 'down-a', 'ws-1');
    await bosunNamespaceOnCluster(testClient(down.kubeconfig), 'c-down', 'down-a', 'ws-1');
    await insertUser(db, 'alice');
    await grant(db, { kind: 'user', id: 'alice' }, 'developer', { kind: 'namespace', clusterId: 'c-up', namespace: 'up-a', workspaceId: 'ws-1' });
    await grant(db, { kind: 'user', id: 'alice' }, 'developer', { kind: 'namespace', clusterId: 'c-down', namespace: 'down-a', workspaceId: 'ws-1' });
    await down.faults.down();

    const errors: string[] = [];
    const r = start(
      { 'c-up': kubeConfigOf(sim.kubeconfig), 'c-down': kubeConfigOf(down.kubeconfig) },
      { workersPerCluster: 1, onError: (e) => void (e.clusterId === 'c-down' && errors.push((e.error as Error).message)) },
    );
    await eventually(async () => expect(await reviewer.allowed('alice', exec('up-a'))).toBe(true));
    await eventually(() => expect(errors.length).toBeGreaterThan(0));

    // While c-down keeps failing, a new grant on c-up still goes through at once.
    await grant(db, { kind: 'user', id: 'bob' }, 'ops-engineer', { kind: 'namespace', clusterId: 'c-up', namespace: 'up-a', workspaceId: 'ws-1' });
    r.enqueue('c-up', 'up-a');
    await eventually(async () => expect(await reviewer.allowed('bob', patchDeployments('up-a'))).toBe(true), 5000);
    expect(r.metrics().find((m) => m.clusterId === 'c-down')!.failures).toBeGreaterThan(0);

    await down.faults.recover();
    await eventually(async () => expect(await downReviewer.allowed('alice', exec('down-a'))).toBe(true), 10_000);
  });
});
