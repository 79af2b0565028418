import { createTestDatabase } from '../support/postgres';
import { openPostgresEventStore } from '../../eventstore/postgres';
import { measureAppendRate } from '../../bench/eventstore';
const t = await createTestDatabase('b3');
const store: any = await openPostgresEventStore({ url: t.url });
const orig = store.client.query.bind(store.client);
const stats: Record<string, { n: number; ms: number; rows: number }> = {};
store.client.query = async (text: string, params: any[]) => {
  const k = text.includes('event_store_append') ? 'append' : text.includes('unnest') ? 'readStreams' : 'other';
  const t0 = performance.now(); const r = await orig(text, params); const s = (stats[k] ??= { n: 0, ms: 0, rows: 0 });
  s.n++; s.ms += performance.now() - t0; s.rows += k === 'readStreams' ? params[0].length : k === 'append' ? JSON.parse(params[0]).length : 0; return r;
};
const r = await measureAppendRate(store, { concurrency: 8, seconds: 4 });
console.log(r.perSecond.toFixed(0), r.latencyMs);
for (const [k, s] of Object.entries(stats)) console.log(k, 'calls', s.n, 'avg ms', (s.ms / s.n).toFixed(2), 'avg batch', (s.rows / s.n).toFixed(1));
await store.close(); await t.drop();
