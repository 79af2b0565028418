import { createTestDatabase } from '../support/postgres';
import { openEventStore } from '../../eventstore/index';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
const t = await createTestDatabase('prof');
const store = await openEventStore({ kind: 'postgres', url: t.url });
const c = new pg.Client({ connectionString: t.url }); await c.connect();
const md = { actor: { kind: 'system', id: 'b', name: 'b' }, commandId: 'x', correlationId: 'x', causationId: null, occurredAt: 'x', clientIp: null, schemaVersion: 1 };
const mk = (i: number) => [{ s: `a-${i}-${Math.random()}`, x: 'any', e: [{ id: randomUUID(), type: 'T', data: { cpu: '1' }, metadata: md }] }, { s: `b-${i % 50}`, x: 'any', e: [{ id: randomUUID(), type: 'T', data: { cpu: '1' }, metadata: md }] }];
for (let k = 0; k < 300; k++) await c.query('select * from event_store_append($1::jsonb)', [JSON.stringify(Array.from({ length: 8 }, (_, i) => mk(i)))]);
console.log((await c.query("explain analyze select * from event_store_append($1::jsonb)", [JSON.stringify(Array.from({ length: 8 }, (_, i) => mk(i)))])).rows);
await c.query('analyze events');
const b = JSON.stringify(Array.from({ length: 8 }, (_, i) => mk(i)));
await c.query('load \'auto_explain\''); 
for (const q of [
 `explain analyze select coalesce(jsonb_object_agg(s.stream_id, s.rev), '{}'::jsonb) from (select distinct w->>'s' as stream_id from jsonb_array_elements($1::jsonb) o, jsonb_array_elements(o) w) s0, lateral (select s0.stream_id, (select max(e.revision) from events e where e.stream_id = s0.stream_id) as rev) s where s.rev is not null`,
 `explain analyze with ids as (select ev->>'id' as id from jsonb_array_elements($1::jsonb) o, jsonb_array_elements(o) w, jsonb_array_elements(w->'e') ev) select coalesce(jsonb_object_agg(t.id, t.stored), '{}'::jsonb) from (select ids.id, true as stored from ids join events e on e.id = ids.id::uuid union select ids.id, false from ids group by ids.id having count(*) > 1) t`,
 `explain analyze select * from event_store_append($1::jsonb)`,
]) { const r = await c.query(q, [b]); console.log(r.rows.map((x: any) => x['QUERY PLAN']).join('\n')); }
await c.end(); await store.close(); await t.drop();
