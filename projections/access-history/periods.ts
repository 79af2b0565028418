/**
 * The period engine: folds period changes into open and closed rows. `evolveFamily` is pure;
 * `applyPeriodChanges` loads the open periods and positions of every family a batch touches (two
 * reads per table), folds the batch in memory and writes the rows it opened or closed (one statement
 * per table), so a batch of thousands of grants costs a handful of round trips.
 *
 * Idempotency: a family remembers the highest position any of its periods starts or ends at; an
 * event at or below it was applied already and changes nothing.
 */
import { sql, type Transaction } from 'kysely';
import type { StoredEvent } from '../../eventstore/types';
import { defineTable, normalizeRow, type RowTable } from '../rows';
import type { PeriodChange } from './handlers';
import { columnsOf, type PeriodEnds, type PeriodTable } from './tables';

export type PeriodRow = PeriodEnds & Record<string, unknown>;

export interface FamilyState {
  /** Open periods by member key. */
  readonly open: ReadonlyMap<string, PeriodRow>;
  /** Highest position a period of the family starts or ends at; 0 when it has none. */
  readonly position: number;
}

export const emptyFamily: FamilyState = { open: new Map(), position: 0 };

const keyOf = (columns: readonly string[], values: Readonly<Record<string, unknown>>) => JSON.stringify(columns.map((c) => values[c] ?? null));

export function memberKey(table: PeriodTable, row: Readonly<Record<string, unknown>>): string {
  return keyOf(table.member, row);
}

export function familyKey(table: PeriodTable, row: Readonly<Record<string, unknown>>): string {
  return keyOf(table.family, row);
}

/** Primary key of a period row: family, member, start. */
export function periodKey(table: PeriodTable, row: Readonly<Record<string, unknown>>): string {
  return keyOf([...table.family, ...table.member, 'from_position'], row);
}

/** The family after one change, and the rows it opened or closed (empty when it changed nothing). */
export function evolveFamily(state: FamilyState, change: PeriodChange, event: StoredEvent): { state: FamilyState; written: PeriodRow[] } {
  const next = { open: new Map(state.open), position: state.position };
  const written = applyToFamily(next, change, event);
  return written.length ? { state: next, written } : { state, written };
}

/** `evolveFamily` in place (the engine owns its states; a large group's grants are not copied per event). */
function applyToFamily(state: { open: Map<string, PeriodRow>; position: number }, change: PeriodChange, event: StoredEvent): PeriodRow[] {
  if (event.position <= state.position) return [];
  const { table } = change;
  const at = { position: event.position, time: event.metadata.occurredAt, actor: event.metadata.actor?.id ?? 'system' };
  const { open } = state;
  const written: PeriodRow[] = [];
  const close = (key: string) => {
    const row = open.get(key);
    if (!row) return;
    open.delete(key);
    written.push({ ...row, to_position: at.position, to_time: at.time, to_actor: at.actor });
  };
  const wanted = new Map(change.members.map((m) => [keyOf(table.member, m.key), m]));
  if (change.kind === 'close') {
    for (const key of wanted.keys()) close(key);
  } else {
    if (change.kind === 'set') for (const key of [...open.keys()]) if (!wanted.has(key)) close(key);
    for (const [key, member] of wanted) {
      if (open.has(key)) continue;
      const row: PeriodRow = {
        ...Object.fromEntries(Object.keys(table.attributes).map((c) => [c, member.attributes?.[c] ?? null])),
        ...change.family,
        ...member.key,
        from_position: at.position,
        from_time: at.time,
        from_actor: at.actor,
        to_position: null,
        to_time: null,
        to_actor: null,
      };
      open.set(key, row);
      written.push(row);
    }
  }
  if (written.length) state.position = event.position;
  return written;
}

const rowTables = new Map<string, RowTable<any>>();
function rowTable(table: PeriodTable): RowTable<any> {
  let t = rowTables.get(table.name);
  if (!t) rowTables.set(table.name, (t = defineTable<any>(table.name, [...table.family, ...table.member, 'from_position'], columnsOf(table) as any)));
  return t;
}

