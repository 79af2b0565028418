/**
 * Event store throughput. Exported for the lead's bench; runnable alone: `npx tsx bench/eventstore.ts`
 * (uses BENCH_DATABASE_URL, or a fresh database on TEST_POSTGRES_URL / 127.0.0.1:5432, dropped after).
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openEventStore } from '../eventstore/index';
import type { EventMetadata, EventStore, NewEvent } from '../eventstore/types';
import { WrongExpectedRevisionError } from '../eventstore/types';
import { createTestDatabase } from '../tests/support/postgres';

export interface RateResult {
  /** Operations (inserts, commands) per second. */
  perSecond: number;
  operations: number;
  seconds: number;
}

const PAYLOAD = JSON.stringify({ name: 'bench', cpu: '500m', memory: '1Gi' });

/**
 * Runs `op` in `workers` loops for `warmupSeconds + seconds`; counts what completes in the last
 * `seconds` only (the warm-up lets connections, caches and the JIT settle, for every figure alike).
 */
async function runFor(
  seconds: number,
  workers: number,
  op: (worker: number, i: number) => Promise<void>,
  warmupSeconds = 0,
): Promise<RateResult> {
  const start = performance.now() + warmupSeconds * 1000;
  const deadline = start + seconds * 1000;
  let operations = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; performance.now() < deadline; i++) {
        await op(w, i);
        if (performance.now() >= start) operations++;
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  return { perSecond: operations / elapsed, operations, seconds: elapsed };
}

