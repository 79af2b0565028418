/**
 * Field sets of server-side apply (structured-merge-diff's fieldpath.Set) and their managedFields
 * "FieldsV1" encoding: `{"f:spec":{"f:replicas":{}}}`, list items as `k:{"name":"x"}`, set members as `v:"x"`.
 *
 * A path is an array of elements ("f:spec", "k:{...}", "v:...", "i:0"); sets hold paths joined by SEP.
 */
import { applyListType, type ListType } from './schema';

export const SEP = '\u0001';
export type FieldSet = Set<string>;
export type ListTypeFn = (fieldPath: string[]) => ListType;

const isMap = (v: any) => v !== null && typeof v === 'object' && !Array.isArray(v);

export const builtinListTypes = (schema?: any): ListTypeFn => (p) => applyListType(p, schema);

function keyElement(item: any, keys: string[]): string {
  const k: Record<string, any> = {};
  for (const key of [...keys].sort()) {
    let v = item?.[key];
    if (v === undefined && key === 'protocol') v = 'TCP';
    if (v !== undefined) k[key] = v;
  }
  return `k:${JSON.stringify(k)}`;
}

/** Top-level fields that never enter a field set. */
const META_SKIP = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink']);

export interface Leaves {
  /** path → value for leaves; `ITEM` for list items / non-leaf markers. */
  values: Map<string, any>;
}
export const ITEM = Symbol('item');

/**
 * All field paths of an object. `only` restricts to 'spec' (everything but status) or 'status' (status only).
 */
export function fieldsOf(obj: any, listType: ListTypeFn, only: 'all' | 'main' | 'status' = 'all'): Map<string, any> {
  const out = new Map<string, any>();
  if (!isMap(obj)) return out;
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (only === 'main' && k === 'status') continue;
    if (only === 'status' && k !== 'status') continue;
    if (k === 'metadata') {
      if (only === 'status') continue;
      for (const [mk, mv] of Object.entries(v ?? {})) {
        if (META_SKIP.has(mk)) continue;
        walk(mv, [`f:metadata`, `f:${mk}`], ['metadata', mk], listType, out);
      }
      continue;
    }
    walk(v, [`f:${k}`], [k], listType, out);
  }
  return out;
}

function walk(v: any, path: string[], names: string[], listType: ListTypeFn, out: Map<string, any>) {
  if (isMap(v) && Object.keys(v).length > 0) {
    for (const [k, x] of Object.entries(v)) walk(x, [...path, `f:${k}`], [...names, k], listType, out);
    return;
  }
  if (Array.isArray(v) && v.length > 0) {
    const lt = listType(names);
    if (lt.type === 'map') {
      for (const item of v) {
        const p = [...path, keyElement(item, lt.keys)];
        out.set(p.join(SEP), ITEM);
        if (isMap(item)) for (const [k, x] of Object.entries(item)) walk(x, [...p, `f:${k}`], [...names, k], listType, out);
      }
      return;
    }
    if (lt.type === 'set') {
      for (const item of v) out.set([...path, `v:${JSON.stringify(item)}`].join(SEP), item);
      return;
    }
  }
  out.set(path.join(SEP), v);
}

/** Value at a path, or undefined. */
export function valueAt(obj: any, path: string): any {
  let cur = obj;
  for (const el of path.split(SEP)) {
    if (cur === undefined || cur === null) return undefined;
    const kind = el.slice(0, 2);
    const rest = el.slice(2);
    if (kind === 'f:') cur = isMap(cur) ? cur[rest] : undefined;
    else if (kind === 'k:') {
      const key = JSON.parse(rest);
      cur = Array.isArray(cur) ? cur.find((i) => Object.entries(key).every(([k, v]) => (i?.[k] ?? (k === 'protocol' ? 'TCP' : undefined)) === v)) : undefined;
    } else if (kind === 'v:') {
      const val = JSON.parse(rest);
      cur = Array.isArray(cur) && cur.some((i) => JSON.stringify(i) === JSON.stringify(val)) ? val : undefined;
    } else if (kind === 'i:') cur = Array.isArray(cur) ? cur[Number(rest)] : undefined;
  }
  return cur;
}

/** Remove the value at a path from a (mutable) object. */
export function removeAt(obj: any, path: string) {
  const els = path.split(SEP);
  const parentPath = els.slice(0, -1).join(SEP);
  const parent = els.length === 1 ? obj : valueAt(obj, parentPath);
  const last = els[els.length - 1];
  if (parent === undefined || parent === null) return;
  const kind = last.slice(0, 2);
  const rest = last.slice(2);
  if (kind === 'f:' && isMap(parent)) delete parent[rest];
  else if (Array.isArray(parent)) {
    const target = valueAt(parent, last);
    const idx = kind === 'v:' ? parent.findIndex((i) => JSON.stringify(i) === JSON.stringify(target)) : parent.indexOf(target);
    if (idx >= 0) parent.splice(idx, 1);
  }
}

/** Human path as in SSA conflict messages: `.spec.containers[name="nginx"].image`. */
export function displayPath(path: string): string {
  let s = '';
  for (const el of path.split(SEP)) {
    const kind = el.slice(0, 2);
    const rest = el.slice(2);
    if (kind === 'f:') s += `.${rest}`;
    else if (kind === 'k:') {
      const key = JSON.parse(rest);
      s += `[${Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
    } else if (kind === 'v:') s += `[=${rest}]`;
    else if (kind === 'i:') s += `[${rest}]`;
  }
  return s;
}

/** FieldsV1 tree ⇄ set of paths. Non-leaf members (list items) are marked with ".": {}. */
export function toFieldsV1(paths: Iterable<string>): any {
  const root: any = {};
  for (const p of paths) {
    let node = root;
    const els = p.split(SEP);
    els.forEach((el, i) => {
      node[el] ??= {};
      node = node[el];
      if (i === els.length - 1 && Object.keys(node).length > 0) node['.'] = {};
    });
  }
  // paths inserted before their children: mark items that have children
  const mark = (node: any, setPaths: Set<string>, prefix: string[]) => {
    for (const [k, child] of Object.entries(node)) {
      if (k === '.') continue;
      const p = [...prefix, k];
      if (Object.keys(child as any).length > 0 && setPaths.has(p.join(SEP))) (child as any)['.'] = {};
      mark(child, setPaths, p);
    }
  };
  mark(root, new Set(paths), []);
  return sortTree(root);
}

function sortTree(n: any): any {
  const o: any = {};
  for (const k of Object.keys(n).sort()) o[k] = sortTree(n[k]);
  return o;
}

export function fromFieldsV1(tree: any): FieldSet {
  const out: FieldSet = new Set();
  const rec = (node: any, prefix: string[]) => {
    const keys = Object.keys(node ?? {});
    if (keys.length === 0 && prefix.length) out.add(prefix.join(SEP));
    for (const k of keys) {
      if (k === '.') {
        out.add(prefix.join(SEP));
        continue;
      }
      rec(node[k], [...prefix, k]);
    }
  };
  rec(tree, []);
  return out;
}
