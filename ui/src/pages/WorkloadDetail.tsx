/**
 * One workload: status, rollout progress (polled while replicas converge), conditions, events,
 * pods, revisions, YAML, and the operations the user may run (scale, autoscaler, image, restart,
 * rollback, delete).
 */
import { createMemo, createSignal, For, onCleanup, Show } from 'solid-js';
import { ConfirmDialog } from '../components/Confirm';
import { Field } from '../components/Field';
import { FormDialog } from '../components/FormDialog';
import { Crumbs, PageHead } from '../components/PageHead';
import { QueryView } from '../components/QueryView';
import { Empty } from '../components/States';
import { Table } from '../components/Table';
import { currentTab, Tabs } from '../components/Tabs';
import { YamlEditor } from '../components/YamlEditor';
import { Badge } from '../components/Badge';
import { t } from '../i18n';
import { createAction } from '../lib/action';
import { api, command, type RouterOutputs } from '../lib/api';
import { fmtTime } from '../lib/display';
import { createQuery } from '../lib/query';
import { href, navigate } from '../lib/router';
import { where } from '../lib/session';
import { age, detailHref, HealthBadge, KINDS, kindLabel, type WorkloadKind } from './Workloads';
import './workloads.css';

type Detail = RouterOutputs['workloads']['get'];

const KIND_OF_SEGMENT: Record<string, WorkloadKind> = Object.fromEntries(KINDS.map((k) => [k.toLowerCase(), k]));

const SCALABLE: WorkloadKind[] = ['Deployment', 'StatefulSet'];
const IMAGE: WorkloadKind[] = ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob'];
const RESTARTABLE: WorkloadKind[] = ['Deployment', 'StatefulSet', 'DaemonSet'];

