/**
 * Template parameters: their definitions (zod schemas, each type with its own validation) and the
 * check of the values a user fills in, which turns them into typed values for rendering.
 */
import { z } from 'zod';
import { DomainError, invalid } from '../errors';
import { formatCpu, parseCpu, parseMemory, showValue } from '../quantity';
import { parseImageReference } from './image';
import { Problems, reasonOf } from './problems';

export const PARAMETER_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export const PARAMETER_TYPES = ['string', 'int', 'bool', 'enum', 'quantity', 'image'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];
/** `storage` reads like `memory` (bytes) but says what a PVC size is. */
export const QUANTITY_KINDS = ['cpu', 'memory', 'storage'] as const;
export type QuantityKind = (typeof QUANTITY_KINDS)[number];

/** Bounds every string value, so an author's pattern never runs on megabytes of input. */
export const MAX_VALUE_LENGTH = 65_536;
export const MAX_PARAMETERS = 100;

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

const orderedBounds = (v: { min?: unknown; max?: unknown }) =>
  v.min === undefined || v.max === undefined || Number(v.min) <= Number(v.max);

const common = {
  name: z.string().regex(PARAMETER_NAME_PATTERN, 'must be an identifier: a letter or _, then letters, digits or _'),
  required: z.boolean(),
  description: z.string().max(1000),
};

const stringParameterSchema = z.strictObject({
  ...common,
  type: z.literal('string'),
  default: z.string().optional(),
  validation: z
    .strictObject({
      /** Must match the whole value. */
      pattern: z.string().refine(compiles, 'must be a valid regular expression').optional(),
      minLength: z.int().min(0).optional(),
      maxLength: z.int().min(0).max(MAX_VALUE_LENGTH).optional(),
    })
    .refine((v) => orderedBounds({ min: v.minLength, max: v.maxLength }), 'minLength must not exceed maxLength')
    .optional(),
});

const intParameterSchema = z.strictObject({
  ...common,
  type: z.literal('int'),
  default: z.int().optional(),
  validation: z
    .strictObject({ min: z.int().optional(), max: z.int().optional() })
    .refine(orderedBounds, 'min must not exceed max')
    .optional(),
});

const boolParameterSchema = z.strictObject({
  ...common,
  type: z.literal('bool'),
  default: z.boolean().optional(),
});

const enumParameterSchema = z.strictObject({
  ...common,
  type: z.literal('enum'),
  default: z.string().optional(),
  validation: z.strictObject({
    options: z
      .array(z.string().min(1))
      .min(1)
      .refine((options) => new Set(options).size === options.length, 'options must be unique'),
  }),
});

const quantityText = z.union([z.string(), z.number()]);

const quantityParameterSchema = z.strictObject({
  ...common,
  type: z.literal('quantity'),
  default: quantityText.optional(),
  validation: z
    .strictObject({ kind: z.enum(QUANTITY_KINDS), min: quantityText.optional(), max: quantityText.optional() })
    .superRefine((v, ctx) => {
      const parsed: Record<string, number> = {};
      for (const bound of ['min', 'max'] as const) {
        const text = v[bound];
        if (text === undefined) continue;
        try {
          parsed[bound] = parseAmount(v.kind, text, bound);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          ctx.addIssue({ code: 'custom', path: [bound], message: reasonOf(error, bound) });
        }
      }
      if (!orderedBounds(parsed)) ctx.addIssue({ code: 'custom', message: 'min must not exceed max' });
    }),
});

const imageParameterSchema = z.strictObject({
  ...common,
  type: z.literal('image'),
  default: z.string().optional(),
});

const parameterShapeSchema = z.discriminatedUnion('type', [
  stringParameterSchema,
  intParameterSchema,
  boolParameterSchema,
  enumParameterSchema,
  quantityParameterSchema,
  imageParameterSchema,
]);

export type ParameterDefinition = z.infer<typeof parameterShapeSchema>;

/** One parameter; its default, when given, must itself pass the parameter's validation. */
export const parameterDefinitionSchema = parameterShapeSchema.superRefine((definition, ctx) => {
  if (definition.default === undefined) return;
  const check = checkValue(definition, definition.default);
  if (!check.ok) ctx.addIssue({ code: 'custom', path: ['default'], message: check.reason });
});

