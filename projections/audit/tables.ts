import { defineTable } from '../rows';

export type AuditOutcome = 'accepted' | 'rejected';

/** One per command, accepted or refused. */
export interface AuditRecordRow {
  command_id: string;
  occurred_at: string;
  actor_kind: string;
  actor_id: string;
  actor_name: string;
  client_ip: string | null;
  correlation_id: string | null;
  module: string;
  /** The command type, e.g. "RegisterCluster". */
  action: string;
  target_kind: string | null;
  target_id: string | null;
  cluster_id: string | null;
  workspace_id: string | null;
  namespace: string | null;
  outcome: AuditOutcome;
  code: string | null;
  field: string | null;
  message: string | null;
  /** The refusal's numbers (requested, available, …), when the domain gave them. */
  details: Record<string, unknown> | null;
  /** Position of the event that carries the record (a command's first event, or its CommandAccepted/CommandRejected). */
  position: number;
  command: Record<string, unknown>;
  event_ids: string[];
}

export const auditRecordsTable = defineTable<AuditRecordRow>('audit_records', ['command_id'], {
  command_id: 'text',
  occurred_at: 'timestamptz',
  actor_kind: 'text',
  actor_id: 'text',
  actor_name: 'text',
  client_ip: 'text',
  correlation_id: 'text',
  module: 'text',
  action: 'text',
  target_kind: 'text',
  target_id: 'text',
  cluster_id: 'text',
  workspace_id: 'text',
  namespace: 'text',
  outcome: 'text',
  code: 'text',
  field: 'text',
  message: 'text',
  details: 'jsonb',
  position: 'int8',
  command: 'jsonb',
  event_ids: 'jsonb',
});
