/**
 * The cluster side of one namespace: make its Bosun-managed Roles and RoleBindings exactly the
 * desired ones. Reads what is there first (the Namespace and two label-selected lists, at once)
 * and writes only what differs, so the many no-op reconciles after a platform-wide change cost
 * one round trip of reads, not writes.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ClusterClient } from '../runtime/kube';
import { CLUSTER_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, RBAC_API_VERSION, RBAC_SELECTOR, type DesiredObject } from './desired';

export type SyncResult = 'synced' | 'terminating';

export interface SyncCounts {
  applied: number;
  deleted: number;
}

export async function syncNamespace(
  client: ClusterClient,
  clusterId: string,
  namespace: string,
  desired: readonly DesiredObject[],
  counts: SyncCounts = { applied: 0, deleted: 0 },
): Promise<SyncResult> {
  // One round trip: the Namespace (to check it is Bosun's) and what this projection has in it.
  const [ns, roles, bindings] = await Promise.all([
    client.get({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }),
    client.list(RBAC_API_VERSION, 'Role', { namespace, labelSelector: RBAC_SELECTOR }),
    client.list(RBAC_API_VERSION, 'RoleBinding', { namespace, labelSelector: RBAC_SELECTOR }),
  ]);
  if (!ns) throw new Error(`namespace "${namespace}" does not exist on the cluster yet`);
  const labels = ns.metadata?.labels ?? {};
  if (labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE || labels[CLUSTER_LABEL] !== clusterId) {
    // Someone else's namespace with a Bosun namespace's name: binding Bosun users in it would hand it over.
    throw new Error(`namespace "${namespace}" on the cluster is not managed by Bosun for cluster "${clusterId}"; no RBAC is projected into it`);
  }
  if (ns.metadata?.deletionTimestamp) return 'terminating';
  const present = { Role: byName(roles), RoleBinding: byName(bindings) };

  // Roles before the bindings that refer to them; objects of one kind in parallel.
  for (const kind of ['Role', 'RoleBinding'] as const) {
    const stale = desired.filter((o) => o.kind === kind && !upToDate(present[kind].get(o.metadata.name), o));
    await Promise.all(
      stale.map(async (object) => {
        const existing = present[kind].get(object.metadata.name);
        if (existing && kind === 'RoleBinding' && !sameJson(existing.roleRef, object.roleRef)) {
          // roleRef is immutable: replace the binding.
          await client.delete(ref(kind, namespace, object.metadata.name));
          counts.deleted++;
        }
        await client.apply(object);
        counts.applied++;
      }),
    );
  }

  // Bindings before roles, so access goes with the first delete.
  const wanted = new Set(desired.map((o) => `${o.kind}/${o.metadata.name}`));
  for (const kind of ['RoleBinding', 'Role'] as const) {
    const unwanted = [...present[kind].keys()].filter((name) => !wanted.has(`${kind}/${name}`));
    await Promise.all(
      unwanted.map(async (name) => {
        await client.delete(ref(kind, namespace, name));
        counts.deleted++;
      }),
    );
  }
  return 'synced';
}

function ref(kind: 'Role' | 'RoleBinding', namespace: string, name: string) {
  return { apiVersion: RBAC_API_VERSION, kind, metadata: { name, namespace } };
}

function byName(objects: KubernetesObject[]): Map<string, any> {
  const map = new Map<string, any>();
  for (const o of objects) if (o.metadata?.name) map.set(o.metadata.name, o);
  return map;
}

/** The object on the cluster already says what Bosun would apply (extra labels of others are fine). */
export function upToDate(existing: any, desired: DesiredObject): boolean {
  if (!existing) return false;
  const labels = existing.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(desired.metadata.labels)) if (labels[k] !== v) return false;
  if (desired.kind === 'Role') return sameJson(existing.rules ?? [], desired.rules ?? []);
  return sameJson(existing.roleRef, desired.roleRef) && sameJson(existing.subjects ?? [], desired.subjects ?? []);
}

function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** JSON with object keys sorted and empty/absent optional fields dropped; array order is kept. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0) && v !== '')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
