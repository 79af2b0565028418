/** Queries of the audit trail: filtered, newest first, cursor-paginated. */
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { normalizeRow } from '../rows';
import type { EventStore, StoredEvent } from '../../eventstore/types';
import { auditRecordsTable, type AuditOutcome } from './tables';

export interface AuditRecordDto {
  commandId: string;
  occurredAt: string;
  actor: { kind: string; id: string; name: string };
  clientIp: string | null;
  correlationId: string | null;
  module: string;
  action: string;
  target: { kind: string | null; id: string | null; clusterId: string | null; workspaceId: string | null; namespace: string | null };
  outcome: AuditOutcome;
  code: string | null;
  field: string | null;
  message: string | null;
  details: Record<string, unknown> | null;
  position: number;
  command: Record<string, unknown>;
  eventIds: string[];
}

export interface AuditEventDto {
  position: number;
  eventId: string;
  commandId: string;
  streamId: string;
  revision: number;
  type: string;
  data: Record<string, unknown>;
  occurredAt: string;
  recordedAt: string;
}

export function toAuditRecordDto(raw: Record<string, unknown>): AuditRecordDto {
  const r = normalizeRow(auditRecordsTable, raw);
  return {
    commandId: r.command_id,
    occurredAt: r.occurred_at,
    actor: { kind: r.actor_kind, id: r.actor_id, name: r.actor_name },
    clientIp: r.client_ip,
    correlationId: r.correlation_id,
    module: r.module,
    action: r.action,
    target: { kind: r.target_kind, id: r.target_id, clusterId: r.cluster_id, workspaceId: r.workspace_id, namespace: r.namespace },
    outcome: r.outcome,
    code: r.code,
    field: r.field,
    message: r.message,
    details: r.details,
    position: r.position,
    command: r.command,
    eventIds: r.event_ids,
  };
}

function toAuditEventDto(event: StoredEvent): AuditEventDto {
  return {
    position: event.position,
    eventId: event.id,
    commandId: event.metadata.commandId,
    streamId: event.streamId,
    revision: event.revision,
    type: event.type,
    data: event.data,
    occurredAt: event.metadata.occurredAt,
    recordedAt: event.recordedAt,
  };
}

export interface AuditFilter {
  /** Inclusive lower bound on occurredAt (ISO-8601). */
  from?: string;
  /** Exclusive upper bound on occurredAt (ISO-8601). */
  to?: string;
  module?: string | readonly string[];
  action?: string;
  actorId?: string;
  actorName?: string;
  outcome?: AuditOutcome;
  targetKind?: string;
  targetId?: string;
  clusterId?: string;
  workspaceId?: string;
  namespace?: string;
  /** Only records at or below this position: a fixed snapshot for an export that counts first. */
  maxPosition?: number;
}

