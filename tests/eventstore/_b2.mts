import { createTestDatabase } from '../support/postgres';
import { openDatabase } from '../../db/connect';
import { openPostgresEventStore } from '../../eventstore/postgres';
import { measureAppendRate, measureRawInsertRate } from '../../bench/eventstore';
const t = await createTestDatabase('b2');
const raw = await measureRawInsertRate(t.url, { clients: 8, seconds: 4 });
console.log('raw', raw.perSecond.toFixed(0));
for (const [pool, inflight] of [[10, 1], [10, 2], [10, 1], [10, 2]]) {
  const db = await openDatabase({ kind: 'postgres', url: t.url, poolSize: pool });
  const store = await openPostgresEventStore({ shared: db }, { maxInFlight: inflight });
  const t0 = process.cpuUsage();
  const r = await measureAppendRate(store, { concurrency: 8, seconds: 4 });
  const cpu = process.cpuUsage(t0);
  console.log(pool, inflight, r.perSecond.toFixed(0), 'node cpu %', ((cpu.user + cpu.system) / 1e4 / r.seconds).toFixed(0));
  await store.close(); await db.close();
}
await t.drop();
