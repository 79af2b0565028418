import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../db/connect';
import { migrateToLatest } from '../../db/migrate';
import { createTestDatabase } from '../support/postgres';

const migration = (name: string) => `
export async function up(db) {
  await db.schema.createTable('order_log').ifNotExists().addColumn('seq', 'serial', (c) => c.primaryKey()).addColumn('name', 'text').execute();
  await db.insertInto('order_log').values({ name: '${name}' }).execute();
}
export async function down() {}
`;

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`db plumbing on ${kind}`, () => {
    let database: OpenedDatabase;
    let drop: (() => Promise<void>) | undefined;
    let folder: string;

    beforeAll(async () => {
      folder = await mkdtemp(path.join(tmpdir(), 'bosun-migrations-'));
      if (kind === 'postgres') {
        const t = await createTestDatabase('es_db');
        drop = t.drop;
        database = await openDatabase({ kind, url: t.url });
      } else {
        database = await openDatabase({ kind });
      }
    });
    afterAll(async () => {
      await database?.close();
      await drop?.();
      await rm(folder, { recursive: true, force: true });
    });

    it('runs every migration file of a folder in name order, later ones too (even unordered), once', async () => {
      await writeFile(path.join(folder, '2026_11_22_0300_c.mjs'), migration('c'));
      await writeFile(path.join(folder, '2026_11_22_0001_a.mjs'), migration('a'));
      await writeFile(path.join(folder, '2026_11_22_0200_b.mjs'), migration('b'));
      await writeFile(path.join(folder, 'notes.md'), 'not a migration');
      const first = await migrateToLatest(database.db, { folder, migrationTableName: 'test_migration' });
      expect(first.results?.map((r) => r.migrationName)).toEqual(['2026_11_22_0001_a', '2026_11_22_0200_b', '2026_11_22_0300_c']);
      await writeFile(path.join(folder, '2026_11_22_0100_late.mjs'), migration('late'));
      await writeFile(path.join(folder, '2026_11_22_0400_d.mjs'), migration('d'));
      await migrateToLatest(database.db, { folder, migrationTableName: 'test_migration' });
      await migrateToLatest(database.db, { folder, migrationTableName: 'test_migration' }); // nothing left to do
      const rows = await database.db.selectFrom('order_log').select('name').orderBy('seq').execute();
      expect(rows.map((r) => r.name)).toEqual(['a', 'b', 'c', 'late', 'd']);
    });

    it('applies the repository migrations (event store included) and exposes the driver', async () => {
      await migrateToLatest(database.db);
      const tables = await database.db.introspection.getTables();
      expect(tables.map((t) => t.name)).toContain('events');
      // 2026_11_22_1000 dropped the audit projection's copy of every event.
      expect(tables.map((t) => t.name)).toContain('audit_records');
      expect(tables.map((t) => t.name)).not.toContain('audit_events');
      if (kind === 'pglite') expect(database.pglite).toBeDefined();
      else expect(database.pg).toBeDefined();
    });

    it('Kysely transactions commit and roll back', async () => {
      await database.db.schema.createTable('tx_test').addColumn('n', 'integer').execute();
      await database.db.transaction().execute(async (trx) => {
        await trx.insertInto('tx_test').values({ n: 1 }).execute();
      });
      await expect(
        database.db.transaction().execute(async (trx) => {
          await trx.insertInto('tx_test').values({ n: 2 }).execute();
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect((await database.db.selectFrom('tx_test').select('n').execute()).map((r) => r.n)).toEqual([1]);
    });
  });
}
