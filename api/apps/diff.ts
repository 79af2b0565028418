/**
 * What applying a rendered object would change on the cluster, shown as a unified diff of YAML.
 * Only the fields the manifest sets are compared (a live object also carries status, defaults and
 * fields other managers own), so an object that server-side apply would leave as is is "unchanged".
 */
import { stringify } from 'yaml';

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The live value restricted to the shape of the desired one (keys the desired sets, recursively). */
export function projectOnto(desired: unknown, live: unknown): unknown {
  if (isRecord(desired)) {
    if (!isRecord(live)) return live;
    const out: Json = {};
    for (const key of Object.keys(desired)) if (live[key] !== undefined) out[key] = projectOnto(desired[key], live[key]);
    return out;
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) return live;
    return live.map((item, i) => (i < desired.length ? projectOnto(desired[i], item) : item));
  }
  return live;
}

/** Kubernetes normalises quantities and numbers as strings in places; compare them as text. */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  return value;
}

export function toYaml(value: unknown): string {
  return stringify(normalise(value), { lineWidth: 0 });
}

type Op = { op: ' ' | '-' | '+'; line: string };

/** Line diff by longest common subsequence (manifests are small). */
function lineDiff(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ op: ' ', line: a[i] });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) ops.push({ op: '-', line: a[i++] });
    else ops.push({ op: '+', line: b[j++] });
  }
  while (i < n) ops.push({ op: '-', line: a[i++] });
  while (j < m) ops.push({ op: '+', line: b[j++] });
  return ops;
}

/** A unified diff (`--- live`, `+++ desired`, hunks with `context` lines around changes); '' when equal. */
export function unifiedDiff(before: string, after: string, labels = { before: 'live', after: 'desired' }, context = 3): string {
  if (before === after) return '';
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const b = after === '' ? [] : after.replace(/\n$/, '').split('\n');
  const ops = lineDiff(a, b);
  const changed = ops.map((o) => o.op !== ' ');
  const keep = ops.map((_, k) => {
    for (let d = -context; d <= context; d++) if (changed[k + d]) return true;
    return false;
  });
  const out = [`--- ${labels.before}`, `+++ ${labels.after}`];
  let k = 0;
  let lineA = 1;
  let lineB = 1;
  while (k < ops.length) {
    if (!keep[k]) {
      if (ops[k].op !== '+') lineA++;
      if (ops[k].op !== '-') lineB++;
      k++;
      continue;
    }
    const startA = lineA;
    const startB = lineB;
    const body: string[] = [];
    while (k < ops.length && keep[k]) {
      body.push(`${ops[k].op}${ops[k].line}`);
      if (ops[k].op !== '+') lineA++;
      if (ops[k].op !== '-') lineB++;
      k++;
    }
    const countA = body.filter((l) => !l.startsWith('+')).length;
    const countB = body.filter((l) => !l.startsWith('-')).length;
    out.push(`@@ -${countA === 0 ? startA - 1 : startA},${countA} +${countB === 0 ? startB - 1 : startB},${countB} @@`, ...body);
  }
  return `${out.join('\n')}\n`;
}

export type DiffAction = 'create' | 'update' | 'unchanged' | 'delete';

export interface ObjectDiff {
  action: DiffAction;
  diff: string;
}

/** Compares a desired object with the live one (undefined: not on the cluster). */
export function diffObject(desired: Json, live: Json | undefined): ObjectDiff {
  const after = toYaml(desired);
  if (live === undefined) return { action: 'create', diff: unifiedDiff('', after) };
  const before = toYaml(projectOnto(desired, live));
  return before === after ? { action: 'unchanged', diff: '' } : { action: 'update', diff: unifiedDiff(before, after) };
}

/** A live object the new revision no longer has (it would be pruned). */
export function diffDeleted(live: Json): ObjectDiff {
  const metadata = isRecord(live.metadata) ? live.metadata : {};
  const shown = { apiVersion: live.apiVersion, kind: live.kind, metadata: { name: metadata.name, namespace: metadata.namespace, labels: metadata.labels } };
  return { action: 'delete', diff: unifiedDiff(toYaml(shown), '') };
}
