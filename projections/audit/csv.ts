/**
 * Audit records as CSV (RFC 4180: comma-separated, CRLF line ends, fields holding a comma, quote,
 * CR or LF enclosed in quotes with inner quotes doubled). A cell that a spreadsheet would run as a
 * formula (starting with = + - @, tab or CR) is prefixed with a single quote.
 */
import type { AuditRecordDto } from './queries';

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

export const auditCsvColumns = [
  'occurred_at',
  'command_id',
  'actor_kind',
  'actor_id',
  'actor_name',
  'client_ip',
  'module',
  'action',
  'target_kind',
  'target_id',
  'cluster_id',
  'workspace_id',
  'namespace',
  'outcome',
  'code',
  'field',
  'message',
  'details',
  'command',
  'correlation_id',
  'position',
] as const;

export function auditCsvLine(r: AuditRecordDto): string {
  return csvLine([
    r.occurredAt,
    r.commandId,
    r.actor.kind,
    r.actor.id,
    r.actor.name,
    r.clientIp,
    r.module,
    r.action,
    r.target.kind,
    r.target.id,
    r.target.clusterId,
    r.target.workspaceId,
    r.target.namespace,
    r.outcome,
    r.code,
    r.field,
    r.message,
    r.details,
    r.command,
    r.correlationId,
    r.position,
  ]);
}

export const auditCsvHeader = csvLine(auditCsvColumns);
