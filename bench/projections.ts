/**
 * Projection benchmarks, on PostgreSQL and PGlite through the real adapters.
 *
 * - measureRebuildRate: seeds N events (default 200,000) of a realistic tenancy log, measures the
 *   database's raw batched INSERT rate (multi-row INSERTs of 1000 rows of event-sized rows into a
 *   scratch table), then rebuilds every projection and reports events/s and the ratio to the raw
 *   rate (target ≥ 0.30).
 * - measureProjectionLag: runs the runner while appending a steady 500 events/s and reports the
 *   append→visible-in-every-read-model latency percentiles.
 *
 * Run alone: `npx tsx bench/projections.ts [postgres|pglite|both] [events]`
 * (BENCH_ANALYZE=1: ANALYZE the event table after seeding; BENCH_PER_PROJECTION=1: also rebuild each
 * projection alone; BENCH_LAG_SECONDS: length of the lag run, default 20)
 * (PostgreSQL from BENCH_POSTGRES_URL / TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres;
 * a scratch database is created and dropped).
 */
import { pathToFileURL } from 'node:url';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { openDatabase, type OpenedDatabase } from '../db/connect';
import { openEventStore } from '../eventstore';
import type { EventStore, NewEvent, StreamWrite } from '../eventstore/types';
import { allProjections } from '../projections';
import { rebuildProjection, rebuildProjections } from '../projections/rebuild';
import { ProjectionRunner } from '../projections/runner';
import type { Projection } from '../projections/types';
import { appendTenancyLogBulk, tenancyCommands } from '../tests/projections/fixtures/tenancy-log';

export type BenchBackend = { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir?: string };

export interface RebuildRateResult {
  backend: 'postgres' | 'pglite';
  events: number;
  /** Rows/s of plain multi-row INSERTs (1000 rows per statement) of event-sized rows. */
  rawInsertRate: number;
  /** Every projection rebuilt by one replay (the CLI's `rebuild` without a name): events/s. */
  rebuildRate: number;
  rebuildSeconds: number;
  /** rebuildRate / rawInsertRate (target ≥ 0.30). */
  ratio: number;
  /** With `perProjection`: each projection rebuilt alone (reads every event, applies its own). */
  projections: Array<{ name: string; events: number; handled: number; seconds: number; rate: number; ratio: number }>;
}

export interface LagResult {
  backend: 'postgres' | 'pglite';
  ratePerSec: number;
  seconds: number;
  samples: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The append call alone (included in the figures above). */
  appendP50Ms: number;
  appendP99Ms: number;
}

interface OpenBench {
  database: OpenedDatabase;
  store: EventStore;
  close(): Promise<void>;
}

async function scratchDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `bench_projections_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`).finally(() => admin.end());
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).finally(() => c.end());
    },
  };
}

async function openBench(backend: BenchBackend): Promise<OpenBench> {
  if (backend.kind === 'postgres') {
    const scratch = await scratchDatabase(backend.url);
    const database = await openDatabase({ kind: 'postgres', url: scratch.url, poolSize: 10 });
    const store = await openEventStore({ kind: 'postgres', url: scratch.url, pollMs: 100 }, database);
    return {
      database,
      store,
      async close() {
        await store.close();
        await database.close();
        await scratch.drop();
      },
    };
  }
  const database = await openDatabase({ kind: 'pglite', dataDir: backend.dataDir });
  const store = await openEventStore({ kind: 'pglite', pollMs: 100 }, database);
  return {
    database,
    store,
    async close() {
      await store.close();
      await database.close();
    },
  };
}

