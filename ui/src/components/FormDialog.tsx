import type { JSX } from 'solid-js';
import type { Action } from '../lib/action';
import { t } from '../i18n';
import { Dialog } from './Dialog';
import { FormError } from './Field';

/** A dialog footer: Cancel, then the dialog's own button. */
export function DialogFooter(props: { onCancel: () => void; children: JSX.Element }) {
  return (
    <>
      <button type="button" class="btn" onClick={() => props.onCancel()}>
        {t('common.cancel')}
      </button>
      {props.children}
    </>
  );
}

/** The primary submit button of a form: disabled, and saying so, while its action runs. */
export function SubmitButton(props: { action: Action<[]>; label: string; testid: string; form?: string; disabled?: boolean }) {
  return (
    <button type="submit" form={props.form} class="btn btn-primary" disabled={props.action.pending() || !!props.disabled} data-testid={props.testid}>
      {props.action.pending() ? t('common.saving') : props.label}
    </button>
  );
}

/**
 * A dialog holding one form: Cancel and the submit button in the footer, the form's fields as
 * children, then the error the server blamed on no field. Submitting runs `action`; when it
 * succeeds, `onDone` (by default `onClose`) is called.
 *
 * `name` names the parts: the dialog is `data-testid="{name}-dialog"`, the form `id="{name}-form"`
 * and the submit button `data-testid="{name}-submit"`.
 */
export function FormDialog(props: {
  name: string;
  title: string;
  action: Action<[]>;
  submitLabel: string;
  /** Disables the submit button besides while the action runs (e.g. nothing chosen yet). */
  submitDisabled?: boolean;
  onClose: () => void;
  onDone?: () => void;
  wide?: boolean;
  children: JSX.Element;
}) {
  return (
    <Dialog
      title={props.title}
      onClose={props.onClose}
      wide={props.wide}
      testid={`${props.name}-dialog`}
      footer={
        <DialogFooter onCancel={props.onClose}>
          <SubmitButton action={props.action} label={props.submitLabel} form={`${props.name}-form`} disabled={props.submitDisabled} testid={`${props.name}-submit`} />
        </DialogFooter>
      }
    >
      <form
        id={`${props.name}-form`}
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await props.action.run()) (props.onDone ?? props.onClose)();
        }}
      >
        {props.children}
        <FormError error={props.action.formError()} />
      </form>
    </Dialog>
  );
}