export function WorkloadDetailPage(props: { params: Record<string, string> }) {
  const kind = () => KIND_OF_SEGMENT[props.params.kind?.toLowerCase() ?? ''] ?? 'Deployment';
  const ref = () => ({ clusterId: props.params.clusterId, namespace: props.params.namespace, kind: kind(), name: props.params.name });
  const detail = createQuery(() => ref(), (input) => api.workloads.get.query(input));
  // Live: faster while a rollout converges.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const poll = () => {
    timer = setTimeout(() => {
      detail.refetch();
      poll();
    }, detail.data()?.rollout && !detail.data()!.rollout!.complete ? 1000 : 3000);
  };
  poll();
  onCleanup(() => clearTimeout(timer));

  const canOperate = () => {
    const w = where('workloads:operate');
    // The namespace's workspace is not known here: the server decides; a namespace or platform grant shows the buttons.
    return w.everywhere || w.workspaces.length > 0 || w.namespaces.includes(`${ref().clusterId}/${ref().namespace}`);
  };
  const tabs = ['overview', 'pods', 'events', 'revisions', 'yaml'] as const;
  const tab = () => currentTab(tabs, 'overview');
  const [dialog, setDialog] = createSignal<null | 'scale' | 'hpa' | 'image' | 'restart' | 'rollback' | 'delete'>(null);
  const close = () => setDialog(null);
  const listHref = () => href(`/workloads?ns=${encodeURIComponent(`${ref().clusterId}/${ref().namespace}`)}&tab=${kind().toLowerCase()}s`);

  return (
    <div class="page">
      <Crumbs back={t('workloads.title')} href={listHref()} current={ref().name} />
      <PageHead
        title={
          <>
            <span class="muted">{kind()} · </span>
            {ref().name}
          </>
        }
        titleTestid="workload-title"
        badge={<Show when={detail.data()}>{(d) => <HealthBadge health={d().summary.health} status={d().summary.status} testid="workload-health" />}</Show>}
        actions={
          <Show when={canOperate() && detail.data()}>
            <Show when={SCALABLE.includes(kind())}>
              <button type="button" class="btn" data-testid="action-scale" onClick={() => setDialog('scale')}>
                {t('workloads.action.scale')}
              </button>
              <button type="button" class="btn" data-testid="action-hpa" onClick={() => setDialog('hpa')}>
                {t('workloads.action.hpa')}
              </button>
            </Show>
            <Show when={IMAGE.includes(kind())}>
              <button type="button" class="btn" data-testid="action-image" onClick={() => setDialog('image')}>
                {t('workloads.action.image')}
              </button>
            </Show>
            <Show when={RESTARTABLE.includes(kind())}>
              <button type="button" class="btn" data-testid="action-restart" onClick={() => setDialog('restart')}>
                {t('workloads.action.restart')}
              </button>
              <button type="button" class="btn" data-testid="action-rollback" onClick={() => setDialog('rollback')}>
                {t('workloads.action.rollback')}
              </button>
            </Show>
            <button type="button" class="btn btn-danger" data-testid="action-delete" onClick={() => setDialog('delete')}>
              {t('common.delete')}
            </button>
          </Show>
        }
      />
      <QueryView query={detail}>
        {(d) => (
          <>
            <Rollout detail={d()} />
            <Tabs
              tabs={[
                { id: 'overview', label: t('workloads.tab.overview') },
                { id: 'pods', label: `${t('workloads.tab.pods')} (${d().pods.length})` },
                { id: 'events', label: `${t('workloads.tab.events')} (${d().events.length})` },
                { id: 'revisions', label: t('workloads.tab.revisions') },
                { id: 'yaml', label: 'YAML' },
              ]}
              active={tab()}
              testid="workload-tabs"
            />
            <Show when={tab() === 'overview'}>
              <Overview detail={d()} />
            </Show>
            <Show when={tab() === 'pods'}>
              <Pods detail={d()} />
            </Show>
            <Show when={tab() === 'events'}>
              <Events detail={d()} />
            </Show>
            <Show when={tab() === 'revisions'}>
              <Revisions detail={d()} />
            </Show>
            <Show when={tab() === 'yaml'}>
              <YamlView ref={ref()} />
            </Show>
            <Show when={dialog() === 'scale'}>
              <ScaleDialog detail={d()} onClose={close} onDone={() => (close(), detail.refetch())} />
            </Show>
            <Show when={dialog() === 'hpa'}>
              <AutoscalerDialog detail={d()} onClose={close} onDone={() => (close(), detail.refetch())} />
            </Show>
            <Show when={dialog() === 'image'}>
              <ImageDialog detail={d()} onClose={close} onDone={() => (close(), detail.refetch())} />
            </Show>
            <Show when={dialog() === 'rollback'}>
              <RollbackDialog detail={d()} onClose={close} onDone={() => (close(), detail.refetch())} />
            </Show>
            <Show when={dialog() === 'restart'}>
              <SimpleConfirm
                title={t('workloads.restart.title', { name: d().name })}
                body={t('workloads.restart.body')}
                confirm={t('workloads.action.restart')}
                run={(commandId) => api.workloads.restart.mutate({ commandId, ...ref() })}
                success={t('workloads.restart.done', { name: d().name })}
                onClose={close}
                onDone={() => (close(), detail.refetch())}
              />
            </Show>
            <Show when={dialog() === 'delete'}>
              <SimpleConfirm
                title={t('workloads.delete.title', { name: d().name })}
                body={t('workloads.delete.body', { kind: kindLabel(kind()), name: d().name })}
                confirm={t('common.delete')}
                run={(commandId) => api.workloads.delete.mutate({ commandId, ...ref() })}
                success={t('workloads.delete.done', { name: d().name })}
                onClose={close}
                onDone={() => navigate(listHref().slice(1))}
              />
            </Show>
          </>
        )}
      </QueryView>
    </div>
  );
}

/** The rollout's progress: updated and ready replicas of the desired count. */
function Rollout(props: { detail: Detail }) {
  const r = () => props.detail.rollout;
  const pct = (n: number) => (r() && r()!.desired > 0 ? Math.min(100, (n / r()!.desired) * 100) : 100);
  return (
    <Show when={r()}>
      {(ro) => (
        <div class="wl-rollout" data-testid="rollout" data-complete={String(ro().complete)}>
          <div class="wl-rollout-head">
            <strong>{ro().complete ? t('workloads.rollout.complete') : t('workloads.rollout.progressing')}</strong>
            <span data-testid="rollout-numbers">{t('workloads.rollout.numbers', { updated: ro().updated, ready: ro().ready, desired: ro().desired })}</span>
          </div>
          <div class="wl-track" role="progressbar" aria-valuemin={0} aria-valuemax={ro().desired} aria-valuenow={ro().ready}>
            <div class="wl-fill wl-fill-updated" style={{ width: `${pct(ro().updated)}%` }} />
            <div class="wl-fill wl-fill-ready" style={{ width: `${pct(Math.min(ro().ready, ro().updated))}%` }} />
          </div>
        </div>
      )}
    </Show>
  );
}

