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

  it('appends the events with their metadata and the audit record, atomically', async () => {
    const ctx = context();
    const result = await handle(tenancyCommand('CreateWorkspace'), createWorkspace('ws-a'), ctx);
    const [created] = await store.readStream('workspace-ws-a');
    expect(created.type).toBe('WorkspaceCreated');
    expect(created.metadata).toMatchObject({ commandId: ctx.commandId, actor: ctx.actor, clientIp: '10.0.0.9', occurredAt: '2026-03-01T10:00:00.000Z' });
    const [record] = await store.readStream(commandStreamId(ctx.commandId));
    expect(record.type).toBe('CommandAccepted');
    expect(record.data).toMatchObject({ module: 'workspaces', target: { kind: 'workspace', id: 'ws-a' }, eventIds: [created.id] });
    expect(record.position).toBe(result.position);
  });

  it('takes effect once per commandId, also when the same command arrives concurrently', async () => {
    const ctx = context();
    const results = await Promise.all(Array.from({ length: 6 }, () => handle(tenancyCommand('CreateWorkspace'), createWorkspace('ws-b'), ctx)));
    expect(new Set(results.map((r) => r.position)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await store.readStream('workspace-ws-b')).toHaveLength(1);
    expect(await store.readStream(commandStreamId(ctx.commandId))).toHaveLength(1);
  });

  it('records a refusal of well-formed input and repeats it for the same commandId', async () => {
    const ctx = context();
    const bind = { type: 'BindClusterResources', workspaceId: 'ws-a', clusterId: 'nowhere', cpuMillis: 1_000, memoryBytes: GiB } as const;
    const first = await handle(tenancyCommand('BindClusterResources'), bind, ctx).catch((e) => e);
    expect(first.code).toBe('not_found');
    const [record] = await store.readStream(commandStreamId(ctx.commandId));
    expect(record.type).toBe('CommandRejected');
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
    const [record] = await store.readStream(commandStreamId(ctx.commandId));
    expect(JSON.stringify(record.data)).not.toContain('do-not-copy');
  });
});
