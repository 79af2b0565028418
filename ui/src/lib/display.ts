/** Formatting with the unit words of the current language. */
import { locale, t } from '../i18n';
import { bytes, cores, dateTime, ratio } from './format';

export const fmtCpu = (millis: number) => {
  const n = cores(millis);
  return t(n === '1' ? 'unit.core' : 'unit.cores', { n });
};
export const fmtMemory = (value: number) => bytes(value);
export const fmtRatio = (r: number) => t('unit.ratio', { n: ratio(r) });
export const fmtTime = (iso: string | null | undefined) => dateTime(iso, locale());