function Overview(props: { detail: Detail }) {
  const d = () => props.detail;
  return (
    <>
      <div class="wl-grid">
        <Stat label={t('workloads.col.ready')} value={d().summary.ready} testid="stat-ready" />
        <Show when={d().summary.desired !== undefined}>
          <Stat label={t('workloads.stat.desired')} value={String(d().summary.desired)} testid="stat-desired" />
        </Show>
        <Show when={d().summary.updated !== undefined}>
          <Stat label={t('workloads.stat.updated')} value={String(d().summary.updated)} />
        </Show>
        <Show when={d().currentRevision !== null}>
          <Stat label={t('workloads.stat.revision')} value={String(d().currentRevision)} testid="stat-revision" />
        </Show>
        <Stat label={t('workloads.col.age')} value={age(d().summary.createdAt)} />
        <Show when={d().autoscaler}>
          {(a) => (
            <Stat
              label={t('workloads.stat.hpa')}
              value={t('workloads.hpa.summary', { min: a().minReplicas, max: a().maxReplicas, cpu: a().cpuTargetPercent ?? '—' })}
              testid="stat-hpa"
            />
          )}
        </Show>
      </div>
      <div class="wl-section">
        <h2>{t('workloads.containers')}</h2>
        <Table columns={[{ label: t('workloads.col.name') }, { label: t('workloads.col.image') }]} dense testid="workload-containers">
          <For each={d().containers}>
            {(c) => (
              <tr>
                <td>{c.name}</td>
                <td>
                  <code data-testid={`container-image-${c.name}`}>{c.image}</code>
                </td>
              </tr>
            )}
          </For>
        </Table>
      </div>
      <div class="wl-section">
        <h2>{t('workloads.conditions')}</h2>
        <Show when={d().conditions.length > 0} fallback={<p class="muted small">{t('workloads.noConditions')}</p>}>
          <Table columns={[{ label: t('workloads.col.type') }, { label: t('workloads.col.status') }, { label: t('workloads.col.reason') }, { label: t('workloads.col.message') }, { label: t('workloads.col.since') }]} dense testid="workload-conditions">
            <For each={d().conditions}>
              {(c) => (
                <tr>
                  <td>{c.type}</td>
                  <td>
                    <Badge tone={c.status === 'True' ? 'ok' : c.status === 'False' ? 'bad' : 'muted'}>{c.status}</Badge>
                  </td>
                  <td>{c.reason ?? '—'}</td>
                  <td class="wl-msg">{c.message ?? ''}</td>
                  <td>{fmtTime(c.lastTransitionTime)}</td>
                </tr>
              )}
            </For>
          </Table>
        </Show>
      </div>
    </>
  );
}

function Stat(props: { label: string; value: string; testid?: string }) {
  return (
    <div class="wl-stat" data-testid={props.testid}>
      <div class="wl-stat-label">{props.label}</div>
      <div class="wl-stat-value">{props.value}</div>
    </div>
  );
}

function Pods(props: { detail: Detail }) {
  const d = () => props.detail;
  return (
    <Show when={d().pods.length > 0} fallback={<Empty title={t('workloads.noPods')} />}>
      <Table
        columns={[{ label: t('workloads.col.name') }, { label: t('workloads.col.status') }, { label: t('workloads.col.ready'), class: 'num' }, { label: t('workloads.col.restarts'), class: 'num' }, { label: t('workloads.col.node') }, { label: t('workloads.col.images') }, { label: t('workloads.col.age'), class: 'num' }]}
        dense
        testid="workload-pods"
      >
        <For each={d().pods}>
          {(p) => (
            <tr data-testid={`pod-row-${p.name}`}>
              <td>
                <a href={detailHref(d().clusterId, d().namespace, 'Pod', p.name)}>{p.name}</a>
              </td>
              <td>
                <HealthBadge health={p.health} status={p.status} />
              </td>
              <td class="num">{p.ready}</td>
              <td class="num">{p.restarts ?? 0}</td>
              <td>{p.node ?? '—'}</td>
              <td>
                <div class="wl-images">{p.images.join(', ')}</div>
              </td>
              <td class="num">{age(p.createdAt)}</td>
            </tr>
          )}
        </For>
      </Table>
    </Show>
  );
}

function Events(props: { detail: Detail }) {
  return (
    <Show when={props.detail.events.length > 0} fallback={<Empty title={t('workloads.noEvents')} />}>
      <Table
        columns={[
          { label: t('workloads.col.type') },
          { label: t('workloads.col.object') },
          { label: t('workloads.col.reason') },
          { label: t('workloads.col.message') },
          { label: t('workloads.col.count'), class: 'num' },
          { label: t('workloads.col.lastSeen') },
        ]}
        dense
        testid="workload-events"
      >
        <For each={props.detail.events}>
          {(e) => (
            <tr data-testid="workload-event">
              <td>
                <Badge tone={e.type === 'Warning' ? 'bad' : 'info'}>{e.type}</Badge>
              </td>
              <td class="mono small" classList={{ muted: !e.object }}>
                {e.object ?? `${props.detail.kind}/${props.detail.name}`}
              </td>
              <td>{e.reason}</td>
              <td class="wl-msg">{e.message}</td>
              <td class="num">{e.count}</td>
              <td>{fmtTime(e.lastSeen)}</td>
            </tr>
          )}
        </For>
      </Table>
    </Show>
  );
}

