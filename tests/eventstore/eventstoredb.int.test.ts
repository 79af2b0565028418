import { describe, it } from 'vitest';
import { openEventStore } from '../../eventstore/index';
import { eventStoreContract } from './contract';

const url = process.env.EVENTSTORE_URL;

if (!url) {
  console.log('eventstoredb contract tests SKIPPED: set EVENTSTORE_URL (e.g. esdb://localhost:2113?tls=false) to run them against EventStoreDB');
  describe.skip('event store contract: eventstoredb (skipped: EVENTSTORE_URL is not set)', () => {
    it('needs EVENTSTORE_URL', () => {});
  });
} else {
  eventStoreContract('eventstoredb', async () => ({ store: await openEventStore({ kind: 'eventstoredb', url }) }), {
    atomicMultiStream: false,
    uniqueEventIds: false,
  });
}
