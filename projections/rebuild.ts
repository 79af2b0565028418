/**
 * Rebuild: replay $all from position 0 into FRESH tables, then swap them in. Queries keep reading
 * the old tables (schema public) until the swap; the live runner keeps applying to them too.
 *
 * 1. schema rebuild_<name>: each table copied with LIKE (columns, defaults, checks), its primary
 *    and unique constraints added under their original names; secondary indexes come after the
 *    replay (bulk load first, index once).
 * 2. replay in big batches, each one transaction with `SET LOCAL search_path TO rebuild_<name>`
 *    (handlers use unqualified names), the next page read while the current one is written, one
 *    authoritative row cache for the whole run (the tables start empty, so no row is ever read back).
 * 3. catch up the tail; then in ONE transaction: lock the live checkpoint row (this waits for the
 *    runner's batch in flight and holds its next one), apply the last tail, drop the old tables,
 *    move the new ones into public, write the checkpoint. If the live runner got past the tail
 *    meanwhile, roll back and read more.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { EventStore, StoredEvent } from '../eventstore/types';
import { lockCheckpoint, writeCheckpoint } from './checkpoints';
import { REBUILD_LOCK_CLASS, lockKey } from './locks';
import { flushRows, RowCache } from './rows';
import { applyEvents, type Projection } from './types';

export interface RebuildProgress {
  projection: string;
  phase: 'prepare' | 'replay' | 'index' | 'swap' | 'done';
  /** Events read and applied so far. */
  done: number;
  /** Events to read in all (the head position when last looked at; grows while events arrive). */
  total: number;
  /** Position reached. */
  position: number;
  /** Events per second since the start of the replay. */
  rate: number;
  elapsedMs: number;
}

export interface RebuildOptions {
  store: EventStore;
  db: Kysely<any>;
  dbKind: 'postgres' | 'pglite';
  projection: Projection;
  /** Events per transaction (default 5000). */
  batchSize?: number;
  /** Pages read ahead during the replay (default 3). */
  prefetch?: number;
  onProgress?: (progress: RebuildProgress) => void;
  /** Least time between two progress reports (default 250 ms). */
  progressIntervalMs?: number;
}

export interface RebuildResult {
  projection: string;
  /** Checkpoint written at the swap. */
  position: number;
  /** Events read. */
  events: number;
  /** Events the projection handled. */
  handled: number;
  durationMs: number;
  /** Events read per second over the whole rebuild. */
  rate: number;
}

export class RebuildInProgressError extends Error {
  readonly code = 'REBUILD_IN_PROGRESS';
  constructor(readonly projection: string) {
    super(`a rebuild of ${projection} is already running`);
    this.name = 'RebuildInProgressError';
  }
}

/** Secondary index builds running at once at the end of a replay. */
const INDEX_BUILDS_AT_ONCE = 3;

