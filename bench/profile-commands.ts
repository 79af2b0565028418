/** Profiling aid: `node --cpu-prof --import tsx bench/profile-commands.ts` (commands part of the bench only). */
import { openDatabase } from '../db/connect';
import { migrateToLatest } from '../db/migrate';
import { openEventStore } from '../eventstore';
import { createTestDatabase } from '../tests/support/postgres';
import { measureCommandRate } from './commands';
import { readFileSync, readdirSync } from 'node:fs';

/** CPU seconds used so far by every postgres process (backends, walwriter…), from /proc. */
function postgresCpuSeconds(database?: string): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      if (database && !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(database)) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {}
  }
  return ticks / 100;
}

import pg from 'pg';
const counts = new Map<string, { calls: number; bytes: number }>();
if (process.env.COUNT_QUERIES === '1') {
  const original = pg.Client.prototype.query as any;
  (pg.Client.prototype as any).query = function (this: unknown, config: any, values?: any, cb?: any) {
    const text = typeof config === 'string' ? config : config?.text ?? '';
    const params = (typeof config === 'object' && config?.values) || values || [];
    const key = (config?.name ?? text.slice(0, 60)).replace(/\s+/g, ' ');
    const c = counts.get(key) ?? { calls: 0, bytes: 0 };
    c.calls++;
    for (const p of Array.isArray(params) ? params : []) c.bytes += typeof p === 'string' ? p.length : JSON.stringify(p ?? null).length;
    counts.set(key, c);
    return original.call(this, config, values, cb);
  };
}
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const db = await createTestDatabase('bosun_prof');
try {
  const withRaw = process.env.BENCH_RAW !== '0';
  const raw = withRaw ? await (await import('./eventstore')).measureRawInsertRate(db.url, { clients: 8, seconds }) : { perSecond: NaN };
  const database = await openDatabase({ kind: 'postgres', url: db.url, poolSize: 16 });
  await migrateToLatest(database.db);
  const store = await openEventStore({ kind: 'postgres', url: db.url, migrate: false, maxAppendsInFlight: Number(process.env.IN_FLIGHT ?? 4), appendBatchFill: Number(process.env.FILL ?? 4) } as any, database);
  const dbName = new URL(db.url).pathname.slice(1);
  const pg0 = postgresCpuSeconds(dbName);
  const pgAll0 = postgresCpuSeconds();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const commands = await measureCommandRate(store, { callers: 8, seconds });
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  const pgCpu = postgresCpuSeconds(dbName) - pg0;
  const pgAll = postgresCpuSeconds() - pgAll0;
  const nodeCpu = (cpu.user + cpu.system) / 1e6;
  const n = commands.commands;
  console.log(`per command: node ${((nodeCpu / n) * 1e6).toFixed(0)} µs, postgres backends of this database ${((pgCpu / n) * 1e6).toFixed(0)} µs, all postgres processes ${((pgAll / n) * 1e6).toFixed(0)} µs (includes setup)`);
  console.log(`raw ${raw.perSecond.toFixed(0)}/s, commands ${commands.perSecond.toFixed(0)}/s = ${((commands.perSecond / raw.perSecond) * 100).toFixed(0)}% (p50 ${commands.p50Ms.toFixed(1)} p99 ${commands.p99Ms.toFixed(1)}); node cpu ${(((cpu.user + cpu.system) / 1000 / wall) * 100).toFixed(0)}% of one core`);
  for (const [k, c] of [...counts].sort((a, b) => b[1].calls - a[1].calls).slice(0, 15)) console.log(`${String(c.calls).padStart(7)} calls ${(c.bytes / Math.max(1, c.calls)).toFixed(0).padStart(7)} B/call  ${k}`);
  await store.close();
  await database.close();
} finally {
  await db.drop();
}
process.exit(0);