function Revisions(props: { detail: Detail }) {
  return (
    <Show when={props.detail.revisions.length > 0} fallback={<Empty title={t('workloads.noRevisions')} />}>
      <Table columns={[{ label: t('workloads.col.revision') }, { label: t('workloads.col.images') }, { label: t('workloads.col.age'), class: 'num' }]} dense testid="workload-revisions">
        <For each={props.detail.revisions}>
          {(r) => (
            <tr>
              <td>
                #{r.revision}
                <Show when={r.revision === props.detail.currentRevision}>
                  {' '}
                  <Badge tone="ok">{t('workloads.current')}</Badge>
                </Show>
              </td>
              <td>
                <div class="wl-images">{Object.entries(r.images).map(([c, i]) => `${c}: ${i}`).join(', ')}</div>
              </td>
              <td class="num">{age(r.createdAt)}</td>
            </tr>
          )}
        </For>
      </Table>
    </Show>
  );
}

function YamlView(props: { ref: { clusterId: string; namespace: string; kind: WorkloadKind; name: string } }) {
  const yaml = createQuery(() => props.ref, (input) => api.workloads.yaml.query(input));
  return (
    <QueryView query={yaml}>
      {(y) => (
        <Show when={y().yaml} keyed>
          {(text) => <YamlEditor value={text} readOnly height="560px" testid="workload-yaml" />}
        </Show>
      )}
    </QueryView>
  );
}

const refOf = (d: Detail) => ({ clusterId: d.clusterId, namespace: d.namespace, kind: d.kind, name: d.name });

function ScaleDialog(props: { detail: Detail; onClose: () => void; onDone: () => void }) {
  const [replicas, setReplicas] = createSignal(String(props.detail.summary.desired ?? 1));
  const action = createAction(() => command((commandId) => api.workloads.scale.mutate({ commandId, ...refOf(props.detail), replicas: Number(replicas()) })), {
    success: () => t('workloads.scale.done', { name: props.detail.name, n: replicas() }),
    fields: ['replicas'],
  });
  return (
    <FormDialog name="scale" title={t('workloads.scale.title', { name: props.detail.name })} action={action} submitLabel={t('workloads.action.scale')} onClose={props.onClose} onDone={props.onDone}>
      <Show when={props.detail.autoscaler}>
        <p class="muted small">{t('workloads.scale.hpaNote')}</p>
      </Show>
      <Field label={t('workloads.scale.replicas')} hint={t('workloads.scale.hint')} error={action.fieldError('replicas')} testid="scale-replicas-field">
        <input type="number" value={replicas()} onInput={(e) => setReplicas(e.currentTarget.value)} data-testid="scale-replicas" />
      </Field>
    </FormDialog>
  );
}

function AutoscalerDialog(props: { detail: Detail; onClose: () => void; onDone: () => void }) {
  const a = props.detail.autoscaler;
  const [cpu, setCpu] = createSignal(String(a?.cpuTargetPercent ?? 70));
  const [min, setMin] = createSignal(String(a?.minReplicas ?? 1));
  const [max, setMax] = createSignal(String(a?.maxReplicas ?? 5));
  const action = createAction(
    () =>
      command((commandId) =>
        api.workloads.setAutoscaler.mutate({ commandId, ...refOf(props.detail), cpuTargetPercent: Number(cpu()), minReplicas: Number(min()), maxReplicas: Number(max()) }),
      ),
    { success: () => t('workloads.hpa.done', { name: props.detail.name }), fields: ['cpuTargetPercent', 'minReplicas', 'maxReplicas'] },
  );
  const remove = createAction(() => command((commandId) => api.workloads.removeAutoscaler.mutate({ commandId, ...refOf(props.detail) })), {
    success: () => t('workloads.hpa.removed', { name: props.detail.name }),
  });
  return (
    <FormDialog name="hpa" title={t('workloads.hpa.title', { name: props.detail.name })} action={action} submitLabel={t('common.save')} onClose={props.onClose} onDone={props.onDone}>
      <Field label={t('workloads.hpa.cpu')} hint={t('workloads.hpa.cpuHint')} error={action.fieldError('cpuTargetPercent')} testid="hpa-cpu-field">
        <input type="number" min="1" max="100" value={cpu()} onInput={(e) => setCpu(e.currentTarget.value)} data-testid="hpa-cpu" />
      </Field>
      <Field label={t('workloads.hpa.min')} error={action.fieldError('minReplicas')} testid="hpa-min-field">
        <input type="number" min="1" max="1000" value={min()} onInput={(e) => setMin(e.currentTarget.value)} data-testid="hpa-min" />
      </Field>
      <Field label={t('workloads.hpa.max')} error={action.fieldError('maxReplicas')} testid="hpa-max-field">
        <input type="number" min="1" max="1000" value={max()} onInput={(e) => setMax(e.currentTarget.value)} data-testid="hpa-max" />
      </Field>
      <Show when={a}>
        <button type="button" class="btn btn-danger btn-small" disabled={remove.pending()} data-testid="hpa-remove" onClick={async () => (await remove.run()) && props.onDone()}>
          {t('workloads.hpa.remove')}
        </button>
      </Show>
    </FormDialog>
  );
}

