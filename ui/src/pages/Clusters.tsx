import { createSignal, For, Show } from 'solid-js';
import { Badge } from '../components/Badge';
import { Bar } from '../components/Bar';
import { Empty, LoadError, Loading } from '../components/States';
import { t } from '../i18n';
import { api, fresh, type ClusterDto } from '../lib/api';
import { fmtCpu, fmtMemory, fmtRatio } from '../lib/display';
import { createQuery } from '../lib/query';
import { href, navigate } from '../lib/router';
import { RegisterClusterDialog } from './RegisterCluster';

export const clusterStatusBadge = (status: ClusterDto['status']) => (
  <Badge tone={status === 'removed' ? 'muted' : 'ok'} testid="cluster-status">
    {t(status === 'removed' ? 'clusters.status.removed' : 'clusters.status.registered')}
  </Badge>
);

export function ClustersPage() {
  const clusters = createQuery(() => ({}), () => api.clusters.list.query(fresh()));
  const [registering, setRegistering] = createSignal(false);

  const registerButton = () => (
    <button type="button" class="btn btn-primary" data-testid="register-cluster" onClick={() => setRegistering(true)}>
      + {t('clusters.register')}
    </button>
  );

  return (
    <div class="page">
      <div class="page-head">
        <div>
          <h1>{t('clusters.title')}</h1>
          <p class="muted">{t('clusters.subtitle')}</p>
        </div>
        <div class="page-actions">{registerButton()}</div>
      </div>

      <Show when={!clusters.error() || clusters.data()} fallback={<LoadError error={clusters.error()} retry={clusters.refetch} />}>
        <Show when={!clusters.initialLoading()} fallback={<Loading />}>
          <Show when={clusters.data()?.length} fallback={<Empty title={t('clusters.empty')} hint={t('clusters.emptyHint')} action={registerButton()} testid="clusters-empty" />}>
            <div class="table-wrap">
              <table class="table table-dense" data-testid="clusters-table">
                <thead>
                  <tr>
                    <th>{t('clusters.col.name')}</th>
                    <th>{t('clusters.col.status')}</th>
                    <th>{t('clusters.col.version')}</th>
                    <th class="num">{t('clusters.col.nodes')}</th>
                    <th class="num">{t('clusters.col.allocatable')}</th>
                    <th class="num">{t('clusters.col.overcommit')}</th>
                    <th class="bar-col">{t('clusters.col.bound')}</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={clusters.data()}>
                    {(c) => (
                      <tr data-testid={`cluster-row-${c.clusterId}`} class="clickable" onClick={(e) => !(e.target as HTMLElement).closest('a') && navigate(`/clusters/${encodeURIComponent(c.clusterId)}`)}>
                        <td class="nowrap">
                          <a class="strong" href={href(`/clusters/${encodeURIComponent(c.clusterId)}`)}>
                            {c.displayName || c.clusterId}
                          </a>
                          <Show when={c.displayName && c.displayName !== c.clusterId}>
                            <div class="sub mono">{c.clusterId}</div>
                          </Show>
                        </td>
                        <td>{clusterStatusBadge(c.status)}</td>
                        <td class="mono" data-testid="cluster-version">{c.kubernetesVersion || '—'}</td>
                        <td class="num" data-testid="cluster-nodes">{c.nodeCount}</td>
                        <td class="num" data-testid="cluster-allocatable">
                          <div data-testid="cluster-cpu">{fmtCpu(c.allocatable.cpuMillis)}</div>
                          <div class="muted" data-testid="cluster-memory">{fmtMemory(c.allocatable.memoryBytes)}</div>
                        </td>
                        <td class="num" data-testid="cluster-ratios">
                          <div>
                            <span class="muted small">{t('common.cpu')}</span> {fmtRatio(c.ratios.cpu)}
                          </div>
                          <div>
                            <span class="muted small">{t('common.memory')}</span> {fmtRatio(c.ratios.memory)}
                          </div>
                        </td>
                        <td>
                          <div class="bars">
                            <span class="bars-label">{t('common.cpu')}</span>
                            <Bar used={c.bound.cpuMillis} total={c.bindable.cpuMillis} label={t('common.of', { used: fmtCpu(c.bound.cpuMillis), total: fmtCpu(c.bindable.cpuMillis) })} />
                            <span class="bars-label">{t('common.memory')}</span>
                            <Bar
                              used={c.bound.memoryBytes}
                              total={c.bindable.memoryBytes}
                              label={t('common.of', { used: fmtMemory(c.bound.memoryBytes), total: fmtMemory(c.bindable.memoryBytes) })}
                            />
                          </div>
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

      <Show when={registering()}>
        <RegisterClusterDialog
          onClose={() => setRegistering(false)}
          onDone={(id) => {
            setRegistering(false);
            navigate(`/clusters/${encodeURIComponent(id)}`);
          }}
        />
      </Show>
    </div>
  );
}
