/**
 * What the application pages share: the `apps` API with its shapes, the status and health
 * badges, the parameter form generated from a template's typed parameters (checked in the
 * browser before anything is sent, server refusals shown at the parameter they name), and the
 * preview of a generate or revise (manifests, quota check, diff against what runs).
 */
import { createSignal, For, Index, Show } from 'solid-js';
import { Badge, type Tone } from '../components/Badge';
import { Dialog } from '../components/Dialog';
import { YamlEditor } from '../components/YamlEditor';
import { t, type MessageKey } from '../i18n';
import { api, type ApiError, type RouterInputs, type RouterOutputs } from '../lib/api';
import { fmtCpu, fmtMemory } from '../lib/display';
import './apps.css';

// ---------------------------------------------------------------- shapes

export type AppStatus = 'draft' | 'deploying' | 'deployed' | 'failed' | 'undeploying' | 'undeployed';
export type Health = 'healthy' | 'progressing' | 'degraded' | 'missing' | 'unknown';

export interface Amounts {
  cpuMillis: number;
  memoryBytes: number;
}

type Apps = RouterOutputs['apps'];
export type AppDetail = Apps['get'];
export type AppStatusDto = Apps['status'];
export type ResourceStatus = AppStatusDto['resources'][number];
export type PodStatus = ResourceStatus['pods'][number];
export type TopologyDto = Apps['topology'];
export type PreviewDto = Apps['preview'];

export interface AppTarget {
  clusterId: string;
  namespace: string;
  name: string;
}

export const appIdOf = (a: AppTarget) => `${a.clusterId}.${a.namespace}.${a.name}`;
export const appPath = (a: AppTarget) => `/apps/${encodeURIComponent(a.clusterId)}/${encodeURIComponent(a.namespace)}/${encodeURIComponent(a.name)}`;

/** The `apps` router (api/routers/apps.ts). */
export const appsApi = {
  list: (input: { clusterId?: string; namespace?: string } = {}) => api.apps.list.query(input),
  get: (appId: string) => api.apps.get.query({ appId }),
  revisions: (appId: string) => api.apps.revisions.query({ appId }),
  status: (appId: string) => api.apps.status.query({ appId }),
  topology: (appId: string) => api.apps.topology.query({ appId }),
  preview: (input: RouterInputs['apps']['preview']) => api.apps.preview.mutate(input),
  generate: (input: RouterInputs['apps']['generate']) => api.apps.generate.mutate(input),
  publish: (input: { commandId: string; appId: string }) => api.apps.publish.mutate(input),
  revise: (input: RouterInputs['apps']['revise']) => api.apps.revise.mutate(input),
  rollback: (input: { commandId: string; appId: string; toRevision: number }) => api.apps.rollback.mutate(input),
  unpublish: (input: { commandId: string; appId: string }) => api.apps.unpublish.mutate(input),
  delete: (input: { commandId: string; appId: string }) => api.apps.delete.mutate(input),
};

// ---------------------------------------------------------------- badges

const STATUS_TONE: Record<AppStatus, Tone> = {
  draft: 'muted',
  deploying: 'info',
  deployed: 'ok',
  failed: 'bad',
  undeploying: 'warn',
  undeployed: 'muted',
};

export function StatusBadge(props: { status: AppStatus; testid?: string; title?: string }) {
  return (
    <Badge tone={STATUS_TONE[props.status] ?? 'muted'} pulse={props.status === 'deploying' || props.status === 'undeploying'} testid={props.testid} title={props.title}>
      {t(`apps.status.${props.status}` as MessageKey)}
    </Badge>
  );
}

const HEALTH_TONE: Record<Health, Tone> = { healthy: 'ok', progressing: 'info', degraded: 'bad', missing: 'warn', unknown: 'muted' };

