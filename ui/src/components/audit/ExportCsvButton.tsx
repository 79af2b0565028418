import { createSignal, onCleanup, Show } from 'solid-js';
import { t } from '../../i18n';
import { toast } from '../../lib/toast';
import { downloadAuditCsv, ExportError, type ExportFilter } from './export-csv';
import './audit.css';

/** "Export CSV" with a progress bar while the rows stream in; a second click cancels. */
export function ExportCsvButton(props: { filter: () => ExportFilter }) {
  const [progress, setProgress] = createSignal<{ done: number; total: number } | null>(null);
  let abort: AbortController | null = null;
  onCleanup(() => abort?.abort());

  const start = async () => {
    if (abort) {
      abort.abort();
      return;
    }
    abort = new AbortController();
    try {
      const n = await downloadAuditCsv(props.filter(), (done, total) => setProgress({ done, total }), abort.signal);
      toast.success(t('audit.exported', { n }));
    } catch (e) {
      if ((e as Error).name !== 'AbortError') {
        const err = e instanceof ExportError ? e : new ExportError(String((e as Error).message ?? e), 0, null);
        toast.error(t('audit.exportFailed'), { message: err.message, code: err.code, field: err.field, httpStatus: err.httpStatus });
      }
    } finally {
      abort = null;
      setProgress(null);
    }
  };

  const pct = () => {
    const p = progress();
    return p && p.total > 0 ? Math.round((p.done / p.total) * 100) : 0;
  };

  return (
    <div class="audit-export">
      <button type="button" class="btn" onClick={() => void start()} data-testid="audit-export">
        {progress() ? t('common.cancel') : t('audit.export')}
      </button>
      <Show when={progress()}>
        {(p) => (
          <div class="audit-export-progress" data-testid="audit-export-progress" role="progressbar" aria-valuemin={0} aria-valuemax={p().total} aria-valuenow={p().done}>
            <div class="bar-track">
              <div class="bar-fill bar-low" style={{ width: `${pct()}%` }} />
            </div>
            <span class="muted small">{t('audit.exporting', { done: p().done, total: p().total })}</span>
          </div>
        )}
      </Show>
    </div>
  );
}
