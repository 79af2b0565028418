import { createSignal, For, Show } from 'solid-js';
import { Bar } from '../components/Bar';
import { ConfirmDialog } from '../components/Confirm';
import { Dialog } from '../components/Dialog';
import { Field, FormError } from '../components/Field';
import { Empty, LoadError, Loading } from '../components/States';
import { t } from '../i18n';
import { createAction } from '../lib/action';
import { api, command, fresh, type BindingDto, type ClusterDto, type WorkspaceDetailDto } from '../lib/api';
import { fmtCpu, fmtMemory, fmtTime } from '../lib/display';
import { cpuQuantity, memoryQuantity } from '../lib/format';
import { createQuery } from '../lib/query';
import { href, navigate } from '../lib/router';

export function WorkspaceDetailPage(props: { params: Record<string, string> }) {
  const id = () => props.params.id;
  const workspace = createQuery(() => ({ workspaceId: id() }), (input) => api.workspaces.get.query({ ...input, ...fresh() }));
  const clusters = createQuery(() => ({}), () => api.clusters.list.query(fresh()));
  const clusterName = (clusterId: string) => clusters.data()?.find((c) => c.clusterId === clusterId)?.displayName || clusterId;

  const [binding, setBinding] = createSignal<{ mode: 'bind' } | { mode: 'change'; binding: BindingDto } | null>(null);
  const [unbinding, setUnbinding] = createSignal<BindingDto | null>(null);
  const [changingCeiling, setChangingCeiling] = createSignal(false);
  const [deleting, setDeleting] = createSignal(false);

  const unbind = createAction(
    () => command((commandId) => api.workspaces.unbind.mutate({ commandId, workspaceId: id(), clusterId: unbinding()!.clusterId })),
    { success: () => t('workspace.unbound') },
  );
  const remove = createAction(() => command((commandId) => api.workspaces.delete.mutate({ commandId, workspaceId: id() })), {
    success: () => t('workspace.deleted', { name: id() }),
  });

  return (
    <div class="page">
      <nav class="crumbs">
        <a href={href('/workspaces')}>{t('workspace.back')}</a>
        <span>/</span>
        <span>{id()}</span>
      </nav>
      <Show when={!workspace.error() || workspace.data()} fallback={<LoadError error={workspace.error()} retry={workspace.refetch} />}>
        <Show when={workspace.data()} fallback={<Loading />}>
          {(w) => (
            <>
              <div class="page-head">
                <div>
                  <h1 data-testid="workspace-title">{w().displayName || w().workspaceId}</h1>
                  <p class="muted">
                    <span class="mono">{w().workspaceId}</span>
                    <Show when={w().description}> · {w().description}</Show>
                  </p>
                </div>
                <div class="page-actions">
                  <a class="btn" href={href(`/namespaces?workspace=${encodeURIComponent(w().workspaceId)}`)} data-testid="workspace-namespaces">
                    {t('workspace.namespaces')} →
                  </a>
                  <button type="button" class="btn btn-danger-outline" onClick={() => (remove.clear(), setDeleting(true))} data-testid="workspace-delete">
                    {t('workspace.delete')}
                  </button>
                </div>
              </div>

              <div class="cards">
                <section class="card">
                  <div class="card-head">
                    <h3>{t('workspace.ceiling')}</h3>
                    <button type="button" class="btn btn-small" onClick={() => setChangingCeiling(true)} data-testid="change-ceiling">
                      {t('workspace.changeCeiling')}
                    </button>
                  </div>
                  <p class="muted small">{t('workspace.usedCeiling')}</p>
                  <div class="meter">
                    <span class="meter-label">{t('common.cpu')}</span>
                    <Bar
                      testid="workspace-cpu-bar"
                      used={w().bound.cpuMillis}
                      total={w().ceiling.cpuMillis}
                      label={t('common.of', { used: fmtCpu(w().bound.cpuMillis), total: fmtCpu(w().ceiling.cpuMillis) })}
                    />
                  </div>
                  <div class="meter">
                    <span class="meter-label">{t('common.memory')}</span>
                    <Bar
                      testid="workspace-memory-bar"
                      used={w().bound.memoryBytes}
                      total={w().ceiling.memoryBytes}
                      label={t('common.of', { used: fmtMemory(w().bound.memoryBytes), total: fmtMemory(w().ceiling.memoryBytes) })}
                    />
                  </div>
                  <p class="muted small">
                    {t('common.createdAt')}: {fmtTime(w().createdAt)}
                  </p>
                </section>
              </div>

              <section class="section">
                <div class="section-head">
                  <h2>{t('workspace.bindings')}</h2>
                  <button type="button" class="btn btn-primary" onClick={() => setBinding({ mode: 'bind' })} data-testid="bind-cluster">
                    + {t('workspace.bind')}
                  </button>
                </div>
                <Show
                  when={w().bindings.length}
                  fallback={
                    <Empty
                      title={t('workspace.noBindings')}
                      hint={t('workspace.noBindingsHint')}
                      testid="bindings-empty"
                    />
                  }
                >
                  <div class="table-wrap">
                    <table class="table" data-testid="bindings-table">
                      <thead>
                        <tr>
                          <th>{t('workspace.col.cluster')}</th>
                          <th class="bar-col">{t('workspace.col.cpu')}</th>
                          <th class="bar-col">{t('workspace.col.memory')}</th>
                          <th class="actions">{t('common.actions')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        <For each={w().bindings}>
                          {(b) => (
                            <tr data-testid={`binding-row-${b.clusterId}`}>
                              <td>
                                <a class="strong" href={href(`/clusters/${encodeURIComponent(b.clusterId)}`)}>
                                  {clusterName(b.clusterId)}
                                </a>
                              </td>
                              <td>
                                <Bar used={b.allocated.cpuMillis} total={b.bound.cpuMillis} label={t('common.of', { used: fmtCpu(b.allocated.cpuMillis), total: fmtCpu(b.bound.cpuMillis) })} />
                              </td>
                              <td>
                                <Bar
                                  used={b.allocated.memoryBytes}
                                  total={b.bound.memoryBytes}
                                  label={t('common.of', { used: fmtMemory(b.allocated.memoryBytes), total: fmtMemory(b.bound.memoryBytes) })}
                                />
                              </td>
                              <td class="actions">
                                <button type="button" class="link-btn" onClick={() => setBinding({ mode: 'change', binding: b })} data-testid="binding-change">
                                  {t('common.change')}
                                </button>
                                <button type="button" class="link-btn danger" onClick={() => (unbind.clear(), setUnbinding(b))} data-testid="binding-remove">
                                  {t('common.remove')}
                                </button>
                              </td>
                            </tr>
                          )}
                        </For>
                      </tbody>
                    </table>
                  </div>
                </Show>
              </section>

              <Show when={binding()}>
                {(mode) => <BindingDialog workspace={w()} clusters={clusters.data() ?? []} mode={mode()} onClose={() => setBinding(null)} />}
              </Show>
              <Show when={changingCeiling()}>
                <CeilingDialog workspace={w()} onClose={() => setChangingCeiling(false)} />
              </Show>
            </>
          )}
        </Show>
      </Show>

      <Show when={unbinding()}>
        {(b) => (
          <ConfirmDialog
            title={t('workspace.unbindTitle', { cluster: clusterName(b().clusterId) })}
            body={t('workspace.unbindBody')}
            confirmLabel={t('common.remove')}
            action={unbind}
            onClose={() => setUnbinding(null)}
            onDone={() => setUnbinding(null)}
          />
        )}
      </Show>
      <Show when={deleting()}>
        <ConfirmDialog
          title={t('workspace.deleteTitle', { name: id() })}
          body={t('workspace.deleteBody')}
          confirmLabel={t('common.delete')}
          action={remove}
          onClose={() => setDeleting(false)}
          onDone={() => navigate('/workspaces')}
        />
      </Show>
    </div>
  );
}

function BindingDialog(props: {
  workspace: WorkspaceDetailDto;
  clusters: ClusterDto[];
  mode: { mode: 'bind' } | { mode: 'change'; binding: BindingDto };
  onClose: () => void;
}) {
  const existing = () => (props.mode.mode === 'change' ? props.mode.binding : null);
  const available = () =>
    props.mode.mode === 'change' ? props.clusters.filter((c) => c.clusterId === existing()!.clusterId) : props.clusters.filter((c) => !props.workspace.bindings.some((b) => b.clusterId === c.clusterId));
  const [clusterId, setClusterId] = createSignal(existing()?.clusterId ?? available()[0]?.clusterId ?? '');
  const [cpu, setCpu] = createSignal(existing() ? cpuQuantity(existing()!.bound.cpuMillis) : '');
  const [memory, setMemory] = createSignal(existing() ? memoryQuantity(existing()!.bound.memoryBytes) : '');
  const cluster = () => props.clusters.find((c) => c.clusterId === clusterId());

  const action = createAction(
    () =>
      command((commandId) => {
        const input = { commandId, workspaceId: props.workspace.workspaceId, clusterId: clusterId(), cpu: cpu().trim(), memory: memory().trim() };
        return props.mode.mode === 'change' ? api.workspaces.changeBinding.mutate(input) : api.workspaces.bind.mutate(input);
      }),
    {
      success: () => (props.mode.mode === 'change' ? t('workspace.bindingChanged') : t('workspace.bound', { cluster: cluster()?.displayName || clusterId() })),
      fields: ['clusterId', 'cpu', 'memory'],
    },
  );

  const clusterLeft = () => {
    const c = cluster();
    if (!c) return '';
    const mine = existing();
    return t('workspace.clusterLeft', {
      cpu: fmtCpu(c.bindable.cpuMillis - c.bound.cpuMillis + (mine?.bound.cpuMillis ?? 0)),
      memory: fmtMemory(c.bindable.memoryBytes - c.bound.memoryBytes + (mine?.bound.memoryBytes ?? 0)),
    });
  };
  const ceilingLeft = () => {
    const w = props.workspace;
    const mine = existing();
    return t('workspace.ceilingLeft', {
      cpu: fmtCpu(w.ceiling.cpuMillis - w.bound.cpuMillis + (mine?.bound.cpuMillis ?? 0)),
      memory: fmtMemory(w.ceiling.memoryBytes - w.bound.memoryBytes + (mine?.bound.memoryBytes ?? 0)),
    });
  };

  return (
    <Dialog
      title={props.mode.mode === 'change' ? t('workspace.changeBindingTitle', { cluster: cluster()?.displayName || clusterId() }) : t('workspace.bindTitle')}
      onClose={props.onClose}
      testid="binding-dialog"
      footer={
        <>
          <button type="button" class="btn" onClick={() => props.onClose()}>
            {t('common.cancel')}
          </button>
          <button type="submit" form="binding-form" class="btn btn-primary" disabled={action.pending() || !clusterId()} data-testid="binding-submit">
            {action.pending() ? t('common.saving') : t('common.save')}
          </button>
        </>
      }
    >
      <form
        id="binding-form"
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await action.run()) props.onClose();
        }}
      >
        <Field label={t('workspace.cluster')} error={action.fieldError('clusterId')}>
          <select value={clusterId()} disabled={props.mode.mode === 'change'} onChange={(e) => setClusterId(e.currentTarget.value)} data-testid="binding-cluster">
            <Show when={available().length} fallback={<option value="">{t('workspace.noClusterLeft')}</option>}>
              <For each={available()}>
                {(c) => (
                  <option value={c.clusterId} selected={c.clusterId === clusterId()}>
                    {c.displayName || c.clusterId}
                  </option>
                )}
              </For>
            </Show>
          </select>
        </Field>
        <div class="hint-box" data-testid="binding-hints">
          <div>{clusterLeft()}</div>
          <div>{ceilingLeft()}</div>
        </div>
        <div class="grid-2">
          <Field label={t('common.cpu')} hint={t('common.quantityCpuHint')} error={action.fieldError('cpu')} testid="field-cpu">
            <input value={cpu()} onInput={(e) => setCpu(e.currentTarget.value)} placeholder="8" required data-testid="binding-cpu" />
          </Field>
          <Field label={t('common.memory')} hint={t('common.quantityMemoryHint')} error={action.fieldError('memory')} testid="field-memory">
            <input value={memory()} onInput={(e) => setMemory(e.currentTarget.value)} placeholder="32Gi" required data-testid="binding-memory" />
          </Field>
        </div>
        <FormError error={action.formError()} />
      </form>
    </Dialog>
  );
}