/** Runs at most `size` tasks at once, in the order they were given. */
class TaskPool {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

/** Rebuilds of this process (PGlite has no other process; PostgreSQL adds an advisory lock). */
const localRebuilds = new Set<string>();

export function rebuildSchemaName(projection: string): string {
  return `rebuild_${projection.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
}

const ident = (name: string) => sql.id(name);

async function scalar<T>(db: Kysely<any> | Transaction<any>, query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await query.execute(db)).rows ?? []) as T[];
}

/** Creates the empty copies in `schema`; returns the statements that add the secondary indexes. */
async function prepareSchema(db: Kysely<any>, schema: string, tables: readonly string[]): Promise<string[]> {
  const indexStatements: string[] = [];
  await db.transaction().execute(async (trx) => {
    // The fresh schema is disposable until the swap (a crash restarts the rebuild): no WAL flush wait.
    await sql`SELECT set_config('synchronous_commit', 'off', true)`.execute(trx);
    await sql`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`.execute(trx);
    await sql`CREATE SCHEMA ${ident(schema)}`.execute(trx);
    for (const table of tables) {
      await sql`CREATE TABLE ${ident(schema)}.${ident(table)} (LIKE public.${ident(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMMENTS)`.execute(trx);
      const constraints = await scalar<{ conname: string; def: string }>(
        trx,
        sql`SELECT c.conname, pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
            JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
            WHERE n.nspname = 'public' AND r.relname = ${table} AND c.contype IN ('p', 'u', 'x') ORDER BY c.contype, c.conname`,
      );
      for (const c of constraints) {
        await sql`ALTER TABLE ${ident(schema)}.${ident(table)} ADD CONSTRAINT ${ident(c.conname)} ${sql.raw(c.def)}`.execute(trx);
      }
      const indexes = await scalar<{ def: string }>(
        trx,
        sql`SELECT pg_get_indexdef(ix.indexrelid) AS def FROM pg_index ix
            JOIN pg_class r ON r.oid = ix.indrelid JOIN pg_namespace n ON n.oid = r.relnamespace
            WHERE n.nspname = 'public' AND r.relname = ${table}
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid)`,
      );
      for (const { def } of indexes) {
        const moved = def.replace(/ ON (ONLY )?public\.("?[A-Za-z0-9_]+"?) /, (_m, only: string | undefined, t: string) => ` ON ${only ?? ''}"${schema}".${t} `);
        if (moved === def) throw new Error(`rebuild: cannot re-target index definition: ${def}`);
        indexStatements.push(moved);
      }
    }
  });
  return indexStatements;
}

/**
 * Reads (from, upTo] of $all as consecutive position ranges of `width`, `prefetch` ranges in
 * flight. A range of `width` positions holds at most `width` events, so `readAll({after, limit:
 * width})` filtered to the range misses nothing; positions up to a head already read never gain
 * an event later (the store's gap-free guarantee).
 */
async function* ranges(store: EventStore, from: number, upTo: number, width: number, prefetch: number): AsyncGenerator<{ events: StoredEvent[]; upTo: number }> {
  let next = from;
  const queue: Promise<{ events: StoredEvent[]; upTo: number }>[] = [];
  const launch = () => {
    const after = next;
    const end = Math.min(after + width, upTo);
    next = end;
    const read = store.readAll({ after, limit: width }).then((page) => ({ events: page.filter((e) => e.position <= end), upTo: end }));
    read.catch(() => {}); // a read left behind when the consumer stops early must not go unhandled
    queue.push(read);
  };
  while (next < upTo && queue.length < prefetch) launch();
  while (queue.length) {
    const range = await queue.shift()!;
    if (next < upTo) launch();
    yield range;
  }
}

/** Rebuilds one projection. */
export async function rebuildProjection(options: RebuildOptions): Promise<RebuildResult> {
  const [result] = await rebuildProjections({ ...options, projections: [options.projection] });
  return result;
}

export type RebuildManyOptions = Omit<RebuildOptions, 'projection'> & { projections: readonly Projection[] };

/**
 * Rebuilds several projections with ONE replay of $all (each page applied to every projection's
 * fresh tables), then swaps each in. Progress reports name them joined by '+'.
 */
export async function rebuildProjections(options: RebuildManyOptions): Promise<RebuildResult[]> {
  const names = options.projections.map((p) => p.name);
  for (const name of names) if (localRebuilds.has(name)) throw new RebuildInProgressError(name);
  for (const name of names) localRebuilds.add(name);
  try {
    if (options.dbKind !== 'postgres') {
      // PGlite has no autovacuum: without fresh statistics the replay's page reads degrade badly past ~100k events.
      await sql`ANALYZE events`.execute(options.db);
      return await runRebuild(options);
    }
    // One session holds the rebuild locks for the duration, so two processes never rebuild one projection at once.
    return await options.db.connection().execute(async (conn) => {
      const held: number[] = [];
      try {
        for (const name of names) {
          const key = lockKey(name);
          const { rows } = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(${REBUILD_LOCK_CLASS}::int, ${key}::int) AS ok`.execute(conn);
          if (!rows[0]?.ok) throw new RebuildInProgressError(name);
          held.push(key);
        }
        return await runRebuild(options);
      } finally {
        for (const key of held) await sql`SELECT pg_advisory_unlock(${REBUILD_LOCK_CLASS}::int, ${key}::int)`.execute(conn);
      }
    });
  } finally {
    for (const name of names) localRebuilds.delete(name);
  }
}

