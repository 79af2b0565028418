import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';

/** The little the SQL event store needs from a database: one parameterized statement at a time. */
export interface SqlClient {
  /** `name`: a prepared-statement name for a constant `text` (planned once per connection where supported). */
  query<R = Record<string, unknown>>(text: string, params?: unknown[], name?: string): Promise<R[]>;
}

export function poolClient(pool: pg.Pool): SqlClient {
  return {
    async query<R>(text: string, params?: unknown[], name?: string) {
      return (await pool.query({ text, values: params as any[], name })).rows as R[];
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
