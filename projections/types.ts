import type { Transaction } from 'kysely';
import type { StoredEvent } from '../eventstore/types';
import type { RowCache } from './rows';

/**
 * Options a batch apply receives. `rowCache` is owned by the caller for the length of one run:
 * the live runner gives a fresh one per batch, a rebuild keeps one authoritative cache over all
 * batches (its tables start empty, so a key missing from the cache is missing from the table).
 */
export interface ApplyContext {
  rowCache?: RowCache;
}

/**
 * A read model fed by events. Handlers are pure functions of (event, trx) and idempotent:
 * applying an event a second time changes nothing. The runner owns subscriptions, batching and
 * checkpoints; a projection never writes its own checkpoint.
 */
export interface Projection {
  readonly name: string;
  /** Bump when handlers or tables change in a way that needs a replay. */
  readonly version: number;
  /** Every table the projection writes (unqualified names, `public` schema). Rebuild replaces these. */
  readonly tables: readonly string[];
  canHandle(event: StoredEvent): boolean;
  apply(event: StoredEvent, trx: Transaction<any>): Promise<void>;
  /** Optional fast path: same effect as `apply` for each event in order, with fewer round trips. */
  applyBatch?(events: readonly StoredEvent[], trx: Transaction<any>, context?: ApplyContext): Promise<void>;
}

/** Applies handled events in order, through `applyBatch` when the projection has one. */
export async function applyEvents(
  projection: Projection,
  events: readonly StoredEvent[],
  trx: Transaction<any>,
  context?: ApplyContext,
): Promise<number> {
  const handled = events.filter((e) => projection.canHandle(e));
  if (handled.length === 0) return 0;
  if (projection.applyBatch) {
    await projection.applyBatch(handled, trx, context);
  } else {
    for (const event of handled) await projection.apply(event, trx);
  }
  return handled.length;
}
