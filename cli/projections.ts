/**
 * `npx tsx cli/projections.ts rebuild [name]` — replays $all into fresh tables and swaps them in
 * (every projection when no name is given); a running Bosun keeps serving the old tables until then.
 * `npx tsx cli/projections.ts status` — checkpoints and lag.
 * Storage comes from the same environment as `npm start` (DATABASE_URL, EVENTSTORE_URL, BOSUN_DATA_DIR).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { configFromEnv } from '../app/config';
import { openDatabase } from '../db/connect';
import { migrateToLatest } from '../db/migrate';
import { openEventStore } from '../eventstore';
import type { EventStore } from '../eventstore/types';
import { allProjections, projectionByName } from '../projections';
import { readCheckpoints } from '../projections/checkpoints';
import { rebuildProjections, type RebuildProgress } from '../projections/rebuild';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when `out` is a terminal: the progress bar redraws one line. */
  tty: boolean;
  env?: NodeJS.ProcessEnv;
}

const USAGE = 'usage: projections rebuild [name] | projections status\nprojections: ' + allProjections.map((p) => p.name).join(', ');

export function formatProgress(p: RebuildProgress, width = 30): string {
  const total = Math.max(p.total, 1);
  const fraction = Math.min(1, p.position / total);
  const filled = Math.round(fraction * width);
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  const eta = p.rate > 0 && p.phase === 'replay' ? ` eta ${Math.max(0, Math.round((total - p.position) / p.rate))}s` : '';
  return `${p.projection} [${bar}] ${(fraction * 100).toFixed(1).padStart(5)}% ${p.position}/${p.total} events ${p.rate}/s ${p.phase}${eta}`;
}

export async function runProjectionsCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, name] = argv;
  if (command !== 'rebuild' && command !== 'status') {
    io.err(USAGE + '\n');
    return 2;
  }
  const chosen = name ? projectionByName(name) : undefined;
  if (name && !chosen) {
    io.err(`unknown projection "${name}"\n${USAGE}\n`);
    return 2;
  }
  const config = configFromEnv(io.env ?? process.env);
  const database = config.databaseUrl
    ? await openDatabase({ kind: 'postgres', url: config.databaseUrl, poolSize: 6 })
    : await openDatabase({ kind: 'pglite', dataDir: join(config.dataDir, 'pglite') });
  let store: EventStore | undefined;
  try {
    await migrateToLatest(database.db);
    store = config.eventStoreUrl
      ? await openEventStore({ kind: 'eventstoredb', url: config.eventStoreUrl })
      : await openEventStore(
          database.kind === 'postgres' ? { kind: 'postgres', url: config.databaseUrl!, migrate: false } : { kind: 'pglite', migrate: false },
          database,
        );
    if (command === 'status') {
      const head = await store.headPosition();
      const checkpoints = await readCheckpoints(database.db);
      for (const p of allProjections) {
        const cp = checkpoints.get(p.name);
        const version = cp ? (cp.version === p.version ? `v${cp.version}` : `v${cp.version} (code v${p.version}: rebuild needed)`) : 'never run';
        io.out(`${p.name.padEnd(12)} position ${cp?.position ?? 0}/${head} behind ${head - (cp?.position ?? 0)} ${version}\n`);
      }
      return 0;
    }
    // Without a name, every projection is rebuilt by one replay of the log.
    let last = '';
    const results = await rebuildProjections({
      store,
      db: database.db,
      dbKind: database.kind,
      projections: chosen ? [chosen] : allProjections,
      progressIntervalMs: io.tty ? 200 : 2000,
      onProgress: (p) => {
        last = formatProgress(p);
        io.out(io.tty ? `\r${last}\x1b[K` : `${last}\n`);
      },
    });
    if (io.tty && last) io.out('\n');
    for (const r of results) {
      io.out(`${r.projection}: rebuilt ${r.events} events (${r.handled} handled) in ${(r.durationMs / 1000).toFixed(1)}s, ${r.rate} events/s, checkpoint ${r.position}\n`);
    }
    return 0;
  } catch (e) {
    io.err(`${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    await store?.close();
    await database.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const code = await runProjectionsCli(process.argv.slice(2), {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    tty: Boolean(process.stdout.isTTY),
  });
  process.exit(code);
}
