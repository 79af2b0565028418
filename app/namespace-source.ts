import type { Kysely } from 'kysely';
import { listClusters } from '../projections/clusters/queries';
import { listNamespaces } from '../projections/namespaces/queries';
import type { DesiredStateSource } from '../reconcilers/namespace/reconciler';

/** The namespace reconciler's desired state, read from the namespaces read model. */
export function namespaceDesiredState(db: Kysely<any>, removed: ReadonlySet<string> = new Set()): DesiredStateSource {
  return {
    async listClusters() {
      return (await listClusters(db)).map((c) => c.clusterId);
    },
    async listDesired(clusterId) {
      const rows = await listNamespaces(db, { clusterId });
      return rows.map((n) => ({
        clusterId: n.clusterId,
        name: n.name,
        workspaceId: n.workspaceId,
        generation: n.generation,
        quotaCpuMillis: n.quota.cpuMillis,
        quotaMemoryBytes: n.quota.memoryBytes,
        defaults: n.defaults,
      }));
    },
    async listDeleted(clusterId) {
      const rows = await listNamespaces(db, { clusterId, status: 'deleted' });
      return rows
        .filter((n) => !removed.has(removedKey(clusterId, n.name, n.generation)))
        .map((n) => ({ name: n.name, generation: n.generation }));
    },
  };
}

/** Key of a deleted namespace already confirmed gone from its cluster (kept in memory per process). */
export const removedKey = (clusterId: string, name: string, generation: number) => `${clusterId}/${name}/${generation}`;
