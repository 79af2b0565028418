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
import { RowCache } from './rows';
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

/** Reads pages of $all with one page always in flight. */
async function* pages(store: EventStore, after: number, limit: number): AsyncGenerator<StoredEvent[]> {
  let next = store.readAll({ after, limit });
  for (;;) {
    const page = await next;
    if (page.length === 0) return;
    const full = page.length === limit;
    if (full) next = store.readAll({ after: page[page.length - 1].position, limit });
    yield page;
    if (!full) return;
  }
}

export async function rebuildProjection(options: RebuildOptions): Promise<RebuildResult> {
  const { store, db, projection } = options;
  const name = projection.name;
  if (localRebuilds.has(name)) throw new RebuildInProgressError(name);
  localRebuilds.add(name);
  try {
    if (options.dbKind !== 'postgres') return await runRebuild(options);
    // One session holds the rebuild lock for the duration, so two processes never rebuild one projection at once.
    return await db.connection().execute(async (conn) => {
      const key = lockKey(name);
      const { rows } = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(${REBUILD_LOCK_CLASS}::int, ${key}::int) AS ok`.execute(conn);
      if (!rows[0]?.ok) throw new RebuildInProgressError(name);
      try {
        return await runRebuild(options);
      } finally {
        await sql`SELECT pg_advisory_unlock(${REBUILD_LOCK_CLASS}::int, ${key}::int)`.execute(conn);
      }
    });
  } finally {
    localRebuilds.delete(name);
  }
}

async function runRebuild(options: RebuildOptions): Promise<RebuildResult> {
  const { store, db, projection } = options;
  const name = projection.name;
  const batchSize = options.batchSize ?? 5000;
  const schema = rebuildSchemaName(name);
  const started = Date.now();
  const interval = options.progressIntervalMs ?? 250;
  let lastReport = 0;
  let total = await store.headPosition();
  let done = 0;
  let handled = 0;
  let position = 0;
  const report = (phase: RebuildProgress['phase'], force = false) => {
    if (!options.onProgress) return;
    const now = Date.now();
    if (!force && now - lastReport < interval) return;
    lastReport = now;
    const elapsedMs = now - started;
    options.onProgress({ projection: name, phase, done, total: Math.max(total, position), position, rate: elapsedMs > 0 ? Math.round((done * 1000) / elapsedMs) : 0, elapsedMs });
  };
  report('prepare', true);

  const indexStatements = await prepareSchema(db, schema, projection.tables);
  const cache = new RowCache(true);
  const inRebuildSchema = async (trx: Transaction<any>, events: StoredEvent[]) => {
    await sql`SET LOCAL search_path TO ${ident(schema)}`.execute(trx);
    handled += await applyEvents(projection, events, trx, { rowCache: cache });
    await sql`SET LOCAL search_path TO public`.execute(trx);
  };

  try {
    // Replay: each page one transaction (pages are batchSize events), the next page read meanwhile.
    let lastHeadCheck = Date.now();
    for (;;) {
      let read = 0;
      for await (const page of pages(store, position, batchSize)) {
        await db.transaction().execute((trx) => inRebuildSchema(trx, page));
        position = page[page.length - 1].position;
        done += page.length;
        read += page.length;
        if (Date.now() - lastHeadCheck > 2000) {
          lastHeadCheck = Date.now();
          total = await store.headPosition();
        }
        report('replay');
      }
      if (read < batchSize) break; // the tail is short now; the swap takes the rest
    }

    report('index', true);
    for (const statement of indexStatements) await sql.raw(statement).execute(db);

    // Swap: lock the live checkpoint, apply the last tail, move the tables, write the checkpoint.
    report('swap', true);
    for (;;) {
      const tail = await store.readAll({ after: position, limit: batchSize });
      if (tail.length === batchSize) {
        await db.transaction().execute((trx) => inRebuildSchema(trx, tail));
        position = tail[tail.length - 1].position;
        done += tail.length;
        continue;
      }
      const tailEnd = tail.length ? tail[tail.length - 1].position : position;
      const swapped = await db.transaction().execute(async (trx) => {
        const live = await lockCheckpoint(trx, name, projection.version);
        if (live.position > tailEnd) return false; // the live runner got further than our tail: read on
        if (tail.length) await inRebuildSchema(trx, tail);
        for (const table of projection.tables) {
          await sql`DROP TABLE IF EXISTS public.${ident(table)}`.execute(trx);
          await sql`ALTER TABLE ${ident(schema)}.${ident(table)} SET SCHEMA public`.execute(trx);
        }
        await sql`DROP SCHEMA ${ident(schema)}`.execute(trx);
        await writeCheckpoint(trx, name, projection.version, tailEnd);
        return true;
      });
      if (!swapped) continue;
      position = tailEnd;
      done += tail.length;
      break;
    }
  } catch (e) {
    await sql`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`.execute(db).catch(() => {});
    throw e;
  }
  total = Math.max(total, position);
  report('done', true);
  const durationMs = Date.now() - started;
  return { projection: name, position, events: done, handled, durationMs, rate: durationMs > 0 ? Math.round((done * 1000) / durationMs) : done };
}
