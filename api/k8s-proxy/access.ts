/**
 * The proxy's coarse gate: may this caller talk to this cluster at all? Yes when they hold some
 * permission on the platform, in a workspace bound to the cluster (or with a namespace on it), or in
 * one of the cluster's namespaces, and, for an API key, where the key's limit overlaps that grant.
 * Everything finer is the cluster's RBAC, projected from the same grants.
 */
import type { Kysely } from 'kysely';
import { permissions, visibility, type Access, type Permission } from '../../domain/permissions';

export interface Reach {
  everywhere: boolean;
  workspaceIds: Set<string>;
  /** `clusterId/namespace` keys. */
  namespaces: Set<string>;
}

/** Where the caller holds any permission at all (the union of `visibility` over every permission). */
export function reachOf(access: Access): Reach {
  const reach: Reach = { everywhere: false, workspaceIds: new Set(), namespaces: new Set() };
  for (const p of permissions) {
    const v = visibility(access, p);
    if (v.everywhere) reach.everywhere = true;
    for (const w of v.workspaceIds) reach.workspaceIds.add(w);
    for (const n of v.namespaces) reach.namespaces.add(n);
  }
  return reach;
}

/** Every permission the caller holds somewhere. */
export function permissionsHeldAnywhere(access: Access): Permission[] {
  return permissions.filter((p) => {
    const v = visibility(access, p);
    return v.everywhere || v.workspaceIds.size > 0 || v.namespaces.size > 0;
  });
}

export async function reachesCluster(db: Kysely<any>, access: Access, clusterId: string): Promise<boolean> {
  const reach = reachOf(access);
  if (reach.everywhere) return true;
  const prefix = `${clusterId}/`;
  for (const key of reach.namespaces) if (key.startsWith(prefix)) return true;
  if (reach.workspaceIds.size === 0) return false;
  const workspaceIds = [...reach.workspaceIds];
  const bound = await db
    .selectFrom('workspace_bindings')
    .select('workspace_id')
    .where('cluster_id', '=', clusterId)
    .where('bound', '=', true)
    .where('workspace_id', 'in', workspaceIds)
    .limit(1)
    .executeTakeFirst();
  if (bound) return true;
  const namespace = await db
    .selectFrom('namespaces')
    .select('name')
    .where('cluster_id', '=', clusterId)
    .where('status', '!=', 'deleted')
    .where('workspace_id', 'in', workspaceIds)
    .limit(1)
    .executeTakeFirst();
  return namespace !== undefined;
}

export const clusterRefusal = (clusterId: string) => `forbidden: you hold no role on cluster "${clusterId}" (on the platform, a workspace bound to it or one of its namespaces)`;
