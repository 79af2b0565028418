/**
 * Strategic merge patch (application/strategic-merge-patch+json) for the built-in kinds:
 * maps merge recursively, `null` deletes, lists with a patchMergeKey merge by key, other lists replace.
 * Directives: `$patch: replace|delete|merge` on maps and list items, `$deleteFromPrimitiveList/<f>`,
 * `$setElementOrder/<f>` and `$retainKeys` (honoured as in apimachinery, order best effort).
 */
import { strategicMergeKey } from './schema';
import { badRequest } from '../errors';

const isMap = (v: any) => v !== null && typeof v === 'object' && !Array.isArray(v);

export function applyStrategicPatch(original: any, patch: any): any {
  if (!isMap(patch)) throw badRequest('unable to parse strategic merge patch: expected an object');
  return mergeMap(original ?? {}, patch, []);
}

function mergeMap(orig: any, patch: any, path: string[]): any {
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  if (directive === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return stripDirectives(rest);
  }
  const out: any = isMap(orig) ? { ...orig } : {};
  const retainKeys: string[] | undefined = patch.$retainKeys;
  const setOrder: Record<string, any[]> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys') continue;
    if (k.startsWith('$setElementOrder/')) {
      setOrder[k.slice('$setElementOrder/'.length)] = v as any[];
      continue;
    }
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const f = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[f])) out[f] = out[f].filter((x: any) => !(v as any[]).includes(x));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    if (isMap(v)) {
      const merged = mergeMap(out[k], v, [...path, k]);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else if (Array.isArray(v)) {
      out[k] = mergeList(out[k], v, k, path);
    } else out[k] = v;
  }
  for (const [f, order] of Object.entries(setOrder)) {
    if (Array.isArray(out[f])) out[f] = reorder(out[f], order, strategicMergeKey(f, path, out[f]));
  }
  if (retainKeys) for (const k of Object.keys(out)) if (!retainKeys.includes(k) && !(k in patch)) delete out[k];
  return out;
}

function stripDirectives(v: any): any {
  if (Array.isArray(v)) return v.filter((i) => !(isMap(i) && i.$patch)).map(stripDirectives);
  if (isMap(v)) {
    const o: any = {};
    for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) o[k] = stripDirectives(x);
    return o;
  }
  return v;
}

function mergeList(orig: any, patch: any[], field: string, parentPath: string[]): any[] {
  const origList: any[] = Array.isArray(orig) ? orig : [];
  const key = strategicMergeKey(field, parentPath, [...origList, ...patch]);
  if (patch.some((i) => isMap(i) && i.$patch === 'replace')) return stripDirectives(patch.filter((i) => !(isMap(i) && i.$patch === 'replace')));
  if (key === undefined) return stripDirectives(patch);
  if (key === '') {
    // merge list of primitives (set semantics)
    const out = [...origList];
    for (const i of patch) if (!out.includes(i)) out.push(i);
    return out;
  }
  const out = [...origList];
  for (const item of patch) {
    if (!isMap(item)) {
      out.push(item);
      continue;
    }
    const idx = out.findIndex((o) => isMap(o) && o[key] === item[key]);
    if (item.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = mergeMap(out[idx], item, [...parentPath, field]);
    else out.push(stripDirectives(item));
  }
  return out;
}

function reorder(list: any[], order: any[], key: string | undefined): any[] {
  const id = (x: any) => (key ? x?.[key] : x);
  const ids = order.map((o) => (key ? o?.[key] : o));
  const ordered = [...list].sort((a, b) => {
    const ia = ids.indexOf(id(a));
    const ib = ids.indexOf(id(b));
    return (ia < 0 ? Infinity : ia) - (ib < 0 ? Infinity : ib);
  });
  return ordered;
}