export function HealthBadge(props: { health: Health | null | undefined; testid?: string }) {
  const h = () => props.health ?? 'unknown';
  return (
    <Badge tone={HEALTH_TONE[h()] ?? 'muted'} pulse={h() === 'progressing'} testid={props.testid}>
      {t(`apps.health.${h()}` as MessageKey)}
    </Badge>
  );
}

export const healthColor = (h: Health | null | undefined) =>
  ({ healthy: 'var(--ok)', progressing: 'var(--info)', degraded: 'var(--bad)', missing: 'var(--warn)', unknown: 'var(--muted)' })[h ?? 'unknown'] ?? 'var(--muted)';

// ---------------------------------------------------------------- the parameter form

export interface ParamDef {
  name: string;
  type: 'string' | 'int' | 'bool' | 'enum' | 'quantity' | 'image';
  required: boolean;
  description: string;
  default?: unknown;
  validation?: { pattern?: string; minLength?: number; maxLength?: number; min?: number | string; max?: number | string; options?: string[]; kind?: 'cpu' | 'memory' | 'storage' };
}

/** What the form holds per parameter: text for inputs, 'true'/'false' for bools. */
export type FormValues = Record<string, string>;

export function initialValues(params: readonly ParamDef[], given: Record<string, unknown> = {}): FormValues {
  const out: FormValues = {};
  for (const p of params) {
    const v = p.name in given ? given[p.name] : p.default;
    out[p.name] = v === undefined || v === null ? '' : String(v);
  }
  return out;
}

const CPU = /^(\d+(\.\d+)?|\.\d+)m?$/;
const MEMORY = /^(\d+(\.\d+)?|\.\d+)([KMGTPE]i?|[kmgtpe])?$/;
const IMAGE = /^[a-z0-9]+([._-][a-z0-9]+)*(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

function quantityNumber(text: string, kind: string): number | null {
  const s = text.trim();
  if (kind === 'cpu') {
    if (!CPU.test(s)) return null;
    return s.endsWith('m') ? Number(s.slice(0, -1)) : Number(s) * 1000;
  }
  const m = MEMORY.exec(s);
  if (!m) return null;
  const unit = m[3] ?? '';
  const factors: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
  return Number(m[1]) * (factors[unit] ?? 1);
}

/** The browser's check of one value, naming the parameter; null when it is fine (the server checks again). */
export function checkValue(p: ParamDef, text: string): string | null {
  const v = text.trim();
  const named = (key: MessageKey, params: Record<string, string | number> = {}) => `values.${p.name}: ${t(key, params)}`;
  if (v === '') return p.required && p.default === undefined ? named('apps.check.required') : null;
  const val = p.validation ?? {};
  switch (p.type) {
    case 'int': {
      if (!/^[+-]?\d+$/.test(v)) return named('apps.check.int');
      const n = Number(v);
      if (typeof val.min === 'number' && n < val.min) return named('apps.check.min', { min: val.min });
      if (typeof val.max === 'number' && n > val.max) return named('apps.check.max', { max: val.max });
      return null;
    }
    case 'bool':
      return v === 'true' || v === 'false' ? null : named('apps.check.bool');
    case 'enum':
      return (val.options ?? []).includes(v) ? null : named('apps.check.enum', { options: (val.options ?? []).join(', ') });
    case 'quantity': {
      const kind = val.kind ?? 'cpu';
      const n = quantityNumber(v, kind);
      if (n === null) return named(kind === 'cpu' ? 'apps.check.cpu' : 'apps.check.memory');
      const min = typeof val.min === 'string' ? quantityNumber(val.min, kind) : null;
      const max = typeof val.max === 'string' ? quantityNumber(val.max, kind) : null;
      if (min !== null && n < min) return named('apps.check.min', { min: String(val.min) });
      if (max !== null && n > max) return named('apps.check.max', { max: String(val.max) });
      return null;
    }
    case 'image':
      return IMAGE.test(v) ? null : named('apps.check.image');
    default: {
      if (val.minLength !== undefined && v.length < val.minLength) return named('apps.check.minLength', { n: val.minLength });
      if (val.maxLength !== undefined && v.length > val.maxLength) return named('apps.check.maxLength', { n: val.maxLength });
      if (val.pattern) {
        try {
          if (!new RegExp(`^(?:${val.pattern})$`, 'u').test(v)) return named('apps.check.pattern', { pattern: val.pattern });
        } catch {
          /* the server judges patterns it accepted */
        }
      }
      return null;
    }
  }
}

/** Typed values to send: empty optional fields are left out (the template's default applies). */
export function typedValues(params: readonly ParamDef[], form: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of params) {
    const v = (form[p.name] ?? '').trim();
    if (v === '') continue;
    if (p.type === 'int') out[p.name] = /^[+-]?\d+$/.test(v) ? Number(v) : v;
    else if (p.type === 'bool') out[p.name] = v === 'true' ? true : v === 'false' ? false : v;
    else out[p.name] = form[p.name];
  }
  return out;
}

