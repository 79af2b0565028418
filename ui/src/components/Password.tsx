/** A new-password input that shows Bosun's policy as a live checklist (≥ 12 characters, letters and digits). */
import { createSignal, Show } from 'solid-js';
import { t } from '../i18n';
import type { ApiError } from '../lib/api';
import { Field } from './Field';

export const passwordChecks = (pw: string) => ({ length: pw.length >= 12, mix: /[a-zA-Z]/.test(pw) && /[0-9]/.test(pw) });
export const passwordOk = (pw: string) => {
  const c = passwordChecks(pw);
  return c.length && c.mix && pw.length <= 256;
};

/** 16 characters from an alphabet without look-alikes, always with letters and digits. */
export function generatePassword(): string {
  const letters = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz';
  const digits = '23456789';
  const all = letters + digits;
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const chars = Array.from(bytes, (b) => all[b % all.length]);
  chars[bytes[0] % 16] = letters[bytes[1] % letters.length];
  chars[(bytes[0] + 7) % 16] = digits[bytes[2] % digits.length];
  return chars.join('');
}

export function NewPasswordField(props: {
  label: string;
  value: string;
  onInput: (value: string) => void;
  error?: ApiError | null;
  testid: string;
  /** Offers "Generate" (an admin setting someone else's password copies it to them). */
  generate?: boolean;
}) {
  const [visible, setVisible] = createSignal(false);
  const checks = () => passwordChecks(props.value);
  return (
    <Field label={props.label} error={props.error} testid={`field-${props.testid}`}>
      <div class="input-with-buttons">
        <input
          type={visible() ? 'text' : 'password'}
          autocomplete="new-password"
          value={props.value}
          onInput={(e) => props.onInput(e.currentTarget.value)}
          required
          data-testid={props.testid}
        />
        <button type="button" class="btn btn-small" onClick={() => setVisible(!visible())} aria-pressed={visible()}>
          {visible() ? t('password.hide') : t('password.show')}
        </button>
        <Show when={props.generate}>
          <button
            type="button"
            class="btn btn-small"
            onClick={() => {
              props.onInput(generatePassword());
              setVisible(true);
            }}
            data-testid={`${props.testid}-generate`}
          >
            {t('password.generate')}
          </button>
        </Show>
      </div>
      <ul class="policy" data-testid={`${props.testid}-policy`}>
        <li classList={{ ok: checks().length }}>{t('password.ruleLength')}</li>
        <li classList={{ ok: checks().mix }}>{t('password.ruleMix')}</li>
      </ul>
    </Field>
  );
}
