import { createSignal, For, Show } from 'solid-js';
import { Badge, type Tone } from '../components/Badge';
import { ConfirmDialog } from '../components/Confirm';
import { Dialog } from '../components/Dialog';
import { Field, FormError } from '../components/Field';
import { Empty, LoadError, Loading } from '../components/States';
import { t, type MessageKey } from '../i18n';
import { createAction } from '../lib/action';
import { api, command, fresh, type NamespaceDto } from '../lib/api';
import { fmtCpu, fmtMemory, fmtTime } from '../lib/display';
import { cpuQuantity, memoryQuantity } from '../lib/format';
import { createQuery } from '../lib/query';
import { currentLocation, href, setQuery } from '../lib/router';

const STATUS: Record<NamespaceDto['status'], { tone: Tone; key: MessageKey }> = {
  pending: { tone: 'warn', key: 'namespaces.status.pending' },
  ready: { tone: 'ok', key: 'namespaces.status.ready' },
  failed: { tone: 'bad', key: 'namespaces.status.failed' },
  deleted: { tone: 'muted', key: 'namespaces.status.deleted' },
};

export function NamespaceStatus(props: { ns: NamespaceDto }) {
  const s = () => STATUS[props.ns.status] ?? { tone: 'muted' as Tone, key: 'namespaces.status.pending' as MessageKey };
  return (
    <div class="status-cell" data-testid={`ns-status-${props.ns.name}`} data-status={props.ns.status}>
      <Badge tone={s().tone} pulse={props.ns.status === 'pending'} title={props.ns.reason ?? undefined}>
        {t(s().key)}
      </Badge>
      <Show when={props.ns.reason && props.ns.status !== 'ready'}>
        <div class="status-reason" data-testid="ns-reason">
          {props.ns.reason}
        </div>
      </Show>
    </div>
  );
}

