/**
 * `npm run bench`: Bosun's figures on this machine, each beside a reference measured in the same run
 * on the same database. Writes bench/results.json; BENCHMARKS.md quotes it.
 */
import { writeFileSync } from 'node:fs';
import { openDatabase } from '../db/connect';
import { migrateToLatest } from '../db/migrate';
import { openEventStore } from '../eventstore';
import { createTestDatabase } from '../tests/support/postgres';
import { measureRawBatchedInsertRate, measureRawInsertRate } from './eventstore';
import { measureRebuildRate } from './projections';
import { measureCommandLag, measureCommandRate } from './commands';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
/** Not counted, before each throughput figure and its reference alike (connections, caches, the JIT). */
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
const rebuildEvents = Number(process.env.BENCH_REBUILD_EVENTS ?? 200_000);
const log = (line: string) => console.log(line);
const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };

async function postgres() {
  log('\n== PostgreSQL ==');
  const db = await createTestDatabase('bosun_bench');
  try {
    const raw = await measureRawInsertRate(db.url, { clients: 8, seconds, warmupSeconds });
    log(`reference: raw single-row autocommit INSERTs, 8 clients: ${raw.perSecond.toFixed(0)}/s`);
    const database = await openDatabase({ kind: 'postgres', url: db.url, poolSize: 16 });
    await migrateToLatest(database.db);
    const store = await openEventStore({ kind: 'postgres', url: db.url, migrate: false }, database);
    const commands = await measureCommandRate(store, { callers: 8, seconds, warmupSeconds });
    const commandRatio = commands.perSecond / raw.perSecond;
    log(`create-namespace commands through the handler, 8 callers: ${commands.perSecond.toFixed(0)}/s (p50 ${commands.p50Ms.toFixed(1)} ms, p99 ${commands.p99Ms.toFixed(1)} ms) = ${(commandRatio * 100).toFixed(0)}% of the reference (target ≥ 40%)`);
    const lag = await measureCommandLag(store, database, { ratePerSec: 500, seconds: Math.max(10, seconds * 2) });
    log(`projection lag at a steady ${lag.ratePerSec} commands/s (achieved ${lag.achievedPerSec.toFixed(0)}/s): p50 ${lag.p50Ms.toFixed(1)} ms, p99 ${lag.p99Ms.toFixed(1)} ms, max ${lag.maxMs.toFixed(1)} ms (target p99 < 250 ms)`);
    await store.close();
    await database.close();
    const rebuild = await measureRebuildRate({ kind: 'postgres', url: db.url }, { events: rebuildEvents, log });
    log(`rebuild of all projections over ${rebuild.events} events: ${rebuild.rebuildRate.toFixed(0)} events/s vs raw batched INSERT ${rebuild.rawInsertRate.toFixed(0)} rows/s = ${(rebuild.ratio * 100).toFixed(0)}% (target ≥ 30%)`);
    results.postgres = { rawInsert: raw, commands, commandRatio, lag, rebuild };
  } finally {
    await db.drop();
  }
}

async function pglite() {
  log('\n== PGlite ==');
  const database = await openDatabase({ kind: 'pglite' });
  await migrateToLatest(database.db);
  const raw = await measureRawBatchedInsertRate(database.pglite!, { clients: 8, seconds, batchSize: 1, warmupSeconds });
  log(`reference: raw single-row INSERTs, 8 callers (PGlite serializes them): ${raw.perSecond.toFixed(0)}/s`);
  const store = await openEventStore({ kind: 'pglite', migrate: false }, database);
  const commands = await measureCommandRate(store, { callers: 8, seconds, warmupSeconds });
  log(`create-namespace commands through the handler, 8 callers: ${commands.perSecond.toFixed(0)}/s (p50 ${commands.p50Ms.toFixed(1)} ms, p99 ${commands.p99Ms.toFixed(1)} ms) = ${((commands.perSecond / raw.perSecond) * 100).toFixed(0)}% of the reference`);
  const lag = await measureCommandLag(store, database, { ratePerSec: 500, seconds: Math.max(10, seconds * 2) });
  log(`projection lag at a steady ${lag.ratePerSec} commands/s (achieved ${lag.achievedPerSec.toFixed(0)}/s): p50 ${lag.p50Ms.toFixed(1)} ms, p99 ${lag.p99Ms.toFixed(1)} ms, max ${lag.maxMs.toFixed(1)} ms`);
  await store.close();
  await database.close();
  const rebuild = await measureRebuildRate({ kind: 'pglite' }, { events: rebuildEvents, log });
  log(`rebuild of all projections over ${rebuild.events} events: ${rebuild.rebuildRate.toFixed(0)} events/s vs raw batched INSERT ${rebuild.rawInsertRate.toFixed(0)} rows/s = ${(rebuild.ratio * 100).toFixed(0)}%`);
  results.pglite = { rawInsert: raw, commands, commandRatio: commands.perSecond / raw.perSecond, lag, rebuild };
}

const only = process.argv[2];
if (!only || only === 'postgres') await postgres();
if (!only || only === 'pglite') await pglite();
writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');
log('\nwrote bench/results.json');
process.exit(0);
