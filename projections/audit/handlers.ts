/**
 * Pure handlers of the audit trail. The command handler writes one CommandAccepted or
 * CommandRejected event per command into `command-<commandId>`; every other event is kept as a
 * domain event of the command named by its metadata. Both are plain inserts keyed by the command
 * id and the position, so a second application changes nothing.
 */
import type { StoredEvent } from '../../eventstore/types';
import { insert, type RowUpdate } from '../rows';
import { auditEventsTable, auditRecordsTable, type AuditRecordRow } from './tables';

export const COMMAND_STREAM_PREFIX = 'command-';
export const auditRecordEventTypes = ['CommandAccepted', 'CommandRejected'] as const;

export function isAuditRecordEvent(event: StoredEvent): boolean {
  return event.type === 'CommandAccepted' || event.type === 'CommandRejected';
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

export function auditRecordOf(event: StoredEvent): AuditRecordRow {
  const d = event.data as any;
  const command = (d.command ?? {}) as Record<string, unknown>;
  const target = (d.target ?? {}) as Record<string, unknown>;
  const m = event.metadata;
  const accepted = event.type === 'CommandAccepted';
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
  if (isAuditRecordEvent(event)) return [insert(auditRecordsTable, auditRecordOf(event))];
  if (event.streamId.startsWith(COMMAND_STREAM_PREFIX)) return [];
  return [
    insert(auditEventsTable, {
      position: event.position,
      event_id: event.id,
      command_id: event.metadata.commandId ?? '',
      stream_id: event.streamId,
      revision: event.revision,
      type: event.type,
      data: event.data,
      occurred_at: event.metadata.occurredAt,
      recorded_at: event.recordedAt,
    }),
  ];
}
