import type { Transaction } from 'kysely';
import type { StoredEvent } from '../../eventstore/types';
import type { ApplyContext, Projection } from '../types';
import { applyRowUpdates } from '../rows';
import { auditUpdates, COMMAND_STREAM_PREFIX, isAuditRecordEvent } from './handlers';
import { auditEventsTable, auditRecordsTable } from './tables';

/** Reads every event: audit records from the command streams, every other event as a domain event. */
export const auditProjection: Projection = {
  name: 'audit',
  version: 1,
  tables: [auditRecordsTable.name, auditEventsTable.name],
  canHandle: (event: StoredEvent) => isAuditRecordEvent(event) || !event.streamId.startsWith(COMMAND_STREAM_PREFIX),
  apply: (event: StoredEvent, trx: Transaction<any>) => applyRowUpdates(trx, [event], auditUpdates),
  applyBatch: (events: readonly StoredEvent[], trx: Transaction<any>, context?: ApplyContext) =>
    applyRowUpdates(trx, events, auditUpdates, context?.rowCache),
};

export * from './queries';
export type { AuditEventRow, AuditOutcome, AuditRecordRow } from './tables';
