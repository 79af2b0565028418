import { createSignal, For, Show } from 'solid-js';
import { QuantityBar, ResourceMeters } from '../components/Bar';
import { ConfirmDialog } from '../components/Confirm';
import { Field } from '../components/Field';
import { FormDialog } from '../components/FormDialog';
import { AddButton, Crumbs, PageHead } from '../components/PageHead';
import { QuantityFields } from '../components/QuantityFields';
import { QueryView } from '../components/QueryView';
import { Empty } from '../components/States';
import { Table } from '../components/Table';
import { t } from '../i18n';
import { createAction } from '../lib/action';
import { api, command, fresh, type BindingDto, type ClusterDto, type WorkspaceDetailDto } from '../lib/api';
import { fmtCpu, fmtMemory, fmtTime } from '../lib/display';
import { cpuQuantity, memoryQuantity } from '../lib/format';
import { createQuery } from '../lib/query';
import { href, navigate } from '../lib/router';
import { canOnPlatform } from '../lib/session';
import { MembersSection } from '../components/Members';
import { currentTab, Tabs } from '../components/Tabs';

export function WorkspaceDetailPage(props: { params: Record<string, string> }) {
  const id = () => props.params.id;
  const workspace = createQuery(() => ({ workspaceId: id() }), (input) => api.workspaces.get.query({ ...input, ...fresh() }));
  // Only what the user may read is asked for: a refused query is an audited attempt.
  const clusters = createQuery(() => canOnPlatform('clusters:read') && {}, () => api.clusters.list.query(fresh()));
  const canManage = () => canOnPlatform('workspaces:manage');
  const tab = () => currentTab(['overview', 'members'] as const, 'overview');
  const members = createQuery(() => tab() === 'members' && { workspaceId: id() }, (input) => api.members.ofWorkspace.query({ ...input, ...fresh() }));
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
      <Crumbs back={t('workspace.back')} href={href('/workspaces')} current={id()} />
      <QueryView query={workspace}>
        {(w) => (
          <>
            <PageHead
              title={w().displayName || w().workspaceId}
              titleTestid="workspace-title"
              subtitle={
                <>
                  <span class="mono">{w().workspaceId}</span>
                  <Show when={w().description}> · {w().description}</Show>
                </>
              }
              actions={
                <>
                  <a class="btn" href={href(`/namespaces?workspace=${encodeURIComponent(w().workspaceId)}`)} data-testid="workspace-namespaces">
                    {t('workspace.namespaces')} →
                  </a>
                  <Show when={canManage()}>
                    <button type="button" class="btn btn-danger-outline" onClick={() => (remove.clear(), setDeleting(true))} data-testid="workspace-delete">
                      {t('workspace.delete')}
                    </button>
                  </Show>
                </>
              }
            />

            <Tabs
              active={tab()}
              tabs={[
                { id: 'overview', label: t('workspace.tab.overview') },
                { id: 'members', label: t('members.title') },
              ]}
            />
            <Show when={tab() === 'members'}>
              <MembersSection scope={{ kind: 'workspace', workspaceId: w().workspaceId }} query={members} hint={t('members.workspaceHint')} />
            </Show>
            <Show when={tab() === 'overview'}>
              <div class="cards">
                <section class="card">
                  <div class="card-head">
                    <h3>{t('workspace.ceiling')}</h3>
                    <Show when={canManage()}>
                      <button type="button" class="btn btn-small" onClick={() => setChangingCeiling(true)} data-testid="change-ceiling">
                        {t('workspace.changeCeiling')}
                      </button>
                    </Show>
                  </div>
                  <p class="muted small">{t('workspace.usedCeiling')}</p>
                  <ResourceMeters used={w().bound} total={w().ceiling} testid="workspace" />
                  <p class="muted small">
                    {t('common.createdAt')}: {fmtTime(w().createdAt)}
                  </p>
                </section>
              </div>

              <section class="section">
                <div class="section-head">
                  <h2>{t('workspace.bindings')}</h2>
                  <Show when={canManage()}>
                    <AddButton label={t('workspace.bind')} testid="bind-cluster" onClick={() => setBinding({ mode: 'bind' })} />
                  </Show>
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
                  <Table
                    testid="bindings-table"
                    columns={[
                      { label: t('workspace.col.cluster') },
                      { label: t('workspace.col.cpu'), class: 'bar-col' },
                      { label: t('workspace.col.memory'), class: 'bar-col' },
                      { label: t('common.actions'), class: 'actions' },
                    ]}
                  >
                    <For each={w().bindings}>
                      {(b) => (
                        <tr data-testid={`binding-row-${b.clusterId}`}>
                          <td>
                            <Show when={canOnPlatform('clusters:read')} fallback={<span class="strong">{clusterName(b.clusterId)}</span>}>
                              <a class="strong" href={href(`/clusters/${encodeURIComponent(b.clusterId)}`)}>
                                {clusterName(b.clusterId)}
                              </a>
                            </Show>
                          </td>
                          <td>
                            <QuantityBar kind="cpu" used={b.allocated.cpuMillis} total={b.bound.cpuMillis} />
                          </td>
                          <td>
                            <QuantityBar kind="memory" used={b.allocated.memoryBytes} total={b.bound.memoryBytes} />
                          </td>
                          <td class="actions">
                            <Show when={canManage()}>
                              <button type="button" class="link-btn" onClick={() => setBinding({ mode: 'change', binding: b })} data-testid="binding-change">
                                {t('common.change')}
                              </button>
                              <button type="button" class="link-btn danger" onClick={() => (unbind.clear(), setUnbinding(b))} data-testid="binding-remove">
                                {t('common.remove')}
                              </button>
                            </Show>
                          </td>
                        </tr>
                      )}
                    </For>
                  </Table>
                </Show>
              </section>
            </Show>

            <Show when={binding()}>
              {(mode) => <BindingDialog workspace={w()} clusters={clusters.data() ?? []} mode={mode()} onClose={() => setBinding(null)} />}
            </Show>
            <Show when={changingCeiling()}>
              <CeilingDialog workspace={w()} onClose={() => setChangingCeiling(false)} />
            </Show>
          </>
        )}
      </QueryView>

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
    <FormDialog
      name="binding"
      title={props.mode.mode === 'change' ? t('workspace.changeBindingTitle', { cluster: cluster()?.displayName || clusterId() }) : t('workspace.bindTitle')}
      action={action}
      submitLabel={t('common.save')}
      submitDisabled={!clusterId()}
      onClose={props.onClose}
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
      <QuantityFields
        action={action}
        cpu={{ label: t('common.cpu'), field: 'cpu', value: cpu(), onInput: setCpu, placeholder: '8', testid: 'binding-cpu', fieldTestid: 'field-cpu' }}
        memory={{ label: t('common.memory'), field: 'memory', value: memory(), onInput: setMemory, placeholder: '32Gi', testid: 'binding-memory', fieldTestid: 'field-memory' }}
      />
    </FormDialog>
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
    <FormDialog name="ceiling" title={t('workspace.changeCeiling')} action={action} submitLabel={t('common.save')} onClose={props.onClose}>
      <QuantityFields
        action={action}
        cpu={{ label: t('workspaces.ceilingCpu'), field: 'ceilingCpu', value: cpu(), onInput: setCpu, testid: 'ceiling-cpu' }}
        memory={{ label: t('workspaces.ceilingMemory'), field: 'ceilingMemory', value: memory(), onInput: setMemory, testid: 'ceiling-memory' }}
      />
    </FormDialog>
  );
}
