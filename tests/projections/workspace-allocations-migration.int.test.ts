/**
 * Migration 2026_11_22_0400: the namespace quotas that workspace_bindings rows carried as a JSON map
 * become rows of workspace_binding_allocations, so queries answer the same sums before the
 * projection's rebuild (its version changed) has run.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../db/connect';
import { migrateToLatest } from '../../db/migrate';
import { getWorkspace, listWorkspaceBindings } from '../../projections/workspaces/queries';
import { createTestDatabase } from '../support/postgres';

const GiB = 1024 ** 3;
const MIGRATION = '2026_11_22_0400_workspace_binding_allocations';

describe('migration 0400: workspace binding allocations', () => {
  let database: OpenedDatabase;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const test = await createTestDatabase('proj_ws_migration');
    drop = test.drop;
    database = await openDatabase({ kind: 'postgres', url: test.url });
  });
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  it('carries the per-binding namespace maps over into rows, and the queries answer as before', async () => {
    await migrateToLatest(database.db, { include: (name) => name < MIGRATION });
    const at = '2026-11-22T06:00:00.000Z';
    await sql`INSERT INTO workspaces (workspace_id, display_name, description, ceiling_cpu_millis, ceiling_memory_bytes, bound_cpu_millis, bound_memory_bytes,
                cluster_count, bindings, status, created_at, updated_at, deleted_at, position)
              VALUES ('w1', 'W1', '', 64000, ${64 * GiB}, 20000, ${24 * GiB}, 2, '{}', 'active', ${at}, ${at}, NULL, 9)`.execute(database.db);
    const binding = (cluster: string, cpu: number, namespaces: Record<string, { cpuMillis: number; memoryBytes: number }>, bound = true) => {
      const values = Object.values(namespaces);
      return sql`INSERT INTO workspace_bindings (workspace_id, cluster_id, cpu_millis, memory_bytes, allocated_cpu_millis, allocated_memory_bytes, namespace_count, namespaces, bound, bound_at, updated_at, position)
        VALUES ('w1', ${cluster}, ${cpu}, ${12 * GiB}, ${values.reduce((s, a) => s + a.cpuMillis, 0)}, ${values.reduce((s, a) => s + a.memoryBytes, 0)}, ${values.length},
                ${JSON.stringify(namespaces)}::jsonb, ${bound}, ${bound ? at : null}, ${at}, 8)`.execute(database.db);
    };
    await binding('c1', 10000, { web: { cpuMillis: 2000, memoryBytes: 2 * GiB }, db: { cpuMillis: 3000, memoryBytes: 4 * GiB } });
    await binding('c2', 10000, { api: { cpuMillis: 1000, memoryBytes: GiB } });
    await binding('c3', 0, {}, false); // only allocations had been seen there (never with a consistent log)

    await migrateToLatest(database.db);

    const { rows } = await sql<Record<string, unknown>>`SELECT cluster_id, namespace, workspace_id, cpu_millis::int AS cpu FROM workspace_binding_allocations ORDER BY cluster_id, namespace`.execute(database.db);
    expect(rows).toEqual([
      { cluster_id: 'c1', namespace: 'db', workspace_id: 'w1', cpu: 3000 },
      { cluster_id: 'c1', namespace: 'web', workspace_id: 'w1', cpu: 2000 },
      { cluster_id: 'c2', namespace: 'api', workspace_id: 'w1', cpu: 1000 },
    ]);
    const { rows: columns } = await sql<{ column_name: string }>`SELECT column_name FROM information_schema.columns WHERE table_name = 'workspace_bindings' ORDER BY column_name`.execute(database.db);
    expect(columns.map((c) => c.column_name)).not.toContain('namespaces');

    const ws = await getWorkspace(database.db, 'w1');
    expect(ws).toMatchObject({ allocated: { cpuMillis: 6000, memoryBytes: 7 * GiB }, namespaceCount: 3 });
    expect((await listWorkspaceBindings(database.db, { workspaceId: 'w1' })).map((b) => [b.clusterId, b.allocated.cpuMillis, b.available.cpuMillis, b.namespaceCount])).toEqual([
      ['c1', 5000, 5000, 2],
      ['c2', 1000, 9000, 1],
    ]);
  });
});
