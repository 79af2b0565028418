import { sql, type Kysely } from 'kysely';

/**
 * Drops audit_events, the audit projection's copy of every domain event (data included). Only the
 * audit record's detail read it, to show the events a command wrote; it now reads them from the
 * event store by the ids the record lists (events_id_unique). The copy doubled the space events
 * take and was a third of what a rebuild wrote.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_events').ifExists().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  // Comes back empty: no projection writes it any more.
  await db.schema
    .createTable('audit_events')
    .ifNotExists()
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
  await sql`create index if not exists audit_events_command_idx on audit_events (command_id, position)`.execute(db);
}
