/**
 * The row engine sends values by position and casts each to its column's declared kind, so every
 * table definition must declare each column with its SQL type. Checked against the migrated schema.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allProjections } from '../../projections';
import type { StoredEvent } from '../../eventstore/types';
import { namespaceUpdates } from '../../projections/namespaces/handlers';
import { applyRowUpdates, definedRowTables, flushRows, RowCache, type ColumnKind } from '../../projections/rows';
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

describe('a deferring row cache (the rebuild\'s)', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await openBackend('postgres', 'proj_row_defer');
  });
  afterAll(async () => {
    await backend?.close();
  });

  const at = (position: number) => new Date(Date.UTC(2026, 2, 1, 0, 0, position)).toISOString();
  const event = (position: number, type: string, data: Record<string, unknown>): StoredEvent => ({
    id: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    type,
    data,
    metadata: { actor: { kind: 'user', id: 'u', name: 'u' }, commandId: 'c', correlationId: 'c', causationId: null, occurredAt: at(position), clientIp: null, schemaVersion: 1 },
    streamId: `namespace-c1.${String(data.name)}`,
    revision: 0,
    position,
    recordedAt: at(position),
  });
  const created = (position: number, name: string) =>
    event(position, 'NamespaceCreated', { clusterId: 'c1', name, workspaceId: 'w1', generation: 1, quotaCpuMillis: 500, quotaMemoryBytes: 1024, defaults: {} });
  const batches = [
    [created(1, 'a'), created(2, 'b')],
    [event(3, 'NamespaceProvisioned', { clusterId: 'c1', name: 'a', generation: 1 })],
    [event(4, 'NamespaceQuotaChanged', { clusterId: 'c1', name: 'a', workspaceId: 'w1', generation: 2, quotaCpuMillis: 900, quotaMemoryBytes: 2048 }), created(5, 'c')],
  ];
  const dump = async () => (await sql<Record<string, unknown>>`SELECT * FROM namespaces ORDER BY name`.execute(backend.db)).rows;

  it('writes each folded row once, at the flush, and ends where writing every batch ends', async () => {
    for (const batch of batches) await backend.db.transaction().execute((trx) => applyRowUpdates(trx, batch, namespaceUpdates, new RowCache(false)));
    const written = await dump();
    expect(written.map((r) => [r.name, r.status, Number(r.quota_cpu_millis), Number(r.observed_generation)])).toEqual([['a', 'pending', 900, 1], ['b', 'pending', 500, 0], ['c', 'pending', 500, 0]]);
    await sql`DELETE FROM namespaces`.execute(backend.db);

    const cache = new RowCache(true, true);
    for (const batch of batches) await backend.db.transaction().execute((trx) => applyRowUpdates(trx, batch, namespaceUpdates, cache));
    expect(await dump()).toEqual([]);
    expect([...cache.dirty.get('namespaces')!.keys.keys()].length).toBe(3);
    expect(await backend.db.transaction().execute((trx) => flushRows(trx, cache))).toBe(3);
    expect(cache.dirty.size).toBe(0);
    expect(await dump()).toEqual(written);
    // A later change is written by the next flush, over the row written before.
    await backend.db.transaction().execute((trx) => applyRowUpdates(trx, [event(6, 'NamespaceDeleted', { clusterId: 'c1', name: 'b', workspaceId: 'w1' })], namespaceUpdates, cache));
    expect(await backend.db.transaction().execute((trx) => flushRows(trx, cache))).toBe(1);
    expect((await dump()).find((r) => r.name === 'b')?.status).toBe('deleted');
  });

  it('is only for an authoritative cache (a cache that may miss rows cannot hold writes back)', () => {
    expect(() => new RowCache(false, true)).toThrow(/authoritative/);
  });
});