export interface AuditPage {
  /** 1..500, default 50. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string | null;
}

export interface AuditRecordPage {
  items: AuditRecordDto[];
  /** Pass back to read the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export class InvalidAuditCursorError extends Error {
  readonly code = 'INVALID_CURSOR';
  constructor(readonly cursor: string) {
    super('cursor: not a cursor returned by this query');
    this.name = 'InvalidAuditCursorError';
  }
}

function encodeCursor(r: AuditRecordDto): string {
  return Buffer.from(JSON.stringify([r.occurredAt, r.position])).toString('base64url');
}

function decodeCursor(cursor: string): [string, number] {
  try {
    const [at, position] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof at !== 'string' || Number.isNaN(Date.parse(at)) || !Number.isSafeInteger(position)) throw new Error();
    return [at, position];
  } catch {
    throw new InvalidAuditCursorError(cursor);
  }
}

type RecordQuery = SelectQueryBuilder<any, 'audit_records', any>;

/** The filter as WHERE clauses; null when it can match nothing. */
function filtered<Q extends RecordQuery>(q: Q, filter: AuditFilter): Q | null {
  let out: RecordQuery = q;
  if (filter.from) out = out.where('occurred_at', '>=', filter.from);
  if (filter.to) out = out.where('occurred_at', '<', filter.to);
  if (filter.module !== undefined) {
    const modules = typeof filter.module === 'string' ? [filter.module] : [...filter.module];
    if (modules.length === 0) return null;
    out = out.where('module', 'in', modules);
  }
  if (filter.action) out = out.where('action', '=', filter.action);
  if (filter.actorId) out = out.where('actor_id', '=', filter.actorId);
  if (filter.actorName) out = out.where('actor_name', '=', filter.actorName);
  if (filter.outcome) out = out.where('outcome', '=', filter.outcome);
  if (filter.targetKind) out = out.where('target_kind', '=', filter.targetKind);
  if (filter.targetId) out = out.where('target_id', '=', filter.targetId);
  if (filter.clusterId) out = out.where('cluster_id', '=', filter.clusterId);
  if (filter.workspaceId) out = out.where('workspace_id', '=', filter.workspaceId);
  if (filter.namespace) out = out.where('namespace', '=', filter.namespace);
  if (filter.maxPosition !== undefined) out = out.where('position', '<=', filter.maxPosition);
  return out as Q;
}

/** Newest first; ties on occurredAt broken by position. */
export async function listAuditRecords(db: Kysely<any>, filter: AuditFilter = {}, page: AuditPage = {}): Promise<AuditRecordPage> {
  const limit = Math.min(Math.max(Math.trunc(page.limit ?? 50), 1), 500);
  let q = filtered(db.selectFrom('audit_records').selectAll(), filter);
  if (!q) return { items: [], nextCursor: null };
  if (page.cursor) {
    const [at, position] = decodeCursor(page.cursor);
    q = q.where(sql<boolean>`(occurred_at, position) < (${at}::timestamptz, ${position}::bigint)`);
  }
  const rows = await q.orderBy('occurred_at', 'desc').orderBy('position', 'desc').limit(limit + 1).execute();
  const items = rows.slice(0, limit).map(toAuditRecordDto);
  return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1]) : null };
}

/** How many records match (for an export's progress). */
export async function countAuditRecords(db: Kysely<any>, filter: AuditFilter = {}): Promise<number> {
  const q = filtered(db.selectFrom('audit_records').select((eb) => eb.fn.countAll<string>().as('n')), filter);
  if (!q) return 0;
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/** The highest position of any record (0 when none): pin it as `maxPosition` to read a fixed snapshot. */
export async function lastAuditPosition(db: Kysely<any>): Promise<number> {
  const row = await db.selectFrom('audit_records').select((eb) => eb.fn.max('position').as('p')).executeTakeFirst();
  return Number(row?.p ?? 0);
}

/** Every matching record, newest first, read in keyset pages of `pageSize`; never more than a page in memory. */
export async function* auditRecordPages(db: Kysely<any>, filter: AuditFilter = {}, pageSize = 500): AsyncGenerator<AuditRecordDto[]> {
  let cursor: string | null = null;
  do {
    const page = await listAuditRecords(db, filter, { cursor, limit: pageSize });
    if (page.items.length) yield page.items;
    cursor = page.nextCursor;
  } while (cursor);
}

export interface AuditRecordDetail extends AuditRecordDto {
  /** The domain events the command wrote, in position order. */
  events: AuditEventDto[];
}

/** A record with the events its command wrote, read from the event store by their ids. */
export async function auditRecordDetail(db: Kysely<any>, store: EventStore, commandId: string): Promise<AuditRecordDetail | null> {
  const row = await db.selectFrom('audit_records').selectAll().where('command_id', '=', commandId).executeTakeFirst();
  if (!row) return null;
  const record = toAuditRecordDto(row);
  const events = (await Promise.all(record.eventIds.map((id) => store.readEvent(id)))).filter((e): e is StoredEvent => e !== null);
  return { ...record, events: events.sort((a, b) => a.position - b.position).map(toAuditEventDto) };
}
