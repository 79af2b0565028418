/**
 * One pod (容器组): overview (status, conditions, containers with their requests and limits),
 * live logs, a web terminal, CPU/memory monitoring and events. Logs, terminal and monitoring are
 * offered only to who holds containers:logs / containers:exec / workloads:read on the namespace.
 */
import { For, Match, Show, Switch } from 'solid-js';
import { Badge, type Tone } from '../components/Badge';
import { LogViewer } from '../components/containers/LogViewer';
import { PodMetrics, formatBytes, formatCores } from '../components/containers/MetricsChart';
import { Terminal } from '../components/containers/Terminal';
import { Crumbs, PageHead } from '../components/PageHead';
import { QueryView } from '../components/QueryView';
import { Empty } from '../components/States';
import { Table } from '../components/Table';
import { currentTab, Tabs } from '../components/Tabs';
import { t } from '../i18n';
import { api, type RouterOutputs } from '../lib/api';
import { fmtTime } from '../lib/display';
import { createQuery, poll } from '../lib/query';
import { href } from '../lib/router';
import { canOnNamespace } from '../lib/session';

type Pod = RouterOutputs['pods']['get'];
const TABS = ['overview', 'logs', 'terminal', 'monitoring', 'events'] as const;
type Tab = (typeof TABS)[number];
const REFRESH_MS = 10_000;

export function podTone(status: string): Tone {
  if (status === 'Running' || status === 'Succeeded' || status === 'Completed') return 'ok';
  if (/BackOff|Err|Failed|Error|OOMKilled|Unknown/.test(status)) return 'bad';
  if (status === 'Pending' || status === 'ContainerCreating' || status === 'Terminating' || status === 'PodInitializing') return 'warn';
  return 'muted';
}

export function PodDetailPage(props: { params: Record<string, string> }) {
  const key = () => ({ clusterId: props.params.clusterId, namespace: props.params.namespace, name: props.params.name });
  const pod = createQuery(key, (input) => api.pods.get.query(input));
  // The pod lives in the cluster, not in Bosun's read models: its status is re-read every few seconds.
  poll(pod, REFRESH_MS);
  const tab = () => currentTab<Tab>(TABS, 'overview');
  const nsOf = (p: Pod) => ({ clusterId: p.clusterId, name: p.namespace, workspaceId: p.workspaceId });
  const ref = () => ({ clusterId: props.params.clusterId, namespace: props.params.namespace, pod: props.params.name });

  return (
    <div class="page">
      <Crumbs back={t('pods.title')} href={href(`/namespaces/${encodeURIComponent(props.params.clusterId)}/${encodeURIComponent(props.params.namespace)}`)} current={props.params.name} />
      <QueryView query={pod}>
        {(p) => {
          const canLogs = () => canOnNamespace('containers:logs', nsOf(p()));
          const canExec = () => canOnNamespace('containers:exec', nsOf(p()));
          const containers = () => p().containers.map((c) => c.name);
          return (
            <>
              <PageHead
                title={p().name}
                titleTestid="pod-title"
                badge={
                  <Badge tone={podTone(p().status)} testid="pod-status">
                    {p().status}
                  </Badge>
                }
                subtitle={
                  <>
                    {t('pods.namespace')} <span class="mono">{p().namespace}</span> · {t('pods.cluster')} <span class="mono">{p().clusterId}</span>
                    <Show when={p().owner}>
                      {' · '}
                      {t('pods.owner')} <span class="mono">{`${p().owner!.kind}/${p().owner!.name}`}</span>
                    </Show>
                  </>
                }
              />
              <Tabs
                testid="pod-tabs"
                active={tab()}
                tabs={[
                  { id: 'overview', label: t('pods.tab.overview') },
                  ...(canLogs() ? [{ id: 'logs' as const, label: t('pods.tab.logs') }] : []),
                  ...(canExec() ? [{ id: 'terminal' as const, label: t('pods.tab.terminal') }] : []),
                  { id: 'monitoring', label: t('pods.tab.monitoring') },
                  { id: 'events', label: t('pods.tab.events') },
                ]}
              />
              <Switch>
                <Match when={tab() === 'overview'}>
                  <Overview pod={p()} />
                </Match>
                <Match when={tab() === 'logs'}>
                  <Show when={canLogs()} fallback={<Empty title={t('pods.noPermission', { permission: 'containers:logs' })} />}>
                    <LogViewer {...ref()} containers={containers()} />
                  </Show>
                </Match>
                <Match when={tab() === 'terminal'}>
                  <Show when={canExec()} fallback={<Empty title={t('pods.noPermission', { permission: 'containers:exec' })} />}>
                    <Terminal {...ref()} containers={containers()} />
                  </Show>
                </Match>
                <Match when={tab() === 'monitoring'}>
                  <PodMetrics clusterId={p().clusterId} namespace={p().namespace} pod={p().name} />
                </Match>
                <Match when={tab() === 'events'}>
                  <PodEvents clusterId={p().clusterId} namespace={p().namespace} name={p().name} />
                </Match>
              </Switch>
            </>
          );
        }}
      </QueryView>
    </div>
  );
}

