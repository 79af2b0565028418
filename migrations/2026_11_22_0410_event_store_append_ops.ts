import { sql, type Kysely } from 'kysely';

/**
 * event_store_append_ops(ops jsonb): the batched append of 2026_11_22_0001_event_store.ts in one
 * set-based statement instead of a plpgsql loop with a subtransaction per op, and with a leaner
 * payload (an event's metadata is the same for every event of one append: sent once per op).
 *
 * ops: [ { m: metadata, w: [ { s: streamId, x: expected, e: [ { i: id, t: type, d: data, m?: metadata } ] } ] } ]
 * (an event's own `m`, when given, replaces the op's).
 * x: n >= 0 the stream's last revision must be n; -1 no_stream; -2 stream_exists; -3 any.
 * One row per op (op = index in ops): ok with last_position and revisions, or ok = false with
 * error 'wrong_expected_revision' and detail {stream, actual} (that op writes nothing; the others do).
 *
 * Preconditions, checked by the adapter (it sends other batches to event_store_append_batch):
 * no stream appears twice in one call. A unique violation (an event id already taken, or a
 * concurrent append to one of the streams) fails the whole statement and writes nothing; the
 * adapter then sends the same ops to event_store_append_batch, which isolates the op that failed.
 * The shared horizon lock is taken before any position is drawn, as in event_store_append().
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
    create or replace function event_store_append_ops(ops jsonb)
    returns table (op integer, ok boolean, error text, detail jsonb, last_position bigint, revisions jsonb)
    -- JIT off: the planner's default row guesses for jsonb_array_elements put this small statement
    -- above jit_above_cost, and compiling it costs ~100 times what running it does.
    language plpgsql set jit = off as $fn$
    #variable_conflict use_column
    begin
      perform pg_advisory_xact_lock_shared(731025000117);
      return query
      with w as materialized (
        select (o.n - 1)::integer as w_op, wr.n as w_n, wr.v->>'s' as w_stream, (wr.v->>'x')::integer as w_expected,
               wr.v->'e' as w_events, o.v->'m' as w_metadata
          from jsonb_array_elements(ops) with ordinality as o(v, n)
         cross join lateral jsonb_array_elements(o.v->'w') with ordinality as wr(v, n)
      ),
      c as materialized (
        select w.*, coalesce((select max(e.revision) from events e where e.stream_id = w.w_stream), -1) as w_current
          from w
      ),
      bad as materialized (
        select distinct on (c.w_op) c.w_op as b_op, c.w_stream as b_stream, c.w_current as b_current
          from c
         where (c.w_expected >= 0 and c.w_current <> c.w_expected)
            or (c.w_expected = -1 and c.w_current <> -1)
            or (c.w_expected = -2 and c.w_current = -1)
         order by c.w_op, c.w_n
      ),
      ins as (
        insert into events (position, stream_id, revision, id, type, data, metadata)
        select nextval('events_position_seq'), q.s, q.r, q.i, q.t, q.d, q.m
          from (select c.w_stream as s, c.w_current + t.n::integer as r, (t.ev->>'i')::uuid as i, t.ev->>'t' as t, t.ev->'d' as d, coalesce(t.ev->'m', c.w_metadata) as m
                  from c cross join lateral jsonb_array_elements(c.w_events) with ordinality as t(ev, n)
                 where not exists (select 1 from bad where bad.b_op = c.w_op)
                 order by c.w_op, c.w_n, t.n
                offset 0) q
        returning events.stream_id as i_stream, events.position as i_position
      ),
      last as (
        select i_stream, max(i_position) as i_last from ins group by i_stream
      )
      select c.w_op,
             bool_and(bad.b_op is null),
             min(case when bad.b_op is null then null else 'wrong_expected_revision' end),
             min(case when bad.b_op is null then null else jsonb_build_object('stream', bad.b_stream, 'actual', bad.b_current)::text end)::jsonb,
             max(last.i_last),
             case when bool_and(bad.b_op is null) then jsonb_object_agg(c.w_stream, c.w_current + jsonb_array_length(c.w_events)) end
        from c
        left join bad on bad.b_op = c.w_op
        left join last on last.i_stream = c.w_stream
       group by c.w_op
       order by c.w_op;
    end
    $fn$`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists event_store_append_ops(jsonb)`.execute(db);
}
