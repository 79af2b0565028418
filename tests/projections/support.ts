/** Opens the real adapters (PostgreSQL in a fresh database, or in-memory PGlite) for projection tests. */
import { sql, type Kysely } from 'kysely';
import { openDatabase, type OpenedDatabase } from '../../db/connect';
import { openEventStore } from '../../eventstore';
import type { EventStore } from '../../eventstore/types';
import { createTestDatabase } from '../support/postgres';

export type BackendKind = 'postgres' | 'pglite';

export interface Backend {
  kind: BackendKind;
  url?: string;
  database: OpenedDatabase;
  db: Kysely<any>;
  store: EventStore;
  close(): Promise<void>;
}

/** Event store and read models on one database, migrated to latest. */
export async function openBackend(kind: BackendKind, prefix = 'projections'): Promise<Backend> {
  if (kind === 'postgres') {
    const test = await createTestDatabase(prefix);
    const database = await openDatabase({ kind: 'postgres', url: test.url, poolSize: 12 });
    const store = await openEventStore({ kind: 'postgres', url: test.url, pollMs: 200 }, database);
    return {
      kind,
      url: test.url,
      database,
      db: database.db,
      store,
      async close() {
        await store.close();
        await database.close();
        await test.drop();
      },
    };
  }
  const database = await openDatabase({ kind: 'pglite' });
  const store = await openEventStore({ kind: 'pglite', pollMs: 200 }, database);
  return {
    kind,
    database,
    db: database.db,
    store,
    async close() {
      await store.close();
      await database.close();
    },
  };
}

/** Every row of the tables, sorted, as JSON text: equal dumps mean equal read models. */
export async function dumpTables(db: Kysely<any>, tables: readonly string[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of tables) {
    const { rows } = await sql<{ r: string }>`SELECT to_jsonb(t)::text AS r FROM ${sql.table(table)} t`.execute(db);
    out[table] = rows.map((x) => x.r).sort();
  }
  return out;
}
