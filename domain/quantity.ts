/**
 * Exact resource quantities. CPU is an integer number of millicores, memory and storage an integer
 * number of bytes; both stay safe JS integers. Parsing follows the Kubernetes quantity grammar
 * (binary suffixes Ki..Ei, decimal suffixes n u m k M G T P E, decimal exponents) and is exact:
 * the arithmetic runs on BigInt rationals, never on floating point.
 */
import { DomainError, invalid } from './errors';

export interface Resources {
  cpuMillis: number;
  memoryBytes: number;
}

export const zeroResources: Resources = Object.freeze({ cpuMillis: 0, memoryBytes: 0 });

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

const BINARY: Record<string, bigint> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const MAX_EXPONENT = 30;

/**
 * Parses a Kubernetes quantity and returns it in `unitsPerOne` units (1000 for millicores, 1 for
 * bytes), refusing values that are negative, not a whole number of units, or beyond safe integers.
 */
function parseQuantity(value: string | number, field: string, what: string, unitsPerOne: bigint, unitName: string, examples: string): number {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(field, `${String(value)} is not a valid ${what} quantity (e.g. ${examples})`);
    text = String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    throw invalid(field, `expected a ${what} quantity (e.g. ${examples}), got ${typeof value}`);
  }
  const match = QUANTITY.exec(text);
  if (!match) throw invalid(field, `"${text}" is not a valid ${what} quantity (e.g. ${examples})`);
  const [, sign, number, suffix, exponentText] = match;
  const [whole, fraction = ''] = number.split('.');
  let numerator = BigInt((whole || '0') + fraction) * unitsPerOne;
  let denominator = 10n ** BigInt(fraction.length);
  if (suffix !== undefined && suffix in BINARY) {
    numerator *= 2n ** BINARY[suffix];
  } else {
    const exponent = suffix !== undefined ? DECIMAL[suffix] : exponentText !== undefined ? Number(exponentText) : 0;
    if (Math.abs(exponent) > MAX_EXPONENT) throw invalid(field, `"${text}" is out of range`);
    if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
    else denominator *= 10n ** BigInt(-exponent);
  }
  if (numerator === 0n) return 0;
  if (sign === '-') throw invalid(field, `"${text}" must not be negative`);
  if (numerator % denominator !== 0n) {
    throw invalid(field, `"${text}" is not a whole number of ${unitName}`);
  }
  const result = numerator / denominator;
  if (result > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(field, `"${text}" is too large`);
  return Number(result);
}

/** `500m` → 500, `2` → 2000, `0.5` → 500, `1.25` → 1250; sub-millicore values are refused. */
export function parseCpu(value: string | number, field: string): number {
  return parseQuantity(value, field, 'CPU', 1000n, 'millicores', '500m, 2, 0.5');
}

/** `512Mi`, `1Gi`, `1G`, `1e9`, `100M`, `1024` → bytes; fractions of a byte are refused. */
export function parseMemory(value: string | number, field: string): number {
  return parseQuantity(value, field, 'memory', 1n, 'bytes', '512Mi, 1Gi, 1G, 1024');
}

function assertQuantity(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new DomainError('invalid', `${what} must be a non-negative safe integer, got ${String(value)}`);
  }
}

/** 500 → `500m`, 2000 → `2`. */
export function formatCpu(millis: number): string {
  assertQuantity(millis, 'millicores');
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** Millicores as a decimal number of cores: 2500 → `2.5`, 4000 → `4`, 1 → `0.001`. */
export function formatCores(millis: number): string {
  assertQuantity(millis, 'millicores');
  const whole = Math.floor(millis / 1000);
  const fraction = String(millis % 1000).padStart(3, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/** Millicores in prose: `4 cores`, `1 core`, `0.5 cores`. */
export function describeCpu(millis: number): string {
  return `${formatCores(millis)} ${millis === 1000 ? 'core' : 'cores'}`;
}

const BINARY_DESCENDING: Array<[string, number]> = [
  ['Ei', 2 ** 60],
  ['Pi', 2 ** 50],
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];

/** Largest exact binary suffix: 536870912 → `512Mi`, 2^30 → `1Gi`, else plain bytes (`1000000000`). */
export function formatMemory(bytes: number): string {
  assertQuantity(bytes, 'bytes');
  if (bytes === 0) return '0';
  for (const [suffix, size] of BINARY_DESCENDING) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${suffix}`;
  }
  return String(bytes);
}

/** A received value in a message: numbers as JS prints them (NaN, Infinity), the rest as JSON. */
export function showValue(value: unknown): string {
  return typeof value === 'number' || value === undefined ? String(value) : JSON.stringify(value);
}

/** Checks that a command's quantity is already a non-negative safe integer (parsed upstream). */
export function requireQuantity(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(field, `must be a non-negative integer, got ${showValue(value)}`);
  }
  return value;
}

/** Over-commit ratios are decimals with at most 2 places; exact arithmetic uses hundredths. */
export function isTwoDecimalRatio(ratio: number): boolean {
  return Number.isFinite(ratio) && Math.abs(ratio * 100 - Math.round(ratio * 100)) < 1e-9;
}

/** floor(amount × ratio), exact for ratios of at most 2 decimals, capped at MAX_SAFE_INTEGER. */
export function scaleByRatio(amount: number, ratio: number): number {
  const scaled = (BigInt(amount) * BigInt(Math.round(ratio * 100))) / 100n;
  return scaled > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(scaled);
}

export function addResources(a: Resources, b: Resources): Resources {
  return { cpuMillis: a.cpuMillis + b.cpuMillis, memoryBytes: a.memoryBytes + b.memoryBytes };
}

export function sumResources(items: Iterable<Resources>): Resources {
  let total = zeroResources;
  for (const item of items) total = addResources(total, item);
  return total;
}

export function sameResources(a: Resources, b: Resources): boolean {
  return a.cpuMillis === b.cpuMillis && a.memoryBytes === b.memoryBytes;
}

/** The two resources Bosun accounts, with how each is named and printed in messages. */
export interface ResourceKind {
  key: keyof Resources;
  label: 'cpu' | 'memory';
  /** In prose: `4 cores`, `8Gi`. */
  describe(amount: number): string;
  /** Bare number inside parentheses: `4`, `8Gi`. */
  bare(amount: number): string;
}

export const resourceKinds: readonly ResourceKind[] = [
  { key: 'cpuMillis', label: 'cpu', describe: describeCpu, bare: formatCores },
  { key: 'memoryBytes', label: 'memory', describe: formatMemory, bare: formatMemory },
];
