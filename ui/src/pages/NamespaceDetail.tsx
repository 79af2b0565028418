/** One namespace: its quota and default container resources, and its members (own grants and inherited ones). */
import { Show } from 'solid-js';
import { MembersSection } from '../components/Members';
import { Crumbs, PageHead } from '../components/PageHead';
import { QueryView } from '../components/QueryView';
import { t } from '../i18n';
import { api, fresh } from '../lib/api';
import { fmtCpu, fmtMemory, fmtTime } from '../lib/display';
import { cpuQuantity, memoryQuantity } from '../lib/format';
import { createQuery } from '../lib/query';
import { href } from '../lib/router';
import { canInWorkspace, canOnPlatform } from '../lib/session';
import { NamespaceStatus } from './Namespaces';

export function NamespaceDetailPage(props: { params: Record<string, string> }) {
  const key = () => ({ clusterId: props.params.clusterId, name: props.params.name });
  const ns = createQuery(key, (input) => api.namespaces.get.query({ ...input, ...fresh() }));
  const members = createQuery(key, (input) => api.members.ofNamespace.query({ ...input, ...fresh() }));
  return (
    <div class="page">
      <Crumbs back={t('namespaces.title')} href={href('/namespaces')} current={props.params.name} />
      <QueryView query={ns}>
        {(n) => (
          <>
            <PageHead
              title={n().name}
              titleTestid="namespace-title"
              subtitle={
                <>
                  {t('namespaces.col.workspace')}{' '}
                  <Show when={canInWorkspace('workspaces:read', n().workspaceId)} fallback={<span class="mono">{n().workspaceId}</span>}>
                    <a class="mono" href={href(`/workspaces/${encodeURIComponent(n().workspaceId)}`)}>
                      {n().workspaceId}
                    </a>
                  </Show>
                  {' · '}
                  {t('namespaces.col.cluster')}{' '}
                  <Show when={canOnPlatform('clusters:read')} fallback={<span class="mono">{n().clusterId}</span>}>
                    <a class="mono" href={href(`/clusters/${encodeURIComponent(n().clusterId)}`)}>
                      {n().clusterId}
                    </a>
                  </Show>
                </>
              }
            />
            <div class="cards">
              <section class="card">
                <h3>{t('namespaces.quota')}</h3>
                <dl class="props">
                  <dt>{t('common.status')}</dt>
                  <dd>
                    <NamespaceStatus ns={n()} />
                  </dd>
                  <dt>{t('common.cpu')}</dt>
                  <dd data-testid="ns-quota-cpu">{fmtCpu(n().quota.cpuMillis)}</dd>
                  <dt>{t('common.memory')}</dt>
                  <dd data-testid="ns-quota-memory">{fmtMemory(n().quota.memoryBytes)}</dd>
                  <dt>{t('common.createdAt')}</dt>
                  <dd>{fmtTime(n().createdAt)}</dd>
                </dl>
              </section>
              <section class="card">
                <h3>{t('namespaces.defaults')}</h3>
                <dl class="props">
                  <dt>{t('namespaces.defaultRequestCpu')}</dt>
                  <dd>{cpuQuantity(n().defaults.requestCpuMillis)}</dd>
                  <dt>{t('namespaces.defaultLimitCpu')}</dt>
                  <dd>{cpuQuantity(n().defaults.limitCpuMillis)}</dd>
                  <dt>{t('namespaces.defaultRequestMemory')}</dt>
                  <dd>{memoryQuantity(n().defaults.requestMemoryBytes)}</dd>
                  <dt>{t('namespaces.defaultLimitMemory')}</dt>
                  <dd>{memoryQuantity(n().defaults.limitMemoryBytes)}</dd>
                </dl>
              </section>
            </div>
            <MembersSection
              scope={{ kind: 'namespace', clusterId: n().clusterId, namespace: n().name, workspaceId: n().workspaceId }}
              query={members}
              hint={t('members.namespaceHint')}
            />
          </>
        )}
      </QueryView>
    </div>
  );
}
