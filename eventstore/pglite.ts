import type { PGlite } from '@electric-sql/pglite';
import { openDatabase, type OpenedDatabase } from '../db/connect';
import { migrateToLatest } from '../db/migrate';
import { pgliteClient } from './sql-client';
import { SqlEventStore } from './sql-store';
import { ChangeNotifier } from './subscription';

/** One in-process notifier per PGlite instance, so every store over it wakes the others' subscribers. */
const notifiers = new WeakMap<PGlite, ChangeNotifier>();

export interface PGliteEventStoreOptions {
  /** Run migrateToLatest on open (default true). */
  migrate?: boolean;
  /** Fallback poll interval for live subscriptions (appends through a store wake them at once). */
  pollMs?: number;
}

/**
 * Embedded event store on PGlite: the same tables and append function as PostgreSQL. PGlite is one
 * connection and serializes statements and transactions (shared with Kysely over the same instance),
 * so concurrent appends are safe. `shared` is left open by close().
 */
export async function openPGliteEventStore(
  config: { dataDir?: string } | { shared: OpenedDatabase },
  options: PGliteEventStoreOptions = {},
): Promise<SqlEventStore> {
  const owned = 'shared' in config ? undefined : await openDatabase({ kind: 'pglite', dataDir: config.dataDir });
  const database = owned ?? (config as { shared: OpenedDatabase }).shared;
  if (database.kind !== 'pglite' || !database.pglite) throw new Error('openPGliteEventStore needs a PGlite database');
  const pglite = database.pglite;
  try {
    if (options.migrate !== false) await migrateToLatest(database.db);
  } catch (err) {
    await owned?.close();
    throw err;
  }
  let notifier = notifiers.get(pglite);
  if (!notifier) notifiers.set(pglite, (notifier = new ChangeNotifier()));
  return new SqlEventStore({
    kind: 'pglite',
    client: pgliteClient(pglite),
    notifier,
    pollMs: options.pollMs ?? 2000,
    onClose: async () => {
      await owned?.close();
    },
  });
}
