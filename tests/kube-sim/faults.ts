/**
 * Fault injection (placeholder for part 2): a hook that runs before every request and may delay it,
 * answer it itself (e.g. 429/500/503 Status) or drop the connection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface FaultOptions {
  /** Added latency per request, in milliseconds. */
  latencyMs?: number;
  /** Custom hook; answer `res` to short-circuit the request. */
  before?: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
}

export interface Faults {
  before?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

export function createFaults(opts: FaultOptions = {}): Faults {
  if (!opts.latencyMs && !opts.before) return {};
  return {
    async before(req, res) {
      if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
      await opts.before?.(req, res);
    },
  };
}
