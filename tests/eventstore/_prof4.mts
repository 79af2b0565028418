import { createTestDatabase } from '../support/postgres';
import { openEventStore } from '../../eventstore/index';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
const t = await createTestDatabase('prof');
const store = await openEventStore({ kind: 'postgres', url: t.url });
const c = new pg.Client({ connectionString: t.url }); await c.connect();
const md = { actor: { kind: 'system', id: 'b', name: 'b' }, commandId: 'x', correlationId: 'x', causationId: null, occurredAt: 'x', clientIp: null, schemaVersion: 1 };
const mk = (i: number, x: any = 'any') => [{ s: `a-${i}-${Math.random()}`, x, e: [{ id: randomUUID(), type: 'T', data: { cpu: '1' }, metadata: md }] }, { s: `b-${i % 50}`, x: 'any', e: [{ id: randomUUID(), type: 'T', data: { cpu: '1' }, metadata: md }] }];
for (let k = 0; k < 100; k++) await c.query('select * from event_store_append($1::jsonb)', [JSON.stringify(Array.from({ length: 32 }, (_, i) => mk(i)))]);
await c.query(`load 'auto_explain'`);
await c.query(`set auto_explain.log_min_duration = 0; set auto_explain.log_analyze = on; set auto_explain.log_nested_statements = on; set auto_explain.log_level = notice; set auto_explain.log_timing = on`);
const notes: string[] = [];
c.on('notice', (n: any) => notes.push(n.message));
await c.query('select * from event_store_append($1::jsonb)', [JSON.stringify(Array.from({ length: 32 }, (_, i) => mk(i)))]);
for (const n of notes) { const lines = n.split("\n"); console.log(lines.find(l => l.includes("Query Text"))?.slice(0, 100).replace(/\s+/g, " "), "|", n.match(/duration: ([\d.]+)/)?.[1]); }
await c.end(); await store.close(); await t.drop();
