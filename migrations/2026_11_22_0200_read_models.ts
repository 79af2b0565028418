import { sql, type Kysely } from 'kysely';

/**
 * Read models fed by projections/, and the checkpoints of the projection runner.
 * Rebuilds copy these definitions (LIKE … INCLUDING ALL), so keep every default free of sequences.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('projection_checkpoints')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('clusters')
    .addColumn('cluster_id', 'text', (c) => c.primaryKey())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('server', 'text', (c) => c.notNull())
    .addColumn('context_name', 'text', (c) => c.notNull())
    .addColumn('credential_ref', 'text', (c) => c.notNull())
    .addColumn('credential_fingerprint', 'text', (c) => c.notNull())
    .addColumn('kubernetes_version', 'text', (c) => c.notNull())
    .addColumn('node_count', 'integer', (c) => c.notNull())
    .addColumn('allocatable_cpu_millis', 'bigint', (c) => c.notNull())
    .addColumn('allocatable_memory_bytes', 'bigint', (c) => c.notNull())
    .addColumn('cpu_ratio', 'double precision', (c) => c.notNull())
    .addColumn('memory_ratio', 'double precision', (c) => c.notNull())
    .addColumn('bindable_cpu_millis', 'bigint', (c) => c.notNull())
    .addColumn('bindable_memory_bytes', 'bigint', (c) => c.notNull())
    .addColumn('bound_cpu_millis', 'bigint', (c) => c.notNull())
    .addColumn('bound_memory_bytes', 'bigint', (c) => c.notNull())
    .addColumn('workspace_count', 'integer', (c) => c.notNull())
    .addColumn('bindings', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('registered_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('removed_at', 'timestamptz')
    .addColumn('position', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('clusters_status_idx').on('clusters').columns(['status', 'cluster_id']).execute();

  // One row per namespace quota held on a cluster (from ClusterNamespace* events); summed by queries.
  await db.schema
    .createTable('cluster_allocations')
    .addColumn('cluster_id', 'text', (c) => c.notNull())
    .addColumn('namespace', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('cpu_millis', 'bigint', (c) => c.notNull())
    .addColumn('memory_bytes', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('cluster_allocations_pkey', ['cluster_id', 'namespace'])
    .execute();

  await db.schema
    .createTable('workspaces')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('ceiling_cpu_millis', 'bigint', (c) => c.notNull())
    .addColumn('ceiling_memory_bytes', 'bigint', (c) => c.notNull())
    .addColumn('bound_cpu_millis', 'bigint', (c) => c.notNull())
    .addColumn('bound_memory_bytes', 'bigint', (c) => c.notNull())
    .addColumn('cluster_count', 'integer', (c) => c.notNull())
    .addColumn('bindings', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('deleted_at', 'timestamptz')
    .addColumn('position', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('workspaces_status_idx').on('workspaces').columns(['status', 'workspace_id']).execute();

  await db.schema
    .createTable('workspace_bindings')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('cluster_id', 'text', (c) => c.notNull())
    .addColumn('cpu_millis', 'bigint', (c) => c.notNull())
    .addColumn('memory_bytes', 'bigint', (c) => c.notNull())
    .addColumn('allocated_cpu_millis', 'bigint', (c) => c.notNull())
    .addColumn('allocated_memory_bytes', 'bigint', (c) => c.notNull())
    .addColumn('namespace_count', 'integer', (c) => c.notNull())
    .addColumn('namespaces', 'jsonb', (c) => c.notNull())
    .addColumn('bound', 'boolean', (c) => c.notNull())
    .addColumn('bound_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('workspace_bindings_pkey', ['workspace_id', 'cluster_id'])
    .execute();
  await db.schema.createIndex('workspace_bindings_cluster_idx').on('workspace_bindings').columns(['cluster_id', 'workspace_id']).execute();

  await db.schema
    .createTable('namespaces')
    .addColumn('cluster_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('quota_cpu_millis', 'bigint', (c) => c.notNull())
    .addColumn('quota_memory_bytes', 'bigint', (c) => c.notNull())
    .addColumn('quota', 'jsonb', (c) => c.notNull())
    .addColumn('defaults', 'jsonb', (c) => c.notNull())
    .addColumn('spec', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('generation', 'integer', (c) => c.notNull())
    .addColumn('observed_generation', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('provisioned_at', 'timestamptz')
    .addColumn('deleted_at', 'timestamptz')
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('namespaces_pkey', ['cluster_id', 'name'])
    .execute();
  await db.schema.createIndex('namespaces_workspace_idx').on('namespaces').columns(['workspace_id', 'cluster_id', 'name']).execute();
  await db.schema.createIndex('namespaces_status_idx').on('namespaces').columns(['status']).execute();

  await db.schema
    .createTable('audit_records')
    .addColumn('command_id', 'text', (c) => c.primaryKey())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('client_ip', 'text')
    .addColumn('correlation_id', 'text')
    .addColumn('module', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_kind', 'text')
    .addColumn('target_id', 'text')
    .addColumn('cluster_id', 'text')
    .addColumn('workspace_id', 'text')
    .addColumn('namespace', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('code', 'text')
    .addColumn('field', 'text')
    .addColumn('message', 'text')
    .addColumn('details', 'jsonb')
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addColumn('command', 'jsonb', (c) => c.notNull())
    .addColumn('event_ids', 'jsonb', (c) => c.notNull())
    .execute();
  // Newest first everywhere: (occurred_at, position) is the cursor.
  await db.schema.createIndex('audit_records_time_idx').on('audit_records').columns(['occurred_at desc', 'position desc']).execute();
  await db.schema.createIndex('audit_records_actor_idx').on('audit_records').columns(['actor_id', 'occurred_at desc', 'position desc']).execute();
  await db.schema.createIndex('audit_records_target_idx').on('audit_records').columns(['target_kind', 'target_id', 'occurred_at desc', 'position desc']).execute();
  await db.schema.createIndex('audit_records_module_idx').on('audit_records').columns(['module', 'occurred_at desc', 'position desc']).execute();
  await db.schema.createIndex('audit_records_workspace_idx').on('audit_records').columns(['workspace_id', 'occurred_at desc', 'position desc']).execute();
  await db.schema.createIndex('audit_records_cluster_idx').on('audit_records').columns(['cluster_id', 'occurred_at desc', 'position desc']).execute();

  await db.schema
    .createTable('audit_events')
    .addColumn('position', 'bigint', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('command_id', 'text', (c) => c.notNull())
    .addColumn('stream_id', 'text', (c) => c.notNull())
    .addColumn('revision', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_events_command_idx').on('audit_events').columns(['command_id', 'position']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['audit_events', 'audit_records', 'namespaces', 'workspace_bindings', 'workspaces', 'cluster_allocations', 'clusters', 'projection_checkpoints']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
