/**
 * 应用: the applications of the namespaces the user can see, with their template version,
 * revision, deploy status and health; kept current by `live.changes`.
 */
import { For, Show } from 'solid-js';
import { AddButton, PageHead } from '../components/PageHead';
import { QueryView } from '../components/QueryView';
import { Empty } from '../components/States';
import { Table } from '../components/Table';
import { t } from '../i18n';
import { api } from '../lib/api';
import { fmtTime } from '../lib/display';
import { createQuery, poll } from '../lib/query';
import { currentLocation, href, navigate, setQuery } from '../lib/router';
import { canAnywhere } from '../lib/session';
import { appPath, appsApi, HealthBadge, StatusBadge } from './apps-shared';

export function AppsPage() {
  const filter = () => {
    const ns = currentLocation().query.get('ns');
    if (!ns) return {};
    const [clusterId, namespace] = ns.split('/');
    return { clusterId, namespace };
  };
  const apps = createQuery(filter, (input) => appsApi.list(input));
  const namespaces = createQuery(() => ({}), () => api.namespaces.list.query());
  const canGenerate = () => canAnywhere('apps:deploy');
  const generateButton = () => (
    <Show when={canGenerate()}>
      <AddButton label={t('apps.generate')} testid="app-generate" onClick={() => navigate('/apps/new')} />
    </Show>
  );

  return (
    <div class="page">
      <PageHead title={t('apps.title')} subtitle={t('apps.subtitle')} actions={generateButton()} />
      <div class="toolbar">
        <label class="filter">
          <span>{t('apps.namespace')}</span>
          <select value={currentLocation().query.get('ns') ?? ''} onChange={(e) => setQuery({ ns: e.currentTarget.value || undefined })} data-testid="apps-filter-namespace">
            <option value="">{t('common.all')}</option>
            <For each={namespaces.data() ?? []}>{(n) => <option value={`${n.clusterId}/${n.name}`}>{`${n.name} · ${n.clusterId}`}</option>}</For>
          </select>
        </label>
      </div>
      <QueryView
        query={apps}
        empty={<Empty title={t('apps.empty')} hint={t('apps.emptyHint')} action={generateButton()} testid="apps-empty" />}
      >
        {(rows) => (
          <Table
            testid="apps-table"
            columns={[
              { label: t('apps.col.app') },
              { label: t('apps.namespace') },
              { label: t('apps.col.template') },
              { label: t('apps.col.revision'), class: 'num' },
              { label: t('common.status') },
              { label: t('apps.col.health') },
              { label: t('apps.col.updated') },
            ]}
          >
            <For each={rows()}>
              {(a) => (
                <tr class="clickable" data-testid={`app-row-${a.name}`} onClick={() => navigate(appPath(a))}>
                  <td>
                    <div class="two-line">
                      <a class="strong" href={href(appPath(a))} onClick={(e) => e.stopPropagation()}>
                        {a.name}
                      </a>
                      <Show when={a.description}>
                        <span class="sub">{a.description}</span>
                      </Show>
                    </div>
                  </td>
                  <td>
                    <div class="two-line">
                      <span class="mono">{a.namespace}</span>
                      <span class="sub mono">{a.clusterId}</span>
                    </div>
                  </td>
                  <td class="mono">
                    {a.templateId}@v{a.templateVersion}
                  </td>
                  <td class="num mono" data-testid={`app-revision-${a.name}`}>
                    {a.revision}
                  </td>
                  <td>
                    <StatusBadge status={a.status} testid={`app-status-${a.name}`} title={a.statusReason ?? undefined} />
                  </td>
                  <td>
                    <Show when={a.status !== 'draft' && a.status !== 'undeployed'} fallback={<span class="muted">—</span>}>
                      <AppHealth appId={a.appId} name={a.name} />
                    </Show>
                  </td>
                  <td class="muted small nowrap">{fmtTime(a.updatedAt)}</td>
                </tr>
              )}
            </For>
          </Table>
        )}
      </QueryView>
    </div>
  );
}

/** An app's live health, read from the cluster (refreshed on changes and every 10 s). */
function AppHealth(props: { appId: string; name: string }) {
  const status = createQuery(() => ({ appId: props.appId }), (input) => appsApi.status(input.appId));
  poll(status, 10_000);
  return (
    <Show when={status.data()} fallback={<span class="muted">{status.error() ? '?' : '…'}</span>}>
      {(s) => <HealthBadge health={s().health} testid={`app-health-${props.name}`} />}
    </Show>
  );
}
