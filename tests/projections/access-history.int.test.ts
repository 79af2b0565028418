/**
 * Access history on PostgreSQL and PGlite: given grant, role, group and namespace events, then
 * `whoHeldPermission` names exactly the users and periods the events imply; every event applied
 * twice changes nothing; batches equal one-by-one; a rebuild yields identical tables.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewEvent, StoredEvent } from '../../eventstore/types';
import { accessHistoryProjection, whoHeldPermission, type PermissionHolder } from '../../projections/access-history';
import { rebuildProjection } from '../../projections/rebuild';
import { applyEvents } from '../../projections/types';
import { dumpTables, openBackend, type Backend, type BackendKind } from './support';

/** Hour `h` (fractions allowed) of 1 March 2026, UTC. */
const T = (h: number) => new Date(Date.UTC(2026, 2, 1, 0, Math.round(h * 60))).toISOString();
const projection = accessHistoryProjection;

describe.each<BackendKind>(['postgres', 'pglite'])('access history on %s', (kind) => {
  let backend: Backend;
  let events: StoredEvent[];

  beforeAll(async () => {
    backend = await openBackend(kind, 'proj_access');
    for (const e of scenario()) await backend.store.append(e.streamId, [e.event], { expectedRevision: 'any' });
    events = await backend.store.readAll({ limit: 10_000 });
  });
  afterAll(async () => {
    await backend?.close();
  });

  const truncate = async () => {
    for (const t of projection.tables) await sql`DELETE FROM ${sql.table(t)}`.execute(backend.db);
  };
  const given = async (list: readonly StoredEvent[]) => {
    await truncate();
    await backend.db.transaction().execute((trx) => applyEvents(projection, list, trx));
  };
  const dump = () => dumpTables(backend.db, projection.tables);
  const whoCouldExec = (from: number, to: number, namespace = 'web') =>
    whoHeldPermission(backend.db, { permission: 'containers:exec', clusterId: 'c1', namespace, from: T(from), to: T(to) });

  it('every event applied twice changes nothing, and a batch equals one by one', async () => {
    await truncate();
    for (const event of events) {
      await backend.db.transaction().execute((trx) => projection.apply(event, trx));
      const once = await dump();
      await backend.db.transaction().execute((trx) => projection.apply(event, trx));
      expect(await dump(), `${event.type} at ${event.position}`).toEqual(once);
    }
    const oneByOne = await dump();
    await given(events);
    expect(await dump()).toEqual(oneByOne);
    // Uneven batches, then the whole log once more.
    await truncate();
    for (let i = 0; i < events.length; i += 3) await backend.db.transaction().execute((trx) => applyEvents(projection, events.slice(i, i + 3), trx));
    await backend.db.transaction().execute((trx) => applyEvents(projection, events, trx));
    expect(await dump()).toEqual(oneByOne);
  });

  it('names everyone who could exec into the namespace over the whole window, with periods and grants', async () => {
    await given(events);
    const holders = summary(await whoCouldExec(0, 24));
    expect(holders).toEqual({
      // platform scope covers every namespace, all the time
      erin: [{ from: T(1), to: null, via: 'user', role: 'platform-admin', scope: 'platform' }],
      // a namespace grant, until it was revoked
      alice: [{ from: T(2), to: T(5), via: 'user', role: 'developer', scope: 'namespace:w1/c1/web' }],
      // a custom role at workspace scope, until the role stopped carrying the permission
      carol: [{ from: T(3), to: T(6), via: 'user', role: 'exec-only', scope: 'workspace:w1' }],
      // through a group, while a member
      dave: [{ from: T(4), to: T(7), via: 'group:ops', role: 'ops-engineer', scope: 'namespace:w1/c1/web' }],
      // a workspace grant covers the namespace only while it belongs to the workspace, and a
      // custom role only while it may be granted at that scope kind
      gina: [{ from: T(9), to: T(10), via: 'user', role: 'shell', scope: 'workspace:w2' }],
    });
    // bob (workspace-admin: no container access), frank (another namespace), hank (joined ops after
    // the namespace left w1) never could.
  });

  it('answers for one moment and for narrow windows', async () => {
    await given(events);
    expect(Object.keys(summary(await whoCouldExec(5.5, 5.5)))).toEqual(['carol', 'dave', 'erin']);
    // Revoked at 05:00 exactly: no longer held at that moment; granted at 02:00 exactly: held.
    expect(Object.keys(summary(await whoCouldExec(5, 5)))).toEqual(['carol', 'dave', 'erin']);
    expect(Object.keys(summary(await whoCouldExec(2, 2)))).toEqual(['alice', 'erin']);
    expect(Object.keys(summary(await whoCouldExec(8.5, 8.9)))).toEqual(['erin']); // the namespace did not exist
    expect(Object.keys(summary(await whoCouldExec(0, 0.5)))).toEqual([]);
    expect(Object.keys(summary(await whoCouldExec(0, 24, 'api')))).toEqual(['erin', 'frank', 'gina']);
    // Periods are reported whole, not cut to the window.
    expect((await whoCouldExec(4.5, 4.5)).find((h) => h.userId === 'dave')!.periods[0]).toMatchObject({ from: T(4), to: T(7) });
    expect(await whoHeldPermission(backend.db, { permission: 'audit:read', clusterId: 'c1', namespace: 'web', from: T(0), to: T(24) })).toEqual([
      expect.objectContaining({ userId: 'erin' }),
    ]);
  });

  it('a rebuild gives identical tables', async () => {
    await given(events);
    const live = await dump();
    const result = await rebuildProjection({ store: backend.store, db: backend.db, dbKind: kind, projection });
    expect(result.handled).toBe(events.filter((e) => projection.canHandle(e)).length);
    expect(await dump()).toEqual(live);
    expect(summary(await whoCouldExec(0, 24))).toHaveProperty('gina');
  });
});

