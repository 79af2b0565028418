/**
 * One application: its overall health and each resource's live status (polled every 2 s while
 * the page is open), its pods and events, the topology of its resources, its revisions (roll back
 * to any), and the commands: run, update (with a preview), undeploy, delete.
 */
import { createEffect, createMemo, createSignal, For, on, Show } from 'solid-js';
import { Badge } from '../components/Badge';
import { ConfirmDialog } from '../components/Confirm';
import { Dialog } from '../components/Dialog';
import { Field, FormError } from '../components/Field';
import { Crumbs, PageHead } from '../components/PageHead';
import { QueryView } from '../components/QueryView';
import { Empty } from '../components/States';
import { Table } from '../components/Table';
import { currentTab, Tabs } from '../components/Tabs';
import { YamlEditor } from '../components/YamlEditor';
import { t, type MessageKey } from '../i18n';
import { createAction } from '../lib/action';
import { api, command, toApiError, type ApiError } from '../lib/api';
import { fmtCpu, fmtMemory, fmtTime } from '../lib/display';
import { createQuery, poll, type Query } from '../lib/query';
import { href, navigate } from '../lib/router';
import { canAnywhere, canOnNamespace } from '../lib/session';
import {
  appIdOf,
  appsApi,
  checkValue,
  HealthBadge,
  healthColor,
  initialValues,
  ParameterForm,
  PreviewView,
  serverValueErrors,
  StatusBadge,
  typedValues,
  ViewYamlButton,
  type AppDetail,
  type AppStatusDto,
  type FormValues,
  type Health,
  type ParamDef,
  type PodStatus,
  type PreviewDto,
  type TopologyDto,
} from './apps-shared';

const TABS = ['resources', 'topology', 'revisions', 'manifests'] as const;
type Tab = (typeof TABS)[number];
const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];
/** The app's resources live in the cluster, not in Bosun's read models: re-read this often while it runs. */
const LIVE_REFRESH_MS = 2000;

