/**
 * Server-side apply (application/apply-patch+yaml) and managedFields tracking for ordinary writes,
 * following structured-merge-diff's rules closely enough for tests:
 * - an applier owns every field in its applied configuration;
 * - applying a field another manager owns with a different value is a conflict (409) unless force=true,
 *   which takes the field over; equal values become shared;
 * - fields the applier owned before and no longer applies are removed when nobody else owns them;
 * - non-apply writes (create/update/patch) give their manager (operation Update) the fields they changed.
 */
import { StatusError, type StatusCause } from '../errors';
import { ITEM, SEP, displayPath, fieldsOf, fromFieldsV1, removeAt, toFieldsV1, valueAt, type FieldSet, type ListTypeFn } from './fieldset';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: any;
  subresource?: string;
}

interface Entry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  subresource: string;
  set: FieldSet;
}

export type Scope = 'all' | 'main' | 'status';

export interface ManagerOpts {
  manager: string;
  apiVersion: string;
  listType: ListTypeFn;
  subresource: string; // '' or 'status'
  scope: Scope;
  now: string;
}

const isMap = (v: any) => v !== null && typeof v === 'object' && !Array.isArray(v);
const same = (a: any, b: any) => a === b || JSON.stringify(a) === JSON.stringify(b);

function decode(mf: ManagedFieldsEntry[] | undefined): Entry[] {
  return (mf ?? []).map((e) => ({
    manager: e.manager,
    operation: e.operation,
    apiVersion: e.apiVersion,
    time: e.time,
    subresource: e.subresource ?? '',
    set: fromFieldsV1(e.fieldsV1),
  }));
}

function encode(entries: Entry[]): ManagedFieldsEntry[] | undefined {
  const out: ManagedFieldsEntry[] = [];
  for (const e of entries) {
    if (e.set.size === 0) continue;
    const m: ManagedFieldsEntry = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion, time: e.time, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(e.set) };
    if (e.subresource) m.subresource = e.subresource;
    out.push(m);
  }
  return out.length ? out : undefined;
}

