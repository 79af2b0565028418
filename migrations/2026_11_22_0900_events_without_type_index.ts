import { sql, type Kysely } from 'kysely';

/**
 * Drops events_type_position. No reader uses it: projections and reconcilers read $all pages in
 * position order (the primary key) and filter by type, if at all, on those rows; a stream's events
 * come from events_stream_revision_unique. Every append paid for it: one more index entry per
 * event (3 per create-namespace command), in the WAL and in PostgreSQL's CPU.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists events_type_position`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists events_type_position on events (type, position)`.execute(db);
}
