import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { openEventStore } from '../../eventstore';
import type { EventStore } from '../../eventstore/types';
import { createCommandHandler, RecordedRejectionError, type CommandHandler } from '../../commands/handler';
import { tenancyCommand, tenancyModel, isDomainError } from '../../commands/tenancy';
import { commandStreamId } from '../../commands/audit-events';
import type { CommandContext } from '../../commands/context';

const GiB = 2 ** 30;
const context = (commandId = randomUUID()): CommandContext => ({
  actor: { kind: 'user', id: 'u1', name: 'alice' },
  commandId,
  correlationId: randomUUID(),
  causationId: null,
  clientIp: '10.0.0.9',
  now: new Date('2026-03-01T10:00:00Z'),
});
const createWorkspace = (workspaceId: string) =>
  ({ type: 'CreateWorkspace', workspaceId, displayName: workspaceId, description: '', ceilingCpuMillis: 4_000, ceilingMemoryBytes: 8 * GiB }) as const;

describe('the command handler', () => {
  let store: EventStore;
  let handle: CommandHandler;

  beforeAll(async () => {
    store = await openEventStore({ kind: 'pglite' });
    handle = createCommandHandler({ store, model: tenancyModel, isDomainError });
  });
  afterAll(async () => store?.close());

  it('appends the events with their metadata, the audit record riding on the first (whose id is the commandId)', async () => {
    const ctx = context();
    const result = await handle(tenancyCommand('CreateWorkspace'), createWorkspace('ws-a'), ctx);
    const [created] = await store.readStream('workspace-ws-a');
    expect(created.type).toBe('WorkspaceCreated');
    expect(created.id).toBe(ctx.commandId);
    expect(created.metadata).toMatchObject({ commandId: ctx.commandId, actor: ctx.actor, clientIp: '10.0.0.9', occurredAt: '2026-03-01T10:00:00.000Z' });
    expect((created.metadata as any).audit).toMatchObject({
      command: { type: 'CreateWorkspace', workspaceId: 'ws-a' },
      module: 'workspaces',
      target: { kind: 'workspace', id: 'ws-a' },
      eventIds: [created.id],
    });
    expect(created.position).toBe(result.position);
    expect(await store.readStream(commandStreamId(ctx.commandId))).toEqual([]);
  });

  it('takes effect once per commandId, also when the same command arrives concurrently', async () => {
    const ctx = context();
    const results = await Promise.all(Array.from({ length: 6 }, () => handle(tenancyCommand('CreateWorkspace'), createWorkspace('ws-b'), ctx)));
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    const [created] = await store.readStream('workspace-ws-b');
    // Every caller may read the command's effects at the position it got back.
    for (const r of results) expect(r.position).toBeGreaterThanOrEqual(created.position);
    expect(await store.readStream('workspace-ws-b')).toHaveLength(1);
    // A later submission with another handler (no shared cache, e.g. another API process) is replayed too.
    const other = createCommandHandler({ store, model: tenancyModel, isDomainError });
    const later = await other(tenancyCommand('CreateWorkspace'), createWorkspace('ws-b2'), ctx);
    expect(later.replayed).toBe(true);
    expect(await store.readStream('workspace-ws-b2')).toEqual([]);
  });

  it('records a command that decided no events as CommandAccepted, once', async () => {
    const nothing = { type: 'Nothing', module: 'system', target: () => ({ kind: 'platform' as const, id: 'platform' }), streams: () => ['workspace-ws-a'], decide: () => ({}) } as const;
    const ctx = context();
    const first = await handle(nothing, {}, ctx);
    const [record] = await store.readStream(commandStreamId(ctx.commandId));
    expect([record.id, record.type, record.position]).toEqual([ctx.commandId, 'CommandAccepted', first.position]);
    expect(record.data).toMatchObject({ command: { type: 'Nothing' }, module: 'system', eventIds: [] });
    expect((await handle(nothing, {}, ctx)).replayed).toBe(true);
    expect(await store.readStream(commandStreamId(ctx.commandId))).toHaveLength(1);
  });

  it('repeats a refusal that an earlier version recorded in the command\'s audit stream', async () => {
    const ctx = context();
    // How versions before the audit record rode on the first event recorded a command (with an id of its own).
    await store.append(
      commandStreamId(ctx.commandId),
      [{ id: randomUUID(), type: 'CommandRejected', data: { command: { type: 'CreateWorkspace' }, module: 'workspaces', target: { kind: 'workspace', id: 'ws-a' }, code: 'conflict', message: 'workspace ws-a already exists' }, metadata: { actor: ctx.actor, commandId: ctx.commandId, correlationId: ctx.correlationId, causationId: null, occurredAt: ctx.now.toISOString(), clientIp: null, schemaVersion: 1 } }],
      { expectedRevision: 'no_stream' },
    );
    const again = await handle(tenancyCommand('CreateWorkspace'), createWorkspace('ws-a'), ctx).catch((e) => e);
    expect(again).toBeInstanceOf(RecordedRejectionError);
    expect(again.message).toBe('workspace ws-a already exists');
  });

  it('records a refusal of well-formed input and repeats it for the same commandId', async () => {
    const ctx = context();
    const bind = { type: 'BindClusterResources', workspaceId: 'ws-a', clusterId: 'nowhere', cpuMillis: 1_000, memoryBytes: GiB } as const;
    const first = await handle(tenancyCommand('BindClusterResources'), bind, ctx).catch((e) => e);
    expect(first.code).toBe('not_found');
    const [record] = await store.readStream(commandStreamId(ctx.commandId));
    expect([record.id, record.type]).toEqual([ctx.commandId, 'CommandRejected']);
    expect(record.data).toMatchObject({ code: 'not_found', module: 'workspaces', target: { kind: 'binding', id: 'ws-a/nowhere' } });
    const again = await handle(tenancyCommand('BindClusterResources'), bind, ctx).catch((e) => e);
    expect(again).toBeInstanceOf(RecordedRejectionError);
    expect(again.message).toBe(first.message);
  });

  it('writes nothing at all for invalid input', async () => {
    const head = await store.headPosition();
    const ctx = context();
    const error = await handle(tenancyCommand('CreateWorkspace'), createWorkspace('Not_A_Label'), ctx).catch((e) => e);
    expect(error.code).toBe('invalid');
    expect(error.field).toBe('workspaceId');
    expect(await store.headPosition()).toBe(head);
  });

  it('keeps secrets out of the audit copy of a command', async () => {
    const redacting = createCommandHandler({
      store,
      model: tenancyModel,
      isDomainError,
      auditCopy: ({ description: _dropped, ...rest }) => rest,
    });
    const ctx = context();
    await redacting(tenancyCommand('CreateWorkspace'), { ...createWorkspace('ws-c'), description: 'do-not-copy' }, ctx);
    const [created] = await store.readStream('workspace-ws-c');
    expect((created.metadata as any).audit.command).toMatchObject({ type: 'CreateWorkspace', workspaceId: 'ws-c' });
    expect(JSON.stringify(created.metadata)).not.toContain('do-not-copy');
  });
});
