import { Show, type JSX } from 'solid-js';
import { t } from '../i18n';
import { toApiError } from '../lib/api';

export function Empty(props: { title: string; hint?: string; action?: JSX.Element; testid?: string }) {
  return (
    <div class="empty" data-testid={props.testid ?? 'empty'}>
      <svg class="empty-art" viewBox="0 0 64 48" aria-hidden="true">
        <rect x="6" y="10" width="52" height="32" rx="4" fill="none" stroke="currentColor" stroke-width="2" />
        <path d="M6 20h52" stroke="currentColor" stroke-width="2" />
        <circle cx="13" cy="15" r="1.6" fill="currentColor" />
        <circle cx="19" cy="15" r="1.6" fill="currentColor" />
      </svg>
      <div class="empty-title">{props.title}</div>
      <Show when={props.hint}>
        <div class="empty-hint">{props.hint}</div>
      </Show>
      <Show when={props.action}>
        <div class="empty-action">{props.action}</div>
      </Show>
    </div>
  );
}

export function Loading() {
  return (
    <div class="loading" data-testid="loading">
      <span class="spinner" />
      {t('common.loading')}
    </div>
  );
}

export function LoadError(props: { error: unknown; retry: () => void }) {
  return (
    <div class="load-error" role="alert">
      <span>{t('common.loadFailed', { message: toApiError(props.error).message })}</span>
      <button type="button" class="btn btn-small" onClick={() => props.retry()}>
        {t('common.retry')}
      </button>
    </div>
  );
}