function ImageDialog(props: { detail: Detail; onClose: () => void; onDone: () => void }) {
  const containers = props.detail.containers;
  const [container, setContainer] = createSignal(containers[0]?.name ?? '');
  const current = createMemo(() => containers.find((c) => c.name === container())?.image ?? '');
  const [image, setImage] = createSignal(current());
  const action = createAction(
    () => command((commandId) => api.workloads.updateImage.mutate({ commandId, ...refOf(props.detail), container: container(), image: image() })),
    { success: () => t('workloads.image.done', { name: props.detail.name }), fields: ['image', 'container'] },
  );
  return (
    <FormDialog name="image" title={t('workloads.image.title', { name: props.detail.name })} action={action} submitLabel={t('workloads.action.image')} onClose={props.onClose} onDone={props.onDone}>
      <Field label={t('workloads.image.container')} error={action.fieldError('container')}>
        <select
          value={container()}
          onChange={(e) => {
            setContainer(e.currentTarget.value);
            setImage(current());
          }}
          data-testid="image-container"
        >
          <For each={containers}>{(c) => <option value={c.name}>{c.name}</option>}</For>
        </select>
      </Field>
      <Field label={t('workloads.image.image')} hint={t('workloads.image.hint', { current: current() })} error={action.fieldError('image')} testid="image-field">
        <input type="text" value={image()} onInput={(e) => setImage(e.currentTarget.value)} data-testid="image-input" spellcheck={false} />
      </Field>
    </FormDialog>
  );
}

function RollbackDialog(props: { detail: Detail; onClose: () => void; onDone: () => void }) {
  const choices = props.detail.revisions.filter((r) => r.revision !== props.detail.currentRevision);
  const [revision, setRevision] = createSignal(choices[0]?.revision ?? 0);
  const action = createAction(
    () => command((commandId) => api.workloads.rollback.mutate({ commandId, ...refOf(props.detail), toRevision: revision() })),
    { success: () => t('workloads.rollback.done', { name: props.detail.name, n: revision() }), fields: ['toRevision'] },
  );
  return (
    <FormDialog
      name="rollback"
      title={t('workloads.rollback.title', { name: props.detail.name })}
      action={action}
      submitLabel={t('workloads.action.rollback')}
      submitDisabled={choices.length === 0}
      onClose={props.onClose}
      onDone={props.onDone}
    >
      <Show when={choices.length > 0} fallback={<p class="muted">{t('workloads.rollback.none')}</p>}>
        <Field label={t('workloads.rollback.revision')} error={action.fieldError('toRevision')}>
          <div data-testid="rollback-revisions">
            <For each={choices}>
              {(r) => (
                <label class="wl-revision">
                  <input type="radio" name="revision" checked={revision() === r.revision} onChange={() => setRevision(r.revision)} data-testid={`rollback-revision-${r.revision}`} />
                  <strong>#{r.revision}</strong>
                  <span class="wl-images">{Object.values(r.images).join(', ')}</span>
                  <span class="muted small">{age(r.createdAt)}</span>
                </label>
              )}
            </For>
          </div>
        </Field>
      </Show>
    </FormDialog>
  );
}

function SimpleConfirm(props: {
  title: string;
  body: string;
  confirm: string;
  success: string;
  run: (commandId: string) => Promise<{ position: number }>;
  onClose: () => void;
  onDone: () => void;
}) {
  const action = createAction(() => command((commandId) => props.run(commandId)), { success: () => props.success });
  return <ConfirmDialog title={props.title} body={props.body} confirmLabel={props.confirm} action={action} onClose={props.onClose} onDone={props.onDone} />;
}