function CeilingDialog(props: { workspace: WorkspaceDetailDto; onClose: () => void }) {
  const [cpu, setCpu] = createSignal(cpuQuantity(props.workspace.ceiling.cpuMillis));
  const [memory, setMemory] = createSignal(memoryQuantity(props.workspace.ceiling.memoryBytes));
  const action = createAction(
    () => command((commandId) => api.workspaces.changeCeiling.mutate({ commandId, workspaceId: props.workspace.workspaceId, ceilingCpu: cpu().trim(), ceilingMemory: memory().trim() })),
    { success: () => t('workspace.ceilingChanged'), fields: ['ceilingCpu', 'ceilingMemory'] },
  );
  return (
    <Dialog
      title={t('workspace.changeCeiling')}
      onClose={props.onClose}
      testid="ceiling-dialog"
      footer={
        <>
          <button type="button" class="btn" onClick={() => props.onClose()}>
            {t('common.cancel')}
          </button>
          <button type="submit" form="ceiling-form" class="btn btn-primary" disabled={action.pending()} data-testid="ceiling-submit">
            {action.pending() ? t('common.saving') : t('common.save')}
          </button>
        </>
      }
    >
      <form
        id="ceiling-form"
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await action.run()) props.onClose();
        }}
      >
        <div class="grid-2">
          <Field label={t('workspaces.ceilingCpu')} hint={t('common.quantityCpuHint')} error={action.fieldError('ceilingCpu')}>
            <input value={cpu()} onInput={(e) => setCpu(e.currentTarget.value)} required data-testid="ceiling-cpu" />
          </Field>
          <Field label={t('workspaces.ceilingMemory')} hint={t('common.quantityMemoryHint')} error={action.fieldError('ceilingMemory')}>
            <input value={memory()} onInput={(e) => setMemory(e.currentTarget.value)} required data-testid="ceiling-memory" />
          </Field>
        </div>
        <FormError error={action.formError()} />
      </form>
    </Dialog>
  );
}
