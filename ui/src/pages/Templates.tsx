/**
 * 应用模板: the templates the user can deploy from (platform templates shared with their
 * workspaces, and their workspaces' own), and creating one from a built-in starter.
 */
import { createSignal, For, Show } from 'solid-js';
import { Badge } from '../components/Badge';
import { Field } from '../components/Field';
import { FormDialog } from '../components/FormDialog';
import { AddButton, PageHead } from '../components/PageHead';
import { QueryView } from '../components/QueryView';
import { Empty } from '../components/States';
import { Table } from '../components/Table';
import { locale, t } from '../i18n';
import { createAction } from '../lib/action';
import { api, command, type RouterOutputs } from '../lib/api';
import { dateTime } from '../lib/format';
import { createQuery } from '../lib/query';
import { href, navigate } from '../lib/router';
import { canAnywhere, canOnPlatform, where } from '../lib/session';

export type TemplateSummaryDto = RouterOutputs['templates']['list'][number];
type StarterDto = RouterOutputs['templates']['starters'][number];

export function scopeText(scope: TemplateSummaryDto['scope']): string {
  if (scope.kind === 'workspace') return t('templates.scope.workspace', { id: scope.workspaceId });
  if (scope.sharedWith === 'all') return `${t('templates.scope.platform')} · ${t('templates.scope.sharedAll')}`;
  return `${t('templates.scope.platform')} · ${t('templates.scope.sharedWith', { list: scope.sharedWith.join(', ') || '—' })}`;
}

export function TemplatesPage() {
  const templates = createQuery(() => ({}), () => api.templates.list.query());
  const [filter, setFilter] = createSignal<'all' | 'platform' | 'workspace'>('all');
  const [creating, setCreating] = createSignal(false);
  const canCreate = () => canOnPlatform('apps:deploy') || where('apps:deploy').workspaces.length > 0;
  const rows = () => (templates.data() ?? []).filter((r) => filter() === 'all' || r.scope.kind === filter());
  const createButton = () => (
    <Show when={canCreate()}>
      <AddButton label={t('templates.newFromStarter')} testid="create-template" onClick={() => setCreating(true)} />
    </Show>
  );

  return (
    <div class="page">
      <PageHead title={t('templates.title')} subtitle={t('templates.subtitle')} actions={createButton()} />
      <div class="toolbar">
        <div class="segmented" role="group">
          <For each={['all', 'platform', 'workspace'] as const}>
            {(f) => (
              <button type="button" classList={{ active: filter() === f }} onClick={() => setFilter(f)} data-testid={`templates-filter-${f}`}>
                {t(`templates.filter.${f}`)}
              </button>
            )}
          </For>
        </div>
      </div>
      <QueryView query={templates} isEmpty={() => rows().length === 0} empty={<Empty title={t('templates.empty')} hint={t('templates.emptyHint')} action={createButton()} testid="templates-empty" />}>
        {() => (
          <Table
            testid="templates-table"
            columns={[{ label: t('templates.col.template') }, { label: t('templates.col.scope') }, { label: t('templates.col.versions') }, { label: t('templates.col.updated') }]}
          >
            <For each={rows()}>
              {(r) => (
                <tr class="clickable" data-testid={`template-row-${r.templateId}`} onClick={() => navigate(`/templates/${r.templateId}`)}>
                  <td>
                    <div class="two-line">
                      <a class="strong" href={href(`/templates/${r.templateId}`)}>
                        {r.displayName}
                      </a>
                      <span class="sub mono">{r.templateId}</span>
                    </div>
                  </td>
                  <td>
                    <Badge tone={r.scope.kind === 'platform' ? 'info' : 'muted'}>{scopeText(r.scope)}</Badge>
                  </td>
                  <td class="mono">{t('templates.versionN', { n: r.latestVersion })}</td>
                  <td class="muted small">{dateTime(r.updatedAt, locale())}</td>
                </tr>
              )}
            </For>
          </Table>
        )}
      </QueryView>
      <Show when={creating()}>
        <CreateTemplateDialog onClose={() => setCreating(false)} />
      </Show>
    </div>
  );
}

