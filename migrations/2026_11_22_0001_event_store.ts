import { sql, type Kysely } from 'kysely';

/**
 * Event store tables (PostgreSQL and PGlite) and its two functions.
 *
 * Gap-free reading without serializing writers (the "shared/exclusive horizon"):
 * - every append runs event_store_append() (batched by event_store_append_batch() in one autocommit
 *   statement): it takes the advisory lock K in SHARED mode for its transaction, then takes positions
 *   from a sequence and inserts. Writers never wait for each other, so their commits share WAL
 *   flushes (group commit).
 * - event_store_safe_head() takes K EXCLUSIVELY for an instant (its own short read-only transaction). It is granted only when no append
 *   is between nextval() and the end of its commit (xact locks are released after the commit is
 *   visible), and appends that start meanwhile wait. So the max(position) it then reads is a horizon:
 *   every lower position is already visible or was rolled back, and later positions are higher.
 * Readers ($all pages, subscriptions, headPosition) read only up to such a horizon, so they never
 * skip an event whose transaction commits after a higher position became visible. Positions are
 * strictly increasing but may have holes (rolled-back appends).
 *
 * A stream's revision is max(revision) over the (stream_id, revision) unique index. Concurrent
 * appends to one stream: the second blocks on the index entry and fails with a unique violation on
 * events_stream_revision_unique, which the adapter reports as a WrongExpectedRevisionError.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create sequence events_position_seq as bigint start 1`.execute(db);
  await sql`
    create table events (
      position    bigint primary key,
      stream_id   text not null,
      revision    integer not null,
      id          uuid not null,
      type        text not null,
      data        jsonb not null,
      metadata    jsonb not null,
      recorded_at timestamptz not null default now(),
      constraint events_id_unique unique (id),
      constraint events_stream_revision_unique unique (stream_id, revision)
    )`.execute(db);
  await sql`alter sequence events_position_seq owned by events.position`.execute(db);
  await sql`create index events_type_position on events (type, position)`.execute(db);

  // writes: [ { s: streamId, x: expected ("no_stream"|"stream_exists"|"any"|n), e: [ {id,type,data,metadata} ] } ]
  // All writes of one call are atomic. Returns one row: ok with last_position and revisions, or
  // error 'wrong_expected_revision' with detail {stream, actual} (nothing written). Unique violations
  // (event id taken, concurrent append to the same stream) are raised as SQL errors.
  await sql.raw(`
    create or replace function event_store_append(writes jsonb)
    returns table (ok boolean, error text, detail jsonb, last_position bigint, revisions jsonb)
    language plpgsql as $fn$
    declare
      v_write jsonb;
      v_stream text;
      v_expected jsonb;
      v_current integer;
      v_local jsonb := '{}'::jsonb;
      v_starts integer[] := '{}';
      v_last bigint;
    begin
      perform pg_advisory_xact_lock_shared(731025000117);
      -- 1. checks (a stream written twice in one call sees its first write)
      for i in 0 .. jsonb_array_length(writes) - 1 loop
        v_write := writes->i;
        v_stream := v_write->>'s';
        v_expected := v_write->'x';
        v_current := (v_local->>v_stream)::integer;
        if v_current is null then
          select coalesce(max(e.revision), -1) into v_current from events e where e.stream_id = v_stream;
        end if;
        if (jsonb_typeof(v_expected) = 'number' and v_current <> (v_expected)::integer)
           or (v_expected = '"no_stream"'::jsonb and v_current <> -1)
           or (v_expected = '"stream_exists"'::jsonb and v_current = -1) then
          return query select false, 'wrong_expected_revision'::text,
            jsonb_build_object('stream', v_stream, 'actual', v_current), null::bigint, null::jsonb;
          return;
        end if;
        v_starts := v_starts || v_current;
        v_local := v_local || jsonb_build_object(v_stream, v_current + jsonb_array_length(v_write->'e'));
      end loop;
      -- 2. inserts, positions in order from the sequence
      for i in 0 .. jsonb_array_length(writes) - 1 loop
        v_write := writes->i;
        if jsonb_array_length(v_write->'e') > 0 then
          insert into events (position, stream_id, revision, id, type, data, metadata)
            select nextval('events_position_seq'), v_write->>'s', v_starts[i + 1] + t.n::integer,
                   (t.ev->>'id')::uuid, t.ev->>'type', t.ev->'data', t.ev->'metadata'
            from jsonb_array_elements(v_write->'e') with ordinality as t(ev, n);
          v_last := currval('events_position_seq');
        end if;
      end loop;
      return query select true, null::text, null::jsonb, v_last, v_local;
    end
    $fn$`).execute(db);

  // ops: [ writes, ... ] — several independent appends in one statement and one commit (the
  // adapter coalesces the concurrent appends of a process). Each runs in its own subtransaction, so a
  // unique violation (event id taken, lost race on a stream) rejects only that op. One row per op.
  await sql.raw(`
    create or replace function event_store_append_batch(ops jsonb)
    returns table (op integer, ok boolean, error text, detail jsonb, last_position bigint, revisions jsonb)
    language plpgsql as $fn$
    declare
      r record;
      v_constraint text;
      v_detail text;
    begin
      for i in 0 .. jsonb_array_length(ops) - 1 loop
        begin
          select * into r from event_store_append(ops->i) a;
          op := i; ok := r.ok; error := r.error; detail := r.detail; last_position := r.last_position; revisions := r.revisions;
        exception when unique_violation then
          get stacked diagnostics v_constraint = constraint_name, v_detail = pg_exception_detail;
          op := i; ok := false; error := 'unique_violation';
          detail := jsonb_build_object('constraint', v_constraint, 'detail', v_detail);
          last_position := null; revisions := null;
        end;
        return next;
      end loop;
    end
    $fn$`).execute(db);

  await sql.raw(`
    create or replace function event_store_safe_head()
    returns bigint
    language plpgsql as $fn$
    declare
      v_head bigint;
    begin
      -- exclusive until this (read-only, so cheap) transaction ends; the next statement's snapshot
      -- is taken after the lock is granted
      perform pg_advisory_xact_lock(731025000117);
      select coalesce(max(e.position), 0) into v_head from events e;
      return v_head;
    end
    $fn$`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists event_store_safe_head()`.execute(db);
  await sql`drop function if exists event_store_append_batch(jsonb)`.execute(db);
  await sql`drop function if exists event_store_append(jsonb)`.execute(db);
  await sql`drop table if exists events`.execute(db);
  await sql`drop sequence if exists events_position_seq`.execute(db);
}
