/**
 * Display formatting for the quantities the API returns as integers (millicores, bytes), and the
 * reverse: Kubernetes quantity strings to prefill forms. Pure; the unit words come from i18n.
 */

const trim = (n: number, digits: number) => {
  const s = n.toFixed(digits);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
};

/** 2500 → "2.5", 500 → "0.5", 1 → "0.001". */
export function cores(millis: number): string {
  return trim(millis / 1000, 3);
}

const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** 4 × 2^30 → "4 GiB", 1536 × 2^20 → "1.5 GiB", 0 → "0 GiB". */
export function bytes(value: number): string {
  if (value === 0) return '0 GiB';
  let unit = 0;
  let v = Math.abs(value);
  while (v >= 1024 && unit < BINARY.length - 1) {
    v /= 1024;
    unit++;
  }
  return `${value < 0 ? '-' : ''}${trim(v, v < 10 ? 2 : 1)} ${BINARY[unit]}`;
}

/** Millicores as a quantity string: 2000 → "2", 2500 → "2500m". */
export function cpuQuantity(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** Bytes as a quantity string in the largest exact binary unit: 4 × 2^30 → "4Gi", 1536 × 2^20 → "1536Mi". */
export function memoryQuantity(value: number): string {
  const units: [string, number][] = [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]];
  for (const [suffix, size] of units) if (value !== 0 && value % size === 0) return `${value / size}${suffix}`;
  return String(value);
}

/** Over-commit ratio: 1.5 → "1.5", 2 → "2". */
export function ratio(r: number): string {
  return trim(r, 2);
}

/** Share of `used` in `total` as a percentage in [0, 100]; over 100 when over-committed is clamped for bars. */
export function percent(used: number, total: number): number {
  if (total <= 0) return used > 0 ? 100 : 0;
  return Math.max(0, Math.min(100, (used / total) * 100));
}

export function dateTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(d);
}

/** A value from <input type="datetime-local"> (local time) to an ISO instant, or undefined when empty. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Stable pretty JSON for the audit drawer. */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
