/**
 * The read models' handlers and queries, on PostgreSQL and PGlite: every handler applied twice
 * changes nothing, a batch equals one-by-one application, and the queries answer with the numbers
 * the events imply (given events / then rows).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../eventstore/types';
import { allProjections } from '../../projections';
import { auditRecordDetail, InvalidAuditCursorError, listAuditRecords } from '../../projections/audit/queries';
import { getCluster, listClusterAllocations, listClusters } from '../../projections/clusters/queries';
import { getNamespace, listNamespaces } from '../../projections/namespaces/queries';
import { applyEvents, type Projection } from '../../projections/types';
import { getWorkspace, listWorkspaceBindings, listWorkspaces } from '../../projections/workspaces/queries';
import { accessOf, getUser, listApiKeys, listGrants } from '../../projections/identity/queries';
import { dumpTables, openBackend, type Backend, type BackendKind } from './support';

const GiB = 1024 ** 3;

describe.each<BackendKind>(['postgres', 'pglite'])('read models on %s', (kind) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await openBackend(kind, 'proj_models');
  });
  afterAll(async () => {
    await backend?.close();
  });

  async function truncate(projection: Projection) {
    for (const t of projection.tables) await sql`DELETE FROM ${sql.table(t)}`.execute(backend.db);
  }

  async function given(events: StoredEvent[]) {
    for (const projection of allProjections) {
      await truncate(projection);
      await backend.db.transaction().execute((trx) => applyEvents(projection, events, trx));
    }
  }

  it.each(allProjections.map((p) => [p.name, p] as const))('%s: every handler applied twice changes nothing', async (_name, projection) => {
    await truncate(projection);
    const events = scenario();
    let handled = 0;
    for (const event of events) {
      if (!projection.canHandle(event)) continue;
      handled++;
      await backend.db.transaction().execute((trx) => projection.apply(event, trx));
      const once = await dumpTables(backend.db, projection.tables);
      await backend.db.transaction().execute((trx) => projection.apply(event, trx));
      expect(await dumpTables(backend.db, projection.tables), `${event.type} at ${event.position}`).toEqual(once);
    }
    expect(handled).toBeGreaterThan(0);
    const oneByOne = await dumpTables(backend.db, projection.tables);

    // The batch path folds the same events to the same rows.
    await truncate(projection);
    await backend.db.transaction().execute((trx) => applyEvents(projection, events, trx));
    expect(await dumpTables(backend.db, projection.tables)).toEqual(oneByOne);
    // And a whole batch applied twice changes nothing either.
    await backend.db.transaction().execute((trx) => applyEvents(projection, events, trx));
    expect(await dumpTables(backend.db, projection.tables)).toEqual(oneByOne);
  });

  it('clusters: capacity, bindings and allocations', async () => {
    const events = scenario();
    await given(events.slice(0, indexAfter(events, 'ClusterNamespaceAllocated')));
    const cluster = await getCluster(backend.db, 'c1');
    expect(cluster).toMatchObject({
      clusterId: 'c1',
      status: 'registered',
      kubernetesVersion: 'v1.31.0',
      nodeCount: 5,
      allocatable: { cpuMillis: 40_000, memoryBytes: 160 * GiB },
      ratios: { cpu: 2.5, memory: 1.5 },
      bindable: { cpuMillis: 100_000, memoryBytes: 240 * GiB },
      bound: { cpuMillis: 20_000, memoryBytes: 64 * GiB },
      unbound: { cpuMillis: 80_000, memoryBytes: 176 * GiB },
      allocated: { cpuMillis: 4000, memoryBytes: 8 * GiB },
      bindings: [{ workspaceId: 'w1', cpuMillis: 20_000, memoryBytes: 64 * GiB }],
      workspaceCount: 1,
      namespaceCount: 1,
    });
    expect(cluster).not.toHaveProperty('credentialRef');
    expect(await listClusterAllocations(backend.db, 'c1')).toEqual([
      { clusterId: 'c1', namespace: 'web', workspaceId: 'w1', quota: { cpuMillis: 4000, memoryBytes: 8 * GiB }, updatedAt: expect.any(String) },
    ]);

    await given(events);
    expect(await listClusters(backend.db)).toEqual([]);
    const removed = await listClusters(backend.db, { includeRemoved: true });
    expect(removed.map((c) => [c.clusterId, c.status, c.bound.cpuMillis, c.allocated.cpuMillis])).toEqual([['c1', 'removed', 0, 0]]);
  });

  it('workspaces: ceiling, bound and allocated sums per binding', async () => {
    const events = scenario();
    await given(events.slice(0, indexAfter(events, 'ClusterNamespaceAllocationChanged')));
    const ws = await getWorkspace(backend.db, 'w1');
    expect(ws).toMatchObject({
      workspaceId: 'w1',
      displayName: '研发部',
      ceiling: { cpuMillis: 64_000, memoryBytes: 256 * GiB },
      bound: { cpuMillis: 20_000, memoryBytes: 64 * GiB },
      allocated: { cpuMillis: 6000, memoryBytes: 12 * GiB },
      clusterCount: 1,
      namespaceCount: 1,
      status: 'active',
    });
    expect(ws!.bindings).toEqual([
      expect.objectContaining({
        workspaceId: 'w1',
        clusterId: 'c1',
        bound: { cpuMillis: 20_000, memoryBytes: 64 * GiB },
        allocated: { cpuMillis: 6000, memoryBytes: 12 * GiB },
        available: { cpuMillis: 14_000, memoryBytes: 52 * GiB },
        namespaceCount: 1,
      }),
    ]);
    expect(await listWorkspaceBindings(backend.db, { clusterId: 'c1' })).toHaveLength(1);

    await given(events);
    expect(await listWorkspaces(backend.db)).toEqual([]);
    expect((await listWorkspaces(backend.db, { includeDeleted: true })).map((w) => [w.workspaceId, w.status, w.bound.cpuMillis])).toEqual([['w1', 'deleted', 0]]);
    expect(await listWorkspaceBindings(backend.db, { workspaceId: 'w1' })).toEqual([]);
  });

  it('namespaces: status follows generations', async () => {
    const events = scenario();
    const at = async (type: string) => {
      await given(events.slice(0, indexAfter(events, type)));
      return getNamespace(backend.db, 'c1', 'web');
    };
    expect(await at('NamespaceCreated')).toMatchObject({ status: 'pending', generation: 1, observedGeneration: 0, quota: { cpuMillis: 4000, memoryBytes: 8 * GiB }, workspaceId: 'w1' });
    expect(await at('NamespaceProvisioned')).toMatchObject({ status: 'ready', generation: 1, observedGeneration: 1, reason: null });
    expect(await at('NamespaceQuotaChanged')).toMatchObject({ status: 'pending', generation: 2, observedGeneration: 1, quota: { cpuMillis: 6000, memoryBytes: 12 * GiB } });
    // A late outcome about generation 1 does not make generation 2 ready.
    expect(await at('NamespaceProvisioned#late')).toMatchObject({ status: 'pending', generation: 2, observedGeneration: 1 });
    expect(await at('NamespaceProvisioningFailed')).toMatchObject({ status: 'failed', generation: 2, observedGeneration: 2, reason: 'quota admission denied' });
    const deleted = await at('NamespaceDeleted');
    expect(deleted).toMatchObject({ status: 'deleted' });
    expect(deleted!.deletedAt).not.toBeNull();
    expect(await listNamespaces(backend.db, { workspaceId: 'w1' })).toEqual([]);
    expect(await listNamespaces(backend.db, { workspaceId: 'w1', includeDeleted: true })).toHaveLength(1);
    expect(await listNamespaces(backend.db, { status: 'deleted' })).toHaveLength(1);
    expect(await listNamespaces(backend.db, { workspaceIds: [] })).toEqual([]);
  });

  it('identity: users, grants in force, custom roles and API keys', async () => {
    await given(scenario());
    const alice = await getUser(backend.db, 'alice');
    expect(alice).toMatchObject({ display_name: 'Alice A.', email: null, groups: ['sre'], status: 'disabled', source: 'local' });
    const grants = (await listGrants(backend.db)).map((g) => `${g.subject_kind}:${g.subject_id} ${g.role_id} ${g.scope_key}`);
    expect(grants.sort()).toEqual(['group:sre log-reader c1/web', 'user:alice developer c1/web']);
    const access = await accessOf(backend.db, 'alice', ['sre']);
    expect(access.grants.map((g) => g.role).sort()).toEqual(['developer', 'log-reader']);
    expect(access.roles['log-reader']?.permissions).toEqual(['containers:logs', 'namespaces:read']);
    const keys = await listApiKeys(backend.db, 'alice');
    expect(keys).toHaveLength(1);
    expect(keys[0].revoked_at).not.toBeNull();
    expect(keys[0]).not.toHaveProperty('secret_sha256');
  });

  it('audit: one record per command with its events; filters and newest-first cursor pages', async () => {
    const events = scenario();
    await given(events);
    const all = await listAuditRecords(backend.db, {}, { limit: 500 });
    const records = events.filter((e) => e.type === 'CommandAccepted' || e.type === 'CommandRejected' || 'audit' in e.metadata);
    expect(records.filter((e) => e.type === 'CommandAccepted').length).toBeGreaterThan(2);
    expect(records.filter((e) => 'audit' in e.metadata).length).toBeGreaterThan(4);
    expect(all.items).toHaveLength(records.length);
    expect(all.nextCursor).toBeNull();
    // newest first
    const times = all.items.map((r) => r.occurredAt);
    expect([...times].sort().reverse()).toEqual(times);

    const rejected = await listAuditRecords(backend.db, { outcome: 'rejected' });
    expect(rejected.items).toHaveLength(1);
    expect(rejected.items[0]).toMatchObject({
      outcome: 'rejected',
      module: 'namespaces',
      action: 'CreateNamespace',
      code: 'insufficient_capacity',
      field: 'quotaCpuMillis',
      actor: { kind: 'user', id: 'u-li', name: '李雷' },
      clientIp: '10.1.2.3',
      target: { kind: 'namespace', id: 'c1/big', clusterId: 'c1', workspaceId: 'w1', namespace: 'big' },
      eventIds: [],
      details: { requested: 64_000, available: 16_000 },
    });

    // The detail reads the command's events from the event store.
    for (const e of events) await backend.store.append(e.streamId, [{ id: e.id, type: e.type, data: e.data, metadata: e.metadata }], { expectedRevision: 'any' });
    const bind = all.items.find((r) => r.action === 'BindClusterResources')!;
    const detail = await auditRecordDetail(backend.db, backend.store, bind.commandId);
    expect(detail!.events.map((e) => e.type)).toEqual(['ClusterResourcesBound', 'WorkspaceResourcesBound']);
    expect(detail!.eventIds).toEqual(detail!.events.map((e) => e.eventId));
    expect(await auditRecordDetail(backend.db, backend.store, randomUUID())).toBeNull();

    expect((await listAuditRecords(backend.db, { module: 'clusters' })).items.every((r) => r.module === 'clusters')).toBe(true);
    expect((await listAuditRecords(backend.db, { actorId: 'u-li' })).items.map((r) => r.actor.id)).toEqual(['u-li']);
    expect((await listAuditRecords(backend.db, { targetKind: 'namespace', targetId: 'c1/web' })).items.length).toBeGreaterThanOrEqual(3);
    expect((await listAuditRecords(backend.db, { workspaceId: 'w1', module: ['workspaces'] })).items.length).toBeGreaterThan(0);
    const from = all.items[all.items.length - 3].occurredAt;
    const to = all.items[1].occurredAt;
    const window = await listAuditRecords(backend.db, { from, to });
    expect(window.items.map((r) => r.commandId)).toEqual(all.items.slice(2, all.items.length - 2).map((r) => r.commandId));

    // Pages of 3 walk the same list without gaps or repeats.
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof listAuditRecords>> = await listAuditRecords(backend.db, {}, { limit: 3, cursor });
      walked.push(...page.items.map((r) => r.commandId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(walked).toEqual(all.items.map((r) => r.commandId));
    await expect(listAuditRecords(backend.db, {}, { cursor: 'garbage' })).rejects.toBeInstanceOf(InvalidAuditCursorError);
  });
});

// ---------------------------------------------------------------- event factories

/** The index just after the event of that type (`Type#late` = its second occurrence). */
function indexAfter(events: StoredEvent[], type: string): number {
  const [name, nth] = type.split('#');
  let seen = 0;
  for (let i = 0; i < events.length; i++) {
    if (events[i].type === name && (nth === undefined || ++seen === 2)) return i + 1;
  }
  throw new Error(`no ${type}`);
}