function CreateTemplateDialog(props: { onClose: () => void }) {
  const starters = createQuery(() => ({}), () => api.templates.starters.query());
  const workspaces = () => where('apps:deploy').workspaces;
  const [starterId, setStarterId] = createSignal<StarterDto['id']>('deployment');
  const [templateId, setTemplateId] = createSignal('');
  const [displayName, setDisplayName] = createSignal('');
  const [scopeKind, setScopeKind] = createSignal<'platform' | 'workspace'>(canOnPlatform('apps:deploy') ? 'platform' : 'workspace');
  const [workspaceId, setWorkspaceId] = createSignal(workspaces()[0] ?? '');
  const starter = () => starters.data()?.find((s) => s.id === starterId());
  const action = createAction(
    async () => {
      const s = starter();
      if (!s) return;
      await command((commandId) =>
        api.templates.create.mutate({
          commandId,
          templateId: templateId(),
          displayName: displayName() || s.title[locale()],
          description: s.description,
          scope: scopeKind() === 'platform' ? { kind: 'platform', sharedWith: 'all' } : { kind: 'workspace', workspaceId: workspaceId() },
          documents: s.documents,
          parameters: s.parameters,
        }),
      );
    },
    { success: () => t('templates.created', { name: templateId() }), fields: ['templateId', 'displayName', 'scope'] },
  );
  return (
    <FormDialog
      name="create-template"
      title={t('templates.newFromStarter')}
      action={action}
      submitLabel={t('templates.create')}
      submitDisabled={!starter() || !templateId()}
      onClose={props.onClose}
      onDone={() => navigate(`/templates/${templateId()}`)}
    >
      <Field label={t('templates.starter')}>
        <select value={starterId()} onChange={(e) => setStarterId(e.currentTarget.value as StarterDto['id'])} data-testid="template-starter">
          <For each={starters.data() ?? []}>{(s) => <option value={s.id}>{s.title[locale()]}</option>}</For>
        </select>
      </Field>
      <Show when={starter()}>{(s) => <p class="muted small">{s().description}</p>}</Show>
      <div class="grid-2">
        <Field label={t('templates.templateId')} hint={t('templates.templateIdHint')} error={action.fieldError('templateId')}>
          <input value={templateId()} onInput={(e) => setTemplateId(e.currentTarget.value)} data-testid="template-id" />
        </Field>
        <Field label={t('templates.displayName')} optional error={action.fieldError('displayName')}>
          <input value={displayName()} placeholder={starter()?.title[locale()]} onInput={(e) => setDisplayName(e.currentTarget.value)} data-testid="template-name" />
        </Field>
      </div>
      <div class="grid-2">
        <Field label={t('templates.scope')} error={action.fieldError('scope')}>
          <select value={scopeKind()} onChange={(e) => setScopeKind(e.currentTarget.value as 'platform' | 'workspace')} data-testid="template-scope">
            <Show when={canOnPlatform('apps:deploy')}>
              <option value="platform">{t('templates.scopePlatformAll')}</option>
            </Show>
            <option value="workspace">{t('templates.scopeWorkspace')}</option>
          </select>
        </Field>
        <Show when={scopeKind() === 'workspace'}>
          <Field label={t('templates.workspaceId')}>
            <input value={workspaceId()} list="template-workspaces" onInput={(e) => setWorkspaceId(e.currentTarget.value)} data-testid="template-workspace" />
            <datalist id="template-workspaces">
              <For each={workspaces()}>{(w) => <option value={w} />}</For>
            </datalist>
          </Field>
        </Show>
      </div>
    </FormDialog>
  );
}

/** Whether the nav offers templates: apps:deploy anywhere. */
export const mayUseTemplates = () => canAnywhere('apps:deploy');
