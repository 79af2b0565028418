import { canOnPlatform } from '../lib/session';
import { createSignal, For, Show } from 'solid-js';
import { QuantityBar } from '../components/Bar';
import { Field } from '../components/Field';
import { FormDialog } from '../components/FormDialog';
import { AddButton, PageHead } from '../components/PageHead';
import { QuantityFields } from '../components/QuantityFields';
import { QueryView } from '../components/QueryView';
import { Empty } from '../components/States';
import { Table } from '../components/Table';
import { t } from '../i18n';
import { createAction } from '../lib/action';
import { api, command, fresh } from '../lib/api';
import { fmtTime } from '../lib/display';
import { createQuery } from '../lib/query';
import { href, navigate } from '../lib/router';

export function WorkspacesPage() {
  const workspaces = createQuery(() => ({}), () => api.workspaces.list.query(fresh()));
  const [creating, setCreating] = createSignal(false);
  const createButton = () =>
    canOnPlatform('workspaces:manage') ? <AddButton label={t('workspaces.create')} testid="create-workspace" onClick={() => setCreating(true)} /> : undefined;

  return (
    <div class="page">
      <PageHead title={t('workspaces.title')} subtitle={t('workspaces.subtitle')} actions={createButton()} />
      <QueryView query={workspaces} empty={<Empty title={t('workspaces.empty')} hint={t('workspaces.emptyHint')} action={createButton()} testid="workspaces-empty" />}>
        {(list) => (
          <Table
            testid="workspaces-table"
            columns={[
              { label: t('workspaces.col.name') },
              { label: t('common.description') },
              { label: t('workspaces.col.cpu'), class: 'bar-col' },
              { label: t('workspaces.col.memory'), class: 'bar-col' },
              { label: t('common.createdAt') },
            ]}
          >
            <For each={list()}>
              {(w) => (
                <tr class="clickable" data-testid={`workspace-row-${w.workspaceId}`} onClick={(e) => !(e.target as HTMLElement).closest('a') && navigate(`/workspaces/${encodeURIComponent(w.workspaceId)}`)}>
                  <td>
                    <a class="strong" href={href(`/workspaces/${encodeURIComponent(w.workspaceId)}`)}>
                      {w.displayName || w.workspaceId}
                    </a>
                    <div class="sub mono">{w.workspaceId}</div>
                  </td>
                  <td class="muted ellipsis">{w.description || '—'}</td>
                  <td>
                    <QuantityBar kind="cpu" used={w.bound.cpuMillis} total={w.ceiling.cpuMillis} />
                  </td>
                  <td>
                    <QuantityBar kind="memory" used={w.bound.memoryBytes} total={w.ceiling.memoryBytes} />
                  </td>
                  <td class="nowrap">{fmtTime(w.createdAt)}</td>
                </tr>
              )}
            </For>
          </Table>
        )}
      </QueryView>
      <Show when={creating()}>
        <CreateWorkspaceDialog
          onClose={() => setCreating(false)}
          onDone={(id) => {
            setCreating(false);
            navigate(`/workspaces/${encodeURIComponent(id)}`);
          }}
        />
      </Show>
    </div>
  );
}

function CreateWorkspaceDialog(props: { onClose: () => void; onDone: (id: string) => void }) {
  const [name, setName] = createSignal('');
  const [displayName, setDisplayName] = createSignal('');
  const [description, setDescription] = createSignal('');
  const [ceilingCpu, setCeilingCpu] = createSignal('');
  const [ceilingMemory, setCeilingMemory] = createSignal('');
  const create = createAction(
    () =>
      command((commandId) =>
        api.workspaces.create.mutate({
          commandId,
          name: name().trim(),
          ...(displayName().trim() ? { displayName: displayName().trim() } : {}),
          ...(description().trim() ? { description: description().trim() } : {}),
          ceilingCpu: ceilingCpu().trim(),
          ceilingMemory: ceilingMemory().trim(),
        }),
      ),
    { success: () => t('workspaces.created', { name: name().trim() }), fields: ['name', 'displayName', 'description', 'ceilingCpu', 'ceilingMemory'] },
  );
  return (
    <FormDialog name="workspace" title={t('workspaces.create')} action={create} submitLabel={t('common.create')} onClose={props.onClose} onDone={() => props.onDone(name().trim())}>
      <div class="grid-2">
        <Field label={t('common.name')} hint={t('common.nameHint')} error={create.fieldError('name')}>
          <input value={name()} onInput={(e) => setName(e.currentTarget.value)} required data-testid="workspace-name" />
        </Field>
        <Field label={t('common.displayName')} optional error={create.fieldError('displayName')}>
          <input value={displayName()} onInput={(e) => setDisplayName(e.currentTarget.value)} data-testid="workspace-display-name" />
        </Field>
      </div>
      <Field label={t('common.description')} optional error={create.fieldError('description')}>
        <textarea rows={2} value={description()} onInput={(e) => setDescription(e.currentTarget.value)} data-testid="workspace-description" />
      </Field>
      <QuantityFields
        action={create}
        cpu={{ label: t('workspaces.ceilingCpu'), field: 'ceilingCpu', value: ceilingCpu(), onInput: setCeilingCpu, placeholder: '16', testid: 'workspace-ceiling-cpu' }}
        memory={{ label: t('workspaces.ceilingMemory'), field: 'ceilingMemory', value: ceilingMemory(), onInput: setCeilingMemory, placeholder: '64Gi', testid: 'workspace-ceiling-memory' }}
      />
    </FormDialog>
  );
}