/** Every `values.<name>: message` a server refusal holds (they come joined with "; "). */
export function serverValueErrors(error: ApiError | null): Record<string, string> {
  if (!error) return {};
  const text = error.field && !error.message.startsWith(`${error.field}:`) ? `${error.field}: ${error.message}` : error.message;
  const out: Record<string, string> = {};
  for (const part of text.split('; ')) {
    const m = /^values\.([A-Za-z_][A-Za-z0-9_]*)\b[^:]*: ?(.*)$/s.exec(part);
    if (m && !out[m[1]]) out[m[1]] = `values.${m[1]}: ${m[2]}`;
  }
  return out;
}

export function ParameterForm(props: {
  parameters: readonly ParamDef[];
  values: FormValues;
  onChange: (values: FormValues) => void;
  /** Errors to show now (from the browser's check after a submit, or from the server), by parameter. */
  errors: Record<string, string>;
  testid?: string;
}) {
  const set = (name: string, v: string) => props.onChange({ ...props.values, [name]: v });
  return (
    <div class="param-form" data-testid={props.testid ?? 'param-form'}>
      <Show when={props.parameters.length === 0}>
        <p class="muted">{t('apps.gen.noParameters')}</p>
      </Show>
      <Index each={props.parameters}>
        {(p) => {
          const error = () => props.errors[p().name] ?? null;
          const hint = () => {
            const v = p().validation ?? {};
            const bits: string[] = [];
            if (p().type === 'quantity') bits.push(v.kind ?? 'cpu');
            if (v.min !== undefined) bits.push(`≥ ${v.min}`);
            if (v.max !== undefined) bits.push(`≤ ${v.max}`);
            return bits.join(' · ');
          };
          return (
            <label class="field" classList={{ invalid: !!error() }} data-testid={`param-${p().name}`}>
              <span class="field-label">
                <span class="mono">{p().name}</span>
                <Show when={p().required}>
                  <span class="req" title={t('common.required')}>
                    {' '}*
                  </span>
                </Show>{' '}
                <span class="param-type">{p().type}</span>
                <Show when={hint()}>
                  <span class="muted small"> {hint()}</span>
                </Show>
              </span>
              <Show
                when={p().type === 'bool' || p().type === 'enum'}
                fallback={
                  <input
                    class={p().type === 'string' ? undefined : 'mono'}
                    inputmode={p().type === 'int' ? 'numeric' : undefined}
                    value={props.values[p().name] ?? ''}
                    placeholder={p().default === undefined ? '' : String(p().default)}
                    onInput={(e) => set(p().name, e.currentTarget.value)}
                    data-testid={`value-${p().name}`}
                  />
                }
              >
                <select value={props.values[p().name] ?? ''} onChange={(e) => set(p().name, e.currentTarget.value)} data-testid={`value-${p().name}`}>
                  <Show when={!p().required || p().default === undefined}>
                    <option value="">—</option>
                  </Show>
                  <For each={p().type === 'bool' ? ['true', 'false'] : (p().validation?.options ?? [])}>{(o) => <option value={o}>{o}</option>}</For>
                </select>
              </Show>
              <Show when={error()} fallback={<Show when={p().description}><span class="field-hint">{p().description}</span></Show>}>
                {(m) => (
                  <span class="field-error" role="alert" data-testid={`value-${p().name}-error`}>
                    {m()}
                  </span>
                )}
              </Show>
            </label>
          );
        }}
      </Index>
    </div>
  );
}

