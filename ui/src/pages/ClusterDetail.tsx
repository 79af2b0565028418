import { canOnPlatform } from '../lib/session';
import { createEffect, createSignal, For, on, Show } from 'solid-js';
import { ResourceMeters } from '../components/Bar';
import { ConfirmDialog } from '../components/Confirm';
import { Field, FormError } from '../components/Field';
import { SubmitButton } from '../components/FormDialog';
import { Crumbs, PageHead } from '../components/PageHead';
import { QueryView } from '../components/QueryView';
import { Empty, Loading } from '../components/States';
import { Table } from '../components/Table';
import { t } from '../i18n';
import { createAction } from '../lib/action';
import { api, command, fresh } from '../lib/api';
import { fmtCpu, fmtMemory, fmtTime } from '../lib/display';
import { createQuery } from '../lib/query';
import { href, navigate } from '../lib/router';
import { clusterStatusBadge } from './Clusters';
import { NamespaceStatus } from './Namespaces';

export function ClusterDetailPage(props: { params: Record<string, string> }) {
  const id = () => props.params.id;
  const cluster = createQuery(() => ({ clusterId: id() }), (input) => api.clusters.get.query({ ...input, ...fresh() }));
  const namespaces = createQuery(() => ({ clusterId: id() }), (input) => api.namespaces.list.query({ ...input, ...fresh() }));

  const [cpuRatio, setCpuRatio] = createSignal('1');
  const [memoryRatio, setMemoryRatio] = createSignal('1');
  const [dirty, setDirty] = createSignal(false);
  // Prefill the form from the server until the user edits it.
  createEffect(
    on(cluster.data, (c) => {
      if (c && !dirty()) {
        setCpuRatio(String(c.ratios.cpu));
        setMemoryRatio(String(c.ratios.memory));
      }
    }),
  );

  const overcommit = createAction(
    () => command((commandId) => api.clusters.setOvercommit.mutate({ commandId, clusterId: id(), cpuRatio: Number(cpuRatio()), memoryRatio: Number(memoryRatio()) })),
    { success: () => t('cluster.overcommitSaved'), fields: ['cpuRatio', 'memoryRatio'] },
  );
  const refresh = createAction(() => command((commandId) => api.clusters.refresh.mutate({ commandId, clusterId: id() })), { success: () => t('cluster.refreshed') });
  const remove = createAction(() => command((commandId) => api.clusters.remove.mutate({ commandId, clusterId: id() })), {
    success: () => t('cluster.removed', { name: id() }),
  });
  const [confirmRemove, setConfirmRemove] = createSignal(false);

  const preview = () => {
    const c = cluster.data();
    const cr = Number(cpuRatio());
    const mr = Number(memoryRatio());
    if (!c || !Number.isFinite(cr) || !Number.isFinite(mr)) return '';
    return t('cluster.preview', { cpu: fmtCpu(Math.floor(c.allocatable.cpuMillis * cr)), memory: fmtMemory(Math.floor(c.allocatable.memoryBytes * mr)) });
  };

  return (
    <div class="page">
      <Crumbs back={t('cluster.back')} href={href('/clusters')} current={id()} />
      <QueryView query={cluster}>
        {(c) => (
          <>
            <PageHead
              title={c().displayName || c().clusterId}
              titleTestid="cluster-title"
              badge={clusterStatusBadge(c().status)}
              actions={
                <Show when={canOnPlatform('clusters:manage')}>
                  <button type="button" class="btn" disabled={refresh.pending()} onClick={() => void refresh.run()} data-testid="cluster-refresh">
                    ↻ {t('cluster.refresh')}
                  </button>
                  <button type="button" class="btn btn-danger-outline" onClick={() => (remove.clear(), setConfirmRemove(true))} data-testid="cluster-remove">
                    {t('cluster.remove')}
                  </button>
                </Show>
              }
            />

            <div class="cards">
              <section class="card">
                <h3>{t('cluster.overview')}</h3>
                <dl class="props">
                  <dt>{t('cluster.server')}</dt>
                  <dd class="mono">{c().server}</dd>
                  <dt>{t('cluster.context')}</dt>
                  <dd class="mono">{c().contextName}</dd>
                  <dt>{t('cluster.version')}</dt>
                  <dd class="mono" data-testid="detail-version">{c().kubernetesVersion || '—'}</dd>
                  <dt>{t('cluster.nodes')}</dt>
                  <dd data-testid="detail-nodes">{c().nodeCount}</dd>
                  <dt>{t('cluster.registeredAt')}</dt>
                  <dd>{fmtTime(c().registeredAt)}</dd>
                </dl>
              </section>
              <section class="card">
                <h3>{t('cluster.capacity')}</h3>
                <dl class="props">
                  <dt>{t('cluster.allocatable')}</dt>
                  <dd data-testid="detail-allocatable">
                    {fmtCpu(c().allocatable.cpuMillis)} · {fmtMemory(c().allocatable.memoryBytes)}
                  </dd>
                  <dt>{t('cluster.bindable')}</dt>
                  <dd data-testid="detail-bindable">
                    {fmtCpu(c().bindable.cpuMillis)} · {fmtMemory(c().bindable.memoryBytes)}
                  </dd>
                </dl>
                <ResourceMeters used={c().bound} total={c().bindable} />
              </section>
              <Show when={canOnPlatform('clusters:manage')}>
              <section class="card">
                <h3>{t('cluster.overcommit')}</h3>
                <form
                  class="form"
                  data-testid="overcommit-form"
                  onSubmit={async (e) => {
                    e.preventDefault();
                    if (await overcommit.run()) setDirty(false);
                  }}
                >
                  <div class="grid-2">
                    <Field label={t('cluster.cpuRatio')} error={overcommit.fieldError('cpuRatio')}>
                      <input type="number" min="1" step="0.1" value={cpuRatio()} onInput={(e) => (setDirty(true), setCpuRatio(e.currentTarget.value))} data-testid="cpu-ratio" />
                    </Field>
                    <Field label={t('cluster.memoryRatio')} error={overcommit.fieldError('memoryRatio')}>
                      <input
                        type="number"
                        min="1"
                        step="0.1"
                        value={memoryRatio()}
                        onInput={(e) => (setDirty(true), setMemoryRatio(e.currentTarget.value))}
                        data-testid="memory-ratio"
                      />
                    </Field>
                  </div>
                  <p class="muted small">{dirty() ? preview() : t('cluster.overcommitHint')}</p>
                  <FormError error={overcommit.formError()} />
                  <div>
                    <SubmitButton action={overcommit} label={t('common.save')} testid="overcommit-save" />
                  </div>
                </form>
              </section>
              </Show>
            </div>

            <section class="section">
              <h2>{t('cluster.namespaces')}</h2>
              <Show when={namespaces.data()} fallback={<Loading />}>
                <Show when={namespaces.data()!.length} fallback={<Empty title={t('namespaces.empty')} />}>
                  <Table
                    columns={[
                      { label: t('namespaces.col.name') },
                      { label: t('namespaces.col.workspace') },
                      { label: t('namespaces.col.status') },
                      { label: t('namespaces.col.quota'), class: 'num' },
                    ]}
                  >
                    <For each={namespaces.data()}>
                      {(n) => (
                        <tr>
                          <td class="mono strong">{n.name}</td>
                          <td>
                            <a href={href(`/workspaces/${encodeURIComponent(n.workspaceId)}`)}>{n.workspaceId}</a>
                          </td>
                          <td>
                            <NamespaceStatus ns={n} />
                          </td>
                          <td class="num">
                            {fmtCpu(n.quota.cpuMillis)} / {fmtMemory(n.quota.memoryBytes)}
                          </td>
                        </tr>
                      )}
                    </For>
                  </Table>
                </Show>
              </Show>
            </section>
          </>
        )}
      </QueryView>

      <Show when={confirmRemove()}>
        <ConfirmDialog
          title={t('cluster.removeTitle', { name: id() })}
          body={t('cluster.removeBody')}
          confirmLabel={t('common.remove')}
          action={remove}
          onClose={() => setConfirmRemove(false)}
          onDone={() => navigate('/clusters')}
        />
      </Show>
    </div>
  );
}