export function AppDetailPage(props: { params: Record<string, string> }) {
  const ref = () => ({ clusterId: props.params.clusterId, namespace: props.params.namespace, name: props.params.name });
  const appId = () => appIdOf(ref());
  const app = createQuery(() => ({ appId: appId() }), (input) => appsApi.get(input.appId));
  const live = () => app.data() && app.data()!.status !== 'draft' && app.data()!.status !== 'undeployed';
  const status = createQuery(() => live() && { appId: appId() }, (input) => appsApi.status(input.appId));
  poll(status, LIVE_REFRESH_MS, () => !!live());
  const tab = () => currentTab(TABS, 'resources');
  const [dialog, setDialog] = createSignal<null | 'update' | 'undeploy' | 'delete' | { rollback: number }>(null);
  const ns = () => {
    const a = app.data();
    return a ? { clusterId: a.clusterId, name: a.namespace, workspaceId: a.workspaceId ?? '' } : null;
  };
  const canDeploy = () => {
    const n = ns();
    return !!n && (n.workspaceId ? canOnNamespace('apps:deploy', n) : canAnywhere('apps:deploy'));
  };

  const publish = createAction(() => command((commandId) => appsApi.publish({ commandId, appId: appId() })), { success: () => t('apps.detail.published', { name: ref().name }) });
  const unpublish = createAction(() => command((commandId) => appsApi.unpublish({ commandId, appId: appId() })), { success: () => t('apps.detail.unpublished', { name: ref().name }) });
  const remove = createAction(() => command((commandId) => appsApi.delete({ commandId, appId: appId() })), { success: () => t('apps.detail.deleted', { name: ref().name }) });
  const rollback = createAction((to: number) => command((commandId) => appsApi.rollback({ commandId, appId: appId(), toRevision: to })), {
    success: (to) => t('apps.detail.rolledBack', { n: to }),
  });
  const rollbackTo = () => {
    const d = dialog();
    return d && typeof d === 'object' ? d.rollback : 0;
  };
  const rollbackAction = { ...rollback, run: () => rollback.run(rollbackTo()) };

  return (
    <div class="page">
      <Crumbs back={t('apps.title')} href={href('/apps')} current={ref().name} />
      <QueryView query={app}>
        {(a) => {
          const published = () => ['deploying', 'deployed', 'failed'].includes(a().status);
          return (
            <>
              <PageHead
                title={a().name}
                titleTestid="app-title"
                badge={<StatusBadge status={a().status} testid="app-status" />}
                subtitle={
                  <span class="app-head-meta">
                    <span>
                      {t('apps.namespace')}{' '}
                      <a class="mono" href={href(`/namespaces/${encodeURIComponent(a().clusterId)}/${encodeURIComponent(a().namespace)}`)}>
                        {a().namespace}
                      </a>{' '}
                      · <span class="mono">{a().clusterId}</span>
                    </span>
                    <span>
                      {t('apps.col.template')}{' '}
                      <a class="mono" href={href(`/templates/${encodeURIComponent(a().templateId)}`)}>
                        {a().templateId}@v{a().templateVersion}
                      </a>
                    </span>
                    <Show when={a().description}>
                      <span>{a().description}</span>
                    </Show>
                  </span>
                }
                actions={
                  <Show when={canDeploy()}>
                    <Show when={!published()}>
                      <button type="button" class="btn btn-primary" disabled={publish.pending()} onClick={() => void publish.run()} data-testid="app-publish">
                        {t('apps.detail.run')}
                      </button>
                    </Show>
                    <button type="button" class="btn" onClick={() => setDialog('update')} data-testid="app-update" disabled={a().status === 'undeploying'}>
                      {t('apps.detail.update')}
                    </button>
                    <Show when={published()}>
                      <button type="button" class="btn btn-danger-outline" onClick={() => (unpublish.clear(), setDialog('undeploy'))} data-testid="app-unpublish">
                        {t('apps.detail.undeploy')}
                      </button>
                    </Show>
                    <Show when={!published() && a().status !== 'undeploying'}>
                      <button type="button" class="btn btn-danger-outline" onClick={() => (remove.clear(), setDialog('delete'))} data-testid="app-delete">
                        {t('common.delete')}
                      </button>
                    </Show>
                  </Show>
                }
              />

              <div class="app-summary">
                <div class="card">
                  <div class="label">{t('common.status')}</div>
                  <div class="value">
                    <StatusBadge status={a().status} />
                  </div>
                </div>
                <div class="card">
                  <div class="label">{t('apps.col.health')}</div>
                  <div class="value">
                    <Show when={live()} fallback={<span class="muted">—</span>}>
                      <HealthBadge health={status.data()?.health} testid="app-health" />
                    </Show>
                  </div>
                </div>
                <div class="card">
                  <div class="label">{t('apps.col.revision')}</div>
                  <div class="value mono" data-testid="app-revision">
                    {a().revision}
                    <Show when={a().deployedRevision && a().deployedRevision !== a().revision}>
                      <span class="muted small"> {t('apps.detail.runningRevision', { n: a().deployedRevision! })}</span>
                    </Show>
                  </div>
                </div>
                <div class="card">
                  <div class="label">{t('apps.detail.reserved')}</div>
                  <div class="value small" data-testid="app-reserved">
                    <Show when={a().requests} fallback={<span class="muted">—</span>}>
                      {(r) => `${fmtCpu(r().cpuMillis)} · ${fmtMemory(r().memoryBytes)}`}
                    </Show>
                  </div>
                </div>
              </div>

              <Show when={a().status === 'failed' && a().statusReason}>
                <div class="form-error" role="alert" style={{ 'margin-bottom': '12px' }} data-testid="app-failed-reason">
                  {t('apps.detail.failed', { reason: a().statusReason! })}
                </div>
              </Show>

              <Tabs
                active={tab()}
                tabs={[
                  { id: 'resources', label: t('apps.tab.resources') },
                  { id: 'topology', label: t('apps.tab.topology') },
                  { id: 'revisions', label: t('apps.tab.revisions') },
                  { id: 'manifests', label: t('apps.tab.manifests') },
                ]}
              />
              <Show when={tab() === 'resources'}>
                <ResourcesTab app={a()} live={!!live()} status={status} />
              </Show>
              <Show when={tab() === 'topology'}>
                <TopologyTab appId={appId()} live={!!live()} />
              </Show>
              <Show when={tab() === 'revisions'}>
                <RevisionsTab app={a()} canDeploy={canDeploy()} onRollback={(n) => (rollback.clear(), setDialog({ rollback: n }))} />
              </Show>
              <Show when={tab() === 'manifests'}>
                <ManifestsTab app={a()} />
              </Show>

              <Show when={dialog() === 'update'}>
                <UpdateDialog app={a()} onClose={() => setDialog(null)} />
              </Show>
              <Show when={dialog() === 'undeploy'}>
                <ConfirmDialog
                  title={t('apps.detail.undeploy')}
                  body={t('apps.detail.undeployConfirm', { name: a().name })}
                  confirmLabel={t('apps.detail.undeploy')}
                  action={unpublish}
                  onClose={() => setDialog(null)}
                  onDone={() => setDialog(null)}
                  testid="undeploy-dialog"
                />
              </Show>
              <Show when={dialog() === 'delete'}>
                <ConfirmDialog
                  title={t('apps.detail.delete')}
                  body={t('apps.detail.deleteConfirm', { name: a().name })}
                  confirmLabel={t('common.delete')}
                  action={remove}
                  onClose={() => setDialog(null)}
                  onDone={() => navigate('/apps')}
                  testid="delete-dialog"
                />
              </Show>
              <Show when={rollbackTo() > 0}>
                <ConfirmDialog
                  title={t('apps.detail.rollback')}
                  body={t('apps.detail.rollbackConfirm', { n: rollbackTo(), name: a().name })}
                  confirmLabel={t('apps.detail.rollback')}
                  action={rollbackAction}
                  onClose={() => setDialog(null)}
                  onDone={() => setDialog(null)}
                  testid="rollback-dialog"
                />
              </Show>
            </>
          );
        }}
      </QueryView>
    </div>
  );
}

