import { createEffect, createSignal, For, on, Show } from 'solid-js';
import { Badge } from '../components/Badge';
import { Drawer } from '../components/Dialog';
import { Blame } from '../components/Field';
import { PageHead } from '../components/PageHead';
import { QueryView } from '../components/QueryView';
import { Empty, LoadError, Loading } from '../components/States';
import { Table } from '../components/Table';
import { t, type MessageKey } from '../i18n';
import { api, blame, fresh, toApiError, type AuditFilter, type AuditRecordDto } from '../lib/api';
import { fmtTime } from '../lib/display';
import { json, localInputToIso } from '../lib/format';
import { createQuery } from '../lib/query';
import { toast } from '../lib/toast';
import { ExportCsvButton } from '../components/audit/ExportCsvButton';
import { StateAtPanel } from '../components/audit/StateAtPanel';
import { WhoHeldPanel } from '../components/audit/WhoHeldPanel';
import '../components/audit/audit.css';

const MODULES = ['clusters', 'workspaces', 'namespaces', 'users', 'roles', 'auth', 'kubernetes', 'apps', 'workloads', 'containers', 'config', 'devenv', 'system'] as const;
const PAGE = 50;

/** The field a refusal blames and its reason, shown apart. */
const refusal = (r: { field: string | null; message: string | null }) => blame(r.field, r.message ?? '');
const moduleLabel = (m: string) => ((MODULES as readonly string[]).includes(m) ? t(`audit.module.${m}` as MessageKey) : m);
const targetLabel = (target: AuditRecordDto['target']) => {
  if (target.kind === 'namespace' && target.clusterId && target.namespace) return `namespace/${target.clusterId}/${target.namespace}`;
  return [target.kind, target.id].filter(Boolean).join('/') || '—';
};

function OutcomeBadge(props: { outcome: string }) {
  return (
    <Badge tone={props.outcome === 'accepted' ? 'ok' : 'bad'} testid="audit-outcome">
      {props.outcome === 'accepted' ? t('audit.outcome.accepted') : props.outcome === 'rejected' ? t('audit.outcome.rejected') : props.outcome}
    </Badge>
  );
}

type Tab = 'records' | 'stateAt' | 'whoHeld';
const TABS: Tab[] = ['records', 'stateAt', 'whoHeld'];

export function AuditPage() {
  const [tab, setTab] = createSignal<Tab>('records');
  return (
    <div class="page">
      <PageHead title={t('audit.title')} subtitle={t('audit.subtitle')} />
      <div class="audit-tabs" role="tablist" data-testid="audit-tabs">
        <For each={TABS}>
          {(id) => (
            <button type="button" role="tab" aria-selected={tab() === id} classList={{ active: tab() === id }} onClick={() => setTab(id)} data-testid={`audit-tab-${id}`}>
              {t(`audit.tab.${id}` as MessageKey)}
            </button>
          )}
        </For>
      </div>
      <Show when={tab() === 'records'}>
        <AuditRecords />
      </Show>
      <Show when={tab() === 'stateAt'}>
        <StateAtPanel />
      </Show>
      <Show when={tab() === 'whoHeld'}>
        <WhoHeldPanel />
      </Show>
    </div>
  );
}

