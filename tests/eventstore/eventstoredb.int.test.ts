import { describe } from 'vitest';
import { openEventStore } from '../../eventstore/index';
import { eventStoreContract } from './contract';

const url = process.env.EVENTSTORE_URL;

if (!url) {
  console.log('eventstoredb contract tests SKIPPED: EVENTSTORE_URL is not set (e.g. EVENTSTORE_URL=esdb://localhost:2113?tls=false)');
}

describe.skipIf(!url)('eventstoredb (runs only with EVENTSTORE_URL)', () => {
  eventStoreContract('eventstoredb', async () => ({ store: await openEventStore({ kind: 'eventstoredb', url: url! }) }), {
    atomicMultiStream: false,
    uniqueEventIds: false,
  });
});