// ---------------------------------------------------------------- preview

const ACTION_TONE: Record<string, Tone> = { create: 'ok', update: 'info', unchanged: 'muted', delete: 'bad' };

function amounts(a: Amounts | undefined) {
  return a ? `${fmtCpu(a.cpuMillis)} · ${fmtMemory(a.memoryBytes)}` : '—';
}

/** Rendered manifests with "view YAML", the quota check with the numbers, and the diff against the cluster. */
export function PreviewView(props: { preview: PreviewDto }) {
  const [open, setOpen] = createSignal<{ title: string; yaml: string } | null>(null);
  const [diffOpen, setDiffOpen] = createSignal<string | null>(null);
  const quota = () => props.preview.quota;
  const needs = () => props.preview.requested.requests;
  const needLimits = () => props.preview.requested.limits;
  const left = () => quota().remaining.requests;
  const leftLimits = () => quota().remaining.limits;
  const diffOf = (kind: string, name: string) => props.preview.diff.find((d) => d.ref.kind === kind && d.ref.name === name);
  const deleted = () => props.preview.diff.filter((d) => d.action === 'delete');
  const allYaml = () => props.preview.manifests.map((m) => m.yaml).join('---\n');
  return (
    <div class="preview" data-testid="app-preview">
      <section class="card" data-testid="quota-check">
        <div class="card-head">
          <h3>{t('apps.preview.quota')}</h3>
          <Badge tone={quota().ok ? 'ok' : 'bad'} testid="quota-result">
            {quota().ok ? t('apps.preview.quotaOk') : t('apps.preview.quotaRefused')}
          </Badge>
        </div>
        <table class="table table-dense quota-table">
          <thead>
            <tr>
              <th />
              <th class="num">{t('apps.preview.needs')}</th>
              <th class="num">{t('apps.preview.left')}</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>{t('apps.preview.requests')}</td>
              <td class="num" data-testid="quota-needs">{amounts(needs())}</td>
              <td class="num" data-testid="quota-left">{amounts(left())}</td>
            </tr>
            <tr>
              <td>{t('apps.preview.limits')}</td>
              <td class="num" data-testid="quota-needs-limits">{amounts(needLimits())}</td>
              <td class="num" data-testid="quota-left-limits">{amounts(leftLimits())}</td>
            </tr>
          </tbody>
        </table>
        <Show when={!quota().ok && quota().message}>
          <p class="field-error" data-testid="quota-message">
            {quota().message}
          </p>
        </Show>
      </section>
      <section class="card">
        <div class="card-head">
          <h3>{t('apps.preview.manifests', { n: props.preview.manifests.length })}</h3>
          <button type="button" class="btn btn-small" onClick={() => setOpen({ title: t('apps.preview.allYaml'), yaml: allYaml() })} data-testid="preview-all-yaml">
            {t('apps.viewYaml')}
          </button>
        </div>
        <div class="table-wrap">
          <table class="table table-dense" data-testid="preview-manifests">
            <thead>
              <tr>
                <th>{t('apps.col.kind')}</th>
                <th>{t('common.name')}</th>
                <th>{t('apps.preview.change')}</th>
                <th class="actions">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              <For each={props.preview.manifests}>
                {(m) => {
                  const d = () => diffOf(m.ref.kind, m.ref.name);
                  const key = `${m.ref.kind}/${m.ref.name}`;
                  return (
                    <>
                      <tr data-testid={`manifest-${m.ref.kind}-${m.ref.name}`}>
                        <td>{m.ref.kind}</td>
                        <td class="mono">{m.ref.name}</td>
                        <td>
                          <Show when={d()} fallback={<span class="muted">—</span>}>
                            {(x) => (
                              <Badge tone={ACTION_TONE[x().action] ?? 'muted'} testid={`diff-action-${m.ref.kind}-${m.ref.name}`}>
                                {t(`apps.diff.${x().action}` as MessageKey)}
                              </Badge>
                            )}
                          </Show>
                        </td>
                        <td class="actions nowrap">
                          <button type="button" class="link-btn" onClick={() => setOpen({ title: key, yaml: m.yaml })} data-testid={`view-yaml-${m.ref.kind}-${m.ref.name}`}>
                            {t('apps.viewYaml')}
                          </button>
                          <Show when={d() && d()!.action === 'update'}>
                            <button type="button" class="link-btn" onClick={() => setDiffOpen(diffOpen() === key ? null : key)} data-testid={`view-diff-${m.ref.kind}-${m.ref.name}`}>
                              {t('apps.preview.showDiff')}
                            </button>
                          </Show>
                        </td>
                      </tr>
                      <Show when={diffOpen() === key && d()}>
                        <tr>
                          <td colspan="4">
                            <DiffText text={d()!.diff} />
                          </td>
                        </tr>
                      </Show>
                    </>
                  );
                }}
              </For>
              <For each={deleted()}>
                {(d) => (
                  <tr data-testid={`manifest-${d.ref.kind}-${d.ref.name}`}>
                    <td>{d.ref.kind}</td>
                    <td class="mono">{d.ref.name}</td>
                    <td>
                      <Badge tone="bad">{t('apps.diff.delete')}</Badge>
                    </td>
                    <td />
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </section>
      <Show when={open()}>
        {(o) => (
          <Dialog title={o().title} onClose={() => setOpen(null)} wide testid="yaml-dialog">
            <YamlEditor value={o().yaml} readOnly height="460px" testid="yaml-view" />
          </Dialog>
        )}
      </Show>
    </div>
  );
}

/** A unified diff, coloured by line. */
export function DiffText(props: { text: string }) {
  const lines = () => props.text.split('\n');
  return (
    <pre class="diff" data-testid="diff-text">
      <For each={lines()}>
        {(l) => <div classList={{ 'diff-add': l.startsWith('+') && !l.startsWith('+++'), 'diff-del': l.startsWith('-') && !l.startsWith('---'), 'diff-hunk': l.startsWith('@@') }}>{l || ' '}</div>}
      </For>
    </pre>
  );
}

/** "View YAML" for any text: a button and a read-only editor in a dialog. */
export function ViewYamlButton(props: { title: string; yaml: () => string | Promise<string>; testid: string; class?: string }) {
  const [text, setText] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  return (
    <>
      <button
        type="button"
        class={props.class ?? 'btn btn-small'}
        data-testid={props.testid}
        onClick={async () => {
          setError(null);
          try {
            setText(await props.yaml());
          } catch (e) {
            setError(e instanceof Error ? e.message : String(e));
            setText('');
          }
        }}
      >
        {t('apps.viewYaml')}
      </button>
      <Show when={text() !== null}>
        <Dialog title={props.title} onClose={() => setText(null)} wide testid="yaml-dialog">
          <Show when={error()}>
            {(m) => (
              <p class="field-error" style={{ 'white-space': 'pre-wrap' }} data-testid="yaml-dialog-error">
                {m().split('; ').join('\n')}
              </p>
            )}
          </Show>
          <Show when={!error()}>
            <YamlEditor value={text() ?? ''} readOnly height="460px" testid="yaml-view" />
          </Show>
        </Dialog>
      </Show>
    </>
  );
}