/** The filterable, exportable list of audit records. */
function AuditRecords() {
  // Draft filter values in the form; `applied` is what the table shows.
  const [from, setFrom] = createSignal('');
  const [to, setTo] = createSignal('');
  const [module, setModule] = createSignal('');
  const [user, setUser] = createSignal('');
  const [outcome, setOutcome] = createSignal<'' | 'accepted' | 'rejected'>('');
  const [workspaceId, setWorkspaceId] = createSignal('');
  const [clusterId, setClusterId] = createSignal('');
  const [namespace, setNamespace] = createSignal('');
  const [applied, setApplied] = createSignal<AuditFilter>({});

  const apply = (e?: SubmitEvent) => {
    e?.preventDefault();
    setApplied({
      ...(localInputToIso(from()) ? { from: localInputToIso(from()) } : {}),
      ...(localInputToIso(to()) ? { to: localInputToIso(to()) } : {}),
      ...(module() ? { module: module() } : {}),
      ...(user().trim() ? { user: user().trim() } : {}),
      ...(outcome() ? { outcome: outcome() as 'accepted' | 'rejected' } : {}),
      ...(workspaceId().trim() ? { workspaceId: workspaceId().trim() } : {}),
      ...(clusterId().trim() ? { clusterId: clusterId().trim() } : {}),
      ...(namespace().trim() ? { namespace: namespace().trim() } : {}),
    });
  };
  const reset = () => {
    setFrom('');
    setTo('');
    setModule('');
    setUser('');
    setOutcome('');
    setWorkspaceId('');
    setClusterId('');
    setNamespace('');
    setApplied({});
  };

  // The first page follows filters and live changes; "load more" appends older pages.
  const first = createQuery(applied, (filter) => api.audit.list.query({ ...filter, ...fresh(), limit: PAGE }));
  const [more, setMore] = createSignal<AuditRecordDto[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [loadingMore, setLoadingMore] = createSignal(false);
  createEffect(on(applied, () => (setMore([]), setCursor(null))));
  createEffect(
    on(first.data, (page) => {
      if (page && more().length === 0) setCursor(page.nextCursor);
    }),
  );
  const items = () => {
    const seen = new Set<string>();
    return [...(first.data()?.items ?? []), ...more()].filter((r) => !seen.has(r.commandId) && (seen.add(r.commandId), true));
  };
  const loadMore = async () => {
    const c = cursor();
    if (!c) return;
    setLoadingMore(true);
    try {
      const page = await api.audit.list.query({ ...applied(), cursor: c, limit: PAGE });
      setMore((list) => [...list, ...page.items]);
      setCursor(page.nextCursor);
    } catch (e) {
      toast.error(t('toast.error'), toApiError(e));
    } finally {
      setLoadingMore(false);
    }
  };

  const [selected, setSelected] = createSignal<string | null>(null);

  // The export takes the filters the table shows.
  const exportFilter = () => {
    const { minPosition: _p, cursor: _c, limit: _l, ...filter } = applied() as AuditFilter & { cursor?: string; limit?: number };
    return filter as Record<string, string | undefined>;
  };

  return (
    <>
      <form class="toolbar" onSubmit={apply} data-testid="audit-filters">
        <label class="filter">
          <span>{t('audit.from')}</span>
          <input type="datetime-local" value={from()} onInput={(e) => setFrom(e.currentTarget.value)} data-testid="audit-from" />
        </label>
        <label class="filter">
          <span>{t('audit.to')}</span>
          <input type="datetime-local" value={to()} onInput={(e) => setTo(e.currentTarget.value)} data-testid="audit-to" />
        </label>
        <label class="filter">
          <span>{t('audit.module')}</span>
          <select value={module()} onChange={(e) => setModule(e.currentTarget.value)} data-testid="audit-module">
            <option value="">{t('common.all')}</option>
            <For each={MODULES}>{(m) => <option value={m}>{moduleLabel(m)}</option>}</For>
          </select>
        </label>
        <label class="filter">
          <span>{t('audit.user')}</span>
          <input value={user()} placeholder={t('audit.userPlaceholder')} onInput={(e) => setUser(e.currentTarget.value)} data-testid="audit-user" />
        </label>
        <label class="filter">
          <span>{t('audit.outcome')}</span>
          <select value={outcome()} onChange={(e) => setOutcome(e.currentTarget.value as '' | 'accepted' | 'rejected')} data-testid="audit-outcome-filter">
            <option value="">{t('common.all')}</option>
            <option value="accepted">{t('audit.outcome.accepted')}</option>
            <option value="rejected">{t('audit.outcome.rejected')}</option>
          </select>
        </label>
        <label class="filter">
          <span>{t('audit.workspace')}</span>
          <input value={workspaceId()} placeholder={t('audit.targetPlaceholder')} onInput={(e) => setWorkspaceId(e.currentTarget.value)} data-testid="audit-workspace" />
        </label>
        <label class="filter">
          <span>{t('audit.cluster')}</span>
          <input value={clusterId()} placeholder={t('audit.targetPlaceholder')} onInput={(e) => setClusterId(e.currentTarget.value)} data-testid="audit-cluster" />
        </label>
        <label class="filter">
          <span>{t('audit.namespace')}</span>
          <input value={namespace()} placeholder={t('audit.targetPlaceholder')} onInput={(e) => setNamespace(e.currentTarget.value)} data-testid="audit-namespace" />
        </label>
        <div class="filter-buttons">
          <button type="submit" class="btn btn-primary" data-testid="audit-apply">
            {t('audit.apply')}
          </button>
          <button type="button" class="btn" onClick={reset} data-testid="audit-reset">
            {t('audit.reset')}
          </button>
        </div>
        <ExportCsvButton filter={exportFilter} />
      </form>

      <QueryView query={first} isEmpty={() => items().length === 0} empty={<Empty title={t('audit.empty')} hint={t('audit.emptyHint')} testid="audit-empty" />}>
        {() => (
          <>
            <Table
              dense
              testid="audit-table"
              columns={[
                { label: t('audit.col.time') },
                { label: t('audit.col.user') },
                { label: t('audit.col.action') },
                { label: t('audit.col.module') },
                { label: t('audit.col.target') },
                { label: t('audit.col.outcome') },
                { label: t('audit.col.clientIp') },
              ]}
            >
              <For each={items()}>
                {(r) => (
                  <tr class="clickable" classList={{ selected: selected() === r.commandId }} data-testid="audit-row" data-command-id={r.commandId} onClick={() => setSelected(r.commandId)}>
                    <td class="nowrap">{fmtTime(r.occurredAt)}</td>
                    <td>{r.actor.name}</td>
                    <td class="mono">{r.action}</td>
                    <td>{moduleLabel(r.module)}</td>
                    <td class="mono audit-target" title={targetLabel(r.target)}>{targetLabel(r.target)}</td>
                    <td>
                      <OutcomeBadge outcome={r.outcome} />
                      <Show when={r.outcome === 'rejected' && r.message}>
                        <div class="status-reason audit-reason" title={r.message ?? undefined}>
                          <Blame field={refusal(r).field} message={refusal(r).message} />
                        </div>
                      </Show>
                    </td>
                    <td class="mono">{r.clientIp || '—'}</td>
                  </tr>
                )}
              </For>
            </Table>
            <div class="load-more">
              <Show when={cursor()} fallback={<span class="muted small">{t('audit.end')}</span>}>
                <button type="button" class="btn" disabled={loadingMore()} onClick={() => void loadMore()} data-testid="audit-load-more">
                  {loadingMore() ? t('common.loading') : t('audit.loadMore')}
                </button>
              </Show>
            </div>
          </>
        )}
      </QueryView>

      <Show when={selected()}>{(id) => <AuditDrawer commandId={id()} onClose={() => setSelected(null)} />}</Show>
    </>
  );
}

function AuditDrawer(props: { commandId: string; onClose: () => void }) {
  const record = createQuery(() => ({ commandId: props.commandId }), (input) => api.audit.get.query(input));
  return (
    <Drawer title={t('audit.detail')} onClose={props.onClose} testid="audit-drawer">
      <Show when={!record.error()} fallback={<LoadError error={record.error()} retry={record.refetch} />}>
        <Show when={record.data()} fallback={<Loading />}>
          {(r) => (
            <>
              <dl class="props props-wide">
                <dt>{t('audit.commandId')}</dt>
                <dd class="mono">{r().commandId}</dd>
                <dt>{t('audit.col.time')}</dt>
                <dd>{fmtTime(r().occurredAt)}</dd>
                <dt>{t('audit.actor')}</dt>
                <dd>
                  {r().actor.name} <span class="muted mono">({r().actor.kind}:{r().actor.id})</span>
                </dd>
                <dt>{t('audit.col.clientIp')}</dt>
                <dd class="mono">{r().clientIp || '—'}</dd>
                <dt>{t('audit.col.action')}</dt>
                <dd class="mono">{r().action}</dd>
                <dt>{t('audit.col.module')}</dt>
                <dd>{moduleLabel(r().module)}</dd>
                <dt>{t('audit.col.target')}</dt>
                <dd class="mono">{targetLabel(r().target)}</dd>
                <dt>{t('audit.col.outcome')}</dt>
                <dd>
                  <OutcomeBadge outcome={r().outcome} />
                </dd>
                <Show when={r().code}>
                  <dt>{t('audit.code')}</dt>
                  <dd class="mono">{r().code}</dd>
                </Show>
                <Show when={r().message}>
                  <dt>{t('audit.message')}</dt>
                  <dd data-testid="audit-message">
                    <Blame field={refusal(r()).field} message={refusal(r()).message} />
                  </dd>
                </Show>
              </dl>
              <h3 class="drawer-h">{t('audit.command')}</h3>
              <pre class="json" data-testid="audit-command">
                {json(r().command)}
              </pre>
              <h3 class="drawer-h">{t('audit.events', { n: r().events.length })}</h3>
              <Show when={r().events.length} fallback={<p class="muted small">{t('audit.noEvents')}</p>}>
                <For each={r().events}>
                  {(ev) => (
                    <div class="event" data-testid="audit-event">
                      <div class="event-head">
                        <span class="mono strong">{ev.type}</span>
                        <span class="muted small mono">
                          {t('audit.stream')} {ev.streamId} · {t('audit.position')} {ev.position}
                        </span>
                      </div>
                      <pre class="json">{json(ev.data)}</pre>
                    </div>
                  )}
                </For>
              </Show>
            </>
          )}
        </Show>
      </Show>
    </Drawer>
  );
}
