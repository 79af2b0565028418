/** Per-key exponential backoff: base × 2^(failures−1), capped, with multiplicative jitter. */

export interface BackoffOptions {
  /** Delay after the first failure (ms). */
  baseMs: number;
  /** Upper bound of the delay before jitter (ms). */
  capMs: number;
  /** Fraction of random extra delay, 0..1 (0.2 → up to +20%). */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 5 * 60_000, jitter: 0.2 };

export function backoffDelay(failures: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const n = Math.max(1, failures);
  // 2^(n-1) overflows to Infinity for large n; Math.min handles that.
  const raw = Math.min(opts.capMs, opts.baseMs * 2 ** (n - 1));
  return Math.round(raw * (1 + opts.jitter * random()));
}
