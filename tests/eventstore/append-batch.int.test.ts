/**
 * The batched append path of the SQL stores (event_store_append_ops, with event_store_append_batch
 * as the fallback), on PostgreSQL and PGlite: concurrent appends of one process share statements,
 * and whatever the mix in a batch, each append gets exactly its own outcome.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openEventStore } from '../../eventstore/index';
import { DuplicateEventIdError, WrongExpectedRevisionError, type EventMetadata, type EventStore } from '../../eventstore/types';
import { createTestDatabase } from '../support/postgres';
import { expectStrictlyIncreasing, metadata, newEvent } from './contract';

describe.each(['postgres', 'pglite'] as const)('batched appends on %s', (kind) => {
  let store: EventStore;
  let drop: (() => Promise<void>) | undefined;
  let url = '';
  let p = '';
  const fresh = () => (p = `b${randomUUID().slice(0, 8)}-`);

  beforeAll(async () => {
    if (kind === 'postgres') {
      const database = await createTestDatabase('es_batch');
      url = database.url;
      drop = database.drop;
      store = await openEventStore({ kind: 'postgres', url });
    } else {
      store = await openEventStore({ kind: 'pglite' });
    }
  });
  afterAll(async () => {
    await store?.close();
    await drop?.();
  });

  it('a mix of good, stale, duplicate and same-stream appends in flight together: each gets its own outcome', async () => {
    fresh();
    const taken = newEvent('Taken');
    await store.append(`${p}taken`, [taken], { expectedRevision: 'no_stream' });
    await store.append(`${p}stale`, [newEvent('First')], { expectedRevision: 'no_stream' });
    const settled = await Promise.allSettled([
      ...Array.from({ length: 10 }, (_, i) =>
        store.appendMulti([
          { streamId: `${p}ns-${i}`, events: [newEvent('Created', { i })], expectedRevision: 'no_stream' },
          { streamId: `${p}audit-${i}`, events: [newEvent('Accepted', { i })], expectedRevision: 'no_stream' },
        ]),
      ),
      store.append(`${p}stale`, [newEvent('Stale')], { expectedRevision: 7 }),
      store.append(`${p}dup`, [newEvent('Fresh'), { ...taken }], { expectedRevision: 'any' }),
      // Two appends to one stream in flight at once ('any'): both land, one after the other.
      store.append(`${p}shared`, [newEvent('A')], { expectedRevision: 'any' }),
      store.append(`${p}shared`, [newEvent('B')], { expectedRevision: 'any' }),
      ...Array.from({ length: 10 }, (_, i) => store.append(`${p}late-${i}`, [newEvent('Late')], { expectedRevision: 'no_stream' })),
    ]);
    const reasons = settled.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toBeInstanceOf(WrongExpectedRevisionError);
    expect(reasons[0]).toMatchObject({ streamId: `${p}stale`, expected: 7, actual: 0 });
    expect(reasons[1]).toBeInstanceOf(DuplicateEventIdError);
    for (let i = 0; i < 10; i++) {
      const [ns] = await store.readStream(`${p}ns-${i}`);
      const [audit] = await store.readStream(`${p}audit-${i}`);
      expect(ns).toMatchObject({ type: 'Created', data: { i }, revision: 0, metadata });
      expect(audit.position).toBeGreaterThan(ns.position); // in the order of the writes
      expect((await store.readStream(`${p}late-${i}`)).map((e) => e.type)).toEqual(['Late']);
    }
    const first = settled[0] as PromiseFulfilledResult<{ position: number; revisions: Record<string, number> }>;
    expect(first.value.revisions).toEqual({ [`${p}ns-0`]: 0, [`${p}audit-0`]: 0 });
    expect((await store.readStream(`${p}shared`)).map((e) => [e.revision, e.type]).sort()).toEqual([
      [0, expect.any(String)],
      [1, expect.any(String)],
    ]);
    expect(await store.readStream(`${p}dup`)).toEqual([]);
    expect(await store.streamRevision(`${p}stale`)).toBe(0);
  });

  it('one append writing a stream twice sees its first write; revisions and positions follow the writes', async () => {
    fresh();
    const result = await store.appendMulti([
      { streamId: `${p}s`, events: [newEvent('One')], expectedRevision: 'no_stream' },
      { streamId: `${p}t`, events: [], expectedRevision: 'no_stream' },
      { streamId: `${p}s`, events: [newEvent('Two'), newEvent('Three')], expectedRevision: 0 },
    ]);
    const events = await store.readStream(`${p}s`);
    expect(events.map((e) => [e.revision, e.type])).toEqual([
      [0, 'One'],
      [1, 'Two'],
      [2, 'Three'],
    ]);
    expectStrictlyIncreasing(events);
    expect(result).toMatchObject({ position: events[2].position, revisions: { [`${p}s`]: 2 } });
  });

  it('keeps each event its own metadata when the events of one append differ in it', async () => {
    fresh();
    const other: EventMetadata = { ...metadata, commandId: 'cmd-2', clientIp: null, actor: { kind: 'system', id: 'sys', name: 'bosun' } };
    await store.appendMulti([
      { streamId: `${p}a`, events: [newEvent('X'), { ...newEvent('Y'), metadata: other }], expectedRevision: 'no_stream' },
      { streamId: `${p}b`, events: [{ ...newEvent('Z'), metadata: { ...metadata } }], expectedRevision: 'any' },
    ]);
    expect((await store.readStream(`${p}a`)).map((e) => e.metadata)).toEqual([metadata, other]);
    expect((await store.readStream(`${p}b`))[0].metadata).toEqual(metadata);
  });

  it('an append that checks a stream without writing it fails when the stream moved, and writes nothing', async () => {
    fresh();
    await store.append(`${p}guard`, [newEvent('G0'), newEvent('G1')], { expectedRevision: 'no_stream' });
    const stale = store.appendMulti([
      { streamId: `${p}guard`, events: [], expectedRevision: 0 },
      { streamId: `${p}w`, events: [newEvent('W')], expectedRevision: 'no_stream' },
    ]);
    await expect(stale).rejects.toMatchObject({ streamId: `${p}guard`, actual: 1 });
    expect(await store.readStream(`${p}w`)).toEqual([]);
    const ok = await store.appendMulti([
      { streamId: `${p}guard`, events: [], expectedRevision: 1 },
      { streamId: `${p}w`, events: [newEvent('W')], expectedRevision: 'no_stream' },
    ]);
    expect(ok.revisions).toEqual({ [`${p}guard`]: 1, [`${p}w`]: 0 });
  });

  it.runIf(kind === 'postgres')('PostgreSQL only (PGlite is one process): two processes appending to one stream at once: every append lands, revisions without holes', async () => {
    fresh();
    const second = await openEventStore({ kind: 'postgres', url, migrate: false });
    try {
      const stream = `${p}contended`;
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? store : second).append(stream, [newEvent('Hit', { i })], { expectedRevision: 'any' })),
      );
      const events = await store.readStream(stream);
      expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 40 }, (_, i) => i));
      expect(new Set(events.map((e) => (e.data as { i: number }).i)).size).toBe(40);
    } finally {
      await second.close();
    }
  });

  it.runIf(kind === 'postgres')('PostgreSQL only (the set-based append function lives in PostgreSQL): event_store_append_ops: a stale op is reported and skipped, the others are written in op order', async () => {
    fresh();
    await store.append(`${p}x`, [newEvent('X0')], { expectedRevision: 'no_stream' });
    await store.append(`${p}y`, [newEvent('Y0')], { expectedRevision: 'no_stream' });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const op = (stream: string, x: number) => ({ m: metadata, w: [{ s: stream, x, e: [{ i: randomUUID(), t: 'T', d: { stream } }] }] });
      const { rows } = await client.query('select * from event_store_append_ops($1::jsonb)', [JSON.stringify([op(`${p}a`, -1), op(`${p}x`, 5), op(`${p}b`, -3), op(`${p}y`, -2)])]);
      expect(rows.map((r) => [r.op, r.ok, r.error, r.detail])).toEqual([
        [0, true, null, null],
        [1, false, 'wrong_expected_revision', { stream: `${p}x`, actual: 0 }],
        [2, true, null, null],
        [3, true, null, null],
      ]);
      expect(Number(rows[0].last_position)).toBeLessThan(Number(rows[2].last_position));
      expect(Number(rows[2].last_position)).toBeLessThan(Number(rows[3].last_position));
      expect(rows[3].revisions).toEqual({ [`${p}y`]: 1 });
      expect(await store.readStream(`${p}x`)).toHaveLength(1);
    } finally {
      await client.end();
    }
  });
});
