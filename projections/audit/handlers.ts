/**
 * Pure handlers of the audit trail (commands/audit-events.ts). A command's record is either its
 * first domain event's `metadata.audit`, or a CommandAccepted / CommandRejected event in
 * `command-<commandId>` (refusals, attempts, commands without events, and every command written
 * by earlier versions). A record is a plain insert keyed by the command id, so a second
 * application changes nothing. The events a command wrote are not copied: the record lists their
 * ids, and the detail reads them from the event store.
 */
import type { StoredEvent } from '../../eventstore/types';
import { insert, type RowUpdate } from '../rows';
import { auditRecordsTable, type AuditRecordRow } from './tables';

export const COMMAND_STREAM_PREFIX = 'command-';
export const auditRecordEventTypes = ['CommandAccepted', 'CommandRejected'] as const;

export function isAuditRecordEvent(event: StoredEvent): boolean {
  return event.type === 'CommandAccepted' || event.type === 'CommandRejected';
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** The audit record carried by an event: its data (command streams) or its metadata.audit (a command's first event). */
export function recordOf(event: StoredEvent): Record<string, any> | null {
  if (isAuditRecordEvent(event)) return event.data;
  const audit = (event.metadata as { audit?: unknown } | null)?.audit;
  return audit && typeof audit === 'object' ? (audit as Record<string, any>) : null;
}

export function auditRecordOf(event: StoredEvent, d: Record<string, any> = event.data): AuditRecordRow {
  const command = (d.command ?? {}) as Record<string, unknown>;
  const target = (d.target ?? {}) as Record<string, unknown>;
  const m = event.metadata;
  const accepted = event.type !== 'CommandRejected';
  return {
    command_id: m.commandId || event.streamId.slice(COMMAND_STREAM_PREFIX.length),
    occurred_at: m.occurredAt,
    actor_kind: m.actor?.kind ?? 'system',
    actor_id: m.actor?.id ?? '',
    actor_name: m.actor?.name ?? '',
    client_ip: m.clientIp ?? null,
    correlation_id: m.correlationId ?? null,
    module: String(d.module ?? ''),
    action: String(command.type ?? ''),
    target_kind: str(target.kind),
    target_id: str(target.id),
    cluster_id: str(target.clusterId),
    workspace_id: str(target.workspaceId),
    namespace: str(target.namespace),
    outcome: accepted ? 'accepted' : 'rejected',
    code: accepted ? null : str(d.code),
    field: accepted ? null : str(d.field),
    message: accepted ? null : str(d.message),
    details: !accepted && d.details && typeof d.details === 'object' ? d.details : null,
    position: event.position,
    command,
    event_ids: Array.isArray(d.eventIds) ? d.eventIds.map(String) : [],
  };
}

export function auditUpdates(event: StoredEvent): RowUpdate[] {
  const record = recordOf(event);
  return record ? [insert(auditRecordsTable, auditRecordOf(event, record))] : [];
}
