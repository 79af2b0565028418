import { canOnPlatform } from '../lib/session';
import { createSignal, For, Show } from 'solid-js';
import { Badge } from '../components/Badge';
import { QuantityBar } from '../components/Bar';
import { AddButton, PageHead } from '../components/PageHead';
import { QueryView } from '../components/QueryView';
import { Empty } from '../components/States';
import { Table } from '../components/Table';
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

  const registerButton = () =>
    canOnPlatform('clusters:manage') ? <AddButton label={t('clusters.register')} testid="register-cluster" onClick={() => setRegistering(true)} /> : undefined;

  return (
    <div class="page">
      <PageHead title={t('clusters.title')} subtitle={t('clusters.subtitle')} actions={registerButton()} />

      <QueryView query={clusters} empty={<Empty title={t('clusters.empty')} hint={t('clusters.emptyHint')} action={registerButton()} testid="clusters-empty" />}>
        {(list) => (
          <Table
            dense
            testid="clusters-table"
            columns={[
              { label: t('clusters.col.name') },
              { label: t('clusters.col.status') },
              { label: t('clusters.col.version') },
              { label: t('clusters.col.nodes'), class: 'num' },
              { label: t('clusters.col.allocatable'), class: 'num' },
              { label: t('clusters.col.overcommit'), class: 'num' },
              { label: t('clusters.col.bound'), class: 'bar-col' },
            ]}
          >
            <For each={list()}>
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
                      <QuantityBar kind="cpu" used={c.bound.cpuMillis} total={c.bindable.cpuMillis} />
                      <span class="bars-label">{t('common.memory')}</span>
                      <QuantityBar kind="memory" used={c.bound.memoryBytes} total={c.bindable.memoryBytes} />
                    </div>
                  </td>
                </tr>
              )}
            </For>
          </Table>
        )}
      </QueryView>

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
