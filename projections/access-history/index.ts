import type { Transaction } from 'kysely';
import type { StoredEvent } from '../../eventstore/types';
import type { Projection } from '../types';
import { accessHistoryChanges, accessHistoryEventTypes } from './handlers';
import { applyPeriodChanges } from './periods';
import { accessHistoryTables } from './tables';

const types = new Set<string>(accessHistoryEventTypes);

/** Who held which role where, when: periods of grants, custom-role permissions, group memberships and namespace ownership. */
export const accessHistoryProjection: Projection = {
  name: 'access-history',
  version: 1,
  tables: accessHistoryTables.map((t) => t.name),
  canHandle: (event: StoredEvent) => types.has(event.type),
  apply: (event: StoredEvent, trx: Transaction<any>) => applyPeriodChanges(trx, [event], accessHistoryChanges),
  applyBatch: (events: readonly StoredEvent[], trx: Transaction<any>) => applyPeriodChanges(trx, events, accessHistoryChanges),
};

export * from './queries';
export type { GrantPeriodRow, GroupMembershipPeriodRow, NamespaceWorkspacePeriodRow, RolePermissionPeriodRow, RoleGrantablePeriodRow } from './tables';
