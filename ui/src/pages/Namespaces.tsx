import { createSignal, For, Show } from 'solid-js';
import { Badge, type Tone } from '../components/Badge';
import { ConfirmDialog } from '../components/Confirm';
import { Field } from '../components/Field';
import { FormDialog } from '../components/FormDialog';
import { AddButton, PageHead } from '../components/PageHead';
import { QuantityFields } from '../components/QuantityFields';
import { QueryView } from '../components/QueryView';
import { Empty } from '../components/States';
import { Table } from '../components/Table';
import { t, type MessageKey } from '../i18n';
import { createAction } from '../lib/action';
import { api, command, fresh, type NamespaceDto } from '../lib/api';
import { fmtCpu, fmtMemory, fmtTime } from '../lib/display';
import { cpuQuantity, memoryQuantity } from '../lib/format';
import { createQuery } from '../lib/query';
import { currentLocation, href, setQuery } from '../lib/router';
import { canAnywhere, canInWorkspace, canOnNamespace, canOnPlatform, where } from '../lib/session';

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

/** A toolbar filter: a select of `options` with "All" (the empty value) first. */
function FilterSelect(props: { label: string; value: string; onChange: (value: string) => void; options: { id: string; label: string }[]; testid: string }) {
  return (
    <label class="filter wide">
      <span>{props.label}</span>
      <select value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)} data-testid={props.testid}>
        <option value="">{t('common.all')}</option>
        <For each={props.options}>
          {(o) => (
            <option value={o.id} selected={o.id === props.value}>
              {o.label}
            </option>
          )}
        </For>
      </select>
    </label>
  );
}

export function NamespacesPage() {
  const workspaceFilter = () => currentLocation().query.get('workspace') ?? '';
  const clusterFilter = () => currentLocation().query.get('cluster') ?? '';
  // Only what the user may read is asked for: a refused query is an audited attempt.
  const workspaces = createQuery(() => canAnywhere('workspaces:read') && {}, () => api.workspaces.list.query(fresh()));
  const clusters = createQuery(() => canOnPlatform('clusters:read') && {}, () => api.clusters.list.query(fresh()));
  const canCreate = () => where('namespaces:manage').everywhere || where('namespaces:manage').workspaces.length > 0;
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
    <Show when={canCreate()}>
      <AddButton label={t('namespaces.create')} testid="create-namespace" onClick={() => setCreating(true)} />
    </Show>
  );
  const detail = (n: NamespaceDto) => href(`/namespaces/${encodeURIComponent(n.clusterId)}/${encodeURIComponent(n.name)}`);

  return (
    <div class="page">
      <PageHead title={t('namespaces.title')} subtitle={t('namespaces.subtitle')} actions={createButton()} />

      <Show when={canAnywhere('workspaces:read') || canOnPlatform('clusters:read')} fallback={<p class="muted small scoped-hint">{t('namespaces.onlyYours')}</p>}>
        <div class="toolbar">
          <Show when={canAnywhere('workspaces:read')}>
            <FilterSelect
              label={t('namespaces.filterWorkspace')}
              value={workspaceFilter()}
              onChange={(workspace) => setQuery({ workspace })}
              options={(workspaces.data() ?? []).map((w) => ({ id: w.workspaceId, label: w.displayName || w.workspaceId }))}
              testid="filter-workspace"
            />
          </Show>
          <Show when={canOnPlatform('clusters:read')}>
            <FilterSelect
              label={t('namespaces.filterCluster')}
              value={clusterFilter()}
              onChange={(cluster) => setQuery({ cluster })}
              options={(clusters.data() ?? []).map((c) => ({ id: c.clusterId, label: c.displayName || c.clusterId }))}
              testid="filter-cluster"
            />
          </Show>
        </div>
      </Show>

      <QueryView query={namespaces} empty={<Empty title={t('namespaces.empty')} hint={t('namespaces.emptyHint')} action={createButton()} testid="namespaces-empty" />}>
        {(list) => (
          <Table
            testid="namespaces-table"
            columns={[
              { label: t('namespaces.col.name') },
              { label: t('namespaces.col.workspace') },
              { label: t('namespaces.col.cluster') },
              { label: t('namespaces.col.status') },
              { label: t('namespaces.col.quota'), class: 'num' },
              { label: t('namespaces.col.defaults') },
              { label: t('common.createdAt') },
              { label: t('common.actions'), class: 'actions' },
            ]}
          >
            <For each={list()}>
              {(n) => (
                <tr data-testid={`ns-row-${n.name}`}>
                  <td class="mono strong">
                    <a href={detail(n)} data-testid={`ns-link-${n.name}`}>
                      {n.name}
                    </a>
                  </td>
                  <td>
                    <Show when={canInWorkspace('workspaces:read', n.workspaceId)} fallback={n.workspaceId}>
                      <a href={href(`/workspaces/${encodeURIComponent(n.workspaceId)}`)}>{n.workspaceId}</a>
                    </Show>
                  </td>
                  <td>
                    <Show when={canOnPlatform('clusters:read')} fallback={n.clusterId}>
                      <a href={href(`/clusters/${encodeURIComponent(n.clusterId)}`)}>{n.clusterId}</a>
                    </Show>
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
                    <a class="link-btn" href={`${detail(n)}`} data-testid="ns-members">
                      {t('members.title')}
                    </a>
                    <Show when={canOnNamespace('namespaces:manage', n)}>
                      <button type="button" class="link-btn" onClick={() => setChanging(n)} data-testid="ns-change-quota">
                        {t('namespaces.changeQuota')}
                      </button>
                      <button type="button" class="link-btn danger" onClick={() => (remove.clear(), setDeleting(n))} data-testid="ns-delete">
                        {t('common.delete')}
                      </button>
                    </Show>
                  </td>
                </tr>
              )}
            </For>
          </Table>
        )}
      </QueryView>

      <Show when={creating()}>
        <CreateNamespaceDialog
          initialWorkspace={workspaceFilter()}
          workspaces={(workspaces.data() ?? []).filter((w) => canInWorkspace('namespaces:manage', w.workspaceId))}
          clusters={clusters.data() ?? []} onClose={() => setCreating(false)} />
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
    <FormDialog name="namespace" title={t('namespaces.create')} wide action={create} submitLabel={t('common.create')} submitDisabled={!clusterId()} onClose={props.onClose}>
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
        <QuantityFields
          action={create}
          cpu={{ label: t('namespaces.quotaCpu'), field: 'quotaCpu', value: quotaCpu(), onInput: setQuotaCpu, placeholder: '2', testid: 'namespace-quota-cpu' }}
          memory={{ label: t('namespaces.quotaMemory'), field: 'quotaMemory', value: quotaMemory(), onInput: setQuotaMemory, placeholder: '4Gi', testid: 'namespace-quota-memory' }}
        />
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
    </FormDialog>
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
    <FormDialog name="quota" title={t('namespaces.changeQuotaTitle', { name: props.ns.name })} action={action} submitLabel={t('common.save')} onClose={props.onClose}>
      <Show when={left()}>
        <div class="hint-box">{left()}</div>
      </Show>
      <QuantityFields
        action={action}
        cpu={{ label: t('namespaces.quotaCpu'), field: 'quotaCpu', value: cpu(), onInput: setCpu, testid: 'quota-cpu' }}
        memory={{ label: t('namespaces.quotaMemory'), field: 'quotaMemory', value: memory(), onInput: setMemory, testid: 'quota-memory' }}
      />
    </FormDialog>
  );
}
