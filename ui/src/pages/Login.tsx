import { createSignal, For, Show } from 'solid-js';
import { locale, locales, setLocale, t, type Locale } from '../i18n';
import { toApiError, type ApiError } from '../lib/api';
import { login } from '../lib/session';

export function LoginPage() {
  const [username, setUsername] = createSignal('admin');
  const [password, setPassword] = createSignal('');
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<ApiError | null>(null);

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setPending(true);
    setError(null);
    try {
      await login(username(), password());
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setPending(false);
    }
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
          <input name="username" autocomplete="username" value={username()} onInput={(e) => setUsername(e.currentTarget.value)} data-testid="login-username" required />
        </label>
        <label class="field">
          <span class="field-label">{t('login.password')}</span>
          <input name="password" type="password" autocomplete="current-password" value={password()} onInput={(e) => setPassword(e.currentTarget.value)} data-testid="login-password" required />
        </label>
        <Show when={error()}>
          {(err) => (
            <div class="form-error" role="alert" data-testid="login-error">
              {err().message}
            </div>
          )}
        </Show>
        <button type="submit" class="btn btn-primary btn-block" disabled={pending()} data-testid="login-submit">
          {pending() ? t('login.submitting') : t('login.submit')}
        </button>
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