// ---------------------------------------------------------------- resources, pods, events

function podPhaseTone(p: PodStatus) {
  if (p.reason || p.phase === 'Failed') return 'bad' as const;
  if (p.phase === 'Succeeded') return 'muted' as const;
  if (p.phase === 'Running' && p.ready) return 'ok' as const;
  return 'warn' as const;
}

/** Events of the pods that are in trouble (not ready, or waiting with a reason), newest first; at most three pods are asked. */
function usePodEvents(app: () => AppDetail, pods: () => PodStatus[]) {
  const troubled = () =>
    pods()
      .filter((p) => p.reason || (!p.ready && p.phase !== 'Succeeded'))
      .slice(0, 3)
      .map((p) => p.name);
  const events = createQuery(
    () => (troubled().length > 0 ? { names: troubled() } : null),
    async (input) => {
      const lists = await Promise.all(
        input.names.map(async (name) => {
          const events = await api.pods.events.query({ clusterId: app().clusterId, namespace: app().namespace, name });
          return events.map((e) => ({ ...e, object: name }));
        }),
      );
      return lists.flat().sort((a, b) => (b.lastTimestamp ?? '').localeCompare(a.lastTimestamp ?? ''));
    },
  );
  poll(events, LIVE_REFRESH_MS);
  return events;
}

