/**
 * The row engine behind Bosun's read models: a handler is a pure function that, for one event,
 * names the rows it touches and how each evolves (`fold`), or the rows it adds (`insert`). The
 * engine loads the touched rows once per batch, folds every event in memory, and writes the final
 * rows with one multi-row statement per table (one jsonb parameter: an array of rows, each an
 * array of column values, see `rowsParameter`). So a batch of thousands of events costs a handful
 * of round trips, and `apply(event)` is simply a batch of one.
 *
 * Idempotency: a folded row carries the `position` of the last event that changed it; an event at
 * or below that position is skipped for that row. Inserts are `ON CONFLICT DO NOTHING`.
 */
import { sql, type Transaction } from 'kysely';
import type { StoredEvent } from '../eventstore/types';

export type ColumnKind = 'text' | 'int4' | 'int8' | 'float8' | 'bool' | 'timestamptz' | 'jsonb';

export interface RowTable<Row extends object> {
  readonly name: string;
  readonly key: readonly (keyof Row & string)[];
  readonly columns: { readonly [K in keyof Row & string]: ColumnKind };
}

const definedTables = new Set<RowTable<any>>();

/**
 * A read-model table as the engine writes it. Each column's kind must be its SQL type (the engine
 * casts values to it; tests/projections/row-tables.int.test.ts checks every defined table).
 */
export function defineTable<Row extends object>(
  name: string,
  key: readonly (keyof Row & string)[],
  columns: { readonly [K in keyof Row & string]: ColumnKind },
): RowTable<Row> {
  const table = { name, key, columns };
  definedTables.add(table);
  return table;
}

/** Every table defined so far (for the schema check in the tests). */
export function definedRowTables(): RowTable<any>[] {
  return [...definedTables];
}

/** What a handler returns for one event. */
export type RowUpdate =
  | {
      readonly kind: 'fold';
      readonly table: RowTable<any>;
      readonly key: Readonly<Record<string, unknown>>;
      /** Returns the new row, `null` to delete it, or `current` itself for "no change". */
      readonly evolve: (current: any | undefined) => any | null;
    }
  | { readonly kind: 'insert'; readonly table: RowTable<any>; readonly row: Readonly<Record<string, unknown>> };

export function fold<Row extends object>(
  table: RowTable<Row>,
  key: Partial<Row>,
  evolve: (current: Row | undefined) => Row | null | undefined,
): RowUpdate {
  return { kind: 'fold', table, key, evolve: (current) => { const next = evolve(current); return next === undefined ? current : next; } };
}

export function insert<Row extends object>(table: RowTable<Row>, row: Row): RowUpdate {
  return { kind: 'insert', table, row: row as Record<string, unknown> };
}

/**
 * Rows known to the engine, by table and key. `authoritative` means the tables were empty when
 * the cache was created and every write since went through it, so a miss is an absent row.
 * An authoritative cache may also `deferWrites` (a rebuild): folded rows then stay in the cache,
 * marked dirty, until `flushRows` writes each once (a namespace created, provisioned and
 * re-quoted in different batches is written once, not upserted three times; so is a cluster row
 * that every batch changes). Inserts are written at once either way (they are not kept).
 */
export class RowCache {
  readonly rows = new Map<string, Map<string, Record<string, unknown> | null>>();
  /** Deferred: per table, the keys (and key values) changed and not written yet. */
  readonly dirty = new Map<string, { table: RowTable<any>; keys: Map<string, Record<string, unknown>> }>();
  constructor(
    readonly authoritative = false,
    readonly deferWrites = false,
  ) {
    if (deferWrites && !authoritative) throw new Error('RowCache: only an authoritative cache can defer writes');
  }
  table(name: string): Map<string, Record<string, unknown> | null> {
    let t = this.rows.get(name);
    if (!t) this.rows.set(name, (t = new Map()));
    return t;
  }
}

const CHUNK = 2000;

