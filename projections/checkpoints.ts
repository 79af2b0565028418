/**
 * The runner's checkpoint rows: one per projection, written in the same transaction as the
 * projection's rows. Always addressed as public.projection_checkpoints, so a rebuild transaction
 * that points search_path at its own schema still reads and writes the live checkpoint.
 */
import { sql, type Kysely, type Transaction } from 'kysely';

export interface Checkpoint {
  name: string;
  version: number;
  position: number;
  updatedAt: string;
}

const table = sql`public.projection_checkpoints`;

/** Creates missing rows at position 0 with the projection's current version. */
export async function ensureCheckpoints(db: Kysely<any>, projections: readonly { name: string; version: number }[]): Promise<void> {
  if (projections.length === 0) return;
  await sql`
    INSERT INTO ${table} (name, version, position, updated_at)
    SELECT name, version, 0, now() FROM json_populate_recordset(NULL::public.projection_checkpoints, ${JSON.stringify(
      projections.map((p) => ({ name: p.name, version: p.version })),
    )}::json)
    ON CONFLICT (name) DO NOTHING`.execute(db);
}

function toCheckpoint(row: Record<string, unknown>): Checkpoint {
  const at = row.updated_at;
  return {
    name: String(row.name),
    version: Number(row.version),
    position: Number(row.position),
    updatedAt: at instanceof Date ? at.toISOString() : String(at),
  };
}

export async function readCheckpoints(db: Kysely<any> | Transaction<any>): Promise<Map<string, Checkpoint>> {
  const { rows } = await sql<Record<string, unknown>>`SELECT name, version, position, updated_at FROM ${table}`.execute(db);
  return new Map(rows.map((r) => [String(r.name), toCheckpoint(r)]));
}

/**
 * Locks the projection's checkpoint row for the rest of the transaction (creating it when
 * missing), so two writers of one projection serialize and each sees the other's position.
 */
export async function lockCheckpoint(trx: Transaction<any>, name: string, version: number): Promise<Checkpoint> {
  // Also: this transaction commits without waiting for its WAL flush. Read models are derived and
  // the checkpoint rolls back with the rows, so a commit lost in a crash is simply applied again.
  const select = () =>
    sql<Record<string, unknown>>`SELECT name, version, position, updated_at, set_config('synchronous_commit', 'off', true) AS sync FROM ${table} WHERE name = ${name} FOR UPDATE`.execute(trx);
  let { rows } = await select();
  if (rows.length === 0) {
    await sql`INSERT INTO ${table} (name, version, position, updated_at) VALUES (${name}, ${version}, 0, now()) ON CONFLICT (name) DO NOTHING`.execute(trx);
    ({ rows } = await select());
  }
  return toCheckpoint(rows[0]);
}

export async function writeCheckpoint(trx: Transaction<any>, name: string, version: number, position: number): Promise<void> {
  await sql`UPDATE ${table} SET version = ${version}, position = ${position}, updated_at = now() WHERE name = ${name}`.execute(trx);
}
