/**
 * One application template: the YAML editor (CodeMirror, linted by the server as you type), the
 * parameters table, saving as a new version, the versions list (older ones open read-only), and a
 * preview that renders a version or the draft with filled-in values (nothing is deployed).
 */
import { createEffect, createSignal, For, Index, on, Show } from 'solid-js';
import { Badge } from '../components/Badge';
import { ConfirmDialog } from '../components/Confirm';
import { Blame, Field, FormError } from '../components/Field';
import { Crumbs, PageHead } from '../components/PageHead';
import { QueryView } from '../components/QueryView';
import { YamlEditor, type YamlProblem } from '../components/YamlEditor';
import { locale, t } from '../i18n';
import { createAction } from '../lib/action';
import { api, command, toApiError, type ApiError, type RouterOutputs } from '../lib/api';
import { dateTime } from '../lib/format';
import { createQuery } from '../lib/query';
import { href, navigate } from '../lib/router';
import { where } from '../lib/session';
import { scopeText } from './Templates';

type TemplateDto = RouterOutputs['templates']['get'];
type Param = Record<string, any> & { name: string; type: string; required: boolean; description: string };

const TYPES = ['string', 'int', 'bool', 'enum', 'quantity', 'image'] as const;

const clone = <T,>(value: T): T => JSON.parse(JSON.stringify(value));

function defaultText(p: Param): string {
  return p.default === undefined ? '' : String(p.default);
}

/** A parameter with its default typed for its type; an empty text removes it. */
function withDefault(p: Param, text: string): Param {
  const next = { ...p };
  if (text === '') delete next.default;
  else if (p.type === 'int') next.default = /^[+-]?\d+$/.test(text.trim()) ? Number(text) : text;
  else if (p.type === 'bool') next.default = text === 'true';
  else next.default = text;
  return next;
}

function withType(p: Param, type: string): Param {
  const next: Param = { name: p.name, type, required: p.required, description: p.description };
  if (type === 'enum') next.validation = { options: ['a', 'b'] };
  if (type === 'quantity') next.validation = { kind: 'cpu' };
  return next;
}

function withValidation(p: Param, key: string, text: string, numeric = false): Param {
  const validation = { ...(p.validation ?? {}) };
  if (text === '') delete validation[key];
  else validation[key] = numeric && /^[+-]?\d+$/.test(text.trim()) ? Number(text) : text;
  const next = { ...p, validation };
  if (Object.keys(validation).length === 0 && p.type !== 'enum' && p.type !== 'quantity') delete next.validation;
  return next;
}

