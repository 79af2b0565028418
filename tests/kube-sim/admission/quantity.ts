/**
 * Kubernetes resource.Quantity (k8s.io/apimachinery/pkg/api/resource), exact and BigInt-based.
 *
 * A quantity is `mantissa * 10^exponent` plus the format its suffix implied (DecimalSI, BinarySI,
 * DecimalExponent). Parsing rounds up to nano precision like ParseQuantity; `toString()` gives the
 * canonical form of Quantity.String() ("500m", "1", "1500m", "512Mi", "1e3", "1G").
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export const ErrFormatWrong = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const ErrNumeric = 'unable to parse numeric part of quantity';
export const ErrSuffix = "unable to parse quantity's suffix";

const DEC_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DEC_BY_EXP: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const BIN_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const BIN_BY_EXP = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

const TEN = 10n;
const pow10 = (n: number): bigint => TEN ** BigInt(n);

export class Quantity {
  /** value = mantissa * 10^exponent (always normalised: no trailing zero factors unless zero). */
  readonly mantissa: bigint;
  readonly exponent: number;
  readonly format: QuantityFormat;

  constructor(mantissa: bigint, exponent: number, format: QuantityFormat = 'DecimalSI') {
    let m = mantissa;
    let e = exponent;
    if (m === 0n) e = 0;
    else
      while (m % TEN === 0n) {
        m /= TEN;
        e++;
      }
    this.mantissa = m;
    this.exponent = e;
    this.format = format;
  }

  static parse(str: string): Quantity {
    const q = tryParse(str);
    if (typeof q === 'string') throw new Error(q);
    return q;
  }

  static fromInt(n: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(n), 0, format);
  }

  static zero(format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(0n, 0, format);
  }

  isZero(): boolean {
    return this.mantissa === 0n;
  }

  sign(): number {
    return this.mantissa === 0n ? 0 : this.mantissa > 0n ? 1 : -1;
  }

  /** Quantity.Add: the result keeps this format unless this is zero (then the other's). */
  add(y: Quantity): Quantity {
    const e = Math.min(this.exponent, y.exponent);
    const m = this.mantissa * pow10(this.exponent - e) + y.mantissa * pow10(y.exponent - e);
    return new Quantity(m, e, this.isZero() ? y.format : this.format);
  }

  sub(y: Quantity): Quantity {
    return this.add(new Quantity(-y.mantissa, y.exponent, y.format));
  }

  neg(): Quantity {
    return new Quantity(-this.mantissa, this.exponent, this.format);
  }

  cmp(y: Quantity): number {
    const d = this.sub(y).mantissa;
    return d === 0n ? 0 : d > 0n ? 1 : -1;
  }

  /** Value(): rounded up (away from zero) to an integer. */
  value(): bigint {
    return this.scaled(0);
  }

  /** MilliValue(): rounded up (away from zero) to thousandths. */
  milliValue(): bigint {
    return this.scaled(-3);
  }

  /** The value in units of 10^scale, rounded away from zero. */
  scaled(scale: number): bigint {
    const shift = this.exponent - scale;
    if (shift >= 0) return this.mantissa * pow10(shift);
    const d = pow10(-shift);
    const q = this.mantissa / d;
    return this.mantissa % d === 0n ? q : this.mantissa > 0n ? q + 1n : q - 1n;
  }

  toJSON(): string {
    return this.toString();
  }

  /** Canonical Quantity.String(). */
  toString(): string {
    if (this.mantissa === 0n) return '0';
    let format = this.format;
    if (format === 'BinarySI') {
      const abs = this.mantissa < 0n ? -this.mantissa : this.mantissa;
      // |v| < 1024 or fractional: shown as DecimalSI to avoid rounding.
      if (this.exponent < 0 || abs * pow10(this.exponent) < 1024n) format = 'DecimalSI';
    }
    if (format === 'BinarySI') {
      let v = this.mantissa * pow10(this.exponent);
      let exp = 0;
      while (exp < 6 && v % 1024n === 0n) {
        v /= 1024n;
        exp++;
      }
      return `${v}${BIN_BY_EXP[exp]}`;
    }
    // Decimal: exponent made a multiple of 3 by moving factors into the mantissa.
    let m = this.mantissa;
    let e = this.exponent;
    while (((e % 3) + 3) % 3 !== 0) {
      m *= TEN;
      e--;
    }
    if (format === 'DecimalExponent') return e === 0 ? `${m}` : `${m}e${e}`;
    while (e > 18) {
      m *= 1000n;
      e -= 3;
    }
    return `${m}${DEC_BY_EXP[e]}`;
  }
}

