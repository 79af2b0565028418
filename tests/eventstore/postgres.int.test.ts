import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openEventStore } from '../../eventstore/index';
import type { EventStore, StoredEvent } from '../../eventstore/types';
import { createTestDatabase } from '../support/postgres';
import { eventStoreContract, expectStrictlyIncreasing, newEvent, sleep, take } from './contract';

eventStoreContract('postgres', async () => {
  const database = await createTestDatabase('es_contract');
  return { store: await openEventStore({ kind: 'postgres', url: database.url }), cleanup: database.drop };
});

/** Appends inside an explicit transaction on its own connection, holding it open for `holdMs`. */
async function slowAppend(client: pg.Client, streamId: string, holdMs: number, events = [newEvent('Slow')]): Promise<number> {
  await client.query('begin');
  try {
    const payload = JSON.stringify([{ s: streamId, x: 'any', e: events }]);
    const { rows } = await client.query('select * from event_store_append($1::jsonb)', [payload]);
    if (holdMs > 0) await client.query('select pg_sleep($1)', [holdMs / 1000]);
    await client.query('commit');
    return Number(rows[0].last_position);
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  }
}

describe('postgres: the gap problem', () => {
  let database: { url: string; drop: () => Promise<void> };
  let store: EventStore;
  const clients: pg.Client[] = [];
  const connect = async () => {
    const c = new pg.Client({ connectionString: database.url });
    await c.connect();
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    database = await createTestDatabase('es_gaps');
    store = await openEventStore({ kind: 'postgres', url: database.url });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await store?.close();
    await database?.drop();
  });

  it('a reader waits for a lower position still in flight instead of skipping it', async () => {
    const slow = await connect();
    const naive = await connect();
    const before = await store.headPosition();
    // T1 takes position p and holds its transaction open...
    await slow.query('begin');
    const { rows } = await slow.query('select * from event_store_append($1::jsonb)', [JSON.stringify([{ s: 'gap-slow', x: 'any', e: [newEvent('Slow')] }])]);
    const p = Number(rows[0].last_position);
    // ...while T2 appends p+1 and commits: p+1 is visible, p is not.
    const fast = await store.append('gap-fast', [newEvent('Fast')], { expectedRevision: 'any' });
    expect(fast.position).toBeGreaterThan(p);
    const visible = await naive.query('select position from events where position > $1 order by position', [before]);
    expect(visible.rows.map((r) => Number(r.position))).toEqual([fast.position]); // a naive reader would skip p here

    let settled = false;
    const page = store.readAll({ after: before }).then((events) => ((settled = true), events));
    const head = store.headPosition();
    await sleep(300);
    expect(settled).toBe(false); // the horizon waits for T1
    await slow.query('commit');
    const events = await page;
    expect(events.map((e) => e.position)).toEqual([p, fast.position]);
    expect(await head).toBe(fast.position);
  });

  it('rolled-back appends leave a hole that readers pass', async () => {
    const c = await connect();
    const before = await store.headPosition();
    await c.query('begin');
    await c.query('select * from event_store_append($1::jsonb)', [JSON.stringify([{ s: 'rolled-back', x: 'any', e: [newEvent('Never')] }])]);
    const after = store.append('after-rollback', [newEvent('Kept')], { expectedRevision: 'any' });
    await c.query('rollback');
    const kept = await after;
    const events = await store.readAll({ after: before });
    expect(events.map((e) => e.type)).toEqual(['Kept']);
    expect(kept.position).toBeGreaterThan(before + 1);
  });

  it('PROOF: concurrent writers with random sleeps inside their transactions, a live subscriber sees every event once, in order', async () => {
    const writers = 12;
    const perWriter = 25;
    const total = writers * perWriter;
    const conns = await Promise.all(Array.from({ length: writers }, connect));
    const before = await store.headPosition();

    // Subscriber runs concurrently from the start and records what it saw and when.
    const subscription = store.subscribeAll({ after: before, filter: { streamPrefixes: ['proof-'] } });
    const received = take(subscription, total, 90_000);
    // A naive poller (no horizon) alongside, to show the test really produces late commits.
    let naiveLast = before;
    let naiveSkipped = 0;
    const naiveSeen = new Set<number>();
    let writing = true;
    const naive = (async () => {
      const c = await connect();
      while (writing) {
        const { rows } = await c.query("select position from events where position > $1 and stream_id like 'proof-%' order by position", [naiveLast]);
        for (const r of rows) {
          naiveSeen.add(Number(r.position));
          naiveLast = Number(r.position);
        }
        await sleep(1);
      }
      const { rows } = await c.query("select position from events where position > $1 and stream_id like 'proof-%'", [before]);
      naiveSkipped = rows.filter((r) => !naiveSeen.has(Number(r.position))).length;
    })();

    const committed: number[] = [];
    await Promise.all(
      conns.map(async (c, w) => {
        for (let i = 0; i < perWriter; i++) {
          const stream = i % 3 === 0 ? 'proof-shared-' + (i % 2) : `proof-w${w}`;
          let position: number | undefined;
          while (position === undefined) {
            try {
              position = await slowAppend(c, stream, Math.random() < 0.5 ? Math.random() * 30 : 0);
            } catch (err) {
              if ((err as { code?: string }).code !== '23505') throw err; // lost a race on the shared stream: retry
            }
          }
          committed.push(position);
        }
      }),
    );
    writing = false;
    await naive;
    const got: StoredEvent[] = await received;

    expect(got).toHaveLength(total);
    expectStrictlyIncreasing(got);
    expect(new Set(got.map((e) => e.position))).toEqual(new Set(committed));
    expect(new Set(got.map((e) => e.id)).size).toBe(total);
    const replay = await store.readAll({ after: before, filter: { streamPrefixes: ['proof-'] }, limit: 10_000 });
    expect(replay.map((e) => e.id)).toEqual(got.map((e) => e.id));
    console.log(`gap proof: ${total} events from ${writers} writers; a naive position>last poller skipped ${naiveSkipped}, the subscription none`);
  });

  it('concurrent appends to one stream with numeric expectations: exactly one wins each revision', async () => {
    const stream = 'race-1';
    await store.append(stream, [newEvent('Created')], { expectedRevision: 'no_stream' });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => store.append(stream, [newEvent('Bound')], { expectedRevision: 0 })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as { actual?: number }).actual).toBe(1);
    const anyResults = await Promise.all(Array.from({ length: 10 }, () => store.append(stream, [newEvent('Any')], { expectedRevision: 'any' })));
    expect(anyResults).toHaveLength(10);
    expect((await store.readStream(stream)).map((e) => e.revision)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it('a second process is woken by NOTIFY', async () => {
    const other = await openEventStore({ kind: 'postgres', url: database.url, migrate: false, pollMs: 60_000 });
    try {
      const after = await store.headPosition();
      const sub = other.subscribeAll({ after, filter: { streamPrefixes: ['notify-'] } });
      const got = take(sub, 1, 10_000);
      await sleep(200);
      const t0 = Date.now();
      await store.append('notify-1', [newEvent('Ping')], { expectedRevision: 'any' });
      expect((await got)[0]!.type).toBe('Ping');
      expect(Date.now() - t0).toBeLessThan(5_000); // far below the 60 s poll
    } finally {
      await other.close();
    }
  });
});
