import type { Action } from '../lib/action';
import { t } from '../i18n';
import { Field } from './Field';

/** One quantity input: its label, the command field it fills (for the server's blame), its value. */
export interface QuantityInput {
  label: string;
  field: string;
  value: string;
  onInput: (value: string) => void;
  testid: string;
  placeholder?: string;
  /** The `Field`'s own test id. */
  fieldTestid?: string;
}

/** A required CPU quantity and a required memory quantity, side by side, with their hints. */
export function QuantityFields(props: { action: Action<[]>; cpu: QuantityInput; memory: QuantityInput }) {
  return (
    <div class="grid-2">
      <Field label={props.cpu.label} hint={t('common.quantityCpuHint')} error={props.action.fieldError(props.cpu.field)} testid={props.cpu.fieldTestid}>
        <input value={props.cpu.value} onInput={(e) => props.cpu.onInput(e.currentTarget.value)} placeholder={props.cpu.placeholder} required data-testid={props.cpu.testid} />
      </Field>
      <Field label={props.memory.label} hint={t('common.quantityMemoryHint')} error={props.action.fieldError(props.memory.field)} testid={props.memory.fieldTestid}>
        <input value={props.memory.value} onInput={(e) => props.memory.onInput(e.currentTarget.value)} placeholder={props.memory.placeholder} required data-testid={props.memory.testid} />
      </Field>
    </div>
  );
}