/** Rows/s of multi-row INSERT … VALUES (1000 rows per statement) of rows shaped like stored events. */
export async function measureRawInsertRate(db: Kysely<any>, rows = 200_000): Promise<number> {
  await sql`CREATE TABLE bench_raw_insert (position bigint PRIMARY KEY, stream_id text NOT NULL, type text NOT NULL, data jsonb NOT NULL, occurred_at timestamptz NOT NULL)`.execute(db);
  try {
    const gen = tenancyCommands({ seed: 7 });
    const sample = Array.from({ length: 1000 }, () => (gen.next().value as { streamId: string; events: { type: string; data: unknown }[] }[])[0]);
    const started = performance.now();
    for (let base = 0; base < rows; base += 1000) {
      const values = sample.slice(0, Math.min(1000, rows - base)).map((w, i) => ({
        position: base + i + 1,
        stream_id: w.streamId,
        type: w.events[0].type,
        data: JSON.stringify(w.events[0].data),
        occurred_at: new Date().toISOString(),
      }));
      await db.insertInto('bench_raw_insert').values(values).execute();
    }
    return Math.round((rows * 1000) / (performance.now() - started));
  } finally {
    await sql`DROP TABLE bench_raw_insert`.execute(db);
  }
}

export async function measureRebuildRate(
  backend: BenchBackend,
  options: {
    events?: number;
    projections?: readonly Projection[];
    batchSize?: number;
    perProjection?: boolean;
    /**
     * ANALYZE the event table after seeding. PostgreSQL's autovacuum does it by itself; PGlite has
     * no autovacuum, and without statistics its readAll pages get ~10× slower past ~100k events.
     */
    analyze?: boolean;
    log?: (line: string) => void;
  } = {},
): Promise<RebuildRateResult> {
  const events = options.events ?? 200_000;
  const log = options.log ?? (() => {});
  const bench = await openBench(backend);
  try {
    const seeded = performance.now();
    await appendTenancyLogBulk(bench.store, events, { commandsPerAppend: 400, concurrency: 1 });
    log(`seeded ${events} events in ${((performance.now() - seeded) / 1000).toFixed(1)}s`);
    if (options.analyze) {
      await sql`ANALYZE events`.execute(bench.database.db);
      log('analyzed the event table');
    }
    const rawInsertRate = await measureRawInsertRate(bench.database.db, events);
    log(`raw batched INSERT: ${rawInsertRate} rows/s`);
    const projections = options.projections ?? allProjections;
    const started = performance.now();
    await rebuildProjections({ store: bench.store, db: bench.database.db, dbKind: bench.database.kind, projections, batchSize: options.batchSize });
    const rebuildMs = performance.now() - started;
    const rebuildRate = Math.round((events * 1000) / rebuildMs);
    log(`rebuild of ${projections.map((p) => p.name).join('+')} in one replay: ${(rebuildMs / 1000).toFixed(2)}s = ${rebuildRate} events/s = ${((100 * rebuildRate) / rawInsertRate).toFixed(1)}% of raw INSERT`);
    const results: RebuildRateResult['projections'] = [];
    if (options.perProjection) {
      for (const projection of projections) {
        const t0 = performance.now();
        const r = await rebuildProjection({ store: bench.store, db: bench.database.db, dbKind: bench.database.kind, projection, batchSize: options.batchSize });
        const ms = performance.now() - t0;
        const rate = Math.round((r.events * 1000) / ms);
        results.push({ name: projection.name, events: r.events, handled: r.handled, seconds: +(ms / 1000).toFixed(2), rate, ratio: +(rate / rawInsertRate).toFixed(3) });
        log(`rebuild ${projection.name} alone: ${r.events} events (${r.handled} handled) in ${(ms / 1000).toFixed(2)}s = ${rate}/s`);
      }
    }
    return {
      backend: backend.kind,
      events,
      rawInsertRate,
      rebuildRate,
      rebuildSeconds: +(rebuildMs / 1000).toFixed(2),
      ratio: +(rebuildRate / rawInsertRate).toFixed(3),
      projections: results,
    };
  } finally {
    await bench.close();
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Appends a steady `ratePerSec` events/s (the commands due every 10 ms tick, one append per tick) for
 * `seconds`, with the runner applying all projections; a sample is the time from the append call
 * until every projection reached its position.
 */
export async function measureProjectionLag(
  backend: BenchBackend,
  options: { ratePerSec?: number; seconds?: number; warmupEvents?: number; log?: (line: string) => void } = {},
): Promise<LagResult> {
  const ratePerSec = options.ratePerSec ?? 500;
  const seconds = options.seconds ?? Number(process.env.BENCH_LAG_SECONDS ?? 20);
  const bench = await openBench(backend);
  const runner = new ProjectionRunner({ store: bench.store, db: bench.database.db, dbKind: bench.database.kind, projections: allProjections });
  try {
    await appendTenancyLogBulk(bench.store, options.warmupEvents ?? 5000, { seed: 3 });
    await runner.start();
    await runner.waitForPosition(await bench.store.headPosition(), 120_000);
    const gen = tenancyCommands({ seed: 11 });
    const pending: Array<{ position: number; started: number }> = [];
    const samples: number[] = [];
    const appendMs: number[] = [];
    const sub = runner.position$.subscribe((position) => {
      const now = performance.now();
      while (pending.length && pending[0].position <= position) samples.push(now - pending.shift()!.started);
    });
    // Each tick appends the commands that became due (merged by stream, one appendMulti; appends
    // to one stream must not race), so the rate holds even when an append is slow.
    const started = performance.now();
    let sent = 0;
    const tickMs = 10;
    while (performance.now() - started < seconds * 1000) {
      const t0 = performance.now();
      const due = Math.floor(((t0 - started) / 1000) * ratePerSec);
      const streams = new Map<string, NewEvent[]>();
      while (sent < due) {
        for (const w of gen.next().value as StreamWrite[]) {
          const list = streams.get(w.streamId) ?? [];
          list.push(...w.events);
          streams.set(w.streamId, list);
          sent += w.events.length;
        }
      }
      if (streams.size) {
        const r = await bench.store.appendMulti([...streams].map(([streamId, events]) => ({ streamId, events, expectedRevision: 'any' as const })));
        appendMs.push(performance.now() - t0);
        if (runner.minPosition() >= r.position) samples.push(performance.now() - t0);
        else pending.push({ position: r.position, started: t0 });
      }
      const wait = tickMs - (performance.now() - t0);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await runner.waitForPosition(await bench.store.headPosition(), 60_000);
    sub.unsubscribe();
    const sorted = samples.sort((a, b) => a - b);
    const appendSorted = appendMs.sort((a, b) => a - b);
    const result: LagResult = {
      backend: backend.kind,
      ratePerSec,
      seconds,
      samples: sorted.length,
      p50Ms: +percentile(sorted, 50).toFixed(1),
      p95Ms: +percentile(sorted, 95).toFixed(1),
      p99Ms: +percentile(sorted, 99).toFixed(1),
      maxMs: +(sorted[sorted.length - 1] ?? 0).toFixed(1),
      appendP50Ms: +percentile(appendSorted, 50).toFixed(1),
      appendP99Ms: +percentile(appendSorted, 99).toFixed(1),
    };
    options.log?.(`lag at ${ratePerSec}/s: p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms (${result.samples} appends; the append call alone: p50 ${result.appendP50Ms} ms, p99 ${result.appendP99Ms} ms)`);
    return result;
  } finally {
    await runner.stop();
    await bench.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const which = process.argv[2] ?? 'both';
  const events = Number(process.argv[3] ?? 200_000);
  const url = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const backends: BenchBackend[] = [];
  if (which === 'postgres' || which === 'both') backends.push({ kind: 'postgres', url });
  if (which === 'pglite' || which === 'both') backends.push({ kind: 'pglite' });
  const log = (line: string) => console.log(`  ${line}`);
  for (const backend of backends) {
    console.log(`${backend.kind}: rebuild over ${events} events`);
    const rebuild = await measureRebuildRate(backend, { events, log, perProjection: process.env.BENCH_PER_PROJECTION === '1', analyze: process.env.BENCH_ANALYZE === '1' });
    console.log(`  => ${rebuild.rebuildRate} events/s = ${(rebuild.ratio * 100).toFixed(1)}% of raw INSERT ${rebuild.rawInsertRate} rows/s (target 30%)`);
    console.log(`${backend.kind}: lag under 500 appends/s`);
    await measureProjectionLag(backend, { log });
  }
}