/** Single-row autocommit INSERTs/s with `clients` connections (the database's group-commit ceiling). */
export async function measureRawInsertRate(url: string, { clients = 8, seconds = 5, warmupSeconds = 0 } = {}): Promise<RateResult> {
  const table = `bench_raw_${randomUUID().slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create table ${table} (id bigserial primary key, data jsonb not null)`);
  const conns = await Promise.all(
    Array.from({ length: clients }, async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  try {
    return await runFor(
      seconds,
      clients,
      async (w) => {
        await conns[w]!.query(`insert into ${table} (data) values ($1::jsonb)`, [PAYLOAD]);
      },
      warmupSeconds,
    );
  } finally {
    await Promise.all(conns.map((c) => c.end()));
    await admin.query(`drop table ${table}`);
    await admin.end();
  }
}

/**
 * Rows/s when each client inserts `batchSize` rows per autocommit statement (against a PostgreSQL url
 * or a PGlite instance; PGlite serializes the clients). perSecond counts rows.
 */
export async function measureRawBatchedInsertRate(
  target: string | PGlite,
  { clients = 8, seconds = 5, batchSize = 8, warmupSeconds = 0 } = {},
): Promise<RateResult> {
  const table = `bench_rawb_${randomUUID().slice(0, 8)}`;
  const rows = Array.from({ length: batchSize }, () => PAYLOAD);
  let query: (text: string, params?: unknown[]) => Promise<unknown>;
  let end: () => Promise<void>;
  let perClient: ((text: string, params?: unknown[]) => Promise<unknown>)[];
  if (typeof target === 'string') {
    const pool = new pg.Pool({ connectionString: target, max: clients });
    query = (t, p) => pool.query(t, p as any[]);
    perClient = Array.from({ length: clients }, () => query);
    end = () => pool.end();
  } else {
    query = (t, p) => target.query(t, p as any[]);
    perClient = Array.from({ length: clients }, () => query);
    end = async () => {};
  }
  await query(`create table ${table} (id bigserial primary key, data jsonb not null)`);
  try {
    const r = await runFor(
      seconds,
      clients,
      async (w) => {
        await perClient[w]!(`insert into ${table} (data) select x from unnest($1::jsonb[]) as x`, [rows]);
      },
      warmupSeconds,
    );
    return { ...r, perSecond: r.perSecond * batchSize, operations: r.operations * batchSize };
  } finally {
    await query(`drop table ${table}`);
    await end();
  }
}

const metadata: EventMetadata = {
  actor: { kind: 'system', id: 'bench', name: 'bench' },
  commandId: 'bench',
  correlationId: 'bench',
  causationId: null,
  occurredAt: new Date(0).toISOString(),
  clientIp: null,
  schemaVersion: 1,
};

function event(type: string): NewEvent {
  return { id: randomUUID(), type, data: { cpu: '500m', memory: '1Gi' }, metadata };
}

export interface AppendRateResult extends RateResult {
  conflicts: number;
  /** Average number of events a command read (its two streams' length). */
  eventsReadPerCommand: number;
  latencyMs: { p50: number; p99: number };
}

/**
 * End-to-end commands/s: each command reads two streams (its own and one shared with the others,
 * like a namespace and its workspace) and appends one event to each with their expected revisions,
 * atomically (appendMulti); on a conflict it reloads and retries. Streams are short, as aggregates
 * are: `ownStreams` per caller and `sharedStreams` in all, so a command reads a few events.
 */
export async function measureAppendRate(
  store: EventStore,
  { concurrency = 8, seconds = 5, ownStreams = 1000, sharedStreams = 1000 } = {},
): Promise<AppendRateResult> {
  const run = randomUUID().slice(0, 8);
  let conflicts = 0;
  let eventsRead = 0;
  const latencies: number[] = [];
  const r = await runFor(seconds, concurrency, async (w, i) => {
    const t0 = performance.now();
    const own = `benchns-${run}-${w}-${i % ownStreams}`;
    const shared = `benchws-${run}-${(w * 7919 + i) % sharedStreams}`;
    for (let attempt = 0; ; attempt++) {
      const [a, b] = await Promise.all([store.readStream(own), store.readStream(shared)]);
      eventsRead += a.length + b.length;
      const rev = (events: { revision: number }[]) => (events.length === 0 ? 'no_stream' : events[events.length - 1]!.revision);
      try {
        await store.appendMulti([
          { streamId: own, events: [event('NamespaceQuotaSet')], expectedRevision: rev(a) },
          { streamId: shared, events: [event('WorkspaceQuotaReserved')], expectedRevision: rev(b) },
        ]);
        break;
      } catch (err) {
        if (!(err instanceof WrongExpectedRevisionError) || attempt > 5) throw err;
        conflicts++;
      }
    }
    latencies.push(performance.now() - t0);
  });
  latencies.sort((x, y) => x - y);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return { ...r, conflicts, eventsReadPerCommand: eventsRead / Math.max(1, r.operations), latencyMs: { p50: pct(0.5), p99: pct(0.99) } };
}

export interface AppendVsRaw {
  /** Median over rounds of commands/s divided by raw inserts/s measured right before. */
  ratio: number;
  rounds: { raw: number; commands: number; ratio: number }[];
}

/**
 * The acceptance figure on a shared, noisy machine: alternates short raw-insert and command runs
 * so both see the same load, and reports the median ratio.
 */
export async function compareAppendToRaw(
  url: string,
  store: EventStore,
  { rounds = 5, secondsPerRound = 2, clients = 8 } = {},
): Promise<AppendVsRaw> {
  const results: AppendVsRaw['rounds'] = [];
  for (let i = 0; i < rounds; i++) {
    const raw = await measureRawInsertRate(url, { clients, seconds: secondsPerRound });
    const commands = await measureAppendRate(store, { concurrency: clients, seconds: secondsPerRound });
    results.push({ raw: raw.perSecond, commands: commands.perSecond, ratio: commands.perSecond / raw.perSecond });
  }
  const sorted = results.map((r) => r.ratio).sort((a, b) => a - b);
  return { ratio: sorted[Math.floor(sorted.length / 2)]!, rounds: results };
}

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const temp = process.env.BENCH_DATABASE_URL ? undefined : await createTestDatabase('bench_eventstore');
  const url = process.env.BENCH_DATABASE_URL ?? temp!.url;
  const fmt = (r: RateResult) => `${r.perSecond.toFixed(0)}/s`;
  try {
    const raw = await measureRawInsertRate(url, { clients: 8, seconds });
    console.log(`postgres raw single-row autocommit inserts, 8 clients: ${fmt(raw)}`);
    const rawBatched = await measureRawBatchedInsertRate(url, { clients: 8, seconds, batchSize: 8 });
    console.log(`postgres raw batched inserts (8 rows/statement), 8 clients: ${fmt(rawBatched)} rows`);
    const store = await openEventStore({ kind: 'postgres', url });
    try {
      const pgRate = await measureAppendRate(store, { concurrency: 8, seconds });
      const cmp = await compareAppendToRaw(url, store, { rounds: 5, secondsPerRound: Math.max(1, seconds / 2) });
      console.log(
        `alternating rounds (raw inserts/s vs commands/s): ${cmp.rounds.map((r) => `${r.raw.toFixed(0)} vs ${r.commands.toFixed(0)}`).join(', ')}; ` +
          `median ratio ${(100 * cmp.ratio).toFixed(0)}% (target >= 40%)`,
      );
      console.log(
        `postgres event store commands (read 2 streams + appendMulti 2 events), 8 callers: ${fmt(pgRate)}, ` +
          `${pgRate.eventsReadPerCommand.toFixed(1)} events read/command, p50 ${pgRate.latencyMs.p50.toFixed(1)} ms, p99 ${pgRate.latencyMs.p99.toFixed(1)} ms, conflicts ${pgRate.conflicts}; ` +
          `ratio to raw inserts ${((100 * pgRate.perSecond) / raw.perSecond).toFixed(0)}% (target >= 40%)`,
      );
    } finally {
      await store.close();
    }
    const lite = await openEventStore({ kind: 'pglite' });
    try {
      const liteRate = await measureAppendRate(lite, { concurrency: 8, seconds });
      console.log(`pglite (in memory) event store commands, 8 callers: ${fmt(liteRate)}, p50 ${liteRate.latencyMs.p50.toFixed(1)} ms`);
    } finally {
      await lite.close();
    }
    const pglite = await PGlite.create();
    try {
      const liteRaw = await measureRawBatchedInsertRate(pglite, { clients: 8, seconds, batchSize: 8 });
      console.log(`pglite (in memory) raw batched inserts (8 rows/statement): ${fmt(liteRaw)} rows`);
    } finally {
      await pglite.close();
    }
  } finally {
    await temp?.drop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