function ResourcesTab(props: { app: AppDetail; live: boolean; status: Query<AppStatusDto> }) {
  const pods = () => (props.status.data()?.resources ?? []).flatMap((r) => r.pods.map((p) => ({ ...p, owner: `${r.kind}/${r.name}` })));
  const podEvents = usePodEvents(() => props.app, pods);
  const events = () => podEvents.data() ?? [];
  const workloadHref = (kind: string, name: string) =>
    `/workloads/${encodeURIComponent(props.app.clusterId)}/${encodeURIComponent(props.app.namespace)}/${kind.toLowerCase()}/${encodeURIComponent(name)}`;
  const podHref = (name: string) => `/pods/${encodeURIComponent(props.app.clusterId)}/${encodeURIComponent(props.app.namespace)}/${encodeURIComponent(name)}`;

  return (
    <Show
      when={props.live}
      fallback={<Empty title={t(props.app.status === 'draft' ? 'apps.detail.notRunning' : 'apps.detail.undeployed')} hint={t('apps.detail.notRunningHint')} testid="app-not-running" />}
    >
      <QueryView query={props.status}>
        {(s) => (
          <div style={{ display: 'flex', 'flex-direction': 'column', gap: '14px' }}>
            <section>
              <div class="section-head">
                <h3 style={{ margin: 0 }}>{t('apps.detail.resources')}</h3>
                <span class="muted small">{t('apps.detail.polling')}</span>
              </div>
              <Table
                testid="app-resources"
                columns={[{ label: t('apps.col.kind') }, { label: t('common.name') }, { label: t('apps.col.ready') }, { label: t('apps.col.health') }, { label: t('apps.col.message') }]}
              >
                <For each={s().resources}>
                  {(r) => (
                    <tr data-testid={`resource-${r.kind}-${r.name}`}>
                      <td>{r.kind}</td>
                      <td class="mono">
                        <Show when={WORKLOAD_KINDS.includes(r.kind)} fallback={r.name}>
                          <a href={href(workloadHref(r.kind, r.name))} data-testid={`workload-link-${r.kind}-${r.name}`}>
                            {r.name}
                          </a>
                        </Show>
                      </td>
                      <td class="mono nowrap" data-testid={`resource-ready-${r.kind}-${r.name}`}>
                        {r.phase}
                      </td>
                      <td>
                        <HealthBadge health={r.health} testid={`resource-health-${r.kind}-${r.name}`} />
                      </td>
                      <td class="small muted">{r.message ?? ''}</td>
                    </tr>
                  )}
                </For>
              </Table>
            </section>
            <Show when={s().resources.some((r) => WORKLOAD_KINDS.includes(r.kind))}>
              <section>
                <div class="section-head">
                  <h3 style={{ margin: 0 }}>{t('apps.detail.pods', { n: pods().length })}</h3>
                </div>
                <Show when={pods().length > 0} fallback={<p class="muted">{t('apps.detail.noPods')}</p>}>
                  <Table
                    testid="app-pods"
                    columns={[{ label: t('common.name') }, { label: t('apps.col.phase') }, { label: t('apps.col.ready') }, { label: t('apps.col.restarts'), class: 'num' }, { label: t('apps.col.owner') }]}
                  >
                    <For each={pods()}>
                      {(p) => (
                        <tr data-testid={`pod-${p.name}`}>
                          <td class="mono">
                            <a href={href(podHref(p.name))} data-testid={`pod-link-${p.name}`}>
                              {p.name}
                            </a>
                          </td>
                          <td>
                            <Badge tone={podPhaseTone(p)} testid={`pod-phase-${p.name}`}>
                              {p.reason || p.phase}
                            </Badge>
                          </td>
                          <td>{p.ready ? t('apps.pod.ready') : t('apps.pod.notReady')}</td>
                          <td class="num mono">{p.restarts ?? 0}</td>
                          <td class="small muted mono">{p.owner}</td>
                        </tr>
                      )}
                    </For>
                  </Table>
                </Show>
              </section>
            </Show>
            <Show when={events().length > 0}>
              <section class="card" data-testid="app-events">
                <h3>{t('apps.detail.events')}</h3>
                <ul class="events-list">
                  <For each={events()}>
                    {(e) => (
                      <li>
                        <Badge tone={e.type === 'Warning' ? 'warn' : 'muted'}>{e.type}</Badge>
                        <span class="reason">{e.reason}</span>
                        <span class="mono small muted">{e.object}</span>
                        <span style={{ flex: 1 }}>
                          {e.message}
                          <Show when={(e.count ?? 1) > 1}>
                            <span class="muted small"> ×{e.count}</span>
                          </Show>
                        </span>
                        <span class="muted small nowrap">{fmtTime(e.lastTimestamp)}</span>
                      </li>
                    )}
                  </For>
                </ul>
              </section>
            </Show>
          </div>
        )}
      </QueryView>
    </Show>
  );
}

// ---------------------------------------------------------------- topology

/** Dependency columns: config and storage → workloads (and autoscalers) → services → ingress. */
const COLUMNS: { label: MessageKey; kinds: string[] }[] = [
  { label: 'apps.topo.config', kinds: ['ConfigMap', 'Secret', 'PersistentVolumeClaim'] },
  { label: 'apps.topo.workloads', kinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'HorizontalPodAutoscaler'] },
  { label: 'apps.topo.services', kinds: ['Service'] },
  { label: 'apps.topo.ingress', kinds: ['Ingress'] },
];
const NODE_W = 170;
const NODE_H = 46;
const COL_GAP = 70;
const ROW_GAP = 22;
const PAD = 24;
const HEAD = 30;

