import type { Action } from '../lib/action';
import { t } from '../i18n';
import { Dialog } from './Dialog';
import { FormError } from './Field';
import { DialogFooter } from './FormDialog';

/** Asks before a destructive command; a refusal from the server stays visible in the dialog. */
export function ConfirmDialog(props: {
  title: string;
  body: string;
  confirmLabel: string;
  action: Action<[]>;
  onClose: () => void;
  onDone: () => void;
  testid?: string;
}) {
  return (
    <Dialog
      title={props.title}
      onClose={props.onClose}
      testid={props.testid ?? 'confirm-dialog'}
      footer={
        <DialogFooter onCancel={props.onClose}>
          <button
            type="button"
            class="btn btn-danger"
            disabled={props.action.pending()}
            data-testid="confirm-submit"
            onClick={async () => {
              if (await props.action.run()) props.onDone();
            }}
          >
            {props.action.pending() ? t('common.saving') : props.confirmLabel}
          </button>
        </DialogFooter>
      }
    >
      <p class="confirm-body">{props.body}</p>
      <FormError error={props.action.error()} />
    </Dialog>
  );
}
