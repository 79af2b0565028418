import { createSignal, For, onCleanup, Show } from 'solid-js';
import { Field } from '../components/Field';
import { FormDialog } from '../components/FormDialog';
import { t } from '../i18n';
import { api, command, toApiError, type ApiError } from '../lib/api';
import { createAction } from '../lib/action';

interface Inspected {
  contexts: { name: string; server: string | null }[];
  currentContext: string | null;
}

/** A DNS-1123 label suggested from a context name: `kind-dev@corp` → `kind-dev-corp`. */
const suggestName = (context: string) =>
  context
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);

export function RegisterClusterDialog(props: { onClose: () => void; onDone: (id: string) => void }) {
  const [name, setName] = createSignal('');
  const [nameTouched, setNameTouched] = createSignal(false);
  const [displayName, setDisplayName] = createSignal('');
  const [kubeconfig, setKubeconfig] = createSignal('');
  const [context, setContext] = createSignal('');
  const [inspected, setInspected] = createSignal<Inspected | null>(null);
  const [inspectError, setInspectError] = createSignal<ApiError | null>(null);
  const [inspecting, setInspecting] = createSignal(false);

  let timer: ReturnType<typeof setTimeout> | undefined;
  let inspectSeq = 0;
  onCleanup(() => clearTimeout(timer));

  const chooseContext = (ctx: string) => {
    setContext(ctx);
    if (!nameTouched() && ctx) setName(suggestName(ctx));
  };

  const inspect = async (text: string) => {
    const mine = ++inspectSeq;
    if (!text.trim()) {
      setInspected(null);
      setInspectError(null);
      return;
    }
    setInspecting(true);
    try {
      const result = await api.clusters.inspectKubeconfig.mutate({ kubeconfig: text });
      if (mine !== inspectSeq) return;
      setInspected(result);
      setInspectError(null);
      const preferred = result.currentContext ?? result.contexts[0]?.name ?? '';
      if (!result.contexts.some((c) => c.name === context())) chooseContext(preferred);
      else chooseContext(context());
    } catch (e) {
      if (mine !== inspectSeq) return;
      setInspected(null);
      setInspectError(toApiError(e));
    } finally {
      if (mine === inspectSeq) setInspecting(false);
    }
  };

  const onKubeconfig = (text: string, immediately = false) => {
    setKubeconfig(text);
    register.clear();
    // Contexts of the previous text must not stay selectable while the new text is read.
    inspectSeq++;
    setInspected(null);
    setInspectError(null);
    setInspecting(!!text.trim());
    clearTimeout(timer);
    if (immediately) void inspect(text);
    else timer = setTimeout(() => void inspect(text), 350);
  };

  const onFile = async (file: File | undefined) => {
    if (file) onKubeconfig(await file.text(), true);
  };

  const register = createAction(
    () =>
      command(
        (id) =>
          api.clusters.register.mutate({
            commandId: id,
            name: name().trim(),
            ...(displayName().trim() ? { displayName: displayName().trim() } : {}),
            kubeconfig: kubeconfig(),
            ...(context() ? { context: context() } : {}),
          }),
      ),
    { success: () => t('register.done', { name: name().trim() }), fields: ['name', 'displayName', 'kubeconfig', 'context'] },
  );

  const kubeconfigError = () => register.fieldError('kubeconfig') ?? inspectError();

  return (
    <FormDialog name="register" title={t('register.title')} wide action={register} submitLabel={t('register.submit')} onClose={props.onClose} onDone={() => props.onDone(name().trim())}>
      <Field label={t('register.kubeconfig')} hint={t('register.kubeconfigHint')} error={kubeconfigError()} testid="field-kubeconfig">
        <textarea
          class="code-input"
          rows={10}
          spellcheck={false}
          placeholder={'apiVersion: v1\nkind: Config\nclusters: …'}
          value={kubeconfig()}
          onInput={(e) => onKubeconfig(e.currentTarget.value)}
          onPaste={(e) => {
            // Read at once rather than after the typing debounce; the value is complete after the event.
            const el = e.currentTarget;
            setTimeout(() => onKubeconfig(el.value, true));
          }}
          data-testid="register-kubeconfig"
        />
      </Field>
      <div class="row-between">
        <label class="btn btn-small file-btn">
          {t('register.upload')}
          <input type="file" accept=".yaml,.yml,.conf,.config,text/plain,*/*" onChange={(e) => void onFile(e.currentTarget.files?.[0])} data-testid="register-upload" />
        </label>
        <span class="muted small" data-testid="register-inspect-status">
          <Show when={inspecting()}>{t('register.inspecting')}</Show>
          <Show when={!inspecting() && inspected()}>{t('register.contextsFound', { n: inspected()!.contexts.length })}</Show>
        </span>
      </div>

      <Show when={inspected()?.contexts.length}>
        <Field label={t('register.context')} hint={t('register.contextHint')} error={register.fieldError('context')}>
          <select value={context()} onChange={(e) => chooseContext(e.currentTarget.value)} data-testid="register-context">
            <For each={inspected()!.contexts}>
              {(c) => (
                <option value={c.name} selected={c.name === context()}>
                  {c.name}
                  {c.name === inspected()!.currentContext ? t('register.current') : ''}
                  {c.server ? ` — ${c.server}` : ''}
                </option>
              )}
            </For>
          </select>
        </Field>
      </Show>

      <div class="grid-2">
        <Field label={t('register.name')} hint={t('common.nameHint')} error={register.fieldError('name')}>
          <input
            value={name()}
            onInput={(e) => {
              setNameTouched(true);
              setName(e.currentTarget.value);
            }}
            required
            data-testid="register-name"
          />
        </Field>
        <Field label={t('register.displayName')} optional error={register.fieldError('displayName')}>
          <input value={displayName()} onInput={(e) => setDisplayName(e.currentTarget.value)} data-testid="register-display-name" />
        </Field>
      </div>
    </FormDialog>
  );
}
