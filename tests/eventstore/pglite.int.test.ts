import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connect';
import { openEventStore } from '../../eventstore/index';
import { eventStoreContract, newEvent, take } from './contract';

eventStoreContract('pglite (in memory)', async () => ({ store: await openEventStore({ kind: 'pglite' }) }));

describe('pglite event store sharing one PGlite with the read models', () => {
  it('serializes a Kysely transaction and concurrent appends on the same instance', async () => {
    const database = await openDatabase({ kind: 'pglite' });
    try {
      const store = await openEventStore({ kind: 'pglite' }, database);
      const other = await openEventStore({ kind: 'pglite', migrate: false }, database);
      const live = take(other.subscribeAll({ filter: { streamPrefixes: ['ns-'] } }), 20);
      await database.db.schema.createTable('rm_test').addColumn('n', 'integer').execute();
      const trx = database.db.transaction().execute(async (t) => {
        await t.insertInto('rm_test').values({ n: 1 }).execute();
        await new Promise((r) => setTimeout(r, 50));
        await t.insertInto('rm_test').values({ n: 2 }).execute();
      });
      await Promise.all([
        trx,
        ...Array.from({ length: 20 }, (_, i) => store.append(`ns-${i % 4}`, [newEvent('NamespaceCreated', { i })], { expectedRevision: 'any' })),
      ]);
      expect((await database.db.selectFrom('rm_test').selectAll().execute()).length).toBe(2);
      const got = await live; // the other store over the same instance was woken in-process
      expect(got).toHaveLength(20);
      await store.close();
      await other.close();
      // the shared database stays open for the read models
      expect((await database.db.selectFrom('rm_test').select('n').execute()).length).toBe(2);
    } finally {
      await database.close();
    }
  });

  it('persists in a data directory', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const dir = await mkdtemp('/tmp/bosun-pglite-');
    try {
      const a = await openEventStore({ kind: 'pglite', dataDir: dir });
      await a.append('cluster-1', [newEvent('ClusterRegistered')], { expectedRevision: 'no_stream' });
      await a.close();
      const b = await openEventStore({ kind: 'pglite', dataDir: dir });
      expect((await b.readStream('cluster-1')).map((e) => e.type)).toEqual(['ClusterRegistered']);
      await b.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
