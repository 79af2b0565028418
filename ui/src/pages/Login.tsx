import { createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { locale, locales, setLocale, t, type Locale } from '../i18n';
import { api, toApiError, type ApiError } from '../lib/api';
import { login } from '../lib/session';

/** Seconds to wait from a lockout refusal ("too many failed logins; try again in 42 s"), or null. */
function lockoutSeconds(err: ApiError): number | null {
  if (err.httpStatus !== 429 && err.code !== 'TOO_MANY_REQUESTS') return null;
  const n = /try again in (\d+)\s*s/i.exec(err.message)?.[1];
  return n ? Number(n) : 60;
}

export function LoginPage() {
  const [username, setUsername] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<ApiError | null>(null);
  const [lockedFor, setLockedFor] = createSignal(0);
  const [sso, setSso] = createSignal(false);
  let tick: ReturnType<typeof setInterval> | undefined;
  onCleanup(() => clearInterval(tick));
  onMount(() => {
    api.auth.methods
      .query()
      .then((m) => setSso(m.oidc))
      .catch(() => setSso(false));
  });

  const lockOut = (seconds: number) => {
    setLockedFor(seconds);
    clearInterval(tick);
    tick = setInterval(() => {
      setLockedFor((s) => Math.max(0, s - 1));
      if (lockedFor() === 0) clearInterval(tick);
    }, 1000);
  };

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (lockedFor() > 0) return;
    setPending(true);
    setError(null);
    try {
      await login(username(), password());
    } catch (err) {
      const apiError = toApiError(err);
      const wait = lockoutSeconds(apiError);
      if (wait !== null) lockOut(wait);
      setError(apiError);
    } finally {
      setPending(false);
    }
  };

  const message = (err: ApiError) => {
    if (lockoutSeconds(err) !== null) return lockedFor() > 0 ? t('login.lockedOut', { n: lockedFor() }) : t('login.lockoutOver');
    if (err.httpStatus === 401 || err.code === 'UNAUTHORIZED') return t('login.wrong');
    return err.message;
  };

  return (
    <div class="login">
      <form class="login-card" onSubmit={submit} data-testid="login-form">
        <div class="login-brand">
          <svg viewBox="0 0 20 20" class="brand-mark big" aria-hidden="true">
            <rect width="20" height="20" rx="4" />
            <path d="M5 14h10L10 5z" fill="#fff" />
          </svg>
          <div>
            <h1>{t('login.title')}</h1>
            <p class="muted">{t('login.subtitle')}</p>
          </div>
        </div>
        <label class="field">
          <span class="field-label">{t('login.username')}</span>
          <input name="username" autocomplete="username" value={username()} onInput={(e) => setUsername(e.currentTarget.value)} data-testid="login-username" required autofocus />
        </label>
        <label class="field">
          <span class="field-label">{t('login.password')}</span>
          <input name="password" type="password" autocomplete="current-password" value={password()} onInput={(e) => setPassword(e.currentTarget.value)} data-testid="login-password" required />
        </label>
        <Show when={error()}>
          {(err) => (
            <div class="form-error" role="alert" data-testid="login-error" data-code={lockoutSeconds(err()) !== null ? 'locked' : err().code}>
              {message(err())}
            </div>
          )}
        </Show>
        <button type="submit" class="btn btn-primary btn-block" disabled={pending() || lockedFor() > 0} data-testid="login-submit">
          {pending() ? t('login.submitting') : lockedFor() > 0 ? t('login.wait', { n: lockedFor() }) : t('login.submit')}
        </button>
        <Show when={sso()}>
          <div class="login-or">
            <span>{t('login.or')}</span>
          </div>
          <a class="btn btn-block" href="/auth/oidc/login" data-testid="login-sso">
            {t('login.sso')}
          </a>
        </Show>
        <div class="login-lang">
          <For each={locales}>
            {(l) => (
              <button type="button" class="link-btn" classList={{ active: locale() === l.id }} onClick={() => setLocale(l.id as Locale)}>
                {l.label}
              </button>
            )}
          </For>
        </div>
      </form>
    </div>
  );
}