export function TemplateEditorPage(props: { params: Record<string, string> }) {
  const templateId = () => props.params.id;
  const [viewing, setViewing] = createSignal<number | null>(null);
  const template = createQuery(
    () => ({ templateId: templateId(), version: viewing() ?? undefined }),
    (input) => api.templates.get.query(input),
  );
  const [documents, setDocuments] = createSignal('');
  const [parameters, setParameters] = createSignal<Param[]>([]);
  const [note, setNote] = createSignal('');
  const [problems, setProblems] = createSignal<YamlProblem[]>([]);
  const [deleting, setDeleting] = createSignal(false);
  const readOnly = () => viewing() !== null || !template.data()?.canManage;

  // A newly loaded version replaces the draft.
  createEffect(
    on(
      () => template.data()?.version.version,
      () => {
        const data = template.data();
        if (!data) return;
        setDocuments(data.version.documents);
        setParameters(clone(data.version.parameters) as Param[]);
      },
    ),
  );

  const lint = async (text: string): Promise<YamlProblem[]> => {
    const result = await api.templates.check.mutate({ documents: text, parameters: parameters() });
    setProblems(result.problems);
    return result.problems.map((p) => ({ message: p.message, line: p.line, column: p.column }));
  };

  const save = createAction(
    async () => {
      const result = await command((commandId) => api.templates.saveVersion.mutate({ commandId, templateId: templateId(), documents: documents(), parameters: parameters(), note: note() }));
      setNote('');
      return result;
    },
    { success: () => t('templates.saved', { n: (template.data()?.latestVersion ?? 0) + 1 }), fields: ['documents', 'parameters', 'note'] },
  );
  const remove = createAction(() => command((commandId) => api.templates.delete.mutate({ commandId, templateId: templateId() })), {
    success: () => t('templates.deleted', { name: templateId() }),
  });
  const updateParam = (index: number, next: Param) => setParameters(parameters().map((p, i) => (i === index ? next : p)));

  return (
    <div class="page">
      <Crumbs back={t('templates.title')} href="/templates" current={templateId()} />
      <QueryView query={template}>
        {(data) => (
          <>
            <PageHead
              title={data().displayName}
              subtitle={`${data().templateId} · ${scopeText(data().scope as any)}`}
              badge={<Badge tone="info">{t('templates.versionN', { n: data().latestVersion })}</Badge>}
              actions={
                <>
                  <a class="btn btn-primary" href={href(`/apps/new?template=${encodeURIComponent(data().templateId)}${viewing() !== null ? `&version=${viewing()}` : ''}`)} data-testid="template-generate-app">
                    {t('apps.generate')}
                  </a>
                  <Show when={data().canManage}>
                    <button type="button" class="btn btn-danger-outline" onClick={() => (remove.clear(), setDeleting(true))} data-testid="template-delete">
                      {t('templates.delete')}
                    </button>
                  </Show>
                </>
              }
            />
            <Show when={viewing() !== null}>
              <div class="card" style={{ 'margin-bottom': '12px', display: 'flex', 'align-items': 'center', gap: '12px' }} data-testid="template-viewing-old">
                <span>{t('templates.viewing', { n: viewing()! })}</span>
                <button type="button" class="btn btn-small" onClick={() => setViewing(null)}>
                  {t('templates.backToLatest')}
                </button>
              </div>
            </Show>
            <div style={{ display: 'grid', 'grid-template-columns': 'minmax(0, 3fr) minmax(300px, 2fr)', gap: '16px', 'align-items': 'start' }}>
              <div style={{ display: 'flex', 'flex-direction': 'column', gap: '12px', 'min-width': '0' }}>
                <div class="card">
                  <div class="card-head">
                    <h3>{t('templates.documents')}</h3>
                    <Show when={!readOnly()}>
                      <Badge tone={problems().length > 0 ? 'bad' : 'ok'} testid="template-lint-status">
                        {problems().length > 0 ? t('templates.problems', { n: problems().length }) : t('templates.noProblems')}
                      </Badge>
                    </Show>
                  </div>
                  <YamlEditor value={documents()} onChange={setDocuments} lint={readOnly() ? undefined : lint} readOnly={readOnly()} testid="template-yaml" />
                  <Show when={problems().length > 0 && !readOnly()}>
                    <ul class="small" style={{ color: 'var(--bad)', margin: '8px 0 0', 'padding-left': '18px' }} data-testid="template-problems">
                      <For each={problems()}>
                        {(p) => (
                          <li>
                            <Show when={p.line}>{(line) => <span class="mono">L{line()}: </span>}</Show>
                            {p.message}
                          </li>
                        )}
                      </For>
                    </ul>
                  </Show>
                </div>
                <div class="card">
                  <div class="card-head">
                    <h3>{t('templates.parameters')}</h3>
                    <Show when={!readOnly()}>
                      <button
                        type="button"
                        class="btn btn-small"
                        onClick={() => setParameters([...parameters(), { name: `param${parameters().length + 1}`, type: 'string', required: false, description: '' }])}
                        data-testid="template-param-add"
                      >
                        {t('templates.param.add')}
                      </button>
                    </Show>
                  </div>
                  <ParametersTable parameters={parameters()} readOnly={readOnly()} onChange={updateParam} onRemove={(i) => setParameters(parameters().filter((_, j) => j !== i))} error={save.fieldError('parameters')} />
                </div>
                <Show when={!readOnly()}>
                  <div class="card">
                    <Field label={t('templates.note')} optional error={save.fieldError('note')}>
                      <input value={note()} onInput={(e) => setNote(e.currentTarget.value)} data-testid="template-note" />
                    </Field>
                    <Show when={save.fieldError('documents')}>{(e) => <p class="field-error"><Blame field={e().field} message={e().message} /></p>}</Show>
                    <FormError error={save.formError()} />
                    <button type="button" class="btn btn-primary" disabled={save.pending()} onClick={() => void save.run()} data-testid="template-save">
                      {save.pending() ? t('common.saving') : t('templates.saveVersion')}
                    </button>
                  </div>
                </Show>
              </div>
              <div style={{ display: 'flex', 'flex-direction': 'column', gap: '12px', 'min-width': '0' }}>
                <div class="card" data-testid="template-versions">
                  <h3>{t('templates.versions')}</h3>
                  <table class="table dense" style={{ width: '100%' }}>
                    <tbody>
                      <For each={data().versions}>
                        {(v) => (
                          <tr data-testid={`template-version-${v.version}`}>
                            <td class="mono">
                              {t('templates.versionN', { n: v.version })}
                              <Show when={v.version === data().latestVersion}>
                                {' '}
                                <Badge tone="ok">{t('templates.latest')}</Badge>
                              </Show>
                            </td>
                            <td class="small muted">
                              {dateTime(v.savedAt, locale())} · {v.savedBy}
                              <Show when={v.note}>
                                <div>{v.note}</div>
                              </Show>
                            </td>
                            <td class="actions">
                              <button type="button" class="link-btn" onClick={() => setViewing(v.version === data().latestVersion ? null : v.version)} data-testid={`template-view-${v.version}`}>
                                {t('templates.view')}
                              </button>
                            </td>
                          </tr>
                        )}
                      </For>
                    </tbody>
                  </table>
                </div>
                <Preview template={data()} documents={documents()} parameters={parameters()} draft={viewing() === null} />
              </div>
            </div>
            <Show when={deleting()}>
              <ConfirmDialog
                title={t('templates.delete')}
                body={t('templates.deleteConfirm', { name: data().templateId })}
                confirmLabel={t('common.delete')}
                action={remove}
                onClose={() => setDeleting(false)}
                onDone={() => navigate('/templates')}
              />
            </Show>
          </>
        )}
      </QueryView>
    </div>
  );
}

