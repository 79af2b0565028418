/**
 * What kube-apiserver does with a custom resource's structural OpenAPI v3 schema: prune unknown
 * fields (unless x-kubernetes-preserve-unknown-fields), apply `default`s, and validate types,
 * enums, required fields and simple bounds, with apiextensions' error wording.
 */
import type { StatusCause } from './errors';

const isMap = (v: any) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Prune and default in place (root: apiVersion/kind/metadata are kept). */
export function pruneAndDefault(schema: any, obj: any) {
  if (!schema || !isMap(obj)) return;
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata') continue;
    const s = schema.properties?.[k];
    if (!s) {
      if (!schema['x-kubernetes-preserve-unknown-fields']) delete obj[k];
      continue;
    }
    obj[k] = walk(s, v);
  }
  applyDefaults(schema, obj, true);
}

function walk(s: any, v: any): any {
  if (!s) return v;
  if (Array.isArray(v)) return s.items ? v.map((x) => walk(s.items, x)) : v;
  if (!isMap(v)) return v;
  if (s['x-kubernetes-embedded-resource'] || s['x-kubernetes-int-or-string']) return v;
  const preserve = !!s['x-kubernetes-preserve-unknown-fields'];
  const out: any = {};
  for (const [k, x] of Object.entries(v)) {
    const p = s.properties?.[k];
    if (p) out[k] = walk(p, x);
    else if (isMap(s.additionalProperties)) out[k] = walk(s.additionalProperties, x);
    else if (s.additionalProperties === true || preserve) out[k] = x;
    // otherwise pruned, as structural schemas do
  }
  applyDefaults(s, out, false);
  return out;
}

function applyDefaults(s: any, obj: any, root: boolean) {
  for (const [k, p] of Object.entries<any>(s.properties ?? {})) {
    if (root && (k === 'metadata' || k === 'apiVersion' || k === 'kind')) continue;
    if (obj[k] === undefined && p && p.default !== undefined) obj[k] = structuredClone(p.default);
    if (isMap(obj[k]) && p?.properties) applyDefaults(p, obj[k], false);
  }
}

const typeOf = (v: any) => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v === 'number' ? 'number' : typeof v);
const goString = (v: any) => (typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** Schema validation causes for a custom resource (spec/status/… below the root). */
export function schemaCauses(schema: any, obj: any): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!schema) return causes;
  check(schema, obj, '', causes, true);
  return causes;
}

function check(s: any, v: any, path: string, causes: StatusCause[], root = false) {
  if (!s) return;
  if (v === undefined) return;
  if (v === null) {
    if (!s.nullable && s.type) causes.push({ reason: 'FieldValueTypeInvalid', message: `Invalid value: "null": ${path} in body must be of type ${s.type}: "null"`, field: path });
    return;
  }
  if (s['x-kubernetes-int-or-string']) {
    if (typeof v !== 'string' && !Number.isInteger(v)) causes.push({ reason: 'FieldValueTypeInvalid', message: `Invalid value: ${goString(v)}: ${path} in body must be of type integer,string: ${goString(v)}`, field: path });
    return;
  }
  const t = typeOf(v);
  if (s.type && !(s.type === t || (s.type === 'number' && t === 'integer'))) {
    causes.push({ reason: 'FieldValueTypeInvalid', message: `Invalid value: "${t === 'integer' ? 'number' : t}": ${path} in body must be of type ${s.type}: "${t === 'integer' ? 'number' : t}"`, field: path });
    return;
  }
  if (Array.isArray(s.enum) && !s.enum.some((e: any) => JSON.stringify(e) === JSON.stringify(v)))
    causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${goString(v)}: supported values: ${s.enum.map(goString).join(', ')}`, field: path });
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${v}: ${path} in body should be greater than or equal to ${s.minimum}`, field: path });
    if (s.maximum !== undefined && v > s.maximum) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${v}: ${path} in body should be less than or equal to ${s.maximum}`, field: path });
  }
  if (typeof v === 'string') {
    if (s.maxLength !== undefined && v.length > s.maxLength) causes.push({ reason: 'FieldValueTooLong', message: `Too long: may not be longer than ${s.maxLength}`, field: path });
    if (s.minLength !== undefined && v.length < s.minLength) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${goString(v)}: ${path} in body should be at least ${s.minLength} chars long`, field: path });
    if (s.pattern && !new RegExp(s.pattern).test(v)) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${goString(v)}: ${path} in body should match '${s.pattern}'`, field: path });
  }
  if (isMap(v)) {
    for (const r of s.required ?? []) if (v[r] === undefined && !(root && (r === 'metadata' || r === 'apiVersion' || r === 'kind'))) causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: path ? `${path}.${r}` : r });
    for (const [k, x] of Object.entries(v)) {
      if (root && (k === 'metadata' || k === 'apiVersion' || k === 'kind')) continue;
      const p = s.properties?.[k] ?? (isMap(s.additionalProperties) ? s.additionalProperties : undefined);
      check(p, x, path ? `${path}.${k}` : k, causes);
    }
  }
  if (Array.isArray(v) && s.items) v.forEach((x, i) => check(s.items, x, `${path}[${i}]`, causes));
}