const CHUNK = 2000;
const ref = (c: string) => sql.ref(c);

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

type MutableFamily = { open: Map<string, PeriodRow>; position: number };

/** The open periods and positions of the families named, by family key. */
async function loadFamilies(trx: Transaction<any>, table: PeriodTable, families: readonly Record<string, string>[]): Promise<Map<string, MutableFamily>> {
  const out = new Map<string, MutableFamily>();
  const cols = sql.join(table.family.map(ref));
  for (const part of chunks(families)) {
    const wanted = sql`(${cols}) IN (SELECT ${cols} FROM json_populate_recordset(NULL::${sql.table(table.name)}, ${JSON.stringify(part)}::json))`;
    // Two reads: the positions need every period, the state only the open ones (far fewer rows to parse).
    const positions = await sql<Record<string, unknown>>`
      SELECT ${cols}, max(coalesce(to_position, from_position)) AS position FROM ${sql.table(table.name)} WHERE ${wanted} GROUP BY ${cols}`.execute(trx);
    for (const r of positions.rows) out.set(familyKey(table, r), { open: new Map(), position: Number(r.position) });
    const open = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table.name)} WHERE ${wanted} AND to_position IS NULL`.execute(trx);
    for (const raw of open.rows) {
      const row = normalizeRow(rowTable(table), raw) as PeriodRow;
      out.get(familyKey(table, row))?.open.set(memberKey(table, row), row);
    }
  }
  return out;
}

async function writeRows(trx: Transaction<any>, table: PeriodTable, rows: readonly PeriodRow[]): Promise<void> {
  const columns = Object.keys(columnsOf(table));
  const cols = sql.join(columns.map(ref));
  const key = sql.join([...table.family, ...table.member, 'from_position'].map(ref));
  for (const part of chunks(rows)) {
    await sql`
      INSERT INTO ${sql.table(table.name)} (${cols})
      SELECT ${cols} FROM json_populate_recordset(NULL::${sql.table(table.name)}, ${JSON.stringify(part)}::json)
      ON CONFLICT (${key}) DO UPDATE SET to_position = excluded.to_position, to_time = excluded.to_time, to_actor = excluded.to_actor`.execute(trx);
  }
}

/** Applies `route(event)` for every event in order; the effect equals applying them one by one. */
export async function applyPeriodChanges(trx: Transaction<any>, events: readonly StoredEvent[], route: (event: StoredEvent) => readonly PeriodChange[]): Promise<void> {
  const planned = events.map((event) => ({ event, changes: route(event) }));
  const tables = new Map<string, { table: PeriodTable; families: Map<string, Record<string, string>> }>();
  for (const { changes } of planned) {
    for (const change of changes) {
      let entry = tables.get(change.table.name);
      if (!entry) tables.set(change.table.name, (entry = { table: change.table, families: new Map() }));
      entry.families.set(familyKey(change.table, change.family), { ...change.family });
    }
  }
  const states = new Map<string, Map<string, MutableFamily>>();
  for (const [name, { table, families }] of tables) states.set(name, await loadFamilies(trx, table, [...families.values()]));

  const dirty = new Map<string, Map<string, PeriodRow>>();
  for (const { event, changes } of planned) {
    for (const change of changes) {
      const families = states.get(change.table.name)!;
      const fk = familyKey(change.table, change.family);
      let family = families.get(fk);
      if (!family) families.set(fk, (family = { open: new Map(), position: 0 }));
      const written = applyToFamily(family, change, event);
      if (written.length === 0) continue;
      let rows = dirty.get(change.table.name);
      if (!rows) dirty.set(change.table.name, (rows = new Map()));
      for (const row of written) rows.set(periodKey(change.table, row), row);
    }
  }
  for (const [name, rows] of dirty) await writeRows(trx, tables.get(name)!.table, [...rows.values()]);
}
