/**
 * The row engine sends values by position and casts each to its column's declared kind, so every
 * table definition must declare each column with its SQL type. Checked against the migrated schema.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allProjections } from '../../projections';
import { definedRowTables, type ColumnKind } from '../../projections/rows';
import { openBackend, type Backend } from './support';

const sqlTypeOf: Record<ColumnKind, string> = {
  text: 'text',
  int4: 'integer',
  int8: 'bigint',
  float8: 'double precision',
  bool: 'boolean',
  timestamptz: 'timestamp with time zone',
  jsonb: 'jsonb',
};

describe('row tables', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await openBackend('postgres', 'proj_row_tables');
  });
  afterAll(async () => {
    await backend?.close();
  });

  it('declare every column with its SQL type', async () => {
    expect(allProjections.length).toBeGreaterThan(0); // importing them defines their tables
    const tables = definedRowTables();
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['clusters', 'workspaces', 'workspace_binding_allocations', 'namespaces']));
    for (const table of tables) {
      const { rows } = await sql<{ column: string; type: string }>`
        SELECT a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
         WHERE a.attrelid = to_regclass(${`public.${table.name}`}) AND a.attnum > 0 AND NOT a.attisdropped`.execute(backend.db);
      if (rows.length === 0) continue; // a definition over a query result, not a table
      const actual = Object.fromEntries(rows.map((r) => [r.column, r.type]));
      for (const [column, kind] of Object.entries(table.columns) as [string, ColumnKind][]) {
        expect(actual[column], `${table.name}.${column}`).toBe(sqlTypeOf[kind]);
      }
    }
  });
});
