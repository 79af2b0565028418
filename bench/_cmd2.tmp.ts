import { openEventStore } from '../eventstore';
import { createTestDatabase } from '../tests/support/postgres';
import { measureCommandRate } from './commands';
const db = await createTestDatabase('probe');
const store = await openEventStore({ kind: 'postgres', url: db.url });
const c = await measureCommandRate(store, { callers: 8, seconds: 6 });
console.log('commands', c.perSecond.toFixed(0), c.commands);
await store.close(); await db.drop(); process.exit(0);
