import { on } from 'node:events';
import { EventEmitter } from 'node:events';
import { selfProcedure, router } from '../trpc';

export const liveRouter = router({
  /** Fires (coalesced) whenever read models advance, so views refetch what they show. */
  changes: selfProcedure.subscription(async function* ({ ctx, signal }) {
    const emitter = new EventEmitter();
    const subscription = ctx.services.readModels.changes.subscribe((position) => emitter.emit('change', position));
    try {
      yield { position: 0 };
      let last = 0;
      for await (const [position] of on(emitter, 'change', { signal })) {
        if (position > last) {
          last = position;
          yield { position: position as number };
        }
      }
    } finally {
      subscription.unsubscribe();
    }
  }),
});