function ParametersTable(props: { parameters: Param[]; readOnly: boolean; onChange: (i: number, p: Param) => void; onRemove: (i: number) => void; error: ApiError | null }) {
  return (
    <div style={{ 'overflow-x': 'auto' }}>
      <table class="table dense" style={{ width: '100%' }} data-testid="template-params">
        <thead>
          <tr>
            <th>{t('templates.param.name')}</th>
            <th>{t('templates.param.type')}</th>
            <th>{t('templates.param.default')}</th>
            <th>{t('templates.param.required')}</th>
            <th>{t('templates.param.validation')}</th>
            <th>{t('templates.param.description')}</th>
            <Show when={!props.readOnly}>
              <th />
            </Show>
          </tr>
        </thead>
        <tbody>
          <Index each={props.parameters}>
            {(p, i) => (
              <tr data-testid={`template-param-${i}`}>
                <td>
                  <input class="mono" style={{ width: '9em' }} value={p().name} disabled={props.readOnly} onChange={(e) => props.onChange(i, { ...p(), name: e.currentTarget.value })} />
                </td>
                <td>
                  <select value={p().type} disabled={props.readOnly} onChange={(e) => props.onChange(i, withType(p(), e.currentTarget.value))}>
                    <For each={TYPES}>{(type) => <option value={type}>{type}</option>}</For>
                  </select>
                </td>
                <td>
                  <Show
                    when={p().type === 'bool'}
                    fallback={<input style={{ width: '9em' }} value={defaultText(p())} disabled={props.readOnly} onChange={(e) => props.onChange(i, withDefault(p(), e.currentTarget.value))} />}
                  >
                    <select value={defaultText(p())} disabled={props.readOnly} onChange={(e) => props.onChange(i, withDefault(p(), e.currentTarget.value))}>
                      <option value="">—</option>
                      <option value="true">true</option>
                      <option value="false">false</option>
                    </select>
                  </Show>
                </td>
                <td style={{ 'text-align': 'center' }}>
                  <input type="checkbox" checked={p().required} disabled={props.readOnly} onChange={(e) => props.onChange(i, { ...p(), required: e.currentTarget.checked })} />
                </td>
                <td>
                  <ValidationFields param={p()} readOnly={props.readOnly} onChange={(next) => props.onChange(i, next)} />
                </td>
                <td>
                  <input value={p().description} disabled={props.readOnly} onChange={(e) => props.onChange(i, { ...p(), description: e.currentTarget.value })} />
                </td>
                <Show when={!props.readOnly}>
                  <td>
                    <button type="button" class="link-btn danger" onClick={() => props.onRemove(i)}>
                      {t('templates.param.remove')}
                    </button>
                  </td>
                </Show>
              </tr>
            )}
          </Index>
        </tbody>
      </table>
      <Show when={props.error}>{(e) => <p class="field-error" data-testid="template-params-error"><Blame field={e().field} message={e().message} /></p>}</Show>
      </div>
  );
}

