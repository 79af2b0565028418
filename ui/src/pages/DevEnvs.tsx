/**
 * 开发环境: my dev environments (a platform admin may show everyone's), starting one from an image
 * in a namespace where I hold devenv:manage (with the quota it has left), stop / resume / delete,
 * and a terminal in its container.
 */
import { createResource, createSignal, For, Match, Show, Switch } from 'solid-js';
import { Badge, type Tone } from '../components/Badge';
import { ConfirmDialog } from '../components/Confirm';
import { Dialog } from '../components/Dialog';
import { Field } from '../components/Field';
import { FormDialog } from '../components/FormDialog';
import { AddButton, PageHead } from '../components/PageHead';
import { QueryView } from '../components/QueryView';
import { Empty, LoadError, Loading } from '../components/States';
import { Table } from '../components/Table';
import { Terminal } from '../components/containers/Terminal';
import { t } from '../i18n';
import { createAction } from '../lib/action';
import { api, command, fresh, type RouterOutputs } from '../lib/api';
import { fmtTime } from '../lib/display';
import { bytes, cores } from '../lib/format';
import { createQuery } from '../lib/query';
import { canOnPlatform } from '../lib/session';

type DevEnvDto = RouterOutputs['devenvs']['list'][number];
type NamespaceRoom = RouterOutputs['devenvs']['namespaces'][number];

const statusTone: Record<DevEnvDto['status'], Tone> = { starting: 'info', running: 'ok', stopped: 'muted', failed: 'bad', deleted: 'muted' };