function keyString(table: RowTable<any>, values: Readonly<Record<string, unknown>>): string {
  const key = table.key;
  if (key.length === 1) return String(values[key[0]] ?? '');
  // Key values are text or numbers; PostgreSQL text never holds NUL, so NUL separates them unambiguously.
  let out = keyPart(values[key[0]]);
  for (let i = 1; i < key.length; i++) out += '\u0000' + keyPart(values[key[i]]);
  return out;
}

function keyPart(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

/** The evolved row carrying its key columns (a copy only when the handler left one out or changed it). */
function withKey(next: Record<string, unknown>, key: Readonly<Record<string, unknown>>): Record<string, unknown> {
  for (const column in key) if (next[column] !== key[column]) return { ...next, ...key };
  return next;
}

/** Converts what the driver returns (bigint strings, Dates) to the row's JS shape. */
export function normalizeRow<Row extends object>(table: RowTable<Row>, raw: Record<string, unknown>): Row {
  const out: Record<string, unknown> = {};
  for (const [column, kind] of Object.entries(table.columns) as [string, ColumnKind][]) {
    const v = raw[column];
    if (v === null || v === undefined) {
      out[column] = null;
    } else if (kind === 'int8' || kind === 'int4' || kind === 'float8') {
      out[column] = Number(v);
    } else if (kind === 'timestamptz') {
      out[column] = v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString();
    } else if (kind === 'bool') {
      out[column] = Boolean(v);
    } else {
      out[column] = v;
    }
  }
  return out as Row;
}

/**
 * Rows as one jsonb parameter: an array of rows, each the array of its values in `columns` order
 * (not objects: column names once per statement instead of once per row, a third fewer bytes to
 * send, and PostgreSQL takes each value by index from one parsed document instead of matching
 * names and parsing each jsonb value again, as json_populate_recordset does).
 */
function rowsParameter(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const out = new Array<unknown[]>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const values = new Array<unknown>(columns.length);
    for (let c = 0; c < columns.length; c++) values[c] = row[columns[c]] ?? null;
    out[i] = values;
  }
  return JSON.stringify(out);
}

/** The SQL value of column `index` of the row array `e`, as its kind's type (JSON null is SQL NULL). */
function columnValue(kind: ColumnKind, index: number) {
  const i = sql.lit(index);
  switch (kind) {
    case 'jsonb':
      return sql`nullif(e.value -> ${i}, 'null'::jsonb)`;
    case 'text':
      return sql`(e.value ->> ${i})`;
    case 'int4':
      return sql`(e.value ->> ${i})::int4`;
    case 'int8':
      return sql`(e.value ->> ${i})::int8`;
    case 'float8':
      return sql`(e.value ->> ${i})::float8`;
    case 'bool':
      return sql`(e.value ->> ${i})::bool`;
    case 'timestamptz':
      return sql`(e.value ->> ${i})::timestamptz`;
    default:
      throw new Error(`unknown column kind ${String(kind)}`);
  }
}

interface TableSql {
  columns: string[];
  keys: string[];
  /** `col, col, …` of every column / of the key. */
  columnList: ReturnType<typeof sql.join>;
  keyList: ReturnType<typeof sql.join>;
  /** The values of a row array `e`, every column / the key columns. */
  rowValues: ReturnType<typeof sql.join>;
  keyValues: ReturnType<typeof sql.join>;
  onConflict: ReturnType<typeof sql>;
}

const tableSqlCache = new WeakMap<RowTable<any>, TableSql>();

function tableSql(table: RowTable<any>): TableSql {
  let t = tableSqlCache.get(table);
  if (!t) {
    const columns = Object.keys(table.columns);
    const keys = [...table.key];
    const nonKey = columns.filter((c) => !keys.includes(c));
    const set = sql.join(nonKey.map((c) => sql`${ref(c)} = ${sql.ref(`excluded.${c}`)}`));
    t = {
      columns,
      keys,
      columnList: sql.join(columns.map(ref)),
      keyList: sql.join(keys.map(ref)),
      rowValues: sql.join(columns.map((c, i) => columnValue(table.columns[c], i))),
      keyValues: sql.join(keys.map((c, i) => columnValue(table.columns[c], i))),
      onConflict: nonKey.length ? sql`ON CONFLICT (${sql.join(keys.map(ref))}) DO UPDATE SET ${set}` : sql`ON CONFLICT DO NOTHING`,
    };
    tableSqlCache.set(table, t);
  }
  return t;
}

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  if (items.length <= size) return [items as T[]];
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const ref = (c: string) => sql.ref(c);

