/** RFC 6902 JSON Patch (application/json-patch+json). */
import { StatusError, badRequest } from '../errors';

/** NewGenericServerResponse(422, ...) as kube-apiserver answers a JSON patch that does not apply. */
const unprocessable = (msg: string) =>
  new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', { causes: [{ reason: 'UnexpectedServerResponse', message: msg } as any] });

function parsePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw unprocessable(`invalid JSON pointer: ${JSON.stringify(p)}`);
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: any, parts: string[], op: string, path: string): [any, string] {
  let cur = doc;
  for (const seg of parts.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') throw unprocessable(`doc is missing path: "${path}": missing value`);
    cur = Array.isArray(cur) ? cur[Number(seg)] : cur[seg];
    if (cur === undefined) throw unprocessable(`doc is missing path: "${path}": missing value`);
  }
  if (cur === null || typeof cur !== 'object') throw unprocessable(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  return [cur, parts[parts.length - 1]];
}

function getAt(doc: any, path: string): any {
  let cur = doc;
  for (const seg of parsePointer(path)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(seg)] : cur[seg];
  }
  return cur;
}

function deepEqual(a: any, b: any): boolean {
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}
function canon(v: any): any {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])]));
  return v;
}

function add(doc: any, path: string, value: any): any {
  const parts = parsePointer(path);
  if (parts.length === 0) return value;
  const [parent, key] = parentOf(doc, parts, 'add', path);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(i) || i < 0 || i > parent.length) throw unprocessable(`add operation does not apply: doc is missing path: "${path}": missing value`);
    parent.splice(i, 0, value);
  } else parent[key] = value;
  return doc;
}

function remove(doc: any, path: string): any {
  const parts = parsePointer(path);
  const [parent, key] = parentOf(doc, parts, 'remove', path);
  if (Array.isArray(parent)) {
    const i = Number(key);
    if (!Number.isInteger(i) || i < 0 || i >= parent.length) throw unprocessable(`remove operation does not apply: doc is missing path: "${path}": missing value`);
    parent.splice(i, 1);
  } else {
    if (!(key in parent)) throw unprocessable(`remove operation does not apply: doc is missing path: "${path}": missing value`);
    delete parent[key];
  }
  return doc;
}

export function applyJsonPatch(doc: any, patch: unknown): any {
  if (!Array.isArray(patch)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let d = structuredClone(doc);
  for (const op of patch) {
    const path = op?.path;
    if (typeof path !== 'string') throw unprocessable(`the server rejected our request due to an error in our request`);
    switch (op.op) {
      case 'add':
        d = add(d, path, structuredClone(op.value));
        break;
      case 'remove':
        d = remove(d, path);
        break;
      case 'replace': {
        if (path !== '' && getAt(d, path) === undefined) throw unprocessable(`replace operation does not apply: doc is missing key: ${path}: missing value`);
        if (path === '') d = structuredClone(op.value);
        else {
          d = remove(d, path);
          d = add(d, path, structuredClone(op.value));
        }
        break;
      }
      case 'move': {
        const v = getAt(d, op.from);
        if (v === undefined) throw unprocessable(`move operation does not apply: doc is missing from path: ${op.from}: missing value`);
        d = remove(d, op.from);
        d = add(d, path, v);
        break;
      }
      case 'copy': {
        const v = getAt(d, op.from);
        if (v === undefined) throw unprocessable(`copy operation does not apply: doc is missing from path: ${op.from}: missing value`);
        d = add(d, path, structuredClone(v));
        break;
      }
      case 'test':
        if (!deepEqual(getAt(d, path), op.value)) throw unprocessable(`testing value ${path} failed: test failed`);
        break;
      default:
        throw unprocessable(`Unexpected kind: ${op.op}`);
    }
  }
  return d;
}