export const parameterDefinitionsSchema = z
  .array(parameterDefinitionSchema)
  .max(MAX_PARAMETERS)
  .superRefine((definitions, ctx) => {
    const seen = new Set<string>();
    definitions.forEach((definition, index) => {
      if (seen.has(definition.name)) {
        ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate parameter "${definition.name}"` });
      }
      seen.add(definition.name);
    });
  });

export type ParameterValue = string | number | boolean;
/** Validated values by parameter name: ints as numbers, bools as booleans, quantities normalised. */
export type ParameterValues = Record<string, ParameterValue>;

type Check = { ok: true; value: ParameterValue } | { ok: false; reason: string };

function parseAmount(kind: QuantityKind, value: string | number, field: string): number {
  return kind === 'cpu' ? parseCpu(value, field) : parseMemory(value, field);
}

const DECIMAL_UNITS: Array<[string, number]> = [
  ['E', 1e18],
  ['P', 1e15],
  ['T', 1e12],
  ['G', 1e9],
  ['M', 1e6],
  ['k', 1e3],
];
const BINARY_UNITS: Array<[string, number]> = [
  ['Ei', 2 ** 60],
  ['Pi', 2 ** 50],
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];

/** Bytes in their shortest exact form, a binary suffix winning ties: 2^29 → `512Mi`, 10^9 → `1G`. */
export function formatBytes(bytes: number): string {
  const exact = (units: Array<[string, number]>) => {
    const unit = units.find(([, size]) => bytes >= size && bytes % size === 0);
    return unit ? `${bytes / unit[1]}${unit[0]}` : String(bytes);
  };
  const binary = exact(BINARY_UNITS);
  const decimal = exact(DECIMAL_UNITS);
  return decimal.length < binary.length ? decimal : binary;
}

function formatAmount(kind: QuantityKind, amount: number): string {
  return kind === 'cpu' ? formatCpu(amount) : formatBytes(amount);
}

/** ` between 1 and 50`, ` of at least 1`, ` of at most 50`, or nothing. */
function describeRange(min: unknown, max: unknown): string {
  if (min !== undefined && max !== undefined) return ` between ${String(min)} and ${String(max)}`;
  if (min !== undefined) return ` of at least ${String(min)}`;
  if (max !== undefined) return ` of at most ${String(max)}`;
  return '';
}

function checkString(definition: Extract<ParameterDefinition, { type: 'string' }>, raw: unknown): Check {
  if (typeof raw !== 'string') return { ok: false, reason: `must be a string, got ${showValue(raw)}` };
  const length = [...raw].length;
  if (length > MAX_VALUE_LENGTH) return { ok: false, reason: `must be no more than ${MAX_VALUE_LENGTH} characters` };
  const { pattern, minLength, maxLength } = definition.validation ?? {};
  if ((minLength !== undefined && length < minLength) || (maxLength !== undefined && length > maxLength)) {
    return { ok: false, reason: `must be a string${describeRange(minLength, maxLength)} characters long, got ${length} characters` };
  }
  if (pattern !== undefined && !new RegExp(`^(?:${pattern})$`, 'u').test(raw)) {
    return { ok: false, reason: `must match the pattern ${pattern}, got ${showValue(raw)}` };
  }
  return { ok: true, value: raw };
}

function checkInt(definition: Extract<ParameterDefinition, { type: 'int' }>, raw: unknown): Check {
  const { min, max } = definition.validation ?? {};
  const value = typeof raw === 'string' && /^\s*[+-]?\d+\s*$/.test(raw) ? Number(raw) : raw;
  const fits =
    typeof value === 'number' &&
    Number.isSafeInteger(value) &&
    (min === undefined || value >= min) &&
    (max === undefined || value <= max);
  if (!fits) return { ok: false, reason: `must be an integer${describeRange(min, max)}, got ${showValue(raw)}` };
  return { ok: true, value };
}

function checkBool(raw: unknown): Check {
  if (typeof raw === 'boolean') return { ok: true, value: raw };
  if (raw === 'true' || raw === 'false') return { ok: true, value: raw === 'true' };
  return { ok: false, reason: `must be true or false, got ${showValue(raw)}` };
}

function checkEnum(definition: Extract<ParameterDefinition, { type: 'enum' }>, raw: unknown): Check {
  const { options } = definition.validation;
  if (typeof raw === 'string' && options.includes(raw)) return { ok: true, value: raw };
  return { ok: false, reason: `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}, got ${showValue(raw)}` };
}

function checkQuantity(definition: Extract<ParameterDefinition, { type: 'quantity' }>, raw: unknown): Check {
  const { kind, min, max } = definition.validation;
  if (typeof raw !== 'string' && typeof raw !== 'number') {
    return { ok: false, reason: `must be a ${kind} quantity, got ${showValue(raw)}` };
  }
  let amount: number;
  try {
    amount = parseAmount(kind, raw, 'value');
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, reason: reasonOf(error, 'value') };
    throw error;
  }
  const below = min !== undefined && amount < parseAmount(kind, min, 'min');
  const above = max !== undefined && amount > parseAmount(kind, max, 'max');
  if (below || above) return { ok: false, reason: `must be a ${kind} quantity${describeRange(min, max)}, got ${showValue(raw)}` };
  return { ok: true, value: formatAmount(kind, amount) };
}

function checkImage(raw: unknown): Check {
  if (typeof raw !== 'string') return { ok: false, reason: `must be an image reference (a string), got ${showValue(raw)}` };
  const check = parseImageReference(raw);
  if (!check.ok) return { ok: false, reason: `${showValue(raw)} is not a valid image reference: ${check.reason}` };
  return { ok: true, value: raw };
}

/** Checks one given value against its definition and converts it to its typed form. */
export function checkValue(definition: ParameterDefinition, raw: unknown): Check {
  switch (definition.type) {
    case 'string':
      return checkString(definition, raw);
    case 'int':
      return checkInt(definition, raw);
    case 'bool':
      return checkBool(raw);
    case 'enum':
      return checkEnum(definition, raw);
    case 'quantity':
      return checkQuantity(definition, raw);
    case 'image':
      return checkImage(raw);
    default: {
      const unreachable: never = definition;
      throw new Error(`unknown parameter type ${JSON.stringify(unreachable)}`);
    }
  }
}

/** A form leaves a field blank as "" or null: for every type but string that means "not given". */
function isAbsent(definition: ParameterDefinition, raw: unknown): boolean {
  return raw === undefined || raw === null || (raw === '' && definition.type !== 'string');
}

/**
 * Checks the values a user gave for a template's parameters and returns them typed, defaults
 * filled in. An optional parameter with neither value nor default is left out. Every problem
 * (unknown parameter, missing required, wrong type, out of range, malformed) is reported at once,
 * each under `values.<name>`.
 */
export function validateValues(definitions: readonly ParameterDefinition[], values: unknown): ParameterValues {
  if (values !== undefined && values !== null && (typeof values !== 'object' || Array.isArray(values))) {
    throw invalid('values', `must be an object mapping parameter names to values, got ${showValue(values)}`);
  }
  const given = (values ?? {}) as Record<string, unknown>;
  const problems = new Problems();
  const known = new Set(definitions.map((d) => d.name));
  for (const name of Object.keys(given)) {
    if (!known.has(name)) {
      const list = definitions.length > 0 ? definitions.map((d) => d.name).join(', ') : 'none';
      problems.add(`values.${name}`, `unknown parameter (parameters: ${list})`, { parameter: name });
    }
  }
  const typed: Array<[string, ParameterValue]> = [];
  for (const definition of definitions) {
    const field = `values.${definition.name}`;
    const raw = Object.hasOwn(given, definition.name) ? given[definition.name] : undefined;
    const missing = isAbsent(definition, raw) || (definition.required && raw === '');
    if (missing) {
      if (definition.default !== undefined) {
        const check = checkValue(definition, definition.default);
        if (check.ok) typed.push([definition.name, check.value]);
        else problems.add(field, `default: ${check.reason}`, { parameter: definition.name });
      } else if (definition.required) {
        problems.add(field, 'is required', { parameter: definition.name });
      }
      continue;
    }
    const check = checkValue(definition, raw);
    if (check.ok) typed.push([definition.name, check.value]);
    else problems.add(field, check.reason, { parameter: definition.name });
  }
  problems.throwIfAny();
  return Object.fromEntries(typed);
}

/** Parses parameter definitions (e.g. from a command), refusing with the path of each zod issue. */
export function parseParameterDefinitions(input: unknown, field = 'parameters'): ParameterDefinition[] {
  const result = parameterDefinitionsSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = new Problems();
  for (const issue of result.error.issues) {
    const path = issue.path.map((step) => (typeof step === 'number' ? `[${step}]` : `.${String(step)}`)).join('');
    problems.add(`${field}${path}`, issue.message);
  }
  problems.throwIfAny();
  throw new Error('unreachable: a failed parse has issues');
}
