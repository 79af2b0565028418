/**
 * 配置与存储 (config and storage): the ConfigMaps, Secrets, Services, Ingresses and
 * PersistentVolumeClaims of one namespace, live. Create from a small form or from YAML, edit,
 * delete. A Secret's values are never shown in lists or editors (masked as ••••); who holds
 * `secrets:reveal` can reveal a value on purpose, and each reveal is audited.
 */
import { createEffect, createSignal, For, Index, Show, type JSX } from 'solid-js';
import { LineCounter, parse, parseAllDocuments, stringify } from 'yaml';
import { Badge } from '../components/Badge';
import { ConfirmDialog } from '../components/Confirm';
import { Dialog } from '../components/Dialog';
import { Field, FormError } from '../components/Field';
import { DialogFooter, SubmitButton } from '../components/FormDialog';
import { AddButton, PageHead } from '../components/PageHead';
import { QueryView } from '../components/QueryView';
import { createNamespaceChoice, NamespaceSelect } from '../components/NamespaceSelect';
import { Empty, Loading } from '../components/States';
import { currentTab, Tabs } from '../components/Tabs';
import { YamlEditor } from '../components/YamlEditor';
import { t, type MessageKey } from '../i18n';
import { createAction } from '../lib/action';
import { api, command, type RouterOutputs } from '../lib/api';
import { fmtTime } from '../lib/display';
import { createQuery, poll } from '../lib/query';
import { canOnNamespace } from '../lib/session';
import { CONFIG_KINDS, emptyForm, formFits, formOf, manifestOf, MASK, TAB_OF, type ConfigForm, type ConfigKind, type Pair } from './config-forms';
import './config.css';

type Row = RouterOutputs['config']['list'][number];
interface Ns {
  clusterId: string;
  name: string;
  workspaceId: string;
}

const kindLabel = (k: ConfigKind) => t(`config.kind.${k}` as MessageKey);
/** The kind's name for one object ("Create ConfigMap"). */
const kindOne = (k: ConfigKind) => t(`config.one.${k}` as MessageKey);
const REFRESH_MS = 10_000;

export function ConfigStoragePage() {
  const namespaces = createNamespaceChoice('workloads:read');
  const selected = namespaces.selected;
  const tabs = CONFIG_KINDS.map((k) => TAB_OF[k]);
  const kind = () => CONFIG_KINDS[tabs.indexOf(currentTab(tabs, 'configmaps'))];
  const canDeploy = () => !!selected() && canOnNamespace('apps:deploy', selected()!);
  const canReveal = () => !!selected() && canOnNamespace('secrets:reveal', selected()!);

  const list = createQuery(
    () => selected() && { clusterId: selected()!.clusterId, namespace: selected()!.name, kind: kind() },
    (input) => api.config.list.query(input),
  );
  // Others change the cluster too (kubectl, applications): the list is re-read now and then.
  poll(list, REFRESH_MS);
  const [editing, setEditing] = createSignal<{ mode: 'create' | 'update'; kind: ConfigKind; name?: string; yaml?: boolean } | null>(null);
  const [deleting, setDeleting] = createSignal<Row | null>(null);

  const actions = () => (
    <Show when={canDeploy()}>
      <div class="cfg-actions">
        <button type="button" class="btn" data-testid="config-create-yaml" onClick={() => setEditing({ mode: 'create', kind: kind(), yaml: true })}>
          {t('config.createYaml')}
        </button>
        <AddButton label={t('config.create', { kind: kindOne(kind()) })} testid="config-create" onClick={() => setEditing({ mode: 'create', kind: kind() })} />
      </div>
    </Show>
  );

  return (
    <div class="page">
      <PageHead title={t('config.title')} subtitle={t('config.subtitle')} actions={actions()} />
      <div class="cfg-toolbar">
        <label class="filter wide">
          <span>{t('config.namespace')}</span>
          <NamespaceSelect choice={namespaces} testid="config-namespace" />
        </label>
      </div>
      <Show when={namespaces.loaded() && namespaces.readable().length === 0}>
        <Empty title={t('config.noNamespace')} hint={t('config.noNamespaceHint')} testid="config-no-namespace" />
      </Show>
      <Show when={selected()}>
        <Tabs tabs={CONFIG_KINDS.map((k) => ({ id: TAB_OF[k], label: kindLabel(k) }))} active={TAB_OF[kind()]} testid="config-kinds" />
        <QueryView query={list} empty={<Empty title={t('config.empty', { kind: kindLabel(kind()) })} hint={canDeploy() ? t('config.emptyHint') : undefined} action={actions()} testid="config-empty" />}>
          {(rows) => (
            <ObjectTable
              kind={kind()}
              rows={rows()}
              canDeploy={canDeploy()}
              onOpen={(r) => setEditing({ mode: 'update', kind: kind(), name: r.name })}
              onDelete={(r) => setDeleting(r)}
            />
          )}
        </QueryView>
      </Show>
      <Show when={editing() && selected()}>
        <EditorDialog
          ns={selected()!}
          mode={editing()!.mode}
          kind={editing()!.kind}
          name={editing()!.name}
          startInYaml={!!editing()!.yaml}
          readOnly={!canDeploy()}
          canReveal={canReveal()}
          onClose={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            list.refetch();
          }}
        />
      </Show>
      <Show when={deleting() && selected()}>
        <DeleteDialog
          ns={selected()!}
          kind={kind()}
          row={deleting()!}
          onClose={() => setDeleting(null)}
          onDone={() => {
            setDeleting(null);
            list.refetch();
          }}
        />
      </Show>
    </div>
  );
}

