import { createSignal, For, Show } from 'solid-js';
import { Bar } from '../components/Bar';
import { Dialog } from '../components/Dialog';
import { Field, FormError } from '../components/Field';
import { Empty, LoadError, Loading } from '../components/States';
import { t } from '../i18n';
import { createAction } from '../lib/action';
import { api, command, fresh } from '../lib/api';
import { fmtCpu, fmtMemory, fmtTime } from '../lib/display';
import { createQuery } from '../lib/query';
import { href, navigate } from '../lib/router';

export function WorkspacesPage() {
  const workspaces = createQuery(() => ({}), () => api.workspaces.list.query(fresh()));
  const [creating, setCreating] = createSignal(false);
  const createButton = () => (
    <button type="button" class="btn btn-primary" data-testid="create-workspace" onClick={() => setCreating(true)}>
      + {t('workspaces.create')}
    </button>
  );

  return (
    <div class="page">
      <div class="page-head">
        <div>
          <h1>{t('workspaces.title')}</h1>
          <p class="muted">{t('workspaces.subtitle')}</p>
        </div>
        <div class="page-actions">{createButton()}</div>
      </div>
      <Show when={!workspaces.error() || workspaces.data()} fallback={<LoadError error={workspaces.error()} retry={workspaces.refetch} />}>
        <Show when={!workspaces.initialLoading()} fallback={<Loading />}>
          <Show when={workspaces.data()?.length} fallback={<Empty title={t('workspaces.empty')} hint={t('workspaces.emptyHint')} action={createButton()} testid="workspaces-empty" />}>
            <div class="table-wrap">
              <table class="table" data-testid="workspaces-table">
                <thead>
                  <tr>
                    <th>{t('workspaces.col.name')}</th>
                    <th>{t('common.description')}</th>
                    <th class="bar-col">{t('workspaces.col.cpu')}</th>
                    <th class="bar-col">{t('workspaces.col.memory')}</th>
                    <th>{t('common.createdAt')}</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={workspaces.data()}>
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
                          <Bar used={w.bound.cpuMillis} total={w.ceiling.cpuMillis} label={t('common.of', { used: fmtCpu(w.bound.cpuMillis), total: fmtCpu(w.ceiling.cpuMillis) })} />
                        </td>
                        <td>
                          <Bar
                            used={w.bound.memoryBytes}
                            total={w.ceiling.memoryBytes}
                            label={t('common.of', { used: fmtMemory(w.bound.memoryBytes), total: fmtMemory(w.ceiling.memoryBytes) })}
                          />
                        </td>
                        <td class="nowrap">{fmtTime(w.createdAt)}</td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </div>
          </Show>
        </Show>
      </Show>
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
    <Dialog
      title={t('workspaces.create')}
      onClose={props.onClose}
      testid="workspace-dialog"
      footer={
        <>
          <button type="button" class="btn" onClick={() => props.onClose()}>
            {t('common.cancel')}
          </button>
          <button type="submit" form="workspace-form" class="btn btn-primary" disabled={create.pending()} data-testid="workspace-submit">
            {create.pending() ? t('common.saving') : t('common.create')}
          </button>
        </>
      }
    >
      <form
        id="workspace-form"
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await create.run()) props.onDone(name().trim());
        }}
      >
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
        <div class="grid-2">
          <Field label={t('workspaces.ceilingCpu')} hint={t('common.quantityCpuHint')} error={create.fieldError('ceilingCpu')}>
            <input value={ceilingCpu()} onInput={(e) => setCeilingCpu(e.currentTarget.value)} placeholder="16" required data-testid="workspace-ceiling-cpu" />
          </Field>
          <Field label={t('workspaces.ceilingMemory')} hint={t('common.quantityMemoryHint')} error={create.fieldError('ceilingMemory')}>
            <input value={ceilingMemory()} onInput={(e) => setCeilingMemory(e.currentTarget.value)} placeholder="64Gi" required data-testid="workspace-ceiling-memory" />
          </Field>
        </div>
        <FormError error={create.formError()} />
      </form>
    </Dialog>
  );
}