export function layoutTopology(topology: TopologyDto) {
  const columnOf = (kind: string) => {
    const i = COLUMNS.findIndex((c) => c.kinds.includes(kind));
    return i < 0 ? 1 : i;
  };
  const rows = COLUMNS.map(() => 0);
  const nodes = topology.nodes.map((n) => {
    const col = columnOf(n.kind);
    const row = rows[col]++;
    return { ...n, x: PAD + col * (NODE_W + COL_GAP), y: PAD + HEAD + row * (NODE_H + ROW_GAP) };
  });
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const edges = topology.edges.flatMap((e) => {
    const a = byId.get(e.from);
    const b = byId.get(e.to);
    if (!a || !b) return [];
    // Draw from the left node's right edge to the right node's left edge; same column: an arc on the right.
    const [l, r] = a.x <= b.x ? [a, b] : [b, a];
    if (l.x === r.x) {
      const x = l.x + NODE_W;
      const y1 = a.y + NODE_H / 2;
      const y2 = b.y + NODE_H / 2;
      const bend = x + 36;
      return [{ ...e, path: `M${x},${y1} C${bend},${y1} ${bend},${y2} ${x},${y2}`, lx: bend - 4, ly: (y1 + y2) / 2, arrowAtEnd: true }];
    }
    const x1 = l.x + NODE_W;
    const y1 = l.y + NODE_H / 2;
    const x2 = r.x;
    const y2 = r.y + NODE_H / 2;
    const mid = (x1 + x2) / 2;
    // The arrow points at what the relation names: the ConfigMap a workload uses, the workload a Service selects.
    return [{ ...e, path: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`, lx: mid, ly: (y1 + y2) / 2 - 4, arrowAtEnd: r === b }];
  });
  const width = PAD * 2 + COLUMNS.length * NODE_W + (COLUMNS.length - 1) * COL_GAP + 20;
  const height = PAD * 2 + HEAD + Math.max(1, ...rows) * (NODE_H + ROW_GAP);
  return { nodes, edges, width, height };
}

function TopologyTab(props: { appId: string; live: boolean }) {
  const topology = createQuery(() => ({ appId: props.appId }), (input) => appsApi.topology(input.appId));
  poll(topology, LIVE_REFRESH_MS, () => props.live);
  const layout = createMemo(() => (topology.data() ? layoutTopology(topology.data()!) : null));
  return (
    <QueryView query={topology} isEmpty={(d) => d.nodes.length === 0} empty={<Empty title={t('apps.topo.empty')} testid="topology-empty" />}>
      {() => (
        <Show when={layout()}>
          {(l) => (
            <>
              <div class="topology" data-testid="app-topology">
                <svg width={l().width} height={l().height} viewBox={`0 0 ${l().width} ${l().height}`} role="img" aria-label={t('apps.tab.topology')}>
                  <defs>
                    <marker id="topo-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                      <path d="M0,0 L10,5 L0,10 z" fill="#9aa5b8" />
                    </marker>
                  </defs>
                  <For each={COLUMNS}>
                    {(c, i) => (
                      <text class="col-title" x={PAD + i() * (NODE_W + COL_GAP)} y={PAD + 10}>
                        {t(c.label)}
                      </text>
                    )}
                  </For>
                  <For each={l().edges}>
                    {(e) => (
                      <g data-testid={`topo-edge-${e.type}`}>
                        <path class="edge" d={e.path} marker-end={e.arrowAtEnd ? 'url(#topo-arrow)' : undefined} marker-start={e.arrowAtEnd ? undefined : 'url(#topo-arrow)'} />
                        <text class="edge-label" x={e.lx} y={e.ly} text-anchor="middle">
                          {t(`apps.topo.edge.${e.type}` as MessageKey)}
                        </text>
                      </g>
                    )}
                  </For>
                  <For each={l().nodes}>
                    {(n) => (
                      <g class="node" transform={`translate(${n.x},${n.y})`} data-testid={`topo-node-${n.kind}-${n.name}`} data-health={n.health}>
                        <rect width={NODE_W} height={NODE_H} rx="6" style={{ stroke: healthColor(n.health) }} />
                        <rect width="5" height={NODE_H} rx="2" style={{ fill: healthColor(n.health), stroke: 'none' }} />
                        <text class="kind" x="14" y="18">
                          {n.kind}
                        </text>
                        <text class="name" x="14" y="35">
                          {n.name.length > 21 ? `${n.name.slice(0, 20)}…` : n.name}
                        </text>
                        <circle cx={NODE_W - 14} cy="14" r="5" style={{ fill: healthColor(n.health) }} />
                        <title>{`${n.kind}/${n.name}: ${t(`apps.health.${n.health}` as MessageKey)}`}</title>
                      </g>
                    )}
                  </For>
                </svg>
              </div>
              <div class="topology-legend">
                <For each={['healthy', 'progressing', 'degraded', 'missing'] as Health[]}>
                  {(h) => (
                    <span>
                      <span class="swatch" style={{ background: healthColor(h) }} />
                      {t(`apps.health.${h}` as MessageKey)}
                    </span>
                  )}
                </For>
              </div>
            </>
          )}
        </Show>
      )}
    </QueryView>
  );
}

// ---------------------------------------------------------------- revisions

function RevisionsTab(props: { app: AppDetail; canDeploy: boolean; onRollback: (revision: number) => void }) {
  const revisions = createQuery(() => ({ appId: props.app.appId, revision: props.app.revision }), (input) => appsApi.revisions(input.appId));
  const sorted = () => [...(revisions.data() ?? [])].sort((a, b) => b.revision - a.revision);
  return (
    <QueryView query={revisions}>
      {() => (
        <Table
          testid="app-revisions"
          columns={[
            { label: t('apps.col.revision') },
            { label: t('apps.col.template') },
            { label: t('apps.col.reason') },
            { label: t('apps.col.values') },
            { label: t('apps.col.when') },
            { label: t('common.actions'), class: 'actions' },
          ]}
        >
          <For each={sorted()}>
            {(r) => (
              <tr data-testid={`revision-${r.revision}`}>
                <td class="mono nowrap">
                  #{r.revision}{' '}
                  <Show when={r.current}>
                    <Badge tone="info">{t('apps.detail.current')}</Badge>
                  </Show>
                  <Show when={r.deployed && !r.current}>
                    <Badge tone="ok">{t('apps.detail.running')}</Badge>
                  </Show>
                </td>
                <td class="mono nowrap">
                  {props.app.templateId}@v{r.templateVersion}
                </td>
                <td>
                  {t(`apps.reason.${r.reason}` as MessageKey)}
                  <Show when={r.fromRevision}>
                    <span class="muted small"> ← #{r.fromRevision}</span>
                  </Show>
                </td>
                <td class="small mono values-cell" title={JSON.stringify(r.values)}>
                  {Object.entries(r.values)
                    .map(([k, v]) => `${k}=${v}`)
                    .join('  ')}
                </td>
                <td class="small muted nowrap">
                  {fmtTime(r.createdAt)}
                  <Show when={r.createdBy}> · {r.createdBy}</Show>
                </td>
                <td class="actions">
                  <ViewYamlButton
                    class="link-btn"
                    title={t('apps.detail.revisionYaml', { n: r.revision })}
                    yaml={async () => (await api.apps.revisions.query({ appId: props.app.appId, withManifests: true })).find((x) => x.revision === r.revision)?.yaml ?? ''}
                    testid={`revision-yaml-${r.revision}`}
                  />
                  <Show when={props.canDeploy && !r.current}>
                    <button type="button" class="link-btn" onClick={() => props.onRollback(r.revision)} data-testid={`rollback-${r.revision}`}>
                      {t('apps.detail.rollbackTo')}
                    </button>
                  </Show>
                </td>
              </tr>
            )}
          </For>
        </Table>
      )}
    </QueryView>
  );
}

// ---------------------------------------------------------------- manifests

function ManifestsTab(props: { app: AppDetail }) {
  return (
    <section class="card" data-testid="app-manifests">
      <p class="muted small" style={{ 'margin-bottom': '8px' }}>
        {t('apps.detail.manifestsHint', { n: props.app.revision })}
      </p>
      <YamlEditor value={props.app.yaml} readOnly height="520px" testid="app-manifests-yaml" />
    </section>
  );
}

// ---------------------------------------------------------------- update

function UpdateDialog(props: { app: AppDetail; onClose: () => void }) {
  const [version, setVersion] = createSignal<number>(props.app.templateVersion);
  const template = createQuery(() => ({ templateId: props.app.templateId, version: version() }), (input) => api.templates.get.query(input));
  const parameters = () => (template.data()?.version.parameters ?? []) as ParamDef[];
  const [values, setValues] = createSignal<FormValues>({});
  const [checked, setChecked] = createSignal(false);
  const [serverErrors, setServerErrors] = createSignal<Record<string, string>>({});
  const [preview, setPreview] = createSignal<PreviewDto | null>(null);
  const [error, setError] = createSignal<ApiError | null>(null);
  const [pending, setPending] = createSignal<null | 'preview' | 'apply'>(null);
  createEffect(
    on(
      () => parameters().map((p) => p.name).join(','),
      () => {
        const given = Object.keys(values()).length > 0 ? values() : (props.app.values as Record<string, unknown>);
        setValues(initialValues(parameters(), given));
      },
    ),
  );
  const clientErrors = createMemo(() => {
    const out: Record<string, string> = {};
    for (const p of parameters()) {
      const e = checkValue(p, values()[p.name] ?? '');
      if (e) out[p.name] = e;
    }
    return out;
  });
  const shown = () => ({ ...(checked() ? clientErrors() : {}), ...serverErrors() });
  const input = () => ({ templateVersion: version(), values: typedValues(parameters(), values()) });

  const runPreview = async () => {
    setChecked(true);
    setServerErrors({});
    setError(null);
    if (Object.keys(clientErrors()).length > 0) return;
    setPending('preview');
    try {
      setPreview(await appsApi.preview({ clusterId: props.app.clusterId, namespace: props.app.namespace, name: props.app.name, templateId: props.app.templateId, ...input() }));
    } catch (e) {
      const err = toApiError(e);
      const byParam = serverValueErrors(err);
      setServerErrors(byParam);
      if (Object.keys(byParam).length === 0) setError(err);
    } finally {
      setPending(null);
    }
  };
  const apply = async () => {
    setPending('apply');
    setError(null);
    try {
      await command((commandId) => appsApi.revise({ commandId, appId: props.app.appId, ...input() }));
      props.onClose();
    } catch (e) {
      const err = toApiError(e);
      const byParam = serverValueErrors(err);
      setServerErrors(byParam);
      setPreview(null);
      if (Object.keys(byParam).length === 0) setError(err);
    } finally {
      setPending(null);
    }
  };

  return (
    <Dialog
      title={t('apps.detail.updateTitle', { name: props.app.name })}
      onClose={props.onClose}
      wide
      testid="update-dialog"
      footer={
        <>
          <button type="button" class="btn" onClick={() => (preview() ? setPreview(null) : props.onClose())}>
            {preview() ? t('common.back') : t('common.cancel')}
          </button>
          <Show
            when={preview()}
            fallback={
              <button type="button" class="btn btn-primary" disabled={pending() !== null || !template.data()} onClick={() => void runPreview()} data-testid="update-preview">
                {pending() === 'preview' ? t('common.loading') : t('apps.gen.toPreview')}
              </button>
            }
          >
            <button type="button" class="btn btn-primary" disabled={pending() !== null || !preview()!.quota.ok} onClick={() => void apply()} data-testid="update-apply">
              {pending() === 'apply' ? t('common.saving') : t('apps.detail.applyUpdate')}
            </button>
          </Show>
        </>
      }
    >
      <Show
        when={preview()}
        fallback={
          <div class="form">
            <Field label={t('apps.gen.version')} hint={t('apps.gen.versionHint')}>
              <select value={String(version())} onChange={(e) => setVersion(Number(e.currentTarget.value))} data-testid="update-version">
                <For each={template.data()?.versions ?? [{ version: props.app.templateVersion, note: '' }]}>
                  {(v) => (
                    <option value={String(v.version)}>
                      {`v${v.version}${v.version === props.app.templateVersion ? ` (${t('apps.detail.current')})` : ''}${v.note ? ` · ${v.note}` : ''}`}
                    </option>
                  )}
                </For>
              </select>
            </Field>
            <ParameterForm parameters={parameters()} values={values()} onChange={(v) => (setValues(v), setServerErrors({}))} errors={shown()} testid="update-params" />
          </div>
        }
      >
        {(p) => <PreviewView preview={p()} />}
      </Show>
      <FormError error={error()} />
    </Dialog>
  );
}
