import { createSignal, Show } from 'solid-js';
import { t, type MessageKey } from '../../i18n';
import { api, toApiError, type ApiError, type RouterOutputs } from '../../lib/api';
import { fmtTime } from '../../lib/display';
import { json, localInputToIso } from '../../lib/format';
import { FormError } from '../Field';
import './audit.css';

type Kind = 'workspace' | 'namespace' | 'user';
const KINDS: Kind[] = ['workspace', 'namespace', 'user'];

/** "What did it look like then?": kind, id and a moment → the folded state as JSON. */
export function StateAtPanel() {
  const [kind, setKind] = createSignal<Kind>('workspace');
  const [id, setId] = createSignal('');
  const [at, setAt] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<ApiError | null>(null);
  const [result, setResult] = createSignal<RouterOutputs['audit']['stateAt'] | null>(null);

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const when = localInputToIso(at());
    if (!id().trim() || !when) return;
    setBusy(true);
    setError(null);
    try {
      setResult(await api.audit.stateAt.query({ kind: kind(), id: id().trim(), at: when }));
    } catch (err) {
      setResult(null);
      setError(toApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="section audit-panel" data-testid="audit-state-at">
      <h2>{t('audit.stateAt.title')}</h2>
      <p class="muted small hint">{t('audit.stateAt.hint')}</p>
      <form class="toolbar" onSubmit={submit}>
        <label class="filter">
          <span>{t('audit.stateAt.kind')}</span>
          <select value={kind()} onChange={(e) => setKind(e.currentTarget.value as Kind)} data-testid="state-at-kind">
            {KINDS.map((k) => (
              <option value={k}>{t(`audit.stateAt.kind.${k}` as MessageKey)}</option>
            ))}
          </select>
        </label>
        <label class="filter">
          <span>{t('audit.stateAt.id')}</span>
          <input
            class="id-input"
            value={id()}
            placeholder={kind() === 'namespace' ? t('audit.stateAt.idHint.namespace') : t('audit.stateAt.idHint.other')}
            onInput={(e) => setId(e.currentTarget.value)}
            data-testid="state-at-id"
          />
        </label>
        <label class="filter">
          <span>{t('audit.stateAt.at')}</span>
          <input type="datetime-local" step="1" value={at()} onInput={(e) => setAt(e.currentTarget.value)} data-testid="state-at-at" />
        </label>
        <div class="filter-buttons">
          <button type="submit" class="btn btn-primary" disabled={busy() || !id().trim() || !at()} data-testid="state-at-show">
            {busy() ? t('common.loading') : t('audit.stateAt.show')}
          </button>
        </div>
      </form>
      <FormError error={error()} />
      <Show when={result()}>
        {(r) => (
          <>
            <p class="muted small audit-state-meta mono" data-testid="state-at-meta">
              {r().streamId} ·{' '}
              {r().eventsFolded > 0 ? t('audit.stateAt.folded', { n: r().eventsFolded, at: fmtTime(r().lastEventAt), type: r().lastEventType ?? '' }) : t('audit.stateAt.none')}
            </p>
            <pre class="json" data-testid="state-at-json">
              {json(r().state)}
            </pre>
          </>
        )}
      </Show>
    </section>
  );
}
