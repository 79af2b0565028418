import { randomUUID } from 'node:crypto';
import type { EventStore } from '../eventstore/types';
import { isUuid } from '../eventstore/event-id';
import type { CommandContext } from './context';
import { commandStreamId, type AuditModule, type AuditTarget, type CommandAcceptedData, type CommandRejectedData } from './audit-events';

/**
 * Records something that is not a domain command but must be in the audit trail: a login, an access
 * denial, a call proxied to Kubernetes. It uses the command audit record's shape and stream, so
 * the audit page, its filters and exports treat it like every other action.
 */
export interface Attempt {
  module: AuditModule;
  action: string;
  target: AuditTarget;
  /** What was asked, without secrets. */
  details?: Record<string, unknown>;
  refusal?: { code: string; message: string; field?: string };
}

export async function recordAttempt(store: EventStore, attempt: Attempt, context: CommandContext): Promise<number> {
  const metadata = {
    actor: context.actor,
    commandId: context.commandId,
    correlationId: context.correlationId,
    causationId: context.causationId,
    occurredAt: context.now.toISOString(),
    clientIp: context.clientIp,
    schemaVersion: 1,
  };
  const base = { command: { type: attempt.action, ...attempt.details }, module: attempt.module, target: attempt.target };
  const event = attempt.refusal
    ? { type: 'CommandRejected', data: JSON.parse(JSON.stringify({ ...base, ...attempt.refusal })) as CommandRejectedData }
    : { type: 'CommandAccepted', data: { ...base, eventIds: [] } as CommandAcceptedData };
  // Like a command's record, its id is the commandId: an attempt takes its commandId for good.
  const id = isUuid(context.commandId) ? context.commandId.toLowerCase() : randomUUID();
  const result = await store.append(
    commandStreamId(context.commandId),
    [{ id, type: event.type, data: event.data as unknown as Record<string, unknown>, metadata }],
    { expectedRevision: 'no_stream' },
  );
  return result.position;
}