/** Parses like resource.ParseQuantity; returns the Go error message as a string on failure. */
export function tryParse(input: string): Quantity | string {
  const str = input;
  if (str.length === 0) return ErrFormatWrong;
  if (str === '0') return new Quantity(0n, 0, 'DecimalSI');
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)$/.exec(str);
  if (!m) return ErrFormatWrong;
  const [, signStr, numRaw, denomRaw = '', suffix] = m;
  if (numRaw === '' && denomRaw === '' && !str.slice(signStr.length).startsWith('.')) {
    // Go accepts "-" / "" numerators as 0 only when followed by something parseable; "Gi" alone has no digits.
    if (str.slice(signStr.length).length === 0) return new Quantity(0n, 0, 'DecimalSI');
  }
  // Validate the suffix shape like parseQuantityString: letters, then optional sign + digits.
  const sm = /^([eEinumkKMGTP]*)([-+]?[0-9]*)$/.exec(suffix);
  if (!sm) return ErrFormatWrong;
  let base: 10 | 2;
  let exp: number;
  let format: QuantityFormat;
  if (suffix in DEC_SUFFIX) {
    base = 10;
    exp = DEC_SUFFIX[suffix];
    format = 'DecimalSI';
  } else if (suffix in BIN_SUFFIX) {
    base = 2;
    exp = BIN_SUFFIX[suffix];
    format = 'BinarySI';
  } else if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[-+]?[0-9]+$/.test(suffix.slice(1))) {
    base = 10;
    exp = parseInt(suffix.slice(1), 10);
    if (!Number.isFinite(exp) || Math.abs(exp) > 1e6) return ErrNumeric;
    format = 'DecimalExponent';
  } else {
    return ErrSuffix;
  }
  const digits = (numRaw.replace(/^0+/, '') || '0') + denomRaw;
  let mant = BigInt(digits);
  let e = -denomRaw.length;
  if (base === 10) e += exp;
  else mant *= 1n << BigInt(exp);
  if (signStr === '-') mant = -mant;
  // Round (away from zero) to nano precision.
  if (e < -9 && mant !== 0n) {
    const d = pow10(-9 - e);
    const q = mant / d;
    mant = mant % d === 0n ? q : mant > 0n ? q + 1n : q - 1n;
    e = -9;
  }
  let q = new Quantity(mant, e, format);
  if (format === 'BinarySI' && !q.isZero()) {
    const abs = q.mantissa < 0n ? -q.mantissa : q.mantissa;
    // 0 < |v| < 1 is switched to DecimalSI.
    if (q.exponent < 0 && abs < pow10(-q.exponent)) q = new Quantity(q.mantissa, q.exponent, 'DecimalSI');
  }
  return q;
}

export function parseQuantity(s: unknown): Quantity {
  if (typeof s === 'number') return Quantity.parse(String(s));
  if (typeof s !== 'string') throw new Error(ErrFormatWrong);
  return Quantity.parse(s);
}

/** Canonical string of a quantity given as a string/number; returns the input unchanged if unparseable. */
export function canonicalQuantity(s: unknown): unknown {
  try {
    return parseQuantity(s).toString();
  } catch {
    return s;
  }
}

export type ResourceList = Record<string, Quantity>;

export function parseResourceList(obj: Record<string, unknown> | undefined | null): ResourceList {
  const out: ResourceList = {};
  if (!obj || typeof obj !== 'object') return out;
  for (const [k, v] of Object.entries(obj)) {
    try {
      out[k] = parseQuantity(v);
    } catch {
      /* validation is the core's job; ignore unparseable */
    }
  }
  return out;
}

export function formatResourceList(list: ResourceList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(list).sort()) out[k] = list[k].toString();
  return out;
}

/** quota.Add */
export function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(a)) out[k] = b[k] ? v.add(b[k]) : v;
  for (const [k, v] of Object.entries(b)) if (!(k in out)) out[k] = v;
  return out;
}

/** quota.Subtract */
export function subtractLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(a)) out[k] = b[k] ? v.sub(b[k]) : v;
  for (const [k, v] of Object.entries(b)) if (!(k in out)) out[k] = v.neg();
  return out;
}

/** quota.Mask */
export function maskList(a: ResourceList, names: Iterable<string>): ResourceList {
  const out: ResourceList = {};
  for (const n of names) if (a[n]) out[n] = a[n];
  return out;
}
