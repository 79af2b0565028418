/**
 * Generate an application (生成应用), in three steps:
 *  1. what from: a template version (older versions stay usable) — or a base app (基础应用)
 *     assembled from YAML documents of the allowed kinds — and the namespace and name;
 *  2. the values, in a form generated from the template's typed parameters, checked here first
 *     and by the server again (its refusal is shown at the parameter it names);
 *  3. the preview: the rendered manifests, the quota check with the numbers, the diff against
 *     what runs; then "Generate" (a draft) or "Generate and run".
 * "View YAML" is offered at every step. A base app is saved as a template of the namespace's
 * workspace (the apps API generates from saved template versions), then generated like any other.
 */
import { createEffect, createMemo, createSignal, For, on, Show } from 'solid-js';
import { Badge } from '../components/Badge';
import { Field, FormError } from '../components/Field';
import { Crumbs, PageHead } from '../components/PageHead';
import { YamlEditor } from '../components/YamlEditor';
import { t, type MessageKey } from '../i18n';
import { api, command, toApiError, type ApiError } from '../lib/api';
import { createQuery } from '../lib/query';
import { currentLocation, href, navigate } from '../lib/router';
import { createNamespaceChoice } from '../components/NamespaceSelect';
import { toast } from '../lib/toast';
import {
  appIdOf,
  appPath,
  appsApi,
  checkValue,
  initialValues,
  ParameterForm,
  PreviewView,
  serverValueErrors,
  typedValues,
  ViewYamlButton,
  type FormValues,
  type ParamDef,
  type PreviewDto,
} from './apps-shared';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The kinds a base app is assembled from, each with the built-in starter it starts from. */
export const BASE_KINDS = ['Deployment', 'Service', 'ConfigMap', 'Secret', 'Ingress', 'PersistentVolumeClaim', 'StatefulSet', 'Job', 'CronJob'] as const;
export type BaseKind = (typeof BASE_KINDS)[number];

const STARTER_OF: Partial<Record<BaseKind, string>> = {
  Deployment: 'deployment',
  Service: 'service',
  ConfigMap: 'configmap',
  StatefulSet: 'statefulset',
  Job: 'job',
  Ingress: 'ingress',
};

/** Kinds without a built-in starter: a document and its parameters. A Secret never carries data in a template. */
const LOCAL_STARTERS: Partial<Record<BaseKind, { documents: string; parameters: ParamDef[] }>> = {
  Secret: {
    documents: `apiVersion: v1
kind: Secret
metadata:
  name: {{ .Release.Name }}
type: Opaque
# Templates are kept forever, so they never hold Secret data:
# set the values under Config & storage → Secrets after deploying.
`,
    parameters: [],
  },
  PersistentVolumeClaim: {
    documents: `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: {{ .Release.Name }}
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: {{ .Values.storageSize }}
`,
    parameters: [
      { name: 'storageSize', type: 'quantity', required: true, description: 'Size of the volume (e.g. 1Gi, 20Gi)', default: '1Gi', validation: { kind: 'storage', min: '1Mi', max: '16Ti' } },
    ],
  },
  CronJob: {
    documents: `apiVersion: batch/v1
kind: CronJob
metadata:
  name: {{ .Release.Name }}
spec:
  schedule: "{{ .Values.schedule }}"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: {{ .Values.containerName }}
              image: {{ .Values.image }}
              command: ["sh", "-c", "{{ .Values.command }}"]
`,
    parameters: [
      { name: 'schedule', type: 'string', required: true, description: 'Cron schedule, e.g. */5 * * * *', default: '*/5 * * * *', validation: { minLength: 9, maxLength: 100 } },
      { name: 'image', type: 'image', required: true, description: 'Container image', default: 'busybox:1.36' },
      { name: 'containerName', type: 'string', required: true, description: 'Name of the container (a DNS label)', default: 'app', validation: { pattern: '[a-z0-9]([-a-z0-9]*[a-z0-9])?', maxLength: 63 } },
      { name: 'command', type: 'string', required: true, description: 'Shell command to run', default: 'date', validation: { minLength: 1 } },
    ],
  },
};

type Step = 1 | 2 | 3;
type Mode = 'template' | 'base';

/** The template id a base app is saved under: one per namespace and app name. */
const baseTemplateId = (namespace: string, name: string) => `base-${namespace}-${name}`.slice(0, 63).replace(/-+$/, '');

