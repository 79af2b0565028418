/**
 * Profiling aid for the commands figure of `npm run bench` (not part of it):
 *   npx tsx bench/profile-commands.ts
 * runs the create-namespace commands alone on a fresh database and prints the CPU they cost, this
 * process's and PostgreSQL's (its backends for that database, from /proc: Linux only), per command.
 * BENCH_SECONDS (default 5), BENCH_WARMUP_SECONDS (default 1); PROFILE=<file.cpuprofile> writes a
 * V8 CPU profile of the measured part (open it in Chrome DevTools).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { openDatabase } from '../db/connect';
import { migrateToLatest } from '../db/migrate';
import { openEventStore } from '../eventstore';
import { createTestDatabase } from '../tests/support/postgres';
import { measureCommandRate } from './commands';

/** CPU seconds used so far by the PostgreSQL processes serving `database`. */
function postgresCpuSeconds(database: string): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)') || !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(database)) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / 100;
}

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
const db = await createTestDatabase('bosun_profile');
const name = new URL(db.url).pathname.slice(1);
try {
  const database = await openDatabase({ kind: 'postgres', url: db.url, poolSize: 16 });
  await migrateToLatest(database.db);
  const store = await openEventStore({ kind: 'postgres', url: db.url, migrate: false }, database);
  if (warmupSeconds > 0) await measureCommandRate(store, { callers: 8, seconds: warmupSeconds });
  const session = new Session();
  if (process.env.PROFILE) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const pg0 = postgresCpuSeconds(name);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await measureCommandRate(store, { callers: 8, seconds });
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  const pg = postgresCpuSeconds(name) - pg0;
  if (process.env.PROFILE) writeFileSync(process.env.PROFILE, JSON.stringify((await session.post('Profiler.stop')).profile));
  const perCommand = (microseconds: number) => (microseconds / r.commands).toFixed(0);
  console.log(`${r.perSecond.toFixed(0)} commands/s (p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms)`);
  console.log(
    `CPU per command: this process ${perCommand(cpu.user + cpu.system)} µs (${perCommand(cpu.system)} in the kernel, ` +
      `${(((cpu.user + cpu.system) / 1000 / wallMs) * 100).toFixed(0)}% of a core), PostgreSQL ${perCommand(pg * 1e6)} µs (includes setting up the callers)`,
  );
  await store.close();
  await database.close();
} finally {
  await db.drop();
}
process.exit(0);