export function NamespacesPage() {
  const workspaceFilter = () => currentLocation().query.get('workspace') ?? '';
  const clusterFilter = () => currentLocation().query.get('cluster') ?? '';
  const workspaces = createQuery(() => ({}), () => api.workspaces.list.query(fresh()));
  const clusters = createQuery(() => ({}), () => api.clusters.list.query(fresh()));
  const namespaces = createQuery(
    () => ({ workspaceId: workspaceFilter() || undefined, clusterId: clusterFilter() || undefined }),
    (input) => api.namespaces.list.query({ ...input, ...fresh() }),
  );
  const [creating, setCreating] = createSignal(false);
  const [changing, setChanging] = createSignal<NamespaceDto | null>(null);
  const [deleting, setDeleting] = createSignal<NamespaceDto | null>(null);
  const remove = createAction(
    () => command((commandId) => api.namespaces.delete.mutate({ commandId, clusterId: deleting()!.clusterId, name: deleting()!.name })),
    { success: () => t('namespaces.deleted', { name: deleting()!.name }) },
  );

  const createButton = () => (
    <button type="button" class="btn btn-primary" data-testid="create-namespace" onClick={() => setCreating(true)}>
      + {t('namespaces.create')}
    </button>
  );

  return (
    <div class="page">
      <div class="page-head">
        <div>
          <h1>{t('namespaces.title')}</h1>
          <p class="muted">{t('namespaces.subtitle')}</p>
        </div>
        <div class="page-actions">{createButton()}</div>
      </div>

      <div class="toolbar">
        <label class="filter wide">
          <span>{t('namespaces.filterWorkspace')}</span>
          <select value={workspaceFilter()} onChange={(e) => setQuery({ workspace: e.currentTarget.value })} data-testid="filter-workspace">
            <option value="">{t('common.all')}</option>
            <For each={workspaces.data()}>
              {(w) => (
                <option value={w.workspaceId} selected={w.workspaceId === workspaceFilter()}>
                  {w.displayName || w.workspaceId}
                </option>
              )}
            </For>
          </select>
        </label>
        <label class="filter wide">
          <span>{t('namespaces.filterCluster')}</span>
          <select value={clusterFilter()} onChange={(e) => setQuery({ cluster: e.currentTarget.value })} data-testid="filter-cluster">
            <option value="">{t('common.all')}</option>
            <For each={clusters.data()}>
              {(c) => (
                <option value={c.clusterId} selected={c.clusterId === clusterFilter()}>
                  {c.displayName || c.clusterId}
                </option>
              )}
            </For>
          </select>
        </label>
      </div>

      <Show when={!namespaces.error() || namespaces.data()} fallback={<LoadError error={namespaces.error()} retry={namespaces.refetch} />}>
        <Show when={!namespaces.initialLoading()} fallback={<Loading />}>
          <Show when={namespaces.data()?.length} fallback={<Empty title={t('namespaces.empty')} hint={t('namespaces.emptyHint')} action={createButton()} testid="namespaces-empty" />}>
            <div class="table-wrap">
              <table class="table" data-testid="namespaces-table">
                <thead>
                  <tr>
                    <th>{t('namespaces.col.name')}</th>
                    <th>{t('namespaces.col.workspace')}</th>
                    <th>{t('namespaces.col.cluster')}</th>
                    <th>{t('namespaces.col.status')}</th>
                    <th class="num">{t('namespaces.col.quota')}</th>
                    <th>{t('namespaces.col.defaults')}</th>
                    <th>{t('common.createdAt')}</th>
                    <th class="actions">{t('common.actions')}</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={namespaces.data()}>
                    {(n) => (
                      <tr data-testid={`ns-row-${n.name}`}>
                        <td class="mono strong">{n.name}</td>
                        <td>
                          <a href={href(`/workspaces/${encodeURIComponent(n.workspaceId)}`)}>{n.workspaceId}</a>
                        </td>
                        <td>
                          <a href={href(`/clusters/${encodeURIComponent(n.clusterId)}`)}>{n.clusterId}</a>
                        </td>
                        <td>
                          <NamespaceStatus ns={n} />
                        </td>
                        <td class="num nowrap">
                          {fmtCpu(n.quota.cpuMillis)} / {fmtMemory(n.quota.memoryBytes)}
                        </td>
                        <td class="small nowrap">
                          <div>
                            {t('common.cpu')} {cpuQuantity(n.defaults.requestCpuMillis)} / {cpuQuantity(n.defaults.limitCpuMillis)}
                          </div>
                          <div class="muted">
                            {t('common.memory')} {memoryQuantity(n.defaults.requestMemoryBytes)} / {memoryQuantity(n.defaults.limitMemoryBytes)}
                          </div>
                        </td>
                        <td class="nowrap">{fmtTime(n.createdAt)}</td>
                        <td class="actions">
                          <button type="button" class="link-btn" onClick={() => setChanging(n)} data-testid="ns-change-quota">
                            {t('namespaces.changeQuota')}
                          </button>
                          <button type="button" class="link-btn danger" onClick={() => (remove.clear(), setDeleting(n))} data-testid="ns-delete">
                            {t('common.delete')}
                          </button>
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </div>
          </Show>
        </Show>
      </Show>

      <Show when={creating()}>
        <CreateNamespaceDialog initialWorkspace={workspaceFilter()} workspaces={workspaces.data() ?? []} clusters={clusters.data() ?? []} onClose={() => setCreating(false)} />
      </Show>
      <Show when={changing()}>{(n) => <QuotaDialog ns={n()} onClose={() => setChanging(null)} />}</Show>
      <Show when={deleting()}>
        {(n) => (
          <ConfirmDialog
            title={t('namespaces.deleteTitle', { name: n().name })}
            body={t('namespaces.deleteBody', { cluster: n().clusterId })}
            confirmLabel={t('common.delete')}
            action={remove}
            onClose={() => setDeleting(null)}
            onDone={() => setDeleting(null)}
          />
        )}
      </Show>
    </div>
  );
}

function CreateNamespaceDialog(props: {
  initialWorkspace: string;
  workspaces: { workspaceId: string; displayName: string }[];
  clusters: { clusterId: string; displayName: string }[];
  onClose: () => void;
})  {
  const [workspaceId, setWorkspaceId] = createSignal(props.initialWorkspace || props.workspaces[0]?.workspaceId || '');
  const workspace = createQuery(() => (workspaceId() ? { workspaceId: workspaceId() } : false), (input) => api.workspaces.get.query({ ...input, ...fresh() }));
  const [clusterChoice, setClusterChoice] = createSignal('');
  const bindings = () => workspace.data()?.bindings ?? [];
  const clusterId = () => (bindings().some((b) => b.clusterId === clusterChoice()) ? clusterChoice() : bindings()[0]?.clusterId ?? '');
  const binding = () => bindings().find((b) => b.clusterId === clusterId());
  const [name, setName] = createSignal('');
  const [quotaCpu, setQuotaCpu] = createSignal('');
  const [quotaMemory, setQuotaMemory] = createSignal('');
  const [requestCpu, setRequestCpu] = createSignal('100m');
  const [requestMemory, setRequestMemory] = createSignal('128Mi');
  const [limitCpu, setLimitCpu] = createSignal('500m');
  const [limitMemory, setLimitMemory] = createSignal('512Mi');

  const create = createAction(
    () =>
      command((commandId) =>
        api.namespaces.create.mutate({
          commandId,
          workspaceId: workspaceId(),
          clusterId: clusterId(),
          name: name().trim(),
          quotaCpu: quotaCpu().trim(),
          quotaMemory: quotaMemory().trim(),
          defaultRequestCpu: requestCpu().trim(),
          defaultRequestMemory: requestMemory().trim(),
          defaultLimitCpu: limitCpu().trim(),
          defaultLimitMemory: limitMemory().trim(),
        }),
      ),
    {
      success: () => t('namespaces.created', { name: name().trim() }),
      fields: ['workspaceId', 'clusterId', 'name', 'quotaCpu', 'quotaMemory', 'defaultRequestCpu', 'defaultRequestMemory', 'defaultLimitCpu', 'defaultLimitMemory'],
    },
  );

  const left = () => {
    const b = binding();
    if (!b) return '';
    return t('namespaces.left', { cpu: fmtCpu(b.available.cpuMillis), memory: fmtMemory(b.available.memoryBytes) });
  };

  return (
    <Dialog
      title={t('namespaces.create')}
      onClose={props.onClose}
      wide
      testid="namespace-dialog"
      footer={
        <>
          <button type="button" class="btn" onClick={() => props.onClose()}>
            {t('common.cancel')}
          </button>
          <button type="submit" form="namespace-form" class="btn btn-primary" disabled={create.pending() || !clusterId()} data-testid="namespace-submit">
            {create.pending() ? t('common.saving') : t('common.create')}
          </button>
        </>
      }
    >
      <form
        id="namespace-form"
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await create.run()) props.onClose();
        }}
      >
        <div class="grid-2">
          <Field label={t('namespaces.workspace')} error={create.fieldError('workspaceId')}>
            <select value={workspaceId()} onChange={(e) => setWorkspaceId(e.currentTarget.value)} data-testid="namespace-workspace">
              <option value="" disabled>
                {t('namespaces.selectWorkspace')}
              </option>
              <For each={props.workspaces}>
                {(w) => (
                  <option value={w.workspaceId} selected={w.workspaceId === workspaceId()}>
                    {w.displayName || w.workspaceId}
                  </option>
                )}
              </For>
            </select>
          </Field>
          <Field label={t('namespaces.cluster')} error={create.fieldError('clusterId')} hint={workspaceId() && workspace.data() && !bindings().length ? t('namespaces.noBinding') : undefined}>
            <select value={clusterId()} disabled={!bindings().length} onChange={(e) => setClusterChoice(e.currentTarget.value)} data-testid="namespace-cluster">
              <Show when={bindings().length} fallback={<option value="">{t('namespaces.selectCluster')}</option>}>
                <For each={bindings()}>
                  {(b) => (
                    <option value={b.clusterId} selected={b.clusterId === clusterId()}>
                      {props.clusters.find((c) => c.clusterId === b.clusterId)?.displayName || b.clusterId}
                    </option>
                  )}
                </For>
              </Show>
            </select>
          </Field>
        </div>
        <Field label={t('common.name')} hint={t('common.nameHint')} error={create.fieldError('name')}>
          <input value={name()} onInput={(e) => setName(e.currentTarget.value)} required data-testid="namespace-name" />
        </Field>

        <fieldset class="fieldset">
          <legend>{t('namespaces.quota')}</legend>
          <Show when={left()}>
            <div class="hint-box" data-testid="namespace-left">
              {left()}
            </div>
          </Show>
          <div class="grid-2">
            <Field label={t('namespaces.quotaCpu')} hint={t('common.quantityCpuHint')} error={create.fieldError('quotaCpu')}>
              <input value={quotaCpu()} onInput={(e) => setQuotaCpu(e.currentTarget.value)} placeholder="2" required data-testid="namespace-quota-cpu" />
            </Field>
            <Field label={t('namespaces.quotaMemory')} hint={t('common.quantityMemoryHint')} error={create.fieldError('quotaMemory')}>
              <input value={quotaMemory()} onInput={(e) => setQuotaMemory(e.currentTarget.value)} placeholder="4Gi" required data-testid="namespace-quota-memory" />
            </Field>
          </div>
        </fieldset>

        <fieldset class="fieldset">
          <legend>{t('namespaces.defaults')}</legend>
          <div class="grid-4">
            <Field label={t('namespaces.defaultRequestCpu')} error={create.fieldError('defaultRequestCpu')}>
              <input value={requestCpu()} onInput={(e) => setRequestCpu(e.currentTarget.value)} data-testid="namespace-request-cpu" />
            </Field>
            <Field label={t('namespaces.defaultLimitCpu')} error={create.fieldError('defaultLimitCpu')}>
              <input value={limitCpu()} onInput={(e) => setLimitCpu(e.currentTarget.value)} data-testid="namespace-limit-cpu" />
            </Field>
            <Field label={t('namespaces.defaultRequestMemory')} error={create.fieldError('defaultRequestMemory')}>
              <input value={requestMemory()} onInput={(e) => setRequestMemory(e.currentTarget.value)} data-testid="namespace-request-memory" />
            </Field>
            <Field label={t('namespaces.defaultLimitMemory')} error={create.fieldError('defaultLimitMemory')}>
              <input value={limitMemory()} onInput={(e) => setLimitMemory(e.currentTarget.value)} data-testid="namespace-limit-memory" />
            </Field>
          </div>
        </fieldset>
        <FormError error={create.formError()} />
      </form>
    </Dialog>
  );
}

