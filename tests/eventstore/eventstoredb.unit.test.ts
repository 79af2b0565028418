import { describe, expect, it } from 'vitest';
import { openEventStore } from '../../eventstore/index';
import { UnsupportedOperationError } from '../../eventstore/types';
import { newEvent } from './contract';

// No server needed: the multi-stream refusal happens before any network call.
describe('eventstoredb adapter without a server', () => {
  it('refuses an appendMulti over several streams with a typed, explanatory error', async () => {
    const store = await openEventStore({ kind: 'eventstoredb', url: 'esdb://127.0.0.1:1?tls=false' });
    try {
      const err = await store
        .appendMulti([
          { streamId: 'namespace-1', events: [newEvent('NamespaceCreated')], expectedRevision: 'no_stream' },
          { streamId: 'workspace-1', events: [newEvent('WorkspaceQuotaReserved')], expectedRevision: 3 },
        ])
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsupportedOperationError);
      expect((err as UnsupportedOperationError).code).toBe('UNSUPPORTED_OPERATION');
      expect((err as Error).message).toMatch(/PostgreSQL or PGlite/);
      expect((err as Error).message).toMatch(/KurrentDB >= 25\.1/);
    } finally {
      await store.close();
    }
  });
});