function summary(holders: PermissionHolder[]) {
  return Object.fromEntries(
    holders.map((h) => [
      h.userId,
      h.periods.map((p) => {
        const s = p.grant.scope;
        return {
          from: p.from,
          to: p.to,
          via: p.via.kind === 'user' ? 'user' : `group:${p.via.group}`,
          role: p.grant.roleId,
          scope: s.kind === 'platform' ? 'platform' : s.kind === 'workspace' ? `workspace:${s.workspaceId}` : `namespace:${s.workspaceId}/${s.clusterId}/${s.namespace}`,
        };
      }),
    ]),
  );
}

// ---------------------------------------------------------------- given events

function scenario(): { streamId: string; event: NewEvent }[] {
  const out: { streamId: string; event: NewEvent }[] = [];
  const at = (hour: number, streamId: string, type: string, data: Record<string, unknown>) =>
    out.push({
      streamId,
      event: {
        id: randomUUID(),
        type,
        data,
        metadata: { actor: { kind: 'user', id: 'admin', name: 'admin' }, commandId: randomUUID(), correlationId: randomUUID(), causationId: null, occurredAt: T(hour), clientIp: null, schemaVersion: 1 },
      },
    });
  const ns = (clusterId: string, namespace: string, workspaceId: string) => ({ kind: 'namespace', clusterId, namespace, workspaceId });
  const ws = (workspaceId: string) => ({ kind: 'workspace', workspaceId });
  const grant = (hour: number, subject: string, roleId: string, scope: object, type = 'RoleGranted') => {
    const [kind, id] = subject.split(':');
    at(hour, `${kind}-${id}`, type, { subject: { kind, id }, roleId, scope });
  };
  const created = (hour: number, clusterId: string, name: string, workspaceId: string) =>
    at(hour, `namespace-${clusterId}.${name}`, 'NamespaceCreated', {
      clusterId,
      name,
      workspaceId,
      quotaCpuMillis: 1000,
      quotaMemoryBytes: 2 ** 30,
      defaults: { requestCpuMillis: 100, requestMemoryBytes: 2 ** 27, limitCpuMillis: 500, limitMemoryBytes: 2 ** 29 },
      generation: 1,
    });
  const role = (hour: number, type: string, roleId: string, permissions: string[], grantableAt: string[]) =>
    at(hour, `role-${roleId}`, type, { roleId, displayName: roleId, description: '', permissions, grantableAt });
  const sync = (hour: number, userId: string, groups: string[]) => at(hour, `user-${userId}`, 'UserProfileSynced', { userId, displayName: userId, email: null, groups });

  grant(1, 'user:erin', 'platform-admin', { kind: 'platform' });
  created(1, 'c1', 'web', 'w1');
  created(1, 'c1', 'api', 'w2');
  role(1, 'RoleDefined', 'exec-only', ['containers:exec'], ['workspace', 'namespace']);
  role(1, 'RoleDefined', 'shell', ['containers:exec'], ['workspace', 'namespace']);
  grant(2, 'user:alice', 'developer', ns('c1', 'web', 'w1'));
  grant(2, 'user:bob', 'workspace-admin', ws('w1'));
  grant(2, 'user:frank', 'developer', ns('c1', 'api', 'w2'));
  grant(2, 'user:gina', 'shell', ws('w2'));
  grant(3, 'user:carol', 'exec-only', ws('w1'));
  grant(3, 'group:ops', 'ops-engineer', ns('c1', 'web', 'w1'));
  sync(4, 'dave', ['ops', 'devs']);
  grant(5, 'user:alice', 'developer', ns('c1', 'web', 'w1'), 'RoleRevoked');
  role(6, 'RoleUpdated', 'exec-only', ['containers:logs'], ['workspace', 'namespace']);
  sync(7, 'dave', ['devs']);
  at(8, 'namespace-c1.web', 'NamespaceDeleted', { clusterId: 'c1', name: 'web', workspaceId: 'w1' });
  created(9, 'c1', 'web', 'w2');
  role(10, 'RoleUpdated', 'shell', ['containers:exec'], ['namespace']);
  at(11, 'role-exec-only', 'RoleDeleted', { roleId: 'exec-only' });
  sync(12, 'hank', ['ops']);
  return out;
}