async function loadRows(trx: Transaction<any>, table: RowTable<any>, keys: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const t = tableSql(table);
  const out: Record<string, unknown>[] = [];
  for (const part of chunks(keys)) {
    const result = await sql<Record<string, unknown>>`
      SELECT * FROM ${sql.table(table.name)} WHERE (${t.keyList}) IN (
        SELECT ${t.keyValues} FROM jsonb_array_elements(${rowsParameter(t.keys, part)}::jsonb) AS e)`.execute(trx);
    out.push(...result.rows);
  }
  return out;
}

async function upsertRows(trx: Transaction<any>, table: RowTable<any>, rows: Record<string, unknown>[]): Promise<void> {
  const t = tableSql(table);
  for (const part of chunks(rows)) {
    await sql`
      INSERT INTO ${sql.table(table.name)} (${t.columnList})
      SELECT ${t.rowValues} FROM jsonb_array_elements(${rowsParameter(t.columns, part)}::jsonb) AS e
      ${t.onConflict}`.execute(trx);
  }
}

/** Multi-row insert that ignores rows already present (by any unique key). */
export async function insertRows(trx: Transaction<any>, table: RowTable<any>, rows: readonly Record<string, unknown>[]): Promise<void> {
  const t = tableSql(table);
  for (const part of chunks(rows)) {
    await sql`
      INSERT INTO ${sql.table(table.name)} (${t.columnList})
      SELECT ${t.rowValues} FROM jsonb_array_elements(${rowsParameter(t.columns, part)}::jsonb) AS e
      ON CONFLICT DO NOTHING`.execute(trx);
  }
}

async function deleteRows(trx: Transaction<any>, table: RowTable<any>, keys: Record<string, unknown>[]): Promise<void> {
  const t = tableSql(table);
  for (const part of chunks(keys)) {
    await sql`
      DELETE FROM ${sql.table(table.name)} WHERE (${t.keyList}) IN (
        SELECT ${t.keyValues} FROM jsonb_array_elements(${rowsParameter(t.keys, part)}::jsonb) AS e)`.execute(trx);
  }
}

/**
 * Applies `route(event)` for every event, in order, with one load and one write per table.
 * Returns nothing; the effect equals applying the events one by one.
 */
