import type { Transaction } from 'kysely';
import type { StoredEvent } from '../../eventstore/types';
import type { ApplyContext, Projection } from '../types';
import { applyRowUpdates } from '../rows';
import { auditUpdates, recordOf } from './handlers';
import { auditRecordsTable } from './tables';

/** Audit records: from the command streams, and from the first event of each command (metadata.audit). */
export const auditProjection: Projection = {
  name: 'audit',
  version: 1,
  tables: [auditRecordsTable.name],
  canHandle: (event: StoredEvent) => recordOf(event) !== null,
  apply: (event: StoredEvent, trx: Transaction<any>) => applyRowUpdates(trx, [event], auditUpdates),
  applyBatch: (events: readonly StoredEvent[], trx: Transaction<any>, context?: ApplyContext) =>
    applyRowUpdates(trx, events, auditUpdates, context?.rowCache),
};

export * from './queries';
export type { AuditOutcome, AuditRecordRow } from './tables';