export function AppGeneratePage() {
  const query = currentLocation().query;
  const [mode, setMode] = createSignal<Mode>(query.get('mode') === 'base' ? 'base' : 'template');
  const [step, setStep] = createSignal<Step>(1);
  const [templateId, setTemplateId] = createSignal(query.get('template') ?? '');
  const [version, setVersion] = createSignal<number | null>(query.get('version') ? Number(query.get('version')) : null);
  const [nsKey, setNsKey] = createSignal(query.get('ns') ?? '');
  const [name, setName] = createSignal('');
  const [description, setDescription] = createSignal('');
  const [values, setValues] = createSignal<FormValues>({});
  const [checked, setChecked] = createSignal(false);
  const [serverErrors, setServerErrors] = createSignal<Record<string, string>>({});
  const [stepError, setStepError] = createSignal<ApiError | null>(null);
  const [preview, setPreview] = createSignal<PreviewDto | null>(null);
  const [pending, setPending] = createSignal<null | 'preview' | 'generate' | 'run'>(null);
  // Base app
  const [documents, setDocuments] = createSignal('');
  const [baseParams, setBaseParams] = createSignal<ParamDef[]>([]);
  const [kinds, setKinds] = createSignal<BaseKind[]>([]);
  /** The template a base app was saved as, and what it held, so an unchanged draft is not saved again. */
  const [savedBase, setSavedBase] = createSignal<{ id: string; version: number; key: string } | null>(null);

  const templates = createQuery(() => ({}), () => api.templates.list.query());
  const template = createQuery(
    () => (mode() === 'template' && templateId() ? { templateId: templateId(), version: version() ?? undefined } : null),
    (input) => api.templates.get.query(input),
  );
  const starters = createQuery(() => ({}), () => api.templates.starters.query());
  // The namespaces the user may deploy to (deleted ones left out); the choice is this form's own, not the URL's.
  const namespaces = createNamespaceChoice('apps:deploy').readable;
  const target = () => {
    const ns = namespaces().find((n) => `${n.clusterId}/${n.name}` === nsKey());
    return ns ? { clusterId: ns.clusterId, namespace: ns.name, workspaceId: ns.workspaceId } : null;
  };

  // The first namespace the user may deploy to, unless one was chosen.
  createEffect(() => {
    if (!nsKey() && namespaces().length > 0) setNsKey(`${namespaces()[0].clusterId}/${namespaces()[0].name}`);
  });
  // The first template, unless one was chosen.
  createEffect(() => {
    if (mode() === 'template' && !templateId() && (templates.data() ?? []).length > 0) setTemplateId(templates.data()![0].templateId);
  });

  const parameters = createMemo<ParamDef[]>(() => (mode() === 'base' ? baseParams() : ((template.data()?.version.parameters ?? []) as ParamDef[])));
  // New parameters (another template or version) → their defaults, keeping what was typed for names that stay.
  createEffect(
    on(
      () => parameters().map((p) => p.name).join(','),
      () => setValues({ ...initialValues(parameters()), ...Object.fromEntries(Object.entries(values()).filter(([k]) => parameters().some((p) => p.name === k))) }),
    ),
  );

  const clientErrors = createMemo(() => {
    const out: Record<string, string> = {};
    for (const p of parameters()) {
      const e = checkValue(p, values()[p.name] ?? '');
      if (e) out[p.name] = e;
    }
    return out;
  });
  const shownErrors = () => ({ ...(checked() ? clientErrors() : {}), ...serverErrors() });

  const nameError = () => {
    if (!name()) return null;
    return DNS_LABEL.test(name()) && name().length <= 63 ? null : t('common.nameHint');
  };
  const step1Ready = () => !!target() && !!name() && !nameError() && (mode() === 'template' ? !!template.data() : documents().trim() !== '');

  // ---------------------------------------------------------------- base app assembly

  const addKind = (kind: BaseKind) => {
    const starterId = STARTER_OF[kind];
    const starter = starterId ? starters.data()?.find((s) => s.id === starterId) : undefined;
    const source = starter ? { documents: starter.documents, parameters: starter.parameters as ParamDef[] } : LOCAL_STARTERS[kind];
    if (!source) return;
    const current = documents().trim();
    setDocuments(current ? `${current}\n---\n${source.documents}` : source.documents);
    const have = new Set(baseParams().map((p) => p.name));
    setBaseParams([...baseParams(), ...source.parameters.filter((p) => !have.has(p.name))]);
    setKinds([...kinds(), kind]);
  };
  const clearBase = () => {
    setDocuments('');
    setBaseParams([]);
    setKinds([]);
  };

  /** Saves the base app's documents as a template of the namespace's workspace (a new version when changed). */
  const ensureBaseTemplate = async (): Promise<{ id: string; version: number }> => {
    const tgt = target()!;
    const id = baseTemplateId(tgt.namespace, name());
    const key = JSON.stringify([documents(), baseParams()]);
    const saved = savedBase();
    if (saved && saved.id === id && saved.key === key) return saved;
    let version: number;
    try {
      const existing = await api.templates.get.query({ templateId: id });
      version = existing.latestVersion;
      if (existing.version.documents !== documents() || JSON.stringify(existing.version.parameters) !== JSON.stringify(baseParams())) {
        version = (await command((commandId) => api.templates.saveVersion.mutate({ commandId, templateId: id, documents: documents(), parameters: baseParams(), note: t('apps.base.note') }))).version;
      }
    } catch (e) {
      if (toApiError(e).code !== 'not_found' && toApiError(e).httpStatus !== 404) throw e;
      await command((commandId) =>
        api.templates.create.mutate({
          commandId,
          templateId: id,
          displayName: t('apps.base.templateName', { name: name() }),
          description: t('apps.base.templateDescription', { kinds: kinds().join(', ') }),
          scope: { kind: 'workspace', workspaceId: tgt.workspaceId },
          documents: documents(),
          parameters: baseParams(),
        }),
      );
      version = 1;
    }
    const result = { id, version, key };
    setSavedBase(result);
    return result;
  };

  /** The template version to generate from: the chosen one, or the base app saved as one. */
  const source = async (): Promise<{ templateId: string; templateVersion: number }> => {
    if (mode() === 'base') {
      const saved = await ensureBaseTemplate();
      return { templateId: saved.id, templateVersion: saved.version };
    }
    const data = template.data()!;
    return { templateId: data.templateId, templateVersion: data.version.version };
  };

  /** The YAML as rendered with the values typed so far ("view YAML" of step 2). */
  const renderedYaml = async (): Promise<string> => {
    const tgt = target();
    const common = { namespace: tgt?.namespace ?? 'preview', appName: name() || 'app', values: typedValues(parameters(), values()) };
    const result =
      mode() === 'base'
        ? await api.templates.render.mutate({ ...common, source: { documents: documents(), parameters: baseParams() } })
        : await api.templates.render.mutate({ ...common, templateId: templateId(), version: template.data()?.version.version });
    return result.yaml;
  };

  // ---------------------------------------------------------------- steps

  const toValues = () => {
    setStepError(null);
    setStep(2);
  };

  const toPreview = async () => {
    setChecked(true);
    setServerErrors({});
    setStepError(null);
    if (Object.keys(clientErrors()).length > 0) return;
    const tgt = target()!;
    setPending('preview');
    try {
      const src = await source();
      const result = await appsApi.preview({ clusterId: tgt.clusterId, namespace: tgt.namespace, name: name(), ...src, values: typedValues(parameters(), values()) });
      setPreview(result);
      setStep(3);
    } catch (e) {
      const err = toApiError(e);
      const byParam = serverValueErrors(err);
      setServerErrors(byParam);
      if (Object.keys(byParam).length === 0) setStepError(err);
    } finally {
      setPending(null);
    }
  };

  const generate = async (run: boolean) => {
    const tgt = target()!;
    setStepError(null);
    setPending(run ? 'run' : 'generate');
    try {
      const src = await source();
      const app = { clusterId: tgt.clusterId, namespace: tgt.namespace, name: name() };
      await command((commandId) => appsApi.generate({ commandId, ...app, ...src, values: typedValues(parameters(), values()), description: description() || undefined }));
      if (run) await command((commandId) => appsApi.publish({ commandId, appId: appIdOf(app) }));
      toast.success(t(run ? 'apps.gen.generatedRunning' : 'apps.gen.generated', { name: name() }));
      navigate(appPath(app));
    } catch (e) {
      const err = toApiError(e);
      const byParam = serverValueErrors(err);
      if (Object.keys(byParam).length > 0) {
        setServerErrors(byParam);
        setStep(2);
      } else setStepError(err);
      toast.error(t('toast.error'), err);
    } finally {
      setPending(null);
    }
  };

  const stepLabels: MessageKey[] = ['apps.gen.step1', 'apps.gen.step2', 'apps.gen.step3'];

  return (
    <div class="page">
      <Crumbs back={t('apps.title')} href={href('/apps')} current={t('apps.generate')} />
      <PageHead title={t('apps.generate')} subtitle={t('apps.gen.subtitle')} />
      <ol class="steps" data-testid="wizard-steps">
        <For each={stepLabels}>
          {(label, i) => (
            <li classList={{ active: step() === i() + 1, done: step() > i() + 1 }} data-testid={`wizard-step-${i() + 1}`}>
              <span class="step-n">{step() > i() + 1 ? '✓' : i() + 1}</span>
              <span class="ellipsis">{t(label)}</span>
            </li>
          )}
        </For>
      </ol>

      {/* ------------------------------------------------ step 1 */}
      <Show when={step() === 1}>
        <div class="wizard-body">
          <section class="card">
            <div class="segmented" role="group" style={{ 'margin-bottom': '12px' }}>
              <button type="button" classList={{ active: mode() === 'template' }} onClick={() => setMode('template')} data-testid="mode-template">
                {t('apps.gen.fromTemplate')}
              </button>
              <button type="button" classList={{ active: mode() === 'base' }} onClick={() => setMode('base')} data-testid="mode-base">
                {t('apps.gen.baseApp')}
              </button>
            </div>
            <div class="grid-2">
              <Field label={t('apps.namespace')}>
                <select value={nsKey()} onChange={(e) => setNsKey(e.currentTarget.value)} data-testid="gen-namespace">
                  <Show when={namespaces().length === 0}>
                    <option value="">{t('apps.gen.noNamespace')}</option>
                  </Show>
                  <For each={namespaces()}>{(n) => <option value={`${n.clusterId}/${n.name}`}>{`${n.name} · ${n.clusterId} · ${n.workspaceId}`}</option>}</For>
                </select>
              </Field>
              <Field label={t('apps.gen.name')} hint={t('common.nameHint')} error={nameError() ? { message: nameError()!, field: 'name', code: 'invalid', httpStatus: null } : null}>
                <input value={name()} onInput={(e) => setName(e.currentTarget.value.trim())} data-testid="gen-name" />
              </Field>
            </div>
            <Field label={t('common.description')} optional>
              <input value={description()} onInput={(e) => setDescription(e.currentTarget.value)} data-testid="gen-description" />
            </Field>
          </section>

          <Show when={mode() === 'template'}>
            <section class="card" data-testid="gen-template-card">
              <div class="card-head">
                <h3>{t('apps.gen.template')}</h3>
                <Show when={template.data()}>
                  {(d) => <ViewYamlButton title={`${d().templateId} v${d().version.version}`} yaml={() => d().version.documents} testid="view-yaml-template" />}
                </Show>
              </div>
              <div class="grid-2">
                <Field label={t('apps.gen.template')}>
                  <select
                    value={templateId()}
                    onChange={(e) => {
                      setTemplateId(e.currentTarget.value);
                      setVersion(null);
                    }}
                    data-testid="gen-template"
                  >
                    <Show when={(templates.data() ?? []).length === 0}>
                      <option value="">{t('apps.gen.noTemplate')}</option>
                    </Show>
                    <For each={templates.data() ?? []}>{(tp) => <option value={tp.templateId}>{`${tp.displayName} (${tp.templateId})`}</option>}</For>
                  </select>
                </Field>
                <Field label={t('apps.gen.version')} hint={t('apps.gen.versionHint')}>
                  <select value={version() === null ? '' : String(version())} onChange={(e) => setVersion(e.currentTarget.value ? Number(e.currentTarget.value) : null)} data-testid="gen-version">
                    <option value="">{t('apps.gen.latest', { n: template.data()?.latestVersion ?? '' })}</option>
                    <For each={(template.data()?.versions ?? []).filter((v) => v.version !== template.data()?.latestVersion)}>
                      {(v) => <option value={String(v.version)}>{`v${v.version}${v.note ? ` · ${v.note}` : ''}`}</option>}
                    </For>
                  </select>
                </Field>
              </div>
              <Show when={template.data()}>
                {(d) => (
                  <p class="muted small" data-testid="gen-template-summary">
                    {d().description || d().displayName} · {t('apps.gen.paramCount', { n: (d().version.parameters as unknown[]).length })}
                  </p>
                )}
              </Show>
              <Show when={template.error()}>{(e) => <FormError error={e()} />}</Show>
            </section>
          </Show>

          <Show when={mode() === 'base'}>
            <section class="card" data-testid="gen-base-card">
              <div class="card-head">
                <h3>{t('apps.base.title')}</h3>
                <Show when={documents().trim()}>
                  <button type="button" class="link-btn danger" onClick={clearBase} data-testid="base-clear">
                    {t('apps.base.clear')}
                  </button>
                </Show>
              </div>
              <p class="muted small">{t('apps.base.hint')}</p>
              <div class="kind-picker" style={{ margin: '10px 0' }}>
                <For each={BASE_KINDS}>
                  {(kind) => (
                    <button type="button" onClick={() => addKind(kind)} disabled={!!STARTER_OF[kind] && !starters.data()} data-testid={`base-add-${kind}`}>
                      + {kind}
                    </button>
                  )}
                </For>
              </div>
              <Show when={kinds().length > 0}>
                <div class="doc-list" data-testid="base-kinds">
                  <For each={kinds()}>{(k) => <Badge tone="info">{k}</Badge>}</For>
                </div>
              </Show>
              <YamlEditor value={documents()} onChange={setDocuments} height="340px" testid="base-yaml" />
              <p class="muted small">{t('apps.base.params', { list: baseParams().map((p) => p.name).join(', ') || '—' })}</p>
            </section>
          </Show>

          <div class="wizard-foot">
            <a class="btn" href={href('/apps')}>
              {t('common.cancel')}
            </a>
            <div class="right">
              <button type="button" class="btn btn-primary" disabled={!step1Ready()} onClick={toValues} data-testid="wizard-next">
                {t('apps.gen.next')}
              </button>
            </div>
          </div>
        </div>
      </Show>

      {/* ------------------------------------------------ step 2 */}
      <Show when={step() === 2}>
        <div class="wizard-body">
          <section class="card">
            <div class="card-head">
              <h3>{t('apps.gen.values')}</h3>
              <ViewYamlButton title={t('apps.gen.renderedTitle', { name: name() })} yaml={renderedYaml} testid="view-yaml-values" />
            </div>
            <p class="muted small" style={{ 'margin-bottom': '10px' }}>
              {mode() === 'template' ? `${templateId()} v${template.data()?.version.version ?? ''}` : t('apps.gen.baseApp')} → <span class="mono">{nsKey()}</span> / <span class="mono">{name()}</span>
            </p>
            <ParameterForm parameters={parameters()} values={values()} onChange={(v) => (setValues(v), setServerErrors({}))} errors={shownErrors()} />
            <Show when={checked() && Object.keys(shownErrors()).length > 0}>
              <p class="form-error" role="alert" style={{ 'margin-top': '10px' }} data-testid="values-errors">
                {t('apps.gen.fixValues', { list: Object.keys(shownErrors()).map((n) => `values.${n}`).join(', ') })}
              </p>
            </Show>
            <FormError error={stepError()} />
          </section>
          <div class="wizard-foot">
            <button type="button" class="btn" onClick={() => setStep(1)} data-testid="wizard-back">
              {t('common.back')}
            </button>
            <div class="right">
              <button type="button" class="btn btn-primary" disabled={pending() !== null} onClick={() => void toPreview()} data-testid="wizard-preview">
                {pending() === 'preview' ? t('common.loading') : t('apps.gen.toPreview')}
              </button>
            </div>
          </div>
        </div>
      </Show>

      {/* ------------------------------------------------ step 3 */}
      <Show when={step() === 3 && preview()}>
        {(p) => (
          <div class="wizard-body">
            <PreviewView preview={p()} />
            <FormError error={stepError()} />
            <div class="wizard-foot">
              <button type="button" class="btn" onClick={() => setStep(2)} data-testid="wizard-back">
                {t('common.back')}
              </button>
              <div class="right">
                <Show when={!p().quota.ok}>
                  <span class="field-error">{t('apps.gen.quotaBlocks')}</span>
                </Show>
                <button type="button" class="btn" disabled={pending() !== null || !p().quota.ok} onClick={() => void generate(false)} data-testid="gen-generate">
                  {pending() === 'generate' ? t('common.saving') : t('apps.gen.generateOnly')}
                </button>
                <button type="button" class="btn btn-primary" disabled={pending() !== null || !p().quota.ok} onClick={() => void generate(true)} data-testid="gen-generate-run">
                  {pending() === 'run' ? t('common.saving') : t('apps.gen.generateRun')}
                </button>
              </div>
            </div>
          </div>
        )}
      </Show>
    </div>
  );
}
