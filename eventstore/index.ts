import type { OpenedDatabase } from '../db/connect';
import type { EventStore } from './types';

export * from './types';

export type EventStoreConfig =
  | { kind: 'postgres'; url: string; migrate?: boolean; pollMs?: number }
  | { kind: 'pglite'; /** undefined = in memory */ dataDir?: string; migrate?: boolean; pollMs?: number }
  | { kind: 'eventstoredb'; url: string };

/**
 * Opens the event store the config names.
 * - postgres / pglite: pass `shared` (from db/connect openDatabase) to use the same pool or PGlite
 *   instance as the read models; the store then leaves it open on close(). The store runs
 *   migrateToLatest (every file of migrations/, idempotent, under Kysely's lock) unless `migrate: false`.
 * - eventstoredb: `url` is an esdb:// connection string. appendMulti of several streams throws
 *   UnsupportedOperationError (see eventstore/README.md).
 */
export async function openEventStore(config: EventStoreConfig, shared?: OpenedDatabase): Promise<EventStore> {
  switch (config.kind) {
    case 'postgres': {
      const { openPostgresEventStore } = await import('./postgres');
      if (shared && shared.kind !== 'postgres') throw new Error('openEventStore: shared database is not PostgreSQL');
      return openPostgresEventStore(shared ? { shared } : { url: config.url }, config);
    }
    case 'pglite': {
      const { openPGliteEventStore } = await import('./pglite');
      if (shared && shared.kind !== 'pglite') throw new Error('openEventStore: shared database is not PGlite');
      return openPGliteEventStore(shared ? { shared } : { dataDir: config.dataDir }, config);
    }
    case 'eventstoredb': {
      const { openEventStoreDB } = await import('./eventstoredb');
      return openEventStoreDB(config.url);
    }
    default:
      throw new Error(`unknown event store kind ${(config as { kind: string }).kind}`);
  }
}
