/**
 * The one contract every event store adapter passes. Usage, in a *.int.test.ts file:
 *   eventStoreContract('postgres', async () => ({ store, cleanup }));
 * Each test writes streams under a fresh prefix, so the tests share one store per file.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DuplicateEventIdError,
  UnsupportedOperationError,
  WrongExpectedRevisionError,
  type EventMetadata,
  type EventStore,
  type NewEvent,
  type StoredEvent,
  type Subscription,
} from '../../eventstore/types';

export interface ContractTarget {
  store: EventStore;
  cleanup?: () => Promise<void>;
}

export interface ContractOptions {
  /** false: appendMulti over several streams must throw UnsupportedOperationError (EventStoreDB). */
  atomicMultiStream?: boolean;
  /** false: the store does not reject a reused event id across streams (EventStoreDB: ids are per-stream idempotency keys). */
  uniqueEventIds?: boolean;
}

export const metadata: EventMetadata = {
  actor: { kind: 'user', id: 'u-1', name: 'alice' },
  commandId: 'cmd-1',
  correlationId: 'corr-1',
  causationId: null,
  occurredAt: '2026-11-22T06:00:00.000Z',
  clientIp: '10.0.0.1',
  schemaVersion: 1,
};

export function newEvent(type: string, data: Record<string, unknown> = {}): NewEvent {
  return { id: randomUUID(), type, data, metadata };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Collects `count` events from a subscription (or fails after `timeoutMs`). */
export async function take(subscription: Subscription, count: number, timeoutMs = 15_000): Promise<StoredEvent[]> {
  const got: StoredEvent[] = [];
  if (count === 0) return got;
  const timer = setTimeout(() => void subscription.close(), timeoutMs);
  try {
    for await (const e of subscription) {
      got.push(e);
      if (got.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
  }
  if (got.length < count) throw new Error(`subscription delivered ${got.length} of ${count} events within ${timeoutMs} ms`);
  return got;
}

export function expectStrictlyIncreasing(events: StoredEvent[]): void {
  for (let i = 1; i < events.length; i++) expect(events[i]!.position).toBeGreaterThan(events[i - 1]!.position);
}

export function eventStoreContract(name: string, makeStore: () => Promise<ContractTarget>, options: ContractOptions = {}): void {
  const atomicMultiStream = options.atomicMultiStream ?? true;

  describe(`event store contract: ${name}`, () => {
    let target: ContractTarget;
    let store: EventStore;
    let p: string; // a fresh stream prefix per test

    beforeAll(async () => {
      target = await makeStore();
      store = target.store;
    });
    afterAll(async () => {
      await store?.close();
      await target?.cleanup?.();
    });
    const fresh = () => (p = `t${randomUUID().slice(0, 8)}`);

    it('appends and reads a stream back, revisions from 0, positions increasing', async () => {
      fresh();
      const events = [newEvent('ClusterRegistered', { name: 'c1', cpu: '8' }), newEvent('ClusterResourcesBound', { cpu: '2' })];
      const result = await store.append(`${p}cluster-1`, events, { expectedRevision: 'no_stream' });
      expect(result.revisions).toEqual({ [`${p}cluster-1`]: 1 });
      const read = await store.readStream(`${p}cluster-1`);
      expect(read.map((e) => [e.id, e.type, e.revision, e.streamId])).toEqual([
        [events[0]!.id, 'ClusterRegistered', 0, `${p}cluster-1`],
        [events[1]!.id, 'ClusterResourcesBound', 1, `${p}cluster-1`],
      ]);
      expect(read[0]!.data).toEqual({ name: 'c1', cpu: '8' });
      expect(read[0]!.metadata).toEqual(metadata);
      expect(Number.isSafeInteger(read[0]!.position)).toBe(true);
      expect(read[0]!.position).toBeGreaterThan(0);
      expect(read[1]!.position).toBeGreaterThan(read[0]!.position);
      expect(read[1]!.position).toBe(result.position);
      expect(new Date(read[0]!.recordedAt).toISOString()).toBe(read[0]!.recordedAt);
      expect(await store.readStream(`${p}missing`)).toEqual([]);
      expect(await store.streamRevision(`${p}missing`)).toBeNull();
      expect(await store.streamRevision(`${p}cluster-1`)).toBe(1);
    });

    it('checks every expected revision variant and reports the actual revision', async () => {
      fresh();
      const s = `${p}workspace-1`;
      const conflict = async (promise: Promise<unknown>) => {
        const err = await promise.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(WrongExpectedRevisionError);
        return err as WrongExpectedRevisionError;
      };
      let e = await conflict(store.append(s, [newEvent('X')], { expectedRevision: 'stream_exists' }));
      expect([e.streamId, e.expected, e.actual, e.code]).toEqual([s, 'stream_exists', 'no_stream', 'WRONG_EXPECTED_REVISION']);
      e = await conflict(store.append(s, [newEvent('X')], { expectedRevision: 0 }));
      expect(e.actual).toBe('no_stream');
      await store.append(s, [newEvent('WorkspaceCreated')], { expectedRevision: 'no_stream' });
      e = await conflict(store.append(s, [newEvent('X')], { expectedRevision: 'no_stream' }));
      expect([e.expected, e.actual]).toEqual(['no_stream', 0]);
      await store.append(s, [newEvent('A')], { expectedRevision: 'stream_exists' });
      await store.append(s, [newEvent('B')], { expectedRevision: 1 });
      e = await conflict(store.append(s, [newEvent('X')], { expectedRevision: 1 }));
      expect([e.streamId, e.expected, e.actual]).toEqual([s, 1, 2]);
      await store.append(s, [newEvent('C')], { expectedRevision: 'any' });
      await store.append(`${p}other`, [newEvent('D')], { expectedRevision: 'any' });
      expect((await store.readStream(s)).map((x) => x.type)).toEqual(['WorkspaceCreated', 'A', 'B', 'C']);
      expect(await store.streamRevision(s)).toBe(3);
    });

    if (atomicMultiStream) {
      it('appendMulti is atomic: all streams written, or (one check failing) none', async () => {
        fresh();
        const a = `${p}namespace-1`;
        const b = `${p}workspace-1`;
        await store.append(b, [newEvent('WorkspaceCreated')], { expectedRevision: 'no_stream' });
        const ok = await store.appendMulti([
          { streamId: a, events: [newEvent('NamespaceCreated'), newEvent('NamespaceQuotaSet')], expectedRevision: 'no_stream' },
          { streamId: b, events: [newEvent('WorkspaceQuotaReserved')], expectedRevision: 0 },
        ]);
        expect(ok.revisions).toEqual({ [a]: 1, [b]: 1 });
        const all = [...(await store.readStream(a)), ...(await store.readStream(b))];
        expect(Math.max(...all.map((e) => e.position))).toBe(ok.position);

        const err = await store
          .appendMulti([
            { streamId: a, events: [newEvent('NamespaceQuotaSet')], expectedRevision: 1 },
            { streamId: `${p}new`, events: [newEvent('Y')], expectedRevision: 'no_stream' },
            { streamId: b, events: [newEvent('WorkspaceQuotaReserved')], expectedRevision: 0 /* stale */ },
          ])
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(WrongExpectedRevisionError);
        expect((err as WrongExpectedRevisionError).streamId).toBe(b);
        expect((err as WrongExpectedRevisionError).actual).toBe(1);
        expect(await store.streamRevision(a)).toBe(1);
        expect(await store.streamRevision(b)).toBe(1);
        expect(await store.readStream(`${p}new`)).toEqual([]);
      });
    } else {
      it('appendMulti over several streams throws UnsupportedOperationError and writes nothing; one stream works', async () => {
        fresh();
        const err = await store
          .appendMulti([
            { streamId: `${p}a`, events: [newEvent('A')], expectedRevision: 'no_stream' },
            { streamId: `${p}b`, events: [newEvent('B')], expectedRevision: 'no_stream' },
          ])
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(UnsupportedOperationError);
        expect(await store.readStream(`${p}a`)).toEqual([]);
        const one = await store.appendMulti([{ streamId: `${p}a`, events: [newEvent('A')], expectedRevision: 'no_stream' }]);
        expect(one.revisions).toEqual({ [`${p}a`]: 0 });
      });
    }

    it.skipIf(options.uniqueEventIds === false)('rejects a second event with the same id, writing nothing of that append', async () => {
      fresh();
      const e1 = newEvent('UserCreated');
      await store.append(`${p}user-1`, [e1], { expectedRevision: 'no_stream' });
      const again = { ...newEvent('UserRenamed'), id: e1.id };
      const err = await store.append(`${p}user-2`, [newEvent('UserCreated'), again], { expectedRevision: 'any' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DuplicateEventIdError);
      expect((err as DuplicateEventIdError).eventId).toBe(e1.id);
      expect(await store.readStream(`${p}user-2`)).toEqual([]);
      const twice = newEvent('Twice');
      const err2 = await store.append(`${p}user-3`, [twice, { ...twice }], { expectedRevision: 'any' }).catch((e: unknown) => e);
      expect(err2).toBeInstanceOf(DuplicateEventIdError);
      expect(await store.readStream(`${p}user-3`)).toEqual([]);
    });

    it('isolates failures among concurrent appends: a rejected append does not affect the others', async () => {
      fresh();
      const taken = newEvent('Taken');
      await store.append(`${p}s`, [taken], { expectedRevision: 'no_stream' });
      const results = await Promise.allSettled([
        ...Array.from({ length: 6 }, (_, i) => store.append(`${p}ok-${i}`, [newEvent('Ok')], { expectedRevision: 'no_stream' })),
        store.append(`${p}s`, [newEvent('Stale')], { expectedRevision: 5 }),
        ...(options.uniqueEventIds === false ? [] : [store.append(`${p}dup`, [newEvent('Fresh'), { ...taken }], { expectedRevision: 'any' })]),
        ...Array.from({ length: 6 }, (_, i) => store.append(`${p}ok-${i + 6}`, [newEvent('Ok')], { expectedRevision: 'no_stream' })),
      ]);
      const rejected = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(12);
      expect(rejected[0]).toBeInstanceOf(WrongExpectedRevisionError);
      if (options.uniqueEventIds !== false) expect(rejected[1]).toBeInstanceOf(DuplicateEventIdError);
      for (let i = 0; i < 12; i++) expect((await store.readStream(`${p}ok-${i}`)).map((e) => e.type)).toEqual(['Ok']);
      expect(await store.readStream(`${p}dup`)).toEqual([]);
      expect(await store.streamRevision(`${p}s`)).toBe(0);
    });

    it('reads $all in pages, with stream-prefix and type filters', async () => {
      fresh();
      const before = await store.headPosition();
      const written: NewEvent[] = [];
      for (let i = 0; i < 7; i++) {
        const event = newEvent(i % 2 === 0 ? 'AppGenerated' : 'AppDeleted', { i });
        written.push(event);
        await store.append(i % 3 === 0 ? `${p}pipeline-${i}` : `${p}app-${i % 2}`, [event], { expectedRevision: 'any' });
      }
      const mine = { streamPrefixes: [`${p}app-`, `${p}pipeline-`] };
      const all = await store.readAll({ after: before, filter: mine });
      expect(all.map((e) => e.id)).toEqual(written.map((e) => e.id));
      expectStrictlyIncreasing(all);

      const paged: StoredEvent[] = [];
      for (let after = before; ; ) {
        const page = await store.readAll({ after, limit: 3, filter: mine });
        expect(page.length).toBeLessThanOrEqual(3);
        if (page.length === 0) break;
        paged.push(...page);
        after = page[page.length - 1]!.position;
      }
      expect(paged.map((e) => e.id)).toEqual(written.map((e) => e.id));

      const apps = await store.readAll({ after: before, filter: { streamPrefixes: [`${p}app-`] } });
      expect(apps.every((e) => e.streamId.startsWith(`${p}app-`))).toBe(true);
      expect(apps).toHaveLength(4);
      const generated = await store.readAll({ after: before, filter: { streamPrefixes: [p], types: ['AppGenerated'] } });
      expect(generated.map((e) => (e.data as { i: number }).i)).toEqual([0, 2, 4, 6]);
      const afterThird = await store.readAll({ after: all[2]!.position, filter: mine });
      expect(afterThird.map((e) => e.id)).toEqual(written.slice(3).map((e) => e.id));
    });

    it('reads a stream from a revision and up to a position', async () => {
      fresh();
      const s = `${p}role-1`;
      const positions: number[] = [];
      for (let i = 0; i < 5; i++) positions.push((await store.append(s, [newEvent('RoleGranted', { i })], { expectedRevision: 'any' })).position);
      expect((await store.readStream(s, { fromRevision: 2 })).map((e) => e.revision)).toEqual([2, 3, 4]);
      expect((await store.readStream(s, { toPosition: positions[2] })).map((e) => e.revision)).toEqual([0, 1, 2]);
      expect((await store.readStream(s, { fromRevision: 1, toPosition: positions[3] })).map((e) => e.revision)).toEqual([1, 2, 3]);
      expect(await store.readStream(s, { fromRevision: 9 })).toEqual([]);
    });

    it('reads one event by its id (the command handler finds a command\'s recorded outcome so)', async () => {
      fresh();
      const events = [newEvent('A', { n: 1 }), newEvent('B', { n: 2 })];
      await store.append(`${p}s`, events, { expectedRevision: 'no_stream' });
      if (options.uniqueEventIds === false) {
        await expect(store.readEvent(events[1]!.id)).rejects.toBeInstanceOf(UnsupportedOperationError);
        return;
      }
      const read = await store.readEvent(events[1]!.id.toUpperCase());
      expect([read?.id, read?.type, read?.streamId, read?.revision, read?.data]).toEqual([events[1]!.id, 'B', `${p}s`, 1, { n: 2 }]);
      expect(read?.metadata).toEqual(metadata);
      expect(await store.readEvent(randomUUID())).toBeNull();
      expect(await store.readEvent('not-a-uuid')).toBeNull();
    });

    it('headPosition is the position of the last committed event', async () => {
      fresh();
      const r = await store.append(`${p}x`, [newEvent('X'), newEvent('Y')], { expectedRevision: 'no_stream' });
      expect(await store.headPosition()).toBe(r.position);
    });

    it('subscribeAll delivers history from 0 and from a checkpoint, then live events, in order', async () => {
      fresh();
      const filter = { streamPrefixes: [p] };
      const first = [newEvent('A'), newEvent('B'), newEvent('C')];
      for (const e of first) await store.append(`${p}s-1`, [e], { expectedRevision: 'any' });

      const fromZero = await take(store.subscribeAll({ filter }), 3);
      expect(fromZero.map((e) => e.id)).toEqual(first.map((e) => e.id));

      const fromCheckpoint = await take(store.subscribeAll({ after: fromZero[1]!.position, filter }), 1);
      expect(fromCheckpoint.map((e) => e.id)).toEqual([first[2]!.id]);

      const live = store.subscribeAll({ after: fromZero[2]!.position, filter });
      const received = take(live, 2);
      await sleep(100);
      const later = [newEvent('D'), newEvent('E')];
      await store.append(`${p}s-2`, [later[0]!], { expectedRevision: 'no_stream' });
      await store.append(`${p}s-1`, [later[1]!], { expectedRevision: 2 });
      expect((await received).map((e) => e.id)).toEqual(later.map((e) => e.id));

      const typed = await take(store.subscribeAll({ filter: { streamPrefixes: [p], types: ['B', 'E'] } }), 2);
      expect(typed.map((e) => e.type)).toEqual(['B', 'E']);
    });

    it('delivers every event exactly once, in order, under concurrent writers', async () => {
      fresh();
      const writers = 6;
      const perWriter = 15;
      const total = writers * perWriter;
      const subscription = store.subscribeAll({ filter: { streamPrefixes: [p] } });
      const received = take(subscription, total, 60_000);
      const ids = new Set<string>();
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let i = 0; i < perWriter; i++) {
            const e = newEvent('Tick', { w, i });
            ids.add(e.id);
            if (i % 5 === 4) {
              await store.append(`${p}shared`, [e], { expectedRevision: 'any' });
            } else {
              await store.append(`${p}w-${w}`, [e], { expectedRevision: i === 0 ? 'no_stream' : 'any' });
            }
            if (Math.random() < 0.3) await sleep(Math.random() * 5);
          }
        }),
      );
      const got = await received;
      expect(got).toHaveLength(total);
      expectStrictlyIncreasing(got);
      expect(new Set(got.map((e) => e.id))).toEqual(ids);
      // per stream: revisions gap-free
      const byStream = new Map<string, number[]>();
      for (const e of got) byStream.set(e.streamId, [...(byStream.get(e.streamId) ?? []), e.revision]);
      for (const revisions of byStream.values()) expect(revisions).toEqual(revisions.map((_, i) => i));
      // and an independent replay sees the same sequence
      const replay = await store.readAll({ after: 0, filter: { streamPrefixes: [p] }, limit: 10_000 });
      expect(replay.map((e) => e.id)).toEqual(got.map((e) => e.id));
    });

    it('close() ends a waiting subscription cleanly, and the iteration after it', async () => {
      fresh();
      const subscription = store.subscribeAll({ after: await store.headPosition(), filter: { streamPrefixes: [p] } });
      const seen: StoredEvent[] = [];
      const loop = (async () => {
        for await (const e of subscription) seen.push(e);
        return 'ended';
      })();
      await store.append(`${p}a`, [newEvent('A')], { expectedRevision: 'no_stream' });
      for (let i = 0; i < 100 && seen.length === 0; i++) await sleep(50);
      expect(seen).toHaveLength(1);
      await subscription.close();
      await expect(Promise.race([loop, sleep(5_000).then(() => 'still running')])).resolves.toBe('ended');
      await subscription.close(); // idempotent
    });
  });
}
