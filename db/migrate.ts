import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { Migrator, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';

/** The repository's `migrations/` folder. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../migrations/', import.meta.url));

const MIGRATION_FILE = /^(?!.*\.d\.ts$).+\.(ts|js|mjs)$/;

/**
 * Imports every migration file of a folder (fs + dynamic import(); import.meta.glob does not exist
 * under tsx). The migration name is the file name without extension; Kysely runs them in name order.
 */
export class FolderMigrationProvider implements MigrationProvider {
  constructor(
    private readonly folder: string = MIGRATIONS_FOLDER,
    private readonly include: (name: string) => boolean = () => true,
  ) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(this.folder)).filter((f) => MIGRATION_FILE.test(f) && !f.includes('.test.')).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const name = file.replace(/\.(ts|js|mjs)$/, '');
      if (!this.include(name)) continue;
      const mod = await import(pathToFileURL(path.join(this.folder, file)).href);
      if (typeof mod.up !== 'function') throw new Error(`migration ${file} exports no up(db)`);
      migrations[name] = { up: mod.up, down: typeof mod.down === 'function' ? mod.down : undefined };
    }
    return migrations;
  }
}

export interface MigrateOptions {
  folder?: string;
  /** Only migrations whose name passes (default: all of them). */
  include?: (name: string) => boolean;
  /** Kysely's bookkeeping table (default kysely_migration); a separate folder needs its own. */
  migrationTableName?: string;
}

/**
 * Runs every pending migration of `migrations/` in name order, on PostgreSQL and PGlite alike.
 * Concurrent callers are safe (Kysely takes an advisory lock). Unordered migrations are allowed:
 * several engineers add timestamped files, and one that sorts before an already-applied one still runs.
 * Throws on the first failing migration.
 */
export async function migrateToLatest(db: Kysely<any>, options: MigrateOptions = {}): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: new FolderMigrationProvider(options.folder, options.include),
    allowUnorderedMigrations: true,
    ...(options.migrationTableName
      ? { migrationTableName: options.migrationTableName, migrationLockTableName: `${options.migrationTableName}_lock` }
      : {}),
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const err = result.error instanceof Error ? result.error : new Error(String(result.error));
    if (failed) err.message = `migration ${failed.migrationName} failed: ${err.message}`;
    throw err;
  }
  return result;
}
