/**
 * Runs a mutation from a form or a button: tracks pending state, keeps the server's error, tells
 * which form field it blames, and toasts the outcome.
 */
import { createSignal } from 'solid-js';
import { t } from '../i18n';
import { isUnauthorized, toApiError, type ApiError } from './api';
import { signedOut } from './session';
import { toast } from './toast';

export interface Action<A extends unknown[]> {
  run: (...args: A) => Promise<boolean>;
  pending: () => boolean;
  error: () => ApiError | null;
  clear: () => void;
  /** The error when it names `name` (or a path under it, e.g. `kubeconfig.users[0]`). */
  fieldError: (name: string) => ApiError | null;
  /** The error when it names none of `fields`. */
  formError: () => ApiError | null;
}

export function createAction<A extends unknown[]>(
  fn: (...args: A) => Promise<unknown>,
  opts: { success?: (...args: A) => string; fields?: string[] } = {},
): Action<A> {
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<ApiError | null>(null);
  const blames = (field: string | null, name: string) =>
    !!field && (field === name || field.startsWith(`${name}.`) || field.startsWith(`${name}[`));
  return {
    pending,
    error,
    clear: () => setError(null),
    fieldError: (name) => {
      const e = error();
      return e && blames(e.field, name) ? e : null;
    },
    formError: () => {
      const e = error();
      return e && !(opts.fields ?? []).some((f) => blames(e.field, f)) ? e : null;
    },
    run: async (...args: A) => {
      if (pending()) return false;
      setPending(true);
      setError(null);
      try {
        await fn(...args);
        if (opts.success) toast.success(opts.success(...args));
        return true;
      } catch (e) {
        const err = toApiError(e);
        if (isUnauthorized(err)) {
          toast.error(t('toast.sessionExpired'), err);
          signedOut();
          return false;
        }
        setError(err);
        toast.error(err.httpStatus === null && /fetch/i.test(err.message) ? t('toast.networkError') : t('toast.error'), err);
        return false;
      } finally {
        setPending(false);
      }
    },
  };
}
