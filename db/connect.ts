import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite-dialect';

export type DatabaseConfig =
  | { kind: 'postgres'; url: string; /** pool size, default 10 */ poolSize?: number }
  | { kind: 'pglite'; /** undefined = in memory */ dataDir?: string };

/**
 * One opened database, shareable between the event store and the read models.
 * For PGlite there is exactly one PGlite instance behind `db` and `pglite`.
 */
export interface OpenedDatabase {
  kind: 'postgres' | 'pglite';
  db: Kysely<any>;
  pg?: pg.Pool;
  pglite?: PGlite;
  close(): Promise<void>;
}

export async function openDatabase(config: DatabaseConfig): Promise<OpenedDatabase> {
  if (config.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize ?? 10 });
    // An idle client's connection error must not crash the process; the pool drops the client.
    pool.on('error', () => {});
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
    let closed = false;
    return {
      kind: 'postgres',
      db,
      pg: pool,
      async close() {
        if (closed) return;
        closed = true;
        await db.destroy(); // ends the pool
      },
    };
  }
  const pglite = await PGlite.create(config.dataDir);
  const db = new Kysely<any>({ dialect: new PGliteDialect(pglite) });
  let closed = false;
  return {
    kind: 'pglite',
    db,
    pglite,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      await pglite.close();
    },
  };
}
