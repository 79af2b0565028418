import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';

/** The little the SQL event store needs from a database: one parameterized statement at a time. */
export interface SqlClient {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
}

export function poolClient(pool: pg.Pool): SqlClient {
  return {
    async query<R>(text: string, params?: unknown[]) {
      return (await pool.query(text, params as any[])).rows as R[];
    },
  };
}

/** PGlite serializes statements and transactions itself (one mutex shared with `pglite.transaction`). */
export function pgliteClient(pglite: PGlite): SqlClient {
  return {
    async query<R>(text: string, params?: unknown[]) {
      return (await pglite.query<R>(text, params as any[])).rows;
    },
  };
}