export function DevEnvsPage() {
  const [all, setAll] = createSignal(false);
  const envs = createQuery(() => ({ all: all() }), (input) => api.devenvs.list.query({ ...input, ...fresh() }));
  const [starting, setStarting] = createSignal(false);
  const [terminalFor, setTerminalFor] = createSignal<DevEnvDto | null>(null);
  const [deleting, setDeleting] = createSignal<DevEnvDto | null>(null);
  const key = (e: DevEnvDto) => ({ clusterId: e.clusterId, namespace: e.namespace, name: e.name });
  const stop = createAction((e: DevEnvDto) => command((commandId) => api.devenvs.stop.mutate({ commandId, ...key(e) })), {
    success: (e) => t('devenvs.stopped', { name: e.name }),
  });
  const resume = createAction((e: DevEnvDto) => command((commandId) => api.devenvs.resume.mutate({ commandId, ...key(e) })), {
    success: (e) => t('devenvs.resumed', { name: e.name }),
  });
  const startButton = () => <AddButton label={t('devenvs.start')} testid="devenv-start" onClick={() => setStarting(true)} />;

  return (
    <div class="page">
      <PageHead title={t('devenvs.title')} subtitle={t('devenvs.subtitle')} actions={startButton()} />
      <Show when={canOnPlatform('devenv:manage')}>
        <div class="toolbar">
          <label style={{ display: 'flex', gap: '6px', "align-items": 'center' }}>
            <input type="checkbox" checked={all()} onChange={(e) => setAll(e.currentTarget.checked)} data-testid="devenv-all" />
            {t('devenvs.showAll')}
          </label>
        </div>
      </Show>
      <QueryView
        query={envs}
        isEmpty={() => (envs.data() ?? []).length === 0}
        empty={<Empty title={t('devenvs.empty')} hint={t('devenvs.emptyHint')} action={startButton()} testid="devenvs-empty" />}
      >
        {(rows) => (
          <Table
            testid="devenvs-table"
            columns={[
              { label: t('devenvs.col.name') },
              { label: t('devenvs.col.image') },
              { label: t('devenvs.col.size') },
              { label: t('devenvs.col.status') },
              ...(all() ? [{ label: t('devenvs.col.owner') }] : []),
              { label: t('devenvs.col.updated') },
              { label: t('common.actions') },
            ]}
          >
            <For each={rows()}>
              {(e) => (
                <tr data-testid={`devenv-row-${e.name}`}>
                  <td>
                    <div class="two-line">
                      <span class="strong mono">{e.name}</span>
                      <span class="sub mono">
                        {e.clusterId} / {e.namespace}
                      </span>
                    </div>
                  </td>
                  <td class="mono small">{e.image}</td>
                  <td class="mono small">
                    {cores(e.cpuMillis)} · {bytes(e.memoryBytes)}
                  </td>
                  <td>
                    <Badge tone={statusTone[e.status]} testid={`devenv-status-${e.name}`} pulse={e.status === 'starting'} title={e.statusReason ?? undefined}>
                      {t(`devenvs.status.${e.status}`)}
                    </Badge>
                    <Show when={e.statusReason}>
                      <div class="status-reason" data-testid={`devenv-reason-${e.name}`}>
                        {e.statusReason}
                      </div>
                    </Show>
                  </td>
                  <Show when={all()}>
                    <td class="mono small">{e.ownerId}</td>
                  </Show>
                  <td class="muted small">{fmtTime(e.updatedAt)}</td>
                  <td>
                    <div style={{ display: 'flex', gap: '6px', "flex-wrap": 'wrap' }}>
                      <Show when={e.status === 'running'}>
                        <button type="button" class="btn btn-small btn-primary" data-testid={`devenv-terminal-${e.name}`} onClick={() => setTerminalFor(e)}>
                          {t('devenvs.terminal')}
                        </button>
                      </Show>
                      <Show
                        when={e.desired === 'running' && e.status !== 'failed'}
                        fallback={
                          <button type="button" class="btn btn-small" disabled={resume.pending()} data-testid={`devenv-resume-${e.name}`} onClick={() => void resume.run(e)}>
                            {t('devenvs.resume')}
                          </button>
                        }
                      >
                        <button type="button" class="btn btn-small" disabled={stop.pending()} data-testid={`devenv-stop-${e.name}`} onClick={() => void stop.run(e)}>
                          {t('devenvs.stop')}
                        </button>
                      </Show>
                      <button type="button" class="btn btn-small btn-danger" data-testid={`devenv-delete-${e.name}`} onClick={() => setDeleting(e)}>
                        {t('common.delete')}
                      </button>
                    </div>
                  </td>
                </tr>
              )}
            </For>
          </Table>
        )}
      </QueryView>
      <Show when={starting()}>
        <StartDialog onClose={() => setStarting(false)} />
      </Show>
      <Show when={terminalFor()}>{(e) => <TerminalDialog env={e()} onClose={() => setTerminalFor(null)} />}</Show>
      <Show when={deleting()}>{(e) => <DeleteDialog env={e()} onClose={() => setDeleting(null)} />}</Show>
    </div>
  );
}