function ValidationFields(props: { param: Param; readOnly: boolean; onChange: (p: Param) => void }) {
  const v = () => props.param.validation ?? {};
  const text = (key: string, placeholder: string, numeric = false, width = '5em') => (
    <input
      style={{ width }}
      placeholder={placeholder}
      value={v()[key] === undefined ? '' : String(v()[key])}
      disabled={props.readOnly}
      onChange={(e) => props.onChange(withValidation(props.param, key, e.currentTarget.value, numeric))}
    />
  );
  return (
    <span style={{ display: 'inline-flex', gap: '4px', 'align-items': 'center' }}>
      <Show when={props.param.type === 'string'}>{text('pattern', t('templates.param.pattern'), false, '9em')}</Show>
      <Show when={props.param.type === 'int'}>
        {text('min', 'min', true)}
        {text('max', 'max', true)}
      </Show>
      <Show when={props.param.type === 'enum'}>
        <input
          style={{ width: '10em' }}
          title={t('templates.param.options')}
          placeholder={t('templates.param.options')}
          value={(v().options ?? []).join(', ')}
          disabled={props.readOnly}
          onChange={(e) => props.onChange({ ...props.param, validation: { options: e.currentTarget.value.split(',').map((s) => s.trim()).filter(Boolean) } })}
        />
      </Show>
      <Show when={props.param.type === 'quantity'}>
        <select value={v().kind ?? 'cpu'} disabled={props.readOnly} onChange={(e) => props.onChange({ ...props.param, validation: { ...v(), kind: e.currentTarget.value } })}>
          <option value="cpu">cpu</option>
          <option value="memory">memory</option>
          <option value="storage">storage</option>
        </select>
        {text('min', 'min')}
        {text('max', 'max')}
      </Show>
      <Show when={props.param.type === 'bool' || props.param.type === 'image'}>
        <span class="muted">—</span>
      </Show>
    </span>
  );
}

function Preview(props: { template: TemplateDto; documents: string; parameters: Param[]; draft: boolean }) {
  const firstNamespace = () => where('apps:deploy').namespaces[0]?.split('/')[1] ?? 'preview';
  const [namespace, setNamespace] = createSignal(firstNamespace());
  const [appName, setAppName] = createSignal(props.template.templateId);
  const [values, setValues] = createSignal<Record<string, string>>({});
  const [rendered, setRendered] = createSignal<{ yaml: string; count: number } | null>(null);
  const [error, setError] = createSignal<ApiError | null>(null);
  const [pending, setPending] = createSignal(false);

  /** The refusal with its first field put back (toApiError moves it to `field`): `values.a: …; values.b: …`. */
  const full = () => {
    const e = error();
    if (!e) return '';
    return e.field && !e.message.startsWith(`${e.field}:`) ? `${e.field}: ${e.message}` : e.message;
  };

  const render = async () => {
    setPending(true);
    setError(null);
    try {
      const given = Object.fromEntries(Object.entries(values()).filter(([, v]) => v !== ''));
      const common = { namespace: namespace(), appName: appName(), values: given };
      const result = props.draft
        ? await api.templates.render.mutate({ ...common, source: { documents: props.documents, parameters: props.parameters } })
        : await api.templates.render.mutate({ ...common, templateId: props.template.templateId, version: props.template.version.version });
      setRendered({ yaml: result.yaml, count: result.objects.length });
    } catch (e) {
      setRendered(null);
      setError(toApiError(e));
    } finally {
      setPending(false);
    }
  };

  return (
    <div class="card" data-testid="template-preview">
      <h3>{t('templates.preview')}</h3>
      <p class="muted small">{t('templates.previewHint')}</p>
      <div class="grid-2">
        <Field label={t('templates.namespace')}>
          <input value={namespace()} onInput={(e) => setNamespace(e.currentTarget.value)} data-testid="preview-namespace" />
        </Field>
        <Field label={t('templates.appName')}>
          <input value={appName()} onInput={(e) => setAppName(e.currentTarget.value)} data-testid="preview-app" />
        </Field>
      </div>
      <For each={props.parameters}>
        {(p) => {
          const blamed = () => full().split('; ').find((m) => m.startsWith(`values.${p.name}:`));
          return (
            <label class="field" classList={{ invalid: !!blamed() }}>
              <span class="field-label">
                <span class="mono">{p.name}</span> <span class="muted small">({p.type}{p.required ? ', *' : ''})</span>
              </span>
              <input
                value={values()[p.name] ?? ''}
                placeholder={p.default === undefined ? '' : String(p.default)}
                onInput={(e) => setValues({ ...values(), [p.name]: e.currentTarget.value })}
                data-testid={`preview-value-${p.name}`}
              />
              <Show when={blamed()} fallback={<Show when={p.description}><span class="field-hint">{p.description}</span></Show>}>
                {(m) => <span class="field-error" role="alert">{m()}</span>}
              </Show>
            </label>
          );
        }}
      </For>
      <button type="button" class="btn btn-primary" disabled={pending()} onClick={() => void render()} data-testid="preview-render">
        {t('templates.render')}
      </button>
      <Show when={error()}>
        <p class="field-error" style={{ 'white-space': 'pre-wrap' }} data-testid="preview-error">
          {full().split('; ').join('\n')}
        </p>
      </Show>
      <Show when={rendered()}>
        {(r) => (
          <div style={{ 'margin-top': '10px' }} data-testid="preview-output">
            <p class="muted small">{t('templates.renderedObjects', { n: r().count })}</p>
            <YamlEditor value={r().yaml} readOnly height="360px" />
          </div>
        )}
      </Show>
    </div>
  );
}