function printManager(e: Entry): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion} at ${e.time}`;
  return s;
}

function mergeApplied(live: any, config: any, names: string[], listType: ListTypeFn): any {
  if (isMap(config)) {
    const out: any = isMap(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(config)) {
      if (v === null) {
        delete out[k];
        continue;
      }
      out[k] = mergeApplied(out[k], v, [...names, k], listType);
    }
    return out;
  }
  if (Array.isArray(config) && names.length) {
    const lt = listType(names);
    if (lt.type === 'map' && Array.isArray(live)) {
      const out = [...live];
      const keyOf = (i: any) => JSON.stringify(lt.keys.map((k) => i?.[k] ?? (k === 'protocol' ? 'TCP' : null)));
      for (const item of config) {
        const idx = out.findIndex((o) => keyOf(o) === keyOf(item));
        if (idx >= 0) out[idx] = mergeApplied(out[idx], item, names, listType);
        else out.push(item);
      }
      return out;
    }
    if (lt.type === 'set' && Array.isArray(live)) {
      const out = [...live];
      for (const i of config) if (!out.some((o) => same(o, i))) out.push(i);
      return out;
    }
  }
  return structuredClone(config);
}

/** Restrict an apply configuration to the scope (main resource vs status). */
function scoped(config: any, scope: Scope): any {
  const c = { ...config };
  if (scope === 'main') delete c.status;
  if (scope === 'status') {
    const { apiVersion, kind, metadata, status } = c;
    return { apiVersion, kind, metadata: { name: metadata?.name, namespace: metadata?.namespace }, status };
  }
  return c;
}

/**
 * Apply `config` on `live` (undefined when creating). Returns the new object, with managedFields updated.
 * Throws 409 Conflict naming the other managers.
 */
export function serverSideApply(live: any | undefined, config: any, force: boolean, o: ManagerOpts): any {
  const cfg = scoped(config, o.scope);
  const base = live ?? { apiVersion: config.apiVersion, kind: config.kind, metadata: { name: config.metadata?.name, namespace: config.metadata?.namespace } };
  const entries = decode(base.metadata?.managedFields);
  const applied = fieldsOf(cfg, o.listType, o.scope);
  const me = entries.find((e) => e.manager === o.manager && e.operation === 'Apply' && e.subresource === o.subresource);

  // conflicts
  const conflicts: Array<{ entry: Entry; path: string }> = [];
  for (const [p, v] of applied) {
    if (v === ITEM) continue;
    const liveV = valueAt(base, p);
    if (liveV === undefined || same(liveV, v)) continue;
    for (const e of entries) {
      if (e === me) continue;
      if (e.set.has(p)) conflicts.push({ entry: e, path: p });
    }
  }
  if (conflicts.length && !force) throw applyConflict(conflicts);
  if (force) for (const c of conflicts) c.entry.set.delete(c.path);

  let result = mergeApplied(base, cfg, [], o.listType);
  result.metadata = { ...base.metadata, ...result.metadata, name: base.metadata.name, namespace: base.metadata.namespace };
  if (!live) {
    result.apiVersion = config.apiVersion;
    result.kind = config.kind;
  }

  // fields no longer applied by this manager and owned by nobody else are removed
  if (me) {
    const others = entries.filter((e) => e !== me);
    const removed = [...me.set].filter((p) => !applied.has(p) && !others.some((e) => e.set.has(p)));
    removed.sort((a, b) => b.split(SEP).length - a.split(SEP).length);
    result = structuredClone(result);
    for (const p of removed) removeAt(result, p);
    pruneEmpty(result, removed);
  }

  const newSet: FieldSet = new Set(applied.keys());
  if (me) {
    me.set = newSet;
    me.time = o.now;
    me.apiVersion = o.apiVersion;
  } else entries.push({ manager: o.manager, operation: 'Apply', apiVersion: o.apiVersion, time: o.now, subresource: o.subresource, set: newSet });
  result.metadata.managedFields = encode(entries);
  if (!result.metadata.managedFields) delete result.metadata.managedFields;
  return result;
}

/** After removing fields, drop maps left empty by the removal (e.g. metadata.labels: {}). */
function pruneEmpty(obj: any, removed: string[]) {
  for (const p of removed) {
    const els = p.split(SEP);
    for (let i = els.length - 1; i > 0; i--) {
      const parentPath = els.slice(0, i).join(SEP);
      const v = valueAt(obj, parentPath);
      if (isMap(v) && Object.keys(v).length === 0 && els[i - 1].startsWith('f:') && parentPath !== 'f:metadata' && parentPath !== 'f:spec') removeAt(obj, parentPath);
      else break;
    }
  }
}

function applyConflict(conflicts: Array<{ entry: Entry; path: string }>): StatusError {
  const causes: StatusCause[] = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.entry)}`, field: displayPath(c.path) }));
  let message: string;
  if (conflicts.length === 1) message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].entry)}: ${displayPath(conflicts[0].path)}`;
  else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const m = printManager(c.entry);
      byManager.set(m, [...(byManager.get(m) ?? []), displayPath(c.path)]);
    }
    const lines: string[] = [];
    for (const m of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${m}:`);
      for (const p of byManager.get(m)!) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, { causes });
}

/**
 * managedFields after a non-apply write (create/update/patch) by `o.manager`:
 * fields it changed become its own (operation Update) and are taken from other managers.
 */
export function trackUpdate(oldObj: any | undefined, newObj: any, o: ManagerOpts): ManagedFieldsEntry[] | undefined {
  const entries = decode((oldObj ?? newObj).metadata?.managedFields);
  const before = oldObj ? fieldsOf(oldObj, o.listType, o.scope) : new Map<string, any>();
  const after = fieldsOf(newObj, o.listType, o.scope);
  const changed: string[] = [];
  for (const [p, v] of after) {
    if (!before.has(p) || (v !== ITEM && !same(before.get(p), v))) changed.push(p);
  }
  const removed = [...before.keys()].filter((p) => !after.has(p));
  if (changed.length === 0 && removed.length === 0) return encode(entries);
  let me = entries.find((e) => e.manager === o.manager && e.operation === 'Update' && e.subresource === o.subresource);
  for (const e of entries) {
    if (e === me) continue;
    for (const p of changed) e.set.delete(p);
  }
  for (const e of entries) for (const p of removed) e.set.delete(p);
  if (!me) {
    me = { manager: o.manager, operation: 'Update', apiVersion: o.apiVersion, time: o.now, subresource: o.subresource, set: new Set() };
    entries.push(me);
  }
  for (const p of changed) me.set.add(p);
  me.time = o.now;
  me.apiVersion = o.apiVersion;
  return encode(entries);
}
