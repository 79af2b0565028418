/**
 * Crash test (PostgreSQL): a child process runs the runner over a prepared log and is SIGKILLed at
 * random moments, again and again. At the end the read models must equal a fresh rebuild's, and
 * the non-idempotent probe projection must hold every event exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allProjections } from '../../projections';
import { rebuildProjections } from '../../projections/rebuild';
import { readCheckpoints } from '../../projections/checkpoints';
import { appendTenancyLog, appendTenancyLogBulk } from './fixtures/tenancy-log';
import { createProbeTables } from './fixtures/probe';
import { dumpTables, openBackend, type Backend } from './support';

const CHILD = fileURLToPath(new URL('./fixtures/crash-runner.ts', import.meta.url));
const KILLS = 20;

function startChild(url: string, args: string[] = []): { child: ChildProcess; started: Promise<void>; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    env: { ...process.env, DATABASE_URL: url, BATCH_SIZE: String(20 + Math.floor(Math.random() * 150)) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let resolveStarted!: () => void;
  const started = new Promise<void>((r) => (resolveStarted = r));
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('started')) resolveStarted();
  });
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, started, exited, output: () => out };
}

const tables = allProjections.flatMap((p) => p.tables);

describe('projection runner under SIGKILL (postgres)', () => {
  let backend: Backend;
  let head: number;

  beforeAll(async () => {
    backend = await openBackend('postgres', 'proj_crash');
    await createProbeTables(backend.db);
    head = await appendTenancyLog(backend.store, 3000, { seed: 7 });
  });
  afterAll(async () => {
    await backend?.close();
  });

  it(`loses and doubles nothing over ${KILLS} kills`, async () => {
    const positions: number[] = [];
    const heads: number[] = [];
    let kills = 0;
    for (let i = 0; i < KILLS; i++) {
      // Fresh work for every life: the runner is behind when it starts.
      if (i > 0) head = await appendTenancyLogBulk(backend.store, 1000, { seed: 100 + i, start: `2026-04-${String(1 + i).padStart(2, '0')}T00:00:00.000Z`, commandsPerAppend: 50 });
      const run = startChild(backend.url!);
      await Promise.race([run.started, run.exited]);
      // Die at a random moment of the catch-up (the whole catch-up takes a few seconds).
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 600));
      if (run.child.exitCode === null) {
        run.child.kill('SIGKILL');
        kills++;
      }
      await run.exited;
      expect(run.output()).not.toMatch(/runner error/);
      heads.push(head);
      positions.push(Math.min(...[...(await readCheckpoints(backend.db)).values()].map((c) => c.position)));
    }
    console.log(`crash test: lowest checkpoint / head after each kill: ${positions.map((p, i) => `${p}/${heads[i]}`).join(' ')}`);
    // Killed mid-way at least a few times (not always after the end).
    expect(kills).toBe(KILLS);
    expect(positions.filter((p, i) => p > 0 && p < heads[i]).length).toBeGreaterThan(KILLS / 2);

    const last = startChild(backend.url!, ['--until-caught-up']);
    expect(await last.exited).toBe(0);
    expect(last.output()).not.toMatch(/runner error/);

    // Exactly once: one probe row per event, the counter equal to it.
    const count = await sql<{ n: string; total: string; max: string }>`
      SELECT (SELECT count(*) FROM probe_log) AS n, (SELECT applied FROM probe_total WHERE id = 1) AS total, (SELECT max(position) FROM probe_log) AS max`.execute(backend.db);
    const events = (await sql<{ n: string }>`SELECT count(*) AS n FROM events`.execute(backend.db)).rows[0].n;
    expect(Number(count.rows[0].n)).toBe(Number(events));
    expect(Number(count.rows[0].total)).toBe(Number(events));
    expect(Number(count.rows[0].max)).toBe(head);

    const live = await dumpTables(backend.db, tables);
    await rebuildProjections({ store: backend.store, db: backend.db, dbKind: 'postgres', projections: allProjections });
    const rebuilt = await dumpTables(backend.db, tables);
    for (const table of tables) {
      expect(live[table].length, table).toBeGreaterThan(0);
      expect(live[table], table).toEqual(rebuilt[table]);
    }
  }, 300_000);
});