/** Pages waiting for one target, in order; `take` resolves with undefined once ended and empty. */
class PageQueue {
  private readonly pages: { events: StoredEvent[]; upTo: number }[] = [];
  private ended = false;
  private waiter: (() => void) | undefined;
  private drainWaiters: (() => void)[] = [];

  get length(): number {
    return this.pages.length;
  }

  push(page: { events: StoredEvent[]; upTo: number }): void {
    this.pages.push(page);
    this.waiter?.();
  }

  end(): void {
    this.ended = true;
    this.waiter?.();
  }

  async take(): Promise<{ events: StoredEvent[]; upTo: number } | undefined> {
    while (this.pages.length === 0 && !this.ended) await new Promise<void>((r) => (this.waiter = r));
    this.waiter = undefined;
    return this.pages.shift();
  }

  /** Resolves at the next `wake` (a target finished a page). */
  drained(): Promise<void> {
    return new Promise((r) => this.drainWaiters.push(r));
  }

  wake(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}

interface Target {
  projection: Projection;
  schema: string;
  cache: RowCache;
  indexStatements: string[];
  handled: number;
  /** Events read for this projection (replay plus its own tail). */
  events: number;
  /** Position its tables have reached in the replay. */
  at: number;
}

async function runRebuild(options: RebuildManyOptions): Promise<RebuildResult[]> {
  const { store, db } = options;
  const label = options.projections.map((p) => p.name).join('+');
  const batchSize = options.batchSize ?? 5000;
  const started = Date.now();
  const interval = options.progressIntervalMs ?? 250;
  let lastReport = 0;
  let total = await store.headPosition();
  let done = 0;
  let position = 0;
  const report = (phase: RebuildProgress['phase'], force = false) => {
    if (!options.onProgress) return;
    const now = Date.now();
    if (!force && now - lastReport < interval) return;
    lastReport = now;
    const elapsedMs = now - started;
    options.onProgress({ projection: label, phase, done, total: Math.max(total, position), position, rate: elapsedMs > 0 ? Math.round((done * 1000) / elapsedMs) : 0, elapsedMs });
  };
  report('prepare', true);

  const targets: Target[] = [];
  /** `more`: statements follow in the same transaction (the swap), so search_path is reset after. */
  const apply = async (trx: Transaction<any>, target: Target, events: StoredEvent[], more = false) => {
    // Unqualified names resolve to the fresh tables; no WAL flush wait (a crash restarts the rebuild).
    // Both settings are transaction-local: a transaction that ends here needs no reset.
    await sql`SELECT set_config('search_path', ${`"${target.schema}"`}, true), set_config('synchronous_commit', 'off', true)`.execute(trx);
    target.handled += await applyEvents(target.projection, events, trx, { rowCache: target.cache });
    if (more) {
      await flushRows(trx, target.cache);
      await sql`SET LOCAL search_path TO public`.execute(trx);
    }
  };

  try {
    // Each projection's schema in its own transaction, all at once (every one settled before a
    // failure is thrown, so the cleanup below drops them all).
    for (const projection of options.projections) {
      targets.push({ projection, schema: rebuildSchemaName(projection.name), cache: new RowCache(true, true), indexStatements: [], handled: 0, events: 0, at: 0 });
    }
    const prepared = await Promise.allSettled(targets.map(async (t) => (t.indexStatements = await prepareSchema(db, t.schema, t.projection.tables))));
    const failed = prepared.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;

    // Replay up to the head, again while the head moved by a batch or more. Pages are read ahead;
    // each target applies them in order, one transaction per page, at its own pace (no barrier
    // per page: a target with little to write runs ahead while a heavy one is still writing),
    // at most `prefetch` pages ahead of the slowest.
    const prefetch = options.prefetch ?? 3;
    for (;;) {
      const head = await store.headPosition();
      total = Math.max(total, head);
      if (head - position < batchSize) break; // the tail is short now; the swaps take the rest
      const from = position;
      const queues = targets.map(() => new PageQueue());
      const workers = targets.map(async (target, i) => {
        for (let range = await queues[i].take(); range; range = await queues[i].take()) {
          if (range.events.length) await db.transaction().execute((trx) => apply(trx, target, range!.events));
          target.events += range.events.length;
          target.at = range.upTo;
          position = Math.min(...targets.map((t) => t.at));
          done = Math.max(done, Math.min(...targets.map((t) => t.events)));
          report('replay');
          queues.forEach((q) => q.wake());
        }
      });
      try {
        for await (const range of ranges(store, from, head, batchSize, prefetch)) {
          // Hold the reader while the slowest target is `prefetch` pages behind.
          while (queues.some((q) => q.length >= prefetch)) await Promise.race([...queues.map((q) => q.drained()), ...workers]);
          for (const q of queues) q.push(range);
        }
      } finally {
        for (const q of queues) q.end();
        await Promise.all(workers);
      }
      position = head;
    }

    // Each target's folded rows, each written once (bulk load first), then its secondary indexes,
    // a few builds at a time: a target with nothing to flush (audit) builds while others flush.
    report('index', true);
    const indexBuilds = new TaskPool(INDEX_BUILDS_AT_ONCE);
    await Promise.all(
      targets.map(async (target) => {
        await db.transaction().execute(async (trx) => {
          await sql`SELECT set_config('search_path', ${`"${target.schema}"`}, true), set_config('synchronous_commit', 'off', true)`.execute(trx);
          await flushRows(trx, target.cache);
        });
        // CREATE INDEX takes a SHARE lock: several on one table can run side by side.
        await Promise.all(
          target.indexStatements.map((statement) =>
            indexBuilds.run(() =>
              db.transaction().execute(async (trx) => {
                await sql`SELECT set_config('synchronous_commit', 'off', true)`.execute(trx);
                await sql.raw(statement).execute(trx);
              }),
            ),
          ),
        );
      }),
    );

    // Swap, one projection at a time: lock its live checkpoint, apply its last tail, move its tables.
    report('swap', true);
    const results: RebuildResult[] = [];
    const replayEnd = position;
    for (const target of targets) {
      const { projection, schema } = target;
      let at = replayEnd; // every target has applied exactly the replay; each reads its own tail
      for (;;) {
        const tail = await store.readAll({ after: at, limit: batchSize });
        if (tail.length === batchSize) {
          await db.transaction().execute((trx) => apply(trx, target, tail));
          at = tail[tail.length - 1].position;
          target.events += tail.length;
          continue;
        }
        const tailEnd = tail.length ? tail[tail.length - 1].position : at;
        const swapped = await db.transaction().execute(async (trx) => {
          const live = await lockCheckpoint(trx, projection.name, projection.version);
          if (live.position > tailEnd) return false; // the live runner got further than our tail: read on
          if (tail.length) await apply(trx, target, tail, true);
          for (const table of projection.tables) {
            await sql`DROP TABLE IF EXISTS public.${ident(table)}`.execute(trx);
            await sql`ALTER TABLE ${ident(schema)}.${ident(table)} SET SCHEMA public`.execute(trx);
          }
          await sql`DROP SCHEMA ${ident(schema)}`.execute(trx);
          await writeCheckpoint(trx, projection.name, projection.version, tailEnd);
          return true;
        });
        if (!swapped) continue;
        at = tailEnd;
        target.events += tail.length;
        break;
      }
      const durationMs = Date.now() - started;
      results.push({ projection: projection.name, position: at, events: target.events, handled: target.handled, durationMs, rate: durationMs > 0 ? Math.round((target.events * 1000) / durationMs) : target.events });
      position = Math.max(position, at);
    }
    total = Math.max(total, position);
    report('done', true);
    return results;
  } catch (e) {
    for (const target of targets) await sql`DROP SCHEMA IF EXISTS ${ident(target.schema)} CASCADE`.execute(db).catch(() => {});
    throw e;
  }
}