/** A cluster, a workspace bound to it, one namespace through its whole life, then teardown. */
function scenario(): StoredEvent[] {
  const log = new EventLog();
  const admin = { kind: 'user' as const, id: 'u-admin', name: 'admin' };
  log.command('clusters', 'RegisterCluster', { kind: 'cluster', id: 'c1', clusterId: 'c1' }, [
    ['cluster-c1', 'ClusterRegistered', { clusterId: 'c1', displayName: 'Prod', server: 'https://prod:6443', contextName: 'prod', credentialRef: 'cred-1', credentialFingerprint: 'sha256:ab', inventory: { kubernetesVersion: 'v1.30.0', nodeCount: 3, allocatableCpuMillis: 24_000, allocatableMemoryBytes: 96 * GiB }, cpuRatio: 1, memoryRatio: 1 }],
  ], admin);
  log.command('clusters', 'RefreshClusterInventory', { kind: 'cluster', id: 'c1', clusterId: 'c1' }, [
    ['cluster-c1', 'ClusterInventoryRefreshed', { clusterId: 'c1', inventory: { kubernetesVersion: 'v1.31.0', nodeCount: 5, allocatableCpuMillis: 40_000, allocatableMemoryBytes: 160 * GiB } }],
  ]);
  log.command('clusters', 'SetClusterOvercommit', { kind: 'cluster', id: 'c1', clusterId: 'c1' }, [['cluster-c1', 'ClusterOvercommitSet', { clusterId: 'c1', cpuRatio: 2.5, memoryRatio: 1.5 }]], admin);
  log.command('workspaces', 'CreateWorkspace', { kind: 'workspace', id: 'w1', workspaceId: 'w1' }, [
    ['workspace-w1', 'WorkspaceCreated', { workspaceId: 'w1', displayName: '研发部', description: 'R&D', ceilingCpuMillis: 32_000, ceilingMemoryBytes: 128 * GiB }],
  ], admin);
  log.command('workspaces', 'ChangeWorkspaceCeiling', { kind: 'workspace', id: 'w1', workspaceId: 'w1' }, [
    ['workspace-w1', 'WorkspaceCeilingChanged', { workspaceId: 'w1', ceilingCpuMillis: 64_000, ceilingMemoryBytes: 256 * GiB }],
  ], admin);
  log.command('workspaces', 'BindClusterResources', { kind: 'workspace', id: 'w1', workspaceId: 'w1', clusterId: 'c1' }, [
    ['cluster-c1', 'ClusterResourcesBound', { clusterId: 'c1', workspaceId: 'w1', cpuMillis: 20_000, memoryBytes: 64 * GiB }],
    ['workspace-w1', 'WorkspaceResourcesBound', { workspaceId: 'w1', clusterId: 'c1', cpuMillis: 20_000, memoryBytes: 64 * GiB }],
  ], admin);
  const defaults = { requestCpuMillis: 100, requestMemoryBytes: 128 * 1024 ** 2, limitCpuMillis: 500, limitMemoryBytes: 512 * 1024 ** 2 };
  const ns = { kind: 'namespace', id: 'c1/web', clusterId: 'c1', workspaceId: 'w1', namespace: 'web' };
  log.command('namespaces', 'CreateNamespace', ns, [
    ['namespace-c1.web', 'NamespaceCreated', { clusterId: 'c1', name: 'web', workspaceId: 'w1', quotaCpuMillis: 4000, quotaMemoryBytes: 8 * GiB, defaults, generation: 1 }],
    ['cluster-c1', 'ClusterNamespaceAllocated', { clusterId: 'c1', namespace: 'web', workspaceId: 'w1', cpuMillis: 4000, memoryBytes: 8 * GiB }],
  ]);
  log.rejected('namespaces', 'CreateNamespace', { kind: 'namespace', id: 'c1/big', clusterId: 'c1', workspaceId: 'w1', namespace: 'big' }, {
    code: 'insufficient_capacity',
    field: 'quotaCpuMillis',
    message: 'cpu: requested quota 64 cores for namespace "big" but the binding has 16 cores left',
    details: { requested: 64_000, available: 16_000 },
  });
  log.system('namespace-c1.web', 'NamespaceProvisioned', { clusterId: 'c1', name: 'web', generation: 1 });
  // People and their access: a user, a group, a custom role, grants at each scope, an API key.
  log.command('users', 'CreateUser', { kind: 'user', id: 'alice' }, [
    ['user-alice', 'UserCreated', { userId: 'alice', displayName: 'Alice', email: 'alice@example.com', source: 'local', externalSubject: null }],
  ], admin);
  log.command('users', 'SyncUserProfile', { kind: 'user', id: 'alice' }, [
    ['user-alice', 'UserProfileSynced', { userId: 'alice', displayName: 'Alice A.', email: null, groups: ['sre'] }],
  ], admin);
  // An application template with two versions, shared with w1.
  const templateDocs = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n';
  log.command('apps', 'CreateTemplate', { kind: 'platform', id: 'platform' }, [
    ['template-web', 'TemplateCreated', { templateId: 'web', displayName: 'Web', description: '', scope: { kind: 'platform', sharedWith: ['w1'] } }],
    ['template-web', 'TemplateVersionSaved', { templateId: 'web', version: 1, documents: templateDocs, parameters: [], note: '' }],
  ], admin);
  log.command('apps', 'SaveTemplateVersion', { kind: 'platform', id: 'platform' }, [
    ['template-web', 'TemplateVersionSaved', { templateId: 'web', version: 2, documents: templateDocs, parameters: [], note: 'again' }],
  ], admin);
  log.command('apps', 'ShareTemplate', { kind: 'platform', id: 'platform' }, [['template-web', 'TemplateShared', { templateId: 'web', sharedWith: 'all' }]], admin);
  // An application through its life: generated (reserving quota), run, deployed, revised, failed, rolled back, undeployed, deleted.
  const appId = 'c1.web.shop';
  const appAt = { clusterId: 'c1', namespace: 'web' };
  const amounts = { requests: { cpuMillis: 200, memoryBytes: 256 * 1024 ** 2 }, limits: { cpuMillis: 1000, memoryBytes: GiB } };
  const manifest = (greeting: string) => [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shop', namespace: 'web' }, data: { greeting } }];
  log.command('apps', 'GenerateApp', ns, [
    ['app-c1.web.shop', 'AppGenerated', { appId, ...appAt, workspaceId: 'w1', name: 'shop', description: 'the shop', templateId: 'web', revision: 1, templateVersion: 1, values: { greeting: 'hi' }, manifests: manifest('hi'), ...amounts }],
    ['namespace-c1.web', 'NamespaceResourcesReserved', { clusterId: 'c1', name: 'web', holder: 'app:shop', ...amounts }],
  ], admin);
  log.command('apps', 'PublishApp', ns, [['app-c1.web.shop', 'AppPublished', { appId, revision: 1 }]], admin);
  log.system('app-c1.web.shop', 'AppDeployed', { appId, revision: 1 });
  log.command('apps', 'ReviseApp', ns, [
    ['app-c1.web.shop', 'AppRevised', { appId, revision: 2, templateVersion: 2, values: { greeting: 'hello' }, manifests: manifest('hello'), ...amounts, reason: 'update' }],
  ], admin);
  log.system('app-c1.web.shop', 'AppDeployFailed', { appId, revision: 2, reason: 'admission webhook denied the request' });
  log.command('apps', 'RollbackApp', ns, [
    ['app-c1.web.shop', 'AppRevised', { appId, revision: 3, templateVersion: 1, values: { greeting: 'hi' }, manifests: manifest('hi'), ...amounts, reason: 'rollback', fromRevision: 1 }],
  ], admin);
  log.command('apps', 'UnpublishApp', ns, [['app-c1.web.shop', 'AppUnpublished', { appId, revision: 3 }]], admin);
  log.system('app-c1.web.shop', 'AppUndeployed', { appId });
  log.command('apps', 'DeleteApp', ns, [
    ['app-c1.web.shop', 'AppDeleted', { appId }],
    ['namespace-c1.web', 'NamespaceResourcesReleased', { clusterId: 'c1', name: 'web', holder: 'app:shop' }],
  ], admin);
  // A second application that stays, so the tables keep rows.
  log.command('apps', 'GenerateApp', ns, [
    ['app-c1.web.blog', 'AppGenerated', { appId: 'c1.web.blog', ...appAt, workspaceId: 'w1', name: 'blog', description: '', templateId: 'web', revision: 1, templateVersion: 2, values: {}, manifests: manifest('blog'), ...amounts }],
    ['namespace-c1.web', 'NamespaceResourcesReserved', { clusterId: 'c1', name: 'web', holder: 'app:blog', ...amounts }],
  ], admin);
  // A dev environment through its life (the reconciler's outcomes included).
  const box = { clusterId: 'c1', namespace: 'web', name: 'box' };
  log.system('devenv-c1.web.box', 'DevEnvStarted', { ...box, workspaceId: 'w1', image: 'ubuntu:24.04', cpuMillis: 500, memoryBytes: GiB, owner: 'alice', generation: 1 });
  log.system('devenv-c1.web.box', 'DevEnvReconciled', { ...box, generation: 1 });
  log.system('devenv-c1.web.box', 'DevEnvStopped', { ...box, generation: 2 });
  log.system('devenv-c1.web.box', 'DevEnvResumed', { ...box, generation: 3 });
  log.system('devenv-c1.web.box', 'DevEnvFailed', { ...box, generation: 3, reason: 'ImagePullBackOff' });
  log.system('devenv-c1.web.box', 'DevEnvDeleted', { ...box, workspaceId: 'w1', owner: 'alice' });
  log.command('roles', 'DefineRole', { kind: 'role', id: 'log-reader' }, [
    ['role-log-reader', 'RoleDefined', { roleId: 'log-reader', displayName: 'Log reader', description: '', permissions: ['containers:logs'], grantableAt: ['namespace'] }],
  ], admin);
  const nsScope = { kind: 'namespace', clusterId: 'c1', namespace: 'web', workspaceId: 'w1' };
  log.command('roles', 'GrantRole', ns, [['user-alice', 'RoleGranted', { subject: { kind: 'user', id: 'alice' }, roleId: 'developer', scope: nsScope }]], admin);
  log.command('roles', 'GrantRole', ns, [['group-sre', 'RoleGranted', { subject: { kind: 'group', id: 'sre' }, roleId: 'log-reader', scope: nsScope }]], admin);
  log.command('roles', 'GrantRole', { kind: 'workspace', id: 'w1', workspaceId: 'w1' }, [
    ['user-alice', 'RoleGranted', { subject: { kind: 'user', id: 'alice' }, roleId: 'viewer', scope: { kind: 'workspace', workspaceId: 'w1' } }],
  ], admin);
  log.command('users', 'CreateApiKey', { kind: 'user', id: 'alice' }, [
    ['user-alice', 'ApiKeyCreated', { userId: 'alice', keyId: '00000000-0000-4000-8000-00000000000a', name: 'ci', prefix: 'bsk_abcdef', secretSha256: 'a'.repeat(64), permissions: ['namespaces:read'], scopes: null, expiresAt: '2026-06-01T00:00:00.000Z' }],
  ]);
  log.command('roles', 'UpdateRole', { kind: 'role', id: 'log-reader' }, [
    ['role-log-reader', 'RoleUpdated', { roleId: 'log-reader', displayName: 'Log reader', description: 'logs only', permissions: ['containers:logs', 'namespaces:read'], grantableAt: ['namespace'] }],
  ], admin);
  log.command('roles', 'RevokeRole', { kind: 'workspace', id: 'w1', workspaceId: 'w1' }, [
    ['user-alice', 'RoleRevoked', { subject: { kind: 'user', id: 'alice' }, roleId: 'viewer', scope: { kind: 'workspace', workspaceId: 'w1' } }],
  ], admin);
  log.command('users', 'RevokeApiKey', { kind: 'user', id: 'alice' }, [['user-alice', 'ApiKeyRevoked', { userId: 'alice', keyId: '00000000-0000-4000-8000-00000000000a' }]]);
  log.command('users', 'DisableUser', { kind: 'user', id: 'alice' }, [['user-alice', 'UserDisabled', { userId: 'alice' }]], admin);
  log.command('namespaces', 'ChangeNamespaceQuota', ns, [
    ['namespace-c1.web', 'NamespaceQuotaChanged', { clusterId: 'c1', name: 'web', workspaceId: 'w1', quotaCpuMillis: 6000, quotaMemoryBytes: 12 * GiB, defaults, generation: 2 }],
    ['cluster-c1', 'ClusterNamespaceAllocationChanged', { clusterId: 'c1', namespace: 'web', workspaceId: 'w1', cpuMillis: 6000, memoryBytes: 12 * GiB }],
  ]);
  log.system('namespace-c1.web', 'NamespaceProvisioned', { clusterId: 'c1', name: 'web', generation: 1 });
  log.system('namespace-c1.web', 'NamespaceProvisioningFailed', { clusterId: 'c1', name: 'web', generation: 2, reason: 'quota admission denied' });
  log.command('workspaces', 'ChangeClusterBinding', { kind: 'workspace', id: 'w1', workspaceId: 'w1', clusterId: 'c1' }, [
    ['cluster-c1', 'ClusterBindingChanged', { clusterId: 'c1', workspaceId: 'w1', cpuMillis: 30_000, memoryBytes: 64 * GiB }],
    ['workspace-w1', 'WorkspaceBindingChanged', { workspaceId: 'w1', clusterId: 'c1', cpuMillis: 30_000, memoryBytes: 64 * GiB }],
  ], admin);
  log.command('namespaces', 'DeleteNamespace', ns, [
    ['namespace-c1.web', 'NamespaceDeleted', { clusterId: 'c1', name: 'web', workspaceId: 'w1' }],
    ['cluster-c1', 'ClusterNamespaceReleased', { clusterId: 'c1', namespace: 'web', workspaceId: 'w1' }],
  ]);
  log.command('workspaces', 'RemoveClusterBinding', { kind: 'workspace', id: 'w1', workspaceId: 'w1', clusterId: 'c1' }, [
    ['cluster-c1', 'ClusterBindingRemoved', { clusterId: 'c1', workspaceId: 'w1' }],
    ['workspace-w1', 'WorkspaceBindingRemoved', { workspaceId: 'w1', clusterId: 'c1' }],
  ], admin);
  log.command('workspaces', 'DeleteWorkspace', { kind: 'workspace', id: 'w1', workspaceId: 'w1' }, [['workspace-w1', 'WorkspaceDeleted', { workspaceId: 'w1' }]], admin);
  log.command('clusters', 'RemoveCluster', { kind: 'cluster', id: 'c1', clusterId: 'c1' }, [['cluster-c1', 'ClusterRemoved', { clusterId: 'c1', credentialRef: 'cred-1' }]], admin);
  return log.events;
}

class EventLog {
  readonly events: StoredEvent[] = [];
  private revisions = new Map<string, number>();
  private clock = Date.parse('2026-03-01T08:00:00.000Z');

  private push(streamId: string, type: string, data: Record<string, unknown>, metadata: StoredEvent['metadata']): StoredEvent {
    const revision = (this.revisions.get(streamId) ?? -1) + 1;
    this.revisions.set(streamId, revision);
    const event: StoredEvent = { id: randomUUID(), type, data, metadata, streamId, revision, position: this.events.length + 1, recordedAt: metadata.occurredAt };
    this.events.push(event);
    return event;
  }

  private meta(actor: StoredEvent['metadata']['actor'], commandId: string): StoredEvent['metadata'] {
    this.clock += 60_000;
    return { actor, commandId, correlationId: commandId, causationId: null, occurredAt: new Date(this.clock).toISOString(), clientIp: actor.kind === 'system' ? null : '10.1.2.3', schemaVersion: 1 };
  }

  private commands = 0;

  /** Records the audit record as the command handler does (on the first event); every third as earlier versions did (CommandAccepted). */
  command(module: string, type: string, target: Record<string, unknown>, writes: Array<[string, string, Record<string, unknown>]>, actor = { kind: 'user' as const, id: 'u-ops', name: 'ops' }) {
    const commandId = randomUUID();
    const m = this.meta(actor, commandId);
    const events = writes.map(([stream, t, data]) => this.push(stream, t, data, m));
    const record = { command: { type, ...target }, module, target, eventIds: events.map((e) => e.id) };
    if (this.commands++ % 3 === 2) this.push(`command-${commandId}`, 'CommandAccepted', record, m);
    else {
      events[0]!.id = commandId;
      record.eventIds[0] = commandId;
      events[0]!.metadata = { ...m, audit: record } as StoredEvent['metadata'];
    }
  }

  rejected(module: string, type: string, target: Record<string, unknown>, refusal: { code: string; field: string; message: string; details: Record<string, unknown> }) {
    const commandId = randomUUID();
    const m = this.meta({ kind: 'user', id: 'u-li', name: '李雷' }, commandId);
    this.push(`command-${commandId}`, 'CommandRejected', { command: { type, ...target }, module, target, ...refusal }, m);
  }

  system(streamId: string, type: string, data: Record<string, unknown>) {
    this.push(streamId, type, data, this.meta({ kind: 'system', id: 'reconciler', name: 'reconciler' }, randomUUID()));
  }
}