export async function applyRowUpdates(
  trx: Transaction<any>,
  events: readonly StoredEvent[],
  route: (event: StoredEvent) => readonly RowUpdate[],
  cache: RowCache = new RowCache(false),
): Promise<void> {
  const planned = events.map((event) => ({ event, updates: route(event) }));
  const tables = new Map<string, RowTable<any>>();

  // 1. Load the rows the batch folds over and the cache does not know yet.
  if (!cache.authoritative) {
    const missing = new Map<string, Map<string, Record<string, unknown>>>();
    for (const { updates } of planned) {
      for (const u of updates) {
        if (u.kind !== 'fold') continue;
        tables.set(u.table.name, u.table);
        const k = keyString(u.table, u.key);
        if (cache.table(u.table.name).has(k)) continue;
        let m = missing.get(u.table.name);
        if (!m) missing.set(u.table.name, (m = new Map()));
        m.set(k, u.key as Record<string, unknown>);
      }
    }
    for (const [name, keys] of missing) {
      const table = tables.get(name)!;
      const cached = cache.table(name);
      for (const k of keys.keys()) cached.set(k, null);
      for (const raw of await loadRows(trx, table, [...keys.values()])) {
        const row = normalizeRow(table, raw);
        cached.set(keyString(table, row as Record<string, unknown>), row as Record<string, unknown>);
      }
    }
  }

  // 2. Fold in memory.
  const dirty = new Map<string, Map<string, Record<string, unknown>>>(); // table -> key -> key values
  const inserts = new Map<string, Record<string, unknown>[]>();
  for (const { event, updates } of planned) {
    for (const u of updates) {
      tables.set(u.table.name, u.table);
      if (u.kind === 'insert') {
        let list = inserts.get(u.table.name);
        if (!list) inserts.set(u.table.name, (list = []));
        list.push(u.row as Record<string, unknown>);
        continue;
      }
      const cached = cache.table(u.table.name);
      const k = keyString(u.table, u.key);
      const current = cached.get(k) ?? undefined;
      const guarded = 'position' in u.table.columns;
      if (guarded && current && Number(current.position) >= event.position) continue;
      const next = u.evolve(current);
      if (next === current) continue;
      if (next && guarded) (next as Record<string, unknown>).position = event.position;
      cached.set(k, next ? withKey(next as Record<string, unknown>, u.key) : null);
      let d = dirty.get(u.table.name);
      if (!d) dirty.set(u.table.name, (d = new Map()));
      d.set(k, u.key as Record<string, unknown>);
    }
  }

  // 3. Write final states: deletes, upserts, inserts.
  if (cache.deferWrites) deferRows(cache, dirty, tables);
  else for (const [name, keys] of dirty) await writeRows(trx, tables.get(name)!, cache.table(name), keys);
  for (const [name, rows] of inserts) await insertRows(trx, tables.get(name)!, rows);
}

/** Marks this batch's rows dirty, for flushRows. */
function deferRows(cache: RowCache, changed: Map<string, Map<string, Record<string, unknown>>>, tables: Map<string, RowTable<any>>): void {
  for (const [name, keys] of changed) {
    let pending = cache.dirty.get(name);
    if (!pending) cache.dirty.set(name, (pending = { table: tables.get(name)!, keys: new Map() }));
    for (const [k, key] of keys) pending.keys.set(k, key);
  }
}

/** Writes the cached state of `keys`: upserts the rows present, deletes the rows gone. */
async function writeRows(
  trx: Transaction<any>,
  table: RowTable<any>,
  cached: Map<string, Record<string, unknown> | null>,
  keys: Map<string, Record<string, unknown>>,
): Promise<void> {
  const upserts: Record<string, unknown>[] = [];
  const deletes: Record<string, unknown>[] = [];
  for (const [k, keyValues] of keys) {
    const row = cached.get(k);
    if (row) upserts.push(row);
    else deletes.push(keyValues);
  }
  if (deletes.length) await deleteRows(trx, table, deletes);
  if (upserts.length) await upsertRows(trx, table, upserts);
}

/** Writes every row a deferring cache still holds dirty; returns how many. */
export async function flushRows(trx: Transaction<any>, cache: RowCache): Promise<number> {
  let written = 0;
  for (const [name, { table, keys }] of cache.dirty) {
    await writeRows(trx, table, cache.table(name), keys);
    written += keys.size;
  }
  cache.dirty.clear();
  return written;
}

export interface RowProjectionSpec {
  name: string;
  version: number;
  tables: readonly RowTable<any>[];
  /** Event types the projection reads. */
  eventTypes: readonly string[];
  /** The pure handler: which rows one event touches and how. */
  route(event: StoredEvent): readonly RowUpdate[];
}

/** A projection whose handlers are row folds; `apply` is a batch of one. */
export function defineRowProjection(spec: RowProjectionSpec) {
  const types = new Set(spec.eventTypes);
  return {
    name: spec.name,
    version: spec.version,
    tables: spec.tables.map((t) => t.name),
    route: spec.route,
    canHandle: (event: StoredEvent) => types.has(event.type),
    apply: (event: StoredEvent, trx: Transaction<any>) => applyRowUpdates(trx, [event], spec.route),
    applyBatch: (events: readonly StoredEvent[], trx: Transaction<any>, context?: { rowCache?: RowCache }) =>
      applyRowUpdates(trx, events, spec.route, context?.rowCache),
  };
}
