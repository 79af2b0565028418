import { createSignal, For, Show } from 'solid-js';
import { permissions, type Permission } from '../../../../domain/permissions';
import { t } from '../../i18n';
import { api, toApiError, type ApiError, type RouterOutputs } from '../../lib/api';
import { fmtTime } from '../../lib/display';
import { localInputToIso } from '../../lib/format';
import { FormError } from '../Field';
import { Empty } from '../States';
import { Table } from '../Table';
import './audit.css';

type Holder = RouterOutputs['audit']['whoHeld'][number];
type Period = Holder['periods'][number];

const scopeLabel = (s: Period['grant']['scope']) =>
  s.kind === 'platform' ? t('audit.whoHeld.scope.platform') : s.kind === 'workspace' ? `workspace/${s.workspaceId}` : `namespace/${s.clusterId}/${s.namespace}`;
const viaLabel = (v: Period['via']) => (v.kind === 'user' ? t('audit.whoHeld.direct') : t('audit.whoHeld.group', { group: v.group }));

/** "Who could exec into prod between 1 and 3 March?": permission, namespace, range → users with periods. */
export function WhoHeldPanel() {
  const [permission, setPermission] = createSignal<Permission>('containers:exec');
  const [clusterId, setClusterId] = createSignal('');
  const [namespace, setNamespace] = createSignal('');
  const [from, setFrom] = createSignal('');
  const [to, setTo] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<ApiError | null>(null);
  const [holders, setHolders] = createSignal<Holder[] | null>(null);
  const ready = () => clusterId().trim() && namespace().trim() && from() && to();

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const range = { from: localInputToIso(from()), to: localInputToIso(to()) };
    if (!ready() || !range.from || !range.to) return;
    setBusy(true);
    setError(null);
    try {
      setHolders(await api.audit.whoHeld.query({ permission: permission(), clusterId: clusterId().trim(), namespace: namespace().trim(), from: range.from, to: range.to }));
    } catch (err) {
      setHolders(null);
      setError(toApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="section audit-panel" data-testid="audit-who-held">
      <h2>{t('audit.whoHeld.title')}</h2>
      <p class="muted small hint">{t('audit.whoHeld.hint')}</p>
      <form class="toolbar" onSubmit={submit}>
        <label class="filter wide">
          <span>{t('audit.whoHeld.permission')}</span>
          <select value={permission()} onChange={(e) => setPermission(e.currentTarget.value as Permission)} data-testid="who-held-permission">
            <For each={permissions}>{(p) => <option value={p}>{p}</option>}</For>
          </select>
        </label>
        <label class="filter">
          <span>{t('audit.cluster')}</span>
          <input value={clusterId()} onInput={(e) => setClusterId(e.currentTarget.value)} data-testid="who-held-cluster" />
        </label>
        <label class="filter">
          <span>{t('audit.namespace')}</span>
          <input value={namespace()} onInput={(e) => setNamespace(e.currentTarget.value)} data-testid="who-held-namespace" />
        </label>
        <label class="filter">
          <span>{t('audit.from')}</span>
          <input type="datetime-local" value={from()} onInput={(e) => setFrom(e.currentTarget.value)} data-testid="who-held-from" />
        </label>
        <label class="filter">
          <span>{t('audit.to')}</span>
          <input type="datetime-local" value={to()} onInput={(e) => setTo(e.currentTarget.value)} data-testid="who-held-to" />
        </label>
        <div class="filter-buttons">
          <button type="submit" class="btn btn-primary" disabled={busy() || !ready()} data-testid="who-held-search">
            {busy() ? t('common.loading') : t('audit.whoHeld.search')}
          </button>
        </div>
      </form>
      <FormError error={error()} />
      <Show when={holders()}>
        {(list) => (
          <Show when={list().length > 0} fallback={<Empty title={t('audit.whoHeld.empty')} testid="who-held-empty" />}>
            <p class="muted small">{t('audit.whoHeld.count', { n: list().length })}</p>
            <Table
              dense
              testid="who-held-table"
              columns={[
                { label: t('audit.whoHeld.col.user') },
                { label: t('audit.whoHeld.col.period') },
                { label: t('audit.whoHeld.col.via') },
                { label: t('audit.whoHeld.col.role') },
                { label: t('audit.whoHeld.col.scope') },
              ]}
            >
              <For each={list()}>
                {(h) => (
                  <For each={h.periods}>
                    {(p, i) => (
                      <tr data-testid="who-held-row" data-user-id={h.userId}>
                        <td>
                          <Show when={i() === 0}>
                            {h.displayName ?? h.userId} <span class="muted mono small">{h.userId}</span>
                          </Show>
                        </td>
                        <td class="nowrap">
                          {fmtTime(p.from)} → {p.to ? fmtTime(p.to) : t('audit.whoHeld.now')}
                        </td>
                        <td>{viaLabel(p.via)}</td>
                        <td class="mono">{p.grant.roleId}</td>
                        <td class="mono">{scopeLabel(p.grant.scope)}</td>
                      </tr>
                    )}
                  </For>
                )}
              </For>
            </Table>
          </Show>
        )}
      </Show>
    </section>
  );
}