function StartDialog(props: { onClose: () => void }) {
  const rooms = createQuery(() => ({}), () => api.devenvs.namespaces.query());
  const [target, setTarget] = createSignal('');
  const [name, setName] = createSignal('');
  const [image, setImage] = createSignal('ubuntu:24.04');
  const [cpu, setCpu] = createSignal('500m');
  const [memory, setMemory] = createSignal('512Mi');
  const roomKey = (r: NamespaceRoom) => `${r.clusterId}/${r.namespace}`;
  const room = () => {
    const list = rooms.data() ?? [];
    return list.find((r) => roomKey(r) === target()) ?? list[0];
  };
  const action = createAction(
    async () => {
      const r = room();
      if (!r) return;
      await command((commandId) =>
        api.devenvs.start.mutate({ commandId, clusterId: r.clusterId, namespace: r.namespace, name: name(), image: image(), cpu: cpu(), memory: memory() }),
      );
    },
    { success: () => t('devenvs.started', { name: name() }), fields: ['namespace', 'name', 'image', 'cpu', 'memory'] },
  );
  return (
    <FormDialog name="devenv-start" title={t('devenvs.start')} action={action} submitLabel={t('devenvs.startSubmit')} submitDisabled={!room() || !name()} onClose={props.onClose}>
      <Field label={t('devenvs.namespace')} hint={t('devenvs.namespaceHint')} error={action.fieldError('namespace')}>
        <select value={room() ? roomKey(room()!) : ''} onChange={(e) => setTarget(e.currentTarget.value)} data-testid="devenv-namespace">
          <For each={rooms.data() ?? []}>
            {(r) => (
              <option value={roomKey(r)}>
                {r.clusterId} / {r.namespace}
              </option>
            )}
          </For>
        </select>
      </Field>
      <Show when={room()}>
        {(r) => (
          <p class="muted small" data-testid="devenv-quota-left">
            {t('devenvs.quotaLeft', {
              cpu: cores(r().remaining.cpuMillis),
              memory: bytes(r().remaining.memoryBytes),
              cpuQuota: cores(r().quota.cpuMillis),
              memoryQuota: bytes(r().quota.memoryBytes),
            })}
          </p>
        )}
      </Show>
      <Field label={t('devenvs.name')} hint={t('devenvs.nameHint')} error={action.fieldError('name')}>
        <input value={name()} onInput={(e) => setName(e.currentTarget.value)} data-testid="devenv-name" />
      </Field>
      <Field label={t('devenvs.image')} hint={t('devenvs.imageHint')} error={action.fieldError('image')}>
        <input class="mono" value={image()} onInput={(e) => setImage(e.currentTarget.value)} data-testid="devenv-image" />
      </Field>
      <div class="grid-2">
        <Field label={t('devenvs.cpu')} hint={t('devenvs.cpuHint')} error={action.fieldError('cpu')}>
          <input class="mono" value={cpu()} onInput={(e) => setCpu(e.currentTarget.value)} data-testid="devenv-cpu" />
        </Field>
        <Field label={t('devenvs.memory')} hint={t('devenvs.memoryHint')} error={action.fieldError('memory')}>
          <input class="mono" value={memory()} onInput={(e) => setMemory(e.currentTarget.value)} data-testid="devenv-memory" />
        </Field>
      </div>
    </FormDialog>
  );
}

function TerminalDialog(props: { env: DevEnvDto; onClose: () => void }) {
  // Looked up once (not on every live change): a refetch would remount the terminal and drop its session.
  const [pod] = createResource(
    () => ({ clusterId: props.env.clusterId, namespace: props.env.namespace, name: props.env.name }),
    (input) => api.devenvs.pod.query(input),
  );
  return (
    <Dialog title={t('devenvs.terminalTitle', { name: props.env.name })} onClose={props.onClose} wide testid="devenv-terminal-dialog">
      <Switch fallback={<Loading />}>
        <Match when={pod.error}>
          <LoadError error={pod.error} retry={() => props.onClose()} />
        </Match>
        <Match when={pod.state === 'ready' && !pod()}>
          <Empty title={t('devenvs.noPod')} testid="devenv-no-pod" />
        </Match>
        <Match when={pod()}>
          {(found) => <Terminal clusterId={found().clusterId} namespace={found().namespace} pod={found().pod} containers={[found().container]} />}
        </Match>
      </Switch>
    </Dialog>
  );
}

function DeleteDialog(props: { env: DevEnvDto; onClose: () => void }) {
  const e = props.env;
  const action = createAction(() => command((commandId) => api.devenvs.delete.mutate({ commandId, clusterId: e.clusterId, namespace: e.namespace, name: e.name })), {
    success: () => t('devenvs.deleted', { name: e.name }),
  });
  return (
    <ConfirmDialog
      title={t('devenvs.deleteTitle', { name: e.name })}
      body={t('devenvs.deleteBody', { namespace: e.namespace })}
      confirmLabel={t('common.delete')}
      action={action}
      onClose={props.onClose}
      onDone={props.onClose}
      testid="devenv-delete-dialog"
    />
  );
}