function ObjectTable(props: { kind: ConfigKind; rows: Row[]; canDeploy: boolean; onOpen: (r: Row) => void; onDelete: (r: Row) => void }) {
  const columns = (): string[] => {
    switch (props.kind) {
      case 'ConfigMap':
        return [t('config.col.name'), t('config.col.keys'), t('config.col.created')];
      case 'Secret':
        return [t('config.col.name'), t('config.col.type'), t('config.col.keys'), t('config.col.created')];
      case 'Service':
        return [t('config.col.name'), t('config.col.type'), t('config.col.clusterIP'), t('config.col.ports'), t('config.col.selector')];
      case 'Ingress':
        return [t('config.col.name'), t('config.col.rules'), t('config.col.class'), t('config.col.created')];
      case 'PersistentVolumeClaim':
        return [t('config.col.name'), t('config.col.status'), t('config.col.size'), t('config.col.accessModes'), t('config.col.storageClass')];
    }
  };
  const cells = (r: Row): JSX.Element[] => {
    const created = <span class="muted small">{r.createdAt ? fmtTime(r.createdAt) : '—'}</span>;
    const keys = <KeyList keys={r.keys ?? []} />;
    switch (props.kind) {
      case 'ConfigMap':
        return [keys, created];
      case 'Secret':
        return [<span class="mono small">{r.type}</span>, keys, created];
      case 'Service':
        return [
          <Badge tone="info">{r.type}</Badge>,
          <span class="mono small">{r.clusterIP || '—'}</span>,
          <span class="mono small">{(r.ports ?? []).join(', ') || '—'}</span>,
          <span class="mono small">{Object.entries(r.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(', ') || '—'}</span>,
        ];
      case 'Ingress':
        return [
          <div class="cfg-rules">
            <For each={r.rules ?? []}>{(rule) => <div class="mono small">{`${rule.host}${rule.path} → ${rule.service}:${rule.port}`}</div>}</For>
          </div>,
          <span class="small">{r.ingressClassName ?? '—'}</span>,
          created,
        ];
      case 'PersistentVolumeClaim':
        return [
          <Badge tone={r.phase === 'Bound' ? 'ok' : r.phase === 'Lost' ? 'bad' : 'warn'}>{r.phase}</Badge>,
          <span class="mono small">{r.capacity ?? r.storage}</span>,
          <span class="small">{(r.accessModes ?? []).join(', ')}</span>,
          <span class="small">{r.storageClassName ?? '—'}</span>,
        ];
    }
  };
  return (
    <table class="table" data-testid={`config-table-${TAB_OF[props.kind]}`}>
      <thead>
        <tr>
          <For each={columns()}>{(c) => <th>{c}</th>}</For>
          <th class="actions" />
        </tr>
      </thead>
      <tbody>
        <For each={props.rows}>
          {(r) => (
            <tr data-testid={`config-row-${r.name}`}>
              <td>
                <div class="two-line">
                  <a class="strong" href="#" onClick={(e) => (e.preventDefault(), props.onOpen(r))} data-testid={`config-open-${r.name}`}>
                    {r.name}
                  </a>
                  <Show when={r.app}>
                    <span class="sub">{t('config.ownedByApp', { app: r.app! })}</span>
                  </Show>
                </div>
              </td>
              <For each={cells(r)}>{(c) => <td>{c}</td>}</For>
              <td class="actions">
                <button type="button" class="btn btn-small" onClick={() => props.onOpen(r)} data-testid={`config-edit-${r.name}`}>
                  {props.canDeploy && !r.app ? t('config.edit') : t('config.view')}
                </button>
                <Show when={props.canDeploy && !r.app}>
                  <button type="button" class="btn btn-small btn-danger-ghost" onClick={() => props.onDelete(r)} data-testid={`config-delete-${r.name}`}>
                    {t('config.delete')}
                  </button>
                </Show>
              </td>
            </tr>
          )}
        </For>
      </tbody>
    </table>
  );
}

function KeyList(props: { keys: string[] }) {
  return (
    <div class="cfg-keys">
      <For each={props.keys.slice(0, 6)}>{(k) => <code class="cfg-key">{k}</code>}</For>
      <Show when={props.keys.length > 6}>
        <span class="muted small">+{props.keys.length - 6}</span>
      </Show>
      <Show when={props.keys.length === 0}>
        <span class="muted small">—</span>
      </Show>
    </div>
  );
}

function EditorDialog(props: {
  ns: Ns;
  mode: 'create' | 'update';
  kind: ConfigKind;
  name?: string;
  startInYaml: boolean;
  readOnly: boolean;
  canReveal: boolean;
  onClose: () => void;
  onDone: () => void;
}) {
  const target = { clusterId: props.ns.clusterId, namespace: props.ns.name };
  const existing = createQuery(
    () => props.mode === 'update' && { ...target, kind: props.kind, name: props.name! },
    (input) => api.config.get.query(input),
  );
  const [view, setView] = createSignal<'form' | 'yaml'>(props.startInYaml ? 'yaml' : 'form');
  const [form, setForm] = createSignal<ConfigForm>(emptyForm(props.kind));
  const [text, setText] = createSignal(props.startInYaml && props.mode === 'create' ? starterYaml(props.kind) : '');
  const [loaded, setLoaded] = createSignal(props.mode === 'create');
  const [yamlError, setYamlError] = createSignal<string | null>(null);
  const [revealed, setRevealed] = createSignal<Record<string, boolean>>({});
  const base = () => existing.data()?.object as Record<string, any> | undefined;

  // The object arrives once: fill the form and the YAML from it.
  createEffect(() => {
    const object = base();
    if (!object || loaded()) return;
    setForm(formOf(props.kind, object));
    setText(existing.data()!.yaml);
    if (!formFits(props.kind, object)) setView('yaml');
    setLoaded(true);
  });
  /** A refusal naming a part of the manifest the form has no input for (kind, namespace, labels…). */
  const shownInForm = ['manifest.metadata.name', 'manifest.data', 'manifest.binaryData', 'manifest.stringData', 'manifest.type', 'manifest.spec'];
  const manifestError = () => {
    const e = action.fieldError('manifest');
    if (!e) return null;
    return view() === 'yaml' || !shownInForm.some((f) => e.field === f || e.field!.startsWith(`${f}.`) || e.field!.startsWith(`${f}[`)) ? e : null;
  };

  const switchTo = (next: 'form' | 'yaml') => {
    if (next === view()) return;
    if (next === 'yaml') {
      setText(stringify(manifestOf(props.kind, maskRevealed(form()), base()), { lineWidth: 0 }));
    } else {
      try {
        const object = parse(text());
        if (!object || typeof object !== 'object') throw new Error(t('config.yamlNotObject'));
        setForm(formOf(props.kind, object));
      } catch (e) {
        setYamlError((e as Error).message.split('\n')[0]);
        return;
      }
    }
    setYamlError(null);
    setView(next);
  };

  const action = createAction(
    async () => {
      const manifest = view() === 'yaml' ? text() : manifestOf(props.kind, form(), base());
      await command((commandId) =>
        api.config.save.mutate({
          commandId,
          ...target,
          mode: props.mode,
          ...(props.mode === 'update' || view() === 'form' ? { kind: props.kind } : {}),
          ...(props.mode === 'update' ? { name: props.name } : {}),
          manifest,
        }),
      );
    },
    { success: () => (props.mode === 'create' ? t('config.created', { kind: kindOne(props.kind) }) : t('config.saved', { name: props.name ?? '' })), fields: ['manifest', 'name', 'kind'] },
  );

  /** Values revealed in the form; unless edited, the YAML view shows them masked again (the server keeps a masked value). */
  const revealedValues = new Map<string, string>();
  const maskRevealed = (f: ConfigForm): ConfigForm => ({
    ...f,
    entries: f.entries.map((e) => (revealedValues.get(e.key) === e.value ? { ...e, value: MASK } : e)),
  });

  const reveal = createAction(
    async (key: string) => {
      const result = await api.config.reveal.mutate({ ...target, name: props.name!, key });
      const value = result.values[0];
      revealedValues.set(key, value.value);
      setForm((f) => ({ ...f, entries: f.entries.map((e) => (e.key === key ? { ...e, value: value.value } : e)) }));
      setRevealed((r) => ({ ...r, [key]: true }));
    },
  );

  const set = <K extends keyof ConfigForm>(key: K, value: ConfigForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const fieldError = (path: string) => action.fieldError(`manifest.${path}`);
  const title = () =>
    props.mode === 'create' ? t('config.createTitle', { kind: kindOne(props.kind) }) : `${kindOne(props.kind)} · ${props.name}`;

  return (
    <Dialog
      title={title()}
      onClose={props.onClose}
      wide
      testid="config-editor"
      footer={
        <DialogFooter onCancel={props.onClose}>
          <Show when={!props.readOnly}>
            <SubmitButton action={action} label={props.mode === 'create' ? t('config.createSubmit') : t('config.saveSubmit')} form="config-editor-form" testid="config-editor-submit" disabled={!loaded()} />
          </Show>
        </DialogFooter>
      }
    >
      <Show when={loaded()} fallback={<Show when={existing.error()} fallback={<Loading />}><FormError error={existing.error()} /></Show>}>
        <form
          id="config-editor-form"
          class="form"
          onSubmit={async (e) => {
            e.preventDefault();
            if (await action.run()) props.onDone();
          }}
        >
          <div class="segmented cfg-views" role="group">
            <button type="button" classList={{ active: view() === 'form' }} onClick={() => switchTo('form')} data-testid="config-view-form">
              {t('config.viewForm')}
            </button>
            <button type="button" classList={{ active: view() === 'yaml' }} onClick={() => switchTo('yaml')} data-testid="config-view-yaml">
              YAML
            </button>
          </div>
          <Show when={yamlError()}>
            <div class="form-error" role="alert">{t('config.yamlUnreadable', { message: yamlError()! })}</div>
          </Show>
          <Show when={view() === 'form'} fallback={<YamlView text={text()} onChange={setText} readOnly={props.readOnly} kind={props.kind} />}>
            <fieldset class="cfg-fieldset" disabled={props.readOnly}>
              <Field label={t('config.field.name')} error={fieldError('metadata.name') ?? action.fieldError('name')}>
                <input value={form().name} disabled={props.mode === 'update'} onInput={(e) => set('name', e.currentTarget.value)} data-testid="config-name" />
              </Field>
              <KindFields
                kind={props.kind}
                form={form()}
                set={set}
                fieldError={fieldError}
                mode={props.mode}
                canReveal={props.canReveal}
                revealed={revealed()}
                onReveal={(key) => void reveal.run(key)}
                revealing={reveal.pending()}
              />
            </fieldset>
          </Show>
          <FormError error={action.formError()} />
          <FormError error={manifestError()} />
        </form>
      </Show>
    </Dialog>
  );
}

function YamlView(props: { text: string; onChange: (v: string) => void; readOnly: boolean; kind: ConfigKind }) {
  return (
    <div class="cfg-yaml">
      <Show when={props.kind === 'Secret'}>
        <p class="muted small">{t('config.secretYamlHint', { mask: MASK })}</p>
      </Show>
      <YamlEditor value={props.text} onChange={props.onChange} readOnly={props.readOnly} lint={async (text) => yamlProblems(text)} height="360px" testid="config-yaml" />
    </div>
  );
}

function PairRows(props: {
  pairs: Pair[];
  onChange: (pairs: Pair[]) => void;
  keyLabel: string;
  valueLabel: string;
  secret?: boolean;
  multiline?: boolean;
  revealable?: (key: string) => boolean;
  revealed?: Record<string, boolean>;
  onReveal?: (key: string) => void;
  revealing?: boolean;
  testid: string;
}) {
  const update = (i: number, patch: Partial<Pair>) => props.onChange(props.pairs.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  return (
    <div class="cfg-pairs" data-testid={props.testid}>
      <div class="cfg-pair cfg-pair-head">
        <span>{props.keyLabel}</span>
        <span>{props.valueLabel}</span>
        <span />
      </div>
      <Index each={props.pairs}>
        {(p, i) => (
          <div class="cfg-pair">
            <input value={p().key} placeholder="KEY" onInput={(e) => update(i, { key: e.currentTarget.value })} data-testid={`${props.testid}-key-${i}`} />
            <div class="cfg-value">
              <Show
                when={props.secret}
                fallback={
                  <Show when={props.multiline} fallback={<input value={p().value} onInput={(e) => update(i, { value: e.currentTarget.value })} data-testid={`${props.testid}-value-${i}`} />}>
                    <textarea rows={p().value.includes('\n') ? 3 : 1} value={p().value} onInput={(e) => update(i, { value: e.currentTarget.value })} data-testid={`${props.testid}-value-${i}`} />
                  </Show>
                }
              >
                <input
                  type={props.revealed?.[p().key] ? 'text' : 'password'}
                  autocomplete="new-password"
                  value={p().value}
                  onFocus={(e) => p().value === MASK && e.currentTarget.select()}
                  onInput={(e) => update(i, { value: e.currentTarget.value })}
                  data-testid={`${props.testid}-value-${i}`}
                />
                <Show when={p().value === MASK && props.revealable?.(p().key)}>
                  <button type="button" class="btn btn-small" disabled={props.revealing} onClick={() => props.onReveal?.(p().key)} data-testid={`${props.testid}-reveal-${i}`}>
                    {t('config.reveal')}
                  </button>
                </Show>
              </Show>
            </div>
            <button type="button" class="icon-btn" aria-label={t('config.removeRow')} onClick={() => props.onChange(props.pairs.filter((_, j) => j !== i))}>
              ×
            </button>
          </div>
        )}
      </Index>
      <button type="button" class="btn btn-small" onClick={() => props.onChange([...props.pairs, { key: '', value: '' }])} data-testid={`${props.testid}-add`}>
        + {t('config.addRow')}
      </button>
    </div>
  );
}

function KindFields(props: {
  kind: ConfigKind;
  form: ConfigForm;
  set: <K extends keyof ConfigForm>(key: K, value: ConfigForm[K]) => void;
  fieldError: (path: string) => ReturnType<ReturnType<typeof createAction>['fieldError']>;
  mode: 'create' | 'update';
  canReveal: boolean;
  revealed: Record<string, boolean>;
  onReveal: (key: string) => void;
  revealing: boolean;
}) {
  const f = () => props.form;
  const firstError = (...paths: string[]) => paths.map((p) => props.fieldError(p)).find((e) => e) ?? null;
  return (
    <>
      <Show when={props.kind === 'ConfigMap'}>
        <Field label={t('config.field.data')} error={firstError('data', 'binaryData')}>
          <PairRows pairs={f().entries} onChange={(v) => props.set('entries', v)} keyLabel={t('config.field.key')} valueLabel={t('config.field.value')} multiline testid="config-data" />
        </Field>
      </Show>
      <Show when={props.kind === 'Secret'}>
        <div class="grid-2">
          <Field label={t('config.field.secretType')} error={firstError('type')}>
            <input value={f().type} list="config-secret-types" onInput={(e) => props.set('type', e.currentTarget.value)} data-testid="config-secret-type" />
            <datalist id="config-secret-types">
              <For each={['Opaque', 'kubernetes.io/basic-auth', 'kubernetes.io/dockerconfigjson', 'kubernetes.io/tls', 'kubernetes.io/ssh-auth']}>{(v) => <option value={v} />}</For>
            </datalist>
          </Field>
        </div>
        <Field label={t('config.field.secretData')} hint={props.mode === 'update' ? t('config.secretKeepHint', { mask: MASK }) : t('config.secretHint')} error={firstError('stringData', 'data')}>
          <PairRows
            pairs={f().entries}
            onChange={(v) => props.set('entries', v)}
            keyLabel={t('config.field.key')}
            valueLabel={t('config.field.value')}
            secret
            revealable={() => props.mode === 'update' && props.canReveal}
            revealed={props.revealed}
            onReveal={props.onReveal}
            revealing={props.revealing}
            testid="config-secret"
          />
        </Field>
      </Show>
      <Show when={props.kind === 'Service'}>
        <Field label={t('config.field.serviceType')} error={firstError('spec.type')}>
          <select value={f().type} onChange={(e) => props.set('type', e.currentTarget.value)} data-testid="config-service-type">
            <For each={['ClusterIP', 'NodePort', 'LoadBalancer']}>{(v) => <option value={v}>{v}</option>}</For>
          </select>
        </Field>
        <Field label={t('config.field.ports')} error={firstError('spec.ports')}>
          <div class="cfg-ports" data-testid="config-ports">
            <div class="cfg-port cfg-pair-head">
              <span>{t('config.field.portName')}</span>
              <span>{t('config.field.port')}</span>
              <span>{t('config.field.targetPort')}</span>
              <span>{t('config.field.protocol')}</span>
              <span />
            </div>
            <Index each={f().ports}>
              {(p, i) => {
                const update = (patch: Partial<ConfigForm['ports'][number]>) => props.set('ports', f().ports.map((x, j) => (j === i ? { ...x, ...patch } : x)));
                return (
                  <div class="cfg-port">
                    <input value={p().name} placeholder="http" onInput={(e) => update({ name: e.currentTarget.value })} />
                    <input value={p().port} inputmode="numeric" onInput={(e) => update({ port: e.currentTarget.value })} data-testid={`config-port-${i}`} />
                    <input value={p().targetPort} placeholder={p().port} onInput={(e) => update({ targetPort: e.currentTarget.value })} data-testid={`config-target-port-${i}`} />
                    <select value={p().protocol} onChange={(e) => update({ protocol: e.currentTarget.value })}>
                      <For each={['TCP', 'UDP', 'SCTP']}>{(v) => <option value={v}>{v}</option>}</For>
                    </select>
                    <button type="button" class="icon-btn" aria-label={t('config.removeRow')} onClick={() => props.set('ports', f().ports.filter((_, j) => j !== i))}>
                      ×
                    </button>
                  </div>
                );
              }}
            </Index>
            <button type="button" class="btn btn-small" onClick={() => props.set('ports', [...f().ports, { name: '', port: '', targetPort: '', protocol: 'TCP' }])}>
              + {t('config.addPort')}
            </button>
          </div>
        </Field>
        <Field label={t('config.field.selector')} hint={t('config.selectorHint')} error={firstError('spec.selector')}>
          <PairRows pairs={f().selector} onChange={(v) => props.set('selector', v)} keyLabel={t('config.field.label')} valueLabel={t('config.field.value')} testid="config-selector" />
        </Field>
      </Show>
      <Show when={props.kind === 'Ingress'}>
        <div class="grid-2">
          <Field label={t('config.field.host')} optional error={firstError('spec.rules[0].host')}>
            <input value={f().host} placeholder="app.example.com" onInput={(e) => props.set('host', e.currentTarget.value)} data-testid="config-host" />
          </Field>
          <Field label={t('config.field.ingressClass')} optional error={firstError('spec.ingressClassName')}>
            <input value={f().ingressClassName} onInput={(e) => props.set('ingressClassName', e.currentTarget.value)} />
          </Field>
          <Field label={t('config.field.path')} error={firstError('spec.rules[0].http.paths[0].path')}>
            <input value={f().path} onInput={(e) => props.set('path', e.currentTarget.value)} data-testid="config-path" />
          </Field>
          <Field label={t('config.field.pathType')} error={firstError('spec.rules[0].http.paths[0].pathType')}>
            <select value={f().pathType} onChange={(e) => props.set('pathType', e.currentTarget.value)}>
              <For each={['Prefix', 'Exact', 'ImplementationSpecific']}>{(v) => <option value={v}>{v}</option>}</For>
            </select>
          </Field>
          <Field label={t('config.field.backendService')} error={firstError('spec.rules[0].http.paths[0].backend.service.name', 'spec.rules[0].http.paths[0].backend')}>
            <input value={f().service} onInput={(e) => props.set('service', e.currentTarget.value)} data-testid="config-backend-service" />
          </Field>
          <Field label={t('config.field.backendPort')} error={firstError('spec.rules[0].http.paths[0].backend.service.port')}>
            <input value={f().servicePort} onInput={(e) => props.set('servicePort', e.currentTarget.value)} data-testid="config-backend-port" />
          </Field>
        </div>
      </Show>
      <Show when={props.kind === 'PersistentVolumeClaim'}>
        <div class="grid-2">
          <Field label={t('config.field.size')} hint={t('config.sizeHint')} error={firstError('spec.resources.requests.storage')}>
            <input value={f().size} onInput={(e) => props.set('size', e.currentTarget.value)} data-testid="config-size" />
          </Field>
          <Field label={t('config.field.accessMode')} error={firstError('spec.accessModes')}>
            <select value={f().accessMode} disabled={props.mode === 'update'} onChange={(e) => props.set('accessMode', e.currentTarget.value)} data-testid="config-access-mode">
              <For each={['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod']}>{(v) => <option value={v}>{v}</option>}</For>
            </select>
          </Field>
          <Field label={t('config.field.storageClass')} optional hint={t('config.storageClassHint')} error={firstError('spec.storageClassName')}>
            <input value={f().storageClassName} disabled={props.mode === 'update'} onInput={(e) => props.set('storageClassName', e.currentTarget.value)} data-testid="config-storage-class" />
          </Field>
        </div>
      </Show>
    </>
  );
}

function DeleteDialog(props: { ns: Ns; kind: ConfigKind; row: Row; onClose: () => void; onDone: () => void }) {
  const action = createAction(
    () => command((commandId) => api.config.delete.mutate({ commandId, clusterId: props.ns.clusterId, namespace: props.ns.name, kind: props.kind, name: props.row.name })),
    { success: () => t('config.deleted', { name: props.row.name }) },
  );
  return (
    <ConfirmDialog
      title={t('config.deleteTitle', { kind: kindOne(props.kind), name: props.row.name })}
      body={t('config.deleteBody', { kind: kindOne(props.kind), name: props.row.name, namespace: props.ns.name })}
      confirmLabel={t('config.delete')}
      action={action}
      onClose={props.onClose}
      onDone={props.onDone}
      testid="config-delete-dialog"
    />
  );
}

function starterYaml(kind: ConfigKind): string {
  const starters: Record<ConfigKind, string> = {
    ConfigMap: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: my-config\ndata:\n  KEY: value\n',
    Secret: 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: my-secret\ntype: Opaque\nstringData:\n  password: change-me\n',
    Service: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: my-service\nspec:\n  type: ClusterIP\n  selector:\n    app: my-app\n  ports:\n    - name: http\n      port: 80\n      targetPort: 8080\n',
    Ingress:
      'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: my-ingress\nspec:\n  rules:\n    - host: app.example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: my-service\n                port:\n                  number: 80\n',
    PersistentVolumeClaim: 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: my-data\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\n',
  };
  return starters[kind];
}

/** YAML syntax problems with their lines, checked in the browser as the user types. */
function yamlProblems(text: string): { message: string; line: number; column: number }[] {
  const lines = new LineCounter();
  return parseAllDocuments(text, { lineCounter: lines, prettyErrors: false }).flatMap((d) =>
    ('errors' in d ? d.errors : []).map((e) => {
      const { line, col } = lines.linePos(e.pos[0]);
      return { message: e.message.split('\n')[0], line, column: col };
    }),
  );
}
