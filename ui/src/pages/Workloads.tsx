/**
 * Workloads (工作负载): the workloads of one namespace, per kind, live. The list is served from the
 * API's watch cache and refreshed every few seconds; it pages and filters on the client, so a
 * namespace with thousands of pods stays usable.
 */
import { createEffect, createMemo, createSignal, For, Show } from 'solid-js';
import { Badge, type Tone } from '../components/Badge';
import { PageHead } from '../components/PageHead';
import { QueryView } from '../components/QueryView';
import { createNamespaceChoice, NamespaceSelect } from '../components/NamespaceSelect';
import { Empty } from '../components/States';
import { Table } from '../components/Table';
import { currentTab, Tabs } from '../components/Tabs';
import { t, type MessageKey } from '../i18n';
import { api, type RouterOutputs } from '../lib/api';
import { createQuery, poll } from '../lib/query';
import { href } from '../lib/router';
import './workloads.css';

export type WorkloadRowDto = RouterOutputs['workloads']['list']['items'][number];
export type WorkloadKind = WorkloadRowDto['kind'];

export const KINDS: WorkloadKind[] = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'];
const TAB_OF: Record<WorkloadKind, string> = { Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets', Job: 'jobs', CronJob: 'cronjobs', Pod: 'pods' };
const KIND_LABEL: Record<WorkloadKind, MessageKey> = {
  Deployment: 'workloads.kind.Deployment',
  StatefulSet: 'workloads.kind.StatefulSet',
  DaemonSet: 'workloads.kind.DaemonSet',
  Job: 'workloads.kind.Job',
  CronJob: 'workloads.kind.CronJob',
  Pod: 'workloads.kind.Pod',
};
export const kindLabel = (kind: WorkloadKind) => t(KIND_LABEL[kind]);

const TONE: Record<WorkloadRowDto['health'], Tone> = { healthy: 'ok', progressing: 'warn', degraded: 'bad', idle: 'muted' };
export function HealthBadge(props: { health: WorkloadRowDto['health']; status: string; testid?: string }) {
  return (
    <Badge tone={TONE[props.health]} pulse={props.health === 'progressing'} testid={props.testid}>
      {props.status}
    </Badge>
  );
}

/** "3m", "2h", "5d": how long ago. */
export function age(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export const detailHref = (clusterId: string, namespace: string, kind: WorkloadKind, name: string) =>
  kind === 'Pod'
    ? href(`/pods/${encodeURIComponent(clusterId)}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`)
    : href(`/workloads/${encodeURIComponent(clusterId)}/${encodeURIComponent(namespace)}/${kind.toLowerCase()}/${encodeURIComponent(name)}`);

const PAGE_SIZE = 100;
const REFRESH_MS = 3000;

export function WorkloadsPage() {
  const namespaces = createNamespaceChoice('workloads:read');
  const selected = namespaces.selected;
  const tabs = KINDS.map((k) => TAB_OF[k]);
  const kind = () => KINDS[tabs.indexOf(currentTab(tabs, 'deployments'))];
  const [filter, setFilter] = createSignal('');
  const [page, setPage] = createSignal(0);
  createEffect(() => {
    kind();
    selected();
    filter();
    setPage(0);
  });

  const list = createQuery(
    () => selected() && { clusterId: selected()!.clusterId, namespace: selected()!.name, kind: kind() },
    (input) => api.workloads.list.query(input),
  );
  poll(list, REFRESH_MS);

  const rows = createMemo(() => {
    const f = filter().trim().toLowerCase();
    const items = list.data()?.items ?? [];
    return f ? items.filter((r) => r.name.includes(f) || r.images.some((i) => i.toLowerCase().includes(f)) || r.status.toLowerCase().includes(f)) : items;
  });
  const pages = () => Math.max(1, Math.ceil(rows().length / PAGE_SIZE));
  const visible = createMemo(() => rows().slice(page() * PAGE_SIZE, (page() + 1) * PAGE_SIZE));
  const now = () => (list.data(), Date.now());

  const isPod = () => kind() === 'Pod';
  const isCron = () => kind() === 'CronJob';
  const columns = () => [
    { label: t('workloads.col.name') },
    { label: t('workloads.col.status') },
    { label: isCron() ? t('workloads.col.active') : isPod() ? t('workloads.col.ready') : kind() === 'Job' ? t('workloads.col.completions') : t('workloads.col.readyDesired'), class: 'num' },
    ...(isPod() ? [{ label: t('workloads.col.restarts'), class: 'num' }, { label: t('workloads.col.node') }] : []),
    ...(isCron() ? [{ label: t('workloads.col.schedule') }] : []),
    { label: t('workloads.col.images') },
    { label: t('workloads.col.age'), class: 'num' },
  ];

  return (
    <div class="page">
      <PageHead title={t('workloads.title')} subtitle={t('workloads.subtitle')} />
      <div class="wl-toolbar">
        <label class="filter wide">
          <span>{t('workloads.namespace')}</span>
          <NamespaceSelect choice={namespaces} testid="workloads-namespace" />
        </label>
        <label class="filter">
          <span>{t('workloads.filter')}</span>
          <input type="search" value={filter()} onInput={(e) => setFilter(e.currentTarget.value)} placeholder={t('workloads.filterHint')} data-testid="workloads-filter" />
        </label>
      </div>

      <Show when={namespaces.loaded() && namespaces.readable().length === 0}>
        <Empty title={t('workloads.noNamespace')} hint={t('workloads.noNamespaceHint')} testid="workloads-no-namespace" />
      </Show>

      <Show when={selected()}>
        <Tabs tabs={KINDS.map((k) => ({ id: TAB_OF[k], label: kindLabel(k) }))} active={TAB_OF[kind()]} testid="workload-kinds" />
        <QueryView query={list} isEmpty={(d) => d.items.length === 0} empty={<Empty title={t('workloads.empty', { kind: kindLabel(kind()) })} testid="workloads-empty" />}>
          {(data) => (
            <>
              <Show when={data().stale}>
                <p class="muted small">{t('workloads.stale')}</p>
              </Show>
              <Table columns={columns()} dense testid="workloads-table">
                <For each={visible()}>
                  {(r) => (
                    <tr data-testid={`workload-row-${r.name}`}>
                      <td>
                        <a href={detailHref(selected()!.clusterId, selected()!.name, r.kind, r.name)} data-testid={`workload-link-${r.name}`}>
                          {r.name}
                        </a>
                      </td>
                      <td>
                        <HealthBadge health={r.health} status={r.status} testid={`workload-status-${r.name}`} />
                      </td>
                      <td class="num" data-testid={`workload-ready-${r.name}`}>
                        {r.ready}
                      </td>
                      <Show when={isPod()}>
                        <td class="num">{r.restarts ?? 0}</td>
                        <td>{r.node ?? '—'}</td>
                      </Show>
                      <Show when={isCron()}>
                        <td>
                          <code>{r.schedule}</code>
                        </td>
                      </Show>
                      <td>
                        <div class="wl-images" title={r.images.join('\n')}>
                          {r.images.join(', ')}
                        </div>
                      </td>
                      <td class="num" title={r.createdAt ?? ''}>
                        {age(r.createdAt, now())}
                      </td>
                    </tr>
                  )}
                </For>
              </Table>
              <div class="wl-pager" data-testid="workloads-pager">
                <span>{t('workloads.count', { n: rows().length })}</span>
                <Show when={pages() > 1}>
                  <button type="button" class="btn btn-small" disabled={page() === 0} onClick={() => setPage(page() - 1)} data-testid="page-prev">
                    ‹
                  </button>
                  <span>{t('workloads.page', { page: page() + 1, pages: pages() })}</span>
                  <button type="button" class="btn btn-small" disabled={page() >= pages() - 1} onClick={() => setPage(page() + 1)} data-testid="page-next">
                    ›
                  </button>
                </Show>
              </div>
            </>
          )}
        </QueryView>
      </Show>
    </div>
  );
}
