/**
 * Standard 5-field cron schedules as the CronJob controller parses them (robfig/cron ParseStandard):
 * minute hour day-of-month month day-of-week; `*`, `?`, lists, ranges, `*\/n`, `a-b/n`, `a/n`, month and
 * day names (JAN, MON...), `7` = Sunday, descriptors @yearly @annually @monthly @weekly @daily @midnight
 * @hourly. When both day fields are restricted a time matches either (cron's OR rule).
 * Times are evaluated in an IANA time zone (`spec.timeZone`, default UTC) through Intl.
 */
interface Field {
  bits: Set<number>;
  star: boolean;
}
export interface CronSchedule {
  minute: Field;
  hour: Field;
  dom: Field;
  month: Field;
  dow: Field;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function parseField(expr: string, min: number, max: number, names?: string[], nameBase = 0): Field {
  const bits = new Set<number>();
  let star = false;
  const value = (s: string) => {
    const i = names?.indexOf(s.toUpperCase()) ?? -1;
    if (i >= 0) return i + nameBase;
    if (!/^\d+$/.test(s)) throw new Error(`failed to parse int from ${s}`);
    return parseInt(s, 10);
  };
  for (const part of expr.split(',')) {
    const [range, stepStr] = part.split('/');
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      lo = min;
      hi = max;
      if (stepStr === undefined) star = true;
    } else if (range.includes('-')) {
      const [a, b] = range.split('-');
      lo = value(a);
      hi = value(b);
    } else {
      lo = value(range);
      hi = stepStr !== undefined ? max : lo;
    }
    const step = stepStr !== undefined ? parseInt(stepStr, 10) : 1;
    if (!(step > 0)) throw new Error(`step of range should be a positive number: ${part}`);
    if (lo < min) throw new Error(`beginning of range (${lo}) below minimum (${min}): ${part}`);
    if (hi > max) throw new Error(`end of range (${hi}) above maximum (${max}): ${part}`);
    if (lo > hi) throw new Error(`beginning of range (${lo}) beyond end of range (${hi}): ${part}`);
    for (let v = lo; v <= hi; v += step) bits.add(v);
  }
  return { bits, star };
}

export function parseCron(spec: string): CronSchedule {
  const s = DESCRIPTORS[spec.trim().toLowerCase()] ?? spec.trim();
  const f = s.split(/\s+/);
  if (f.length !== 5) throw new Error(`expected exactly 5 fields, found ${f.length}: ${spec}`);
  const dow = parseField(f[4], 0, 7, DAYS);
  if (dow.bits.has(7)) {
    dow.bits.delete(7);
    dow.bits.add(0);
  }
  return { minute: parseField(f[0], 0, 59), hour: parseField(f[1], 0, 23), dom: parseField(f[2], 1, 31), month: parseField(f[3], 1, 12, MONTHS, 1), dow };
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function wall(ms: number, tz: string) {
  if (tz === 'UTC' || tz === 'Etc/UTC') {
    const d = new Date(ms);
    return { minute: d.getUTCMinutes(), hour: d.getUTCHours(), dom: d.getUTCDate(), month: d.getUTCMonth() + 1, dow: d.getUTCDay() };
  }
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', minute: 'numeric', hour: 'numeric', day: 'numeric', month: 'numeric', weekday: 'short' });
    formatters.set(tz, f);
  }
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(ms))) parts[p.type] = p.value;
  return { minute: +parts.minute, hour: +parts.hour % 24, dom: +parts.day, month: +parts.month, dow: DAYS.indexOf(parts.weekday.toUpperCase()) };
}

export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function matches(s: CronSchedule, w: ReturnType<typeof wall>): 'ok' | 'hour' | 'day' | 'minute' {
  const domOk = s.dom.bits.has(w.dom);
  const dowOk = s.dow.bits.has(w.dow);
  const dayOk = s.dom.star || s.dow.star ? domOk && dowOk : domOk || dowOk;
  if (!s.month.bits.has(w.month) || !dayOk) return 'day';
  if (!s.hour.bits.has(w.hour)) return 'hour';
  if (!s.minute.bits.has(w.minute)) return 'minute';
  return 'ok';
}

/** The first schedule time strictly after `afterMs` (minute precision), or undefined within ~5 years. */
export function nextTime(s: CronSchedule, afterMs: number, tz = 'UTC'): number | undefined {
  let t = Math.floor(afterMs / 60_000) * 60_000 + 60_000;
  const end = afterMs + 5 * 366 * 86_400_000;
  while (t <= end) {
    const w = wall(t, tz);
    const m = matches(s, w);
    if (m === 'ok') return t;
    if (m === 'day') t += Math.max(1, (24 - w.hour) * 60 - w.minute) * 60_000;
    else if (m === 'hour') t += Math.max(1, 60 - w.minute) * 60_000;
    else t += 60_000;
  }
  return undefined;
}

/** Schedule times in (fromMs, toMs], the most recent last (at most `cap` + 1 are enumerated). */
export function timesBetween(s: CronSchedule, fromMs: number, toMs: number, tz = 'UTC', cap = 100): { times: number[]; tooMany: boolean } {
  const times: number[] = [];
  let t = nextTime(s, fromMs, tz);
  while (t !== undefined && t <= toMs) {
    times.push(t);
    if (times.length > cap) {
      // too many missed: keep only the most recent one (found by walking on)
      let last = t;
      for (let n = nextTime(s, last, tz); n !== undefined && n <= toMs; n = nextTime(s, n, tz)) last = n;
      return { times: [last], tooMany: true };
    }
    t = nextTime(s, t, tz);
  }
  return { times, tooMany: false };
}
