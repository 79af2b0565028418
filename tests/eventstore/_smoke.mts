import { openDatabase } from '../../db/connect';
import { migrateToLatest } from '../../db/migrate';
import { createTestDatabase } from '../../tests/support/postgres';
import { sql } from 'kysely';
const b = JSON.stringify([[{s:'a-1',x:'no_stream',e:[{id:'00000000-0000-4000-8000-000000000001',type:'T',data:{a:1},metadata:{}}]}],[{s:'a-1',x:'no_stream',e:[]}],[{s:'a-2',x:'any',e:[{id:'00000000-0000-4000-8000-000000000001',type:'T',data:{},metadata:{}}]}]]);
for (const kind of ['pglite','postgres'] as const) {
  const t = kind === 'postgres' ? await createTestDatabase('smoke') : undefined;
  const o = await openDatabase(kind === 'postgres' ? { kind, url: t!.url } : { kind });
  const r = await migrateToLatest(o.db);
  console.log(kind, r.results?.map(x => x.migrationName + ':' + x.status));
  const rows = await sql`select * from event_store_append(${b}::jsonb)`.execute(o.db);
  console.log(rows.rows);
  const ev = await o.db.transaction().execute(async trx => (await sql`select position, recorded_at, data from events`.execute(trx)).rows);
  console.log(ev, typeof (ev[0] as any).position);
  await o.close(); await t?.drop();
}