function QuotaDialog(props: { ns: NamespaceDto; onClose: () => void }) {
  const [cpu, setCpu] = createSignal(cpuQuantity(props.ns.quota.cpuMillis));
  const [memory, setMemory] = createSignal(memoryQuantity(props.ns.quota.memoryBytes));
  const workspace = createQuery(() => ({ workspaceId: props.ns.workspaceId }), (input) => api.workspaces.get.query({ ...input, ...fresh() }));
  const left = () => {
    const b = workspace.data()?.bindings.find((x) => x.clusterId === props.ns.clusterId);
    if (!b) return '';
    return t('namespaces.left', {
      cpu: fmtCpu(b.available.cpuMillis + props.ns.quota.cpuMillis),
      memory: fmtMemory(b.available.memoryBytes + props.ns.quota.memoryBytes),
    });
  };
  const action = createAction(
    () => command((commandId) => api.namespaces.changeQuota.mutate({ commandId, clusterId: props.ns.clusterId, name: props.ns.name, quotaCpu: cpu().trim(), quotaMemory: memory().trim() })),
    { success: () => t('namespaces.quotaChanged'), fields: ['quotaCpu', 'quotaMemory'] },
  );
  return (
    <Dialog
      title={t('namespaces.changeQuotaTitle', { name: props.ns.name })}
      onClose={props.onClose}
      testid="quota-dialog"
      footer={
        <>
          <button type="button" class="btn" onClick={() => props.onClose()}>
            {t('common.cancel')}
          </button>
          <button type="submit" form="quota-form" class="btn btn-primary" disabled={action.pending()} data-testid="quota-submit">
            {action.pending() ? t('common.saving') : t('common.save')}
          </button>
        </>
      }
    >
      <form
        id="quota-form"
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await action.run()) props.onClose();
        }}
      >
        <Show when={left()}>
          <div class="hint-box">{left()}</div>
        </Show>
        <div class="grid-2">
          <Field label={t('namespaces.quotaCpu')} hint={t('common.quantityCpuHint')} error={action.fieldError('quotaCpu')}>
            <input value={cpu()} onInput={(e) => setCpu(e.currentTarget.value)} required data-testid="quota-cpu" />
          </Field>
          <Field label={t('namespaces.quotaMemory')} hint={t('common.quantityMemoryHint')} error={action.fieldError('quotaMemory')}>
            <input value={memory()} onInput={(e) => setMemory(e.currentTarget.value)} required data-testid="quota-memory" />
          </Field>
        </div>
        <FormError error={action.formError()} />
      </form>
    </Dialog>
  );
}