const amount = (v: number | null, format: (n: number) => string) => (v === null ? '—' : format(v));

function Overview(props: { pod: Pod }) {
  return (
    <>
      <div class="cards">
        <section class="card">
          <h3>{t('pods.status')}</h3>
          <dl class="props">
            <dt>{t('pods.phase')}</dt>
            <dd data-testid="pod-phase">{props.pod.phase}</dd>
            <dt>{t('pods.ready')}</dt>
            <dd>{props.pod.ready}</dd>
            <dt>{t('pods.restarts')}</dt>
            <dd data-testid="pod-restarts">{props.pod.restarts}</dd>
            <dt>{t('pods.node')}</dt>
            <dd class="mono">{props.pod.nodeName ?? '—'}</dd>
            <dt>{t('pods.podIP')}</dt>
            <dd class="mono">{props.pod.podIP ?? '—'}</dd>
            <dt>{t('pods.qos')}</dt>
            <dd>{props.pod.qosClass ?? '—'}</dd>
            <dt>{t('pods.started')}</dt>
            <dd>{fmtTime(props.pod.startTime)}</dd>
          </dl>
          <Show when={props.pod.message}>
            <p class="muted">{props.pod.message}</p>
          </Show>
        </section>
        <section class="card">
          <h3>{t('pods.conditions')}</h3>
          <dl class="props">
            <For each={props.pod.conditions}>
              {(c) => (
                <>
                  <dt>{c.type}</dt>
                  <dd>
                    <Badge tone={c.status === 'True' ? 'ok' : c.status === 'False' ? 'warn' : 'muted'}>{c.status}</Badge>
                    <Show when={c.reason}>
                      <span class="muted"> {c.reason}</span>
                    </Show>
                  </dd>
                </>
              )}
            </For>
          </dl>
        </section>
      </div>
      <h3>{t('pods.containers')}</h3>
      <div class="pod-containers">
        <Table
          testid="pod-containers"
          columns={[
            { label: t('pods.col.container') },
            { label: t('pods.col.image') },
            { label: t('pods.col.state') },
            { label: t('pods.col.restarts'), class: 'num' },
            { label: t('pods.col.requests') },
            { label: t('pods.col.limits') },
          ]}
        >
          <For each={[...props.pod.initContainers, ...props.pod.containers]}>
            {(c) => (
              <tr data-testid={`container-${c.name}`}>
                <td class="mono">
                  {c.name}
                  <Show when={c.init}>
                    <span class="muted"> ({t('pods.init')})</span>
                  </Show>
                </td>
                <td class="mono">{c.image}</td>
                <td>
                  <Badge tone={c.state === 'running' ? (c.ready ? 'ok' : 'warn') : c.state === 'waiting' ? (c.reason && /BackOff|Err/.test(c.reason) ? 'bad' : 'warn') : c.exitCode === 0 ? 'muted' : 'bad'}>
                    {c.reason ?? t(`pods.state.${c.state}`)}
                  </Badge>
                  <Show when={c.lastTermination}>
                    <div class="muted small">
                      {t('pods.lastTermination', { reason: c.lastTermination!.reason ?? '', code: c.lastTermination!.exitCode })}
                    </div>
                  </Show>
                </td>
                <td class="num">{c.restartCount}</td>
                <td>
                  {amount(c.requests.cpu, formatCores)} / {amount(c.requests.memory, formatBytes)}
                </td>
                <td>
                  {amount(c.limits.cpu, formatCores)} / {amount(c.limits.memory, formatBytes)}
                </td>
              </tr>
            )}
          </For>
        </Table>
      </div>
    </>
  );
}

function PodEvents(props: { clusterId: string; namespace: string; name: string }) {
  const events = createQuery(
    () => ({ clusterId: props.clusterId, namespace: props.namespace, name: props.name }),
    (input) => api.pods.events.query(input),
  );
  poll(events, REFRESH_MS);
  return (
    <QueryView query={events} empty={<Empty title={t('pods.events.empty')} testid="pod-events-empty" />}>
      {(list) => (
        <Table
          testid="pod-events"
          columns={[{ label: t('pods.events.type') }, { label: t('pods.events.reason') }, { label: t('pods.events.message') }, { label: t('pods.events.count'), class: 'num' }, { label: t('pods.events.last') }]}
        >
          <For each={list()}>
            {(e) => (
              <tr>
                <td>
                  <Badge tone={e.type === 'Warning' ? 'bad' : 'muted'}>{e.type}</Badge>
                </td>
                <td>{e.reason}</td>
                <td>{e.message}</td>
                <td class="num">{e.count}</td>
                <td class="nowrap">{fmtTime(e.lastTimestamp)}</td>
              </tr>
            )}
          </For>
        </Table>
      )}
    </QueryView>
  );
}
