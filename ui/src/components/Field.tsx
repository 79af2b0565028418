import { Show, type JSX } from 'solid-js';
import type { ApiError } from '../lib/api';
import { t } from '../i18n';

/** A labelled form field with its hint and, when the server blamed it, the error naming the field. */
export function Field(props: { label: string; hint?: string; error?: ApiError | null; children: JSX.Element; optional?: boolean; testid?: string }) {
  return (
    <label class="field" classList={{ invalid: !!props.error }} data-testid={props.testid}>
      <span class="field-label">
        {props.label}
        <Show when={props.optional}>
          <span class="field-optional"> · {t('common.optional')}</span>
        </Show>
      </span>
      {props.children}
      <Show when={props.error} fallback={<Show when={props.hint}><span class="field-hint">{props.hint}</span></Show>}>
        {(err) => (
          <span class="field-error" role="alert" data-testid={props.testid ? `${props.testid}-error` : 'field-error'}>
            <Blame field={err().field} message={err().message} />
          </span>
        )}
      </Show>
    </label>
  );
}

/** An error for the whole form (the server blamed no field of this form). */
export function FormError(props: { error: ApiError | null }) {
  return (
    <Show when={props.error}>
      {(err) => (
        <div class="form-error" role="alert" data-testid="form-error">
          <Blame field={err().field} message={err().message} />
        </div>
      )}
    </Show>
  );
}

/** A message from the server, after the name of the field it blames (when it blames one). */
export function Blame(props: { field: string | null; message: string }) {
  return (
    <>
      <Show when={props.field}>
        <code class="field-name">{props.field}</code>
      </Show>
      {props.message}
    </>
  );
}
