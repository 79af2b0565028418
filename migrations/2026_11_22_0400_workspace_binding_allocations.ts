import { sql, type Kysely } from 'kysely';

/**
 * Workspaces read model: one row per namespace quota held inside a workspace's binding, summed by
 * queries (as cluster_allocations is for clusters), instead of a JSON map of every namespace on the
 * workspace_bindings row that each allocation event copied, re-summed and rewrote (O(n) per event).
 *
 * Existing rows are carried over from those maps, so queries answer correctly right away; the
 * projection's version changed with it, so the runner also rebuilds it from the log.
 * Rebuilds copy this definition (LIKE … INCLUDING ALL): keep defaults free of sequences.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('workspace_binding_allocations')
    .addColumn('cluster_id', 'text', (c) => c.notNull())
    .addColumn('namespace', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('cpu_millis', 'bigint', (c) => c.notNull())
    .addColumn('memory_bytes', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('workspace_binding_allocations_pkey', ['cluster_id', 'namespace'])
    .execute();
  await db.schema
    .createIndex('workspace_binding_allocations_workspace_idx')
    .on('workspace_binding_allocations')
    .columns(['workspace_id', 'cluster_id'])
    .execute();

  await sql`
    INSERT INTO workspace_binding_allocations (cluster_id, namespace, workspace_id, cpu_millis, memory_bytes, updated_at, position)
    SELECT b.cluster_id, n.key, b.workspace_id, (n.value->>'cpuMillis')::bigint, (n.value->>'memoryBytes')::bigint, b.updated_at, b.position
      FROM workspace_bindings b CROSS JOIN LATERAL jsonb_each(b.namespaces) AS n(key, value)
    ON CONFLICT DO NOTHING`.execute(db);
  // Bindings whose only facts were allocations (no bind event seen) carry nothing else.
  await sql`DELETE FROM workspace_bindings WHERE NOT bound`.execute(db);
  for (const column of ['namespaces', 'allocated_cpu_millis', 'allocated_memory_bytes', 'namespace_count']) {
    await db.schema.alterTable('workspace_bindings').dropColumn(column).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('workspace_bindings')
    .addColumn('namespaces', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('allocated_cpu_millis', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('allocated_memory_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('namespace_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`
    UPDATE workspace_bindings b SET
      namespaces = a.namespaces, allocated_cpu_millis = a.cpu, allocated_memory_bytes = a.memory, namespace_count = a.n
      FROM (SELECT workspace_id, cluster_id, jsonb_object_agg(namespace, jsonb_build_object('cpuMillis', cpu_millis, 'memoryBytes', memory_bytes)) AS namespaces,
                   sum(cpu_millis) AS cpu, sum(memory_bytes) AS memory, count(*) AS n
              FROM workspace_binding_allocations GROUP BY workspace_id, cluster_id) a
     WHERE a.workspace_id = b.workspace_id AND a.cluster_id = b.cluster_id`.execute(db);
  await db.schema.dropTable('workspace_binding_allocations').execute();
}
