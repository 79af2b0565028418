/** The apps reconciler's desired state, read from the apps read model. */
import type { Kysely } from 'kysely';
import { appIdOf } from '../../domain/app/ids';
import type { KubernetesObject } from '../../domain/template/objects';
import { getApp, getAppRevision, listAppClusters, listAppsToReconcile } from '../../projections/apps/queries';
import type { AppRow } from '../../projections/apps/tables';
import type { AppsSource, AppTarget } from './reconciler';

function published(row: AppRow, manifests: unknown): AppTarget {
  return {
    kind: 'published',
    namespace: row.namespace,
    name: row.name,
    revision: row.revision,
    manifests: manifests as KubernetesObject[],
    deployed: row.status === 'deployed' && row.deployed_revision === row.revision,
  };
}

export function appsDesiredState(db: Kysely<any>): AppsSource {
  return {
    listClusters: () => listAppClusters(db),
    listApps: (clusterId) => listAppsToReconcile(db, clusterId),
    async getApp(clusterId, namespace, name) {
      const row = await getApp(db, appIdOf({ clusterId, namespace, name }));
      if (!row || row.deleted) return null;
      if (row.published) {
        const revision = await getAppRevision(db, row.app_id, row.revision);
        return revision ? published(row, revision.manifests) : null;
      }
      return row.status === 'undeploying' ? { kind: 'undeploying', namespace, name } : null;
    },
  };
}
