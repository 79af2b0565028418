/**
 * Reads server data for a page and keeps it current: refetches when its input changes and when
 * `live.changes` reports that read models advanced. While refetching it keeps showing the last
 * good data (no flicker); a response that arrives after a newer request started is dropped.
 */
import { createEffect, createSignal, on, onCleanup } from 'solid-js';
import { isUnauthorized, liveTick, toApiError, type ApiError } from './api';
import { signedOut } from './session';

export interface Query<T> {
  data: () => T | undefined;
  error: () => ApiError | null;
  /** True only before the first data for the current input arrives. */
  initialLoading: () => boolean;
  refetch: () => void;
}

export function createQuery<S, T>(source: () => S | false | null | undefined, fetcher: (input: S) => Promise<T>): Query<T> {
  const [data, setData] = createSignal<T | undefined>(undefined);
  const [error, setError] = createSignal<ApiError | null>(null);
  const [loading, setLoading] = createSignal(false);
  let seq = 0;
  let key: string | undefined;
  let disposed = false;
  onCleanup(() => (disposed = true));

  const run = async (input: S) => {
    const mine = ++seq;
    setLoading(true);
    try {
      const value = await fetcher(input);
      if (mine !== seq || disposed) return;
      setData(() => value);
      setError(null);
    } catch (e) {
      if (mine !== seq || disposed) return;
      const err = toApiError(e);
      if (isUnauthorized(err)) signedOut();
      setError(err);
    } finally {
      if (mine === seq) setLoading(false);
    }
  };

  let current: S | undefined;
  createEffect(
    on([source, liveTick], ([input]) => {
      if (input === false || input === null || input === undefined) return;
      const k = JSON.stringify(input);
      if (k !== key) {
        key = k;
        setData(undefined);
        setError(null);
      }
      current = input;
      void run(input);
    }),
  );

  return {
    data,
    error,
    initialLoading: () => data() === undefined && (loading() || error() === null),
    refetch: () => current !== undefined && void run(current),
  };
}

/**
 * Refetches `query` every `ms` while the owner lives (and `when` holds), keeping its data on screen
 * meanwhile: for what lives in the cluster rather than in Bosun's read models.
 */
export function poll(query: Pick<Query<unknown>, 'refetch'>, ms: number, when: () => boolean = () => true): void {
  const timer = setInterval(() => when() && query.refetch(), ms);
  onCleanup(() => clearInterval(timer));
}
