import type { Kysely } from 'kysely';

/** Read model of the dev environments projection: one row per environment (deleted ones marked). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('devenvs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('cluster_id', 'text', (c) => c.notNull())
    .addColumn('namespace', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('image', 'text', (c) => c.notNull())
    .addColumn('cpu_millis', 'bigint', (c) => c.notNull())
    .addColumn('memory_bytes', 'bigint', (c) => c.notNull())
    .addColumn('desired', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('generation', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('devenvs_owner_idx').on('devenvs').column('owner_id').execute();
  await db.schema.createIndex('devenvs_cluster_namespace_idx').on('devenvs').columns(['cluster_id', 'namespace']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('devenvs').execute();
}
