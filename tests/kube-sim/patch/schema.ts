/**
 * Just enough schema knowledge of the built-in kinds for strategic merge patch and server-side apply:
 * which lists merge by key (patchMergeKey / listMapKeys) and which merge as sets.
 * Custom resources use their CRD's x-kubernetes-list-type / x-kubernetes-list-map-keys.
 */

export type ListType = { type: 'map'; keys: string[] } | { type: 'set' } | { type: 'atomic' };

const BY_NAME: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  ownerReferences: 'uid',
  conditions: 'type',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
  schedulingGates: 'name',
};

/** Strategic-merge patchMergeKey for a list field, or undefined (= replace the list). 'merge' lists of primitives → '' */
export function strategicMergeKey(field: string, parentPath: string[], sample: any[]): string | undefined {
  if (field === 'finalizers' && parentPath[parentPath.length - 1] === 'metadata') return '';
  if (field === 'ports') {
    if (sample.some((i) => i && typeof i === 'object' && 'containerPort' in i)) return 'containerPort';
    if (parentPath.includes('containers') || parentPath.includes('initContainers')) return 'containerPort';
    return 'port';
  }
  return BY_NAME[field];
}

/** Walk an OpenAPI v3 schema along a path of field names (list items are transparent). */
export function schemaAt(schema: any, path: string[]): any {
  let s = schema;
  for (const p of path) {
    if (!s) return undefined;
    if (s.type === 'array') s = s.items;
    if (!s) return undefined;
    s = s.properties?.[p] ?? (s.additionalProperties && typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
  }
  return s;
}

/** SSA list type of a list at path (path = field names, ending with the list's field). */
export function applyListType(path: string[], schema?: any): ListType {
  const field = path[path.length - 1];
  if (schema) {
    const s = schemaAt(schema, path);
    if (s?.['x-kubernetes-list-type'] === 'map') return { type: 'map', keys: s['x-kubernetes-list-map-keys'] ?? [] };
    if (s?.['x-kubernetes-list-type'] === 'set') return { type: 'set' };
    if (path.length > 1 && path[0] !== 'metadata') return { type: 'atomic' };
  }
  const parent = path.slice(0, -1);
  if (field === 'finalizers' && parent.length === 1 && parent[0] === 'metadata') return { type: 'set' };
  if (field === 'ports') {
    if (parent.includes('containers') || parent.includes('initContainers')) return { type: 'map', keys: ['containerPort', 'protocol'] };
    if (parent[parent.length - 1] === 'spec') return { type: 'map', keys: ['port', 'protocol'] };
    return { type: 'atomic' };
  }
  const key = BY_NAME[field];
  return key ? { type: 'map', keys: [key] } : { type: 'atomic' };
}
