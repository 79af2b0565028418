/** The dev environment reconciler's desired state, read from the read models. */
import type { Kysely } from 'kysely';
import { listClusters } from '../../projections/clusters/queries';
import { getDevEnv, listDevEnvs, type DevEnvDto } from '../../projections/devenvs/queries';
import type { DevEnvDesiredStateSource, DevEnvSpec } from './reconciler';

function specOf(row: DevEnvDto): DevEnvSpec {
  return {
    clusterId: row.clusterId,
    namespace: row.namespace,
    name: row.name,
    ownerId: row.ownerId,
    image: row.image,
    cpuMillis: row.cpuMillis,
    memoryBytes: row.memoryBytes,
    desired: row.desired,
    generation: row.generation,
  };
}

export function devEnvDesiredState(db: Kysely<any>): DevEnvDesiredStateSource {
  return {
    async listClusters() {
      return (await listClusters(db)).map((c) => c.clusterId);
    },
    async listDesired(clusterId) {
      return (await listDevEnvs(db, { clusterId })).map(specOf);
    },
    async desiredOf(clusterId, namespace, name) {
      const row = await getDevEnv(db, clusterId, namespace, name);
      return row && row.status !== 'deleted' ? specOf(row) : null;
    },
  };
}
