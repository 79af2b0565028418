/**
 * The RBAC reconciler's desired state, read from the read models: `clusters`, `namespaces`,
 * `grants`, `role_definitions` and `users`. Per namespace it reads only the grants that can cover
 * it (on it, on its workspace, on the platform), with the status of their users.
 */
import type { Kysely } from 'kysely';
import { scopeOfRow, type GrantRow, type RoleDefinitionRow } from '../../projections/identity/tables';
import { desiredRbac, type CustomRole, type RbacGrant } from './desired';
import type { RbacDesiredStateSource } from './reconciler';

export function rbacDesiredState(db: Kysely<any>): RbacDesiredStateSource {
  return {
    async listClusters() {
      const rows = await db.selectFrom('clusters').select('cluster_id').where('status', '=', 'registered').orderBy('cluster_id').execute();
      return rows.map((r) => r.cluster_id as string);
    },

    async namespacesOf(clusterId, workspaceId) {
      let query = db.selectFrom('namespaces').select('name').where('cluster_id', '=', clusterId).where('status', '!=', 'deleted');
      if (workspaceId !== undefined) query = query.where('workspace_id', '=', workspaceId);
      const rows = await query.orderBy('name').execute();
      return rows.map((r) => r.name as string);
    },

    async desiredFor(clusterId, namespace) {
      // One round trip: the namespace, the grants that can cover it (with their users' status), the custom roles.
      const workspaceOfNamespace = db
        .selectFrom('namespaces')
        .select('workspace_id')
        .where('cluster_id', '=', clusterId)
        .where('name', '=', namespace);
      const [ns, grantRows, roleRows] = await Promise.all([
        db.selectFrom('namespaces').select(['workspace_id', 'status']).where('cluster_id', '=', clusterId).where('name', '=', namespace).executeTakeFirst(),
        db
          .selectFrom('grants as g')
          .leftJoin('users as u', (join) => join.onRef('u.user_id', '=', 'g.subject_id').on('g.subject_kind', '=', 'user'))
          .select(['g.subject_kind', 'g.subject_id', 'g.role_id', 'g.scope_kind', 'g.workspace_id', 'g.cluster_id', 'g.namespace', 'u.status as user_status'])
          .where((eb) =>
            eb.or([
              eb('g.scope_kind', '=', 'platform'),
              eb.and([eb('g.scope_kind', '=', 'workspace'), eb('g.workspace_id', '=', workspaceOfNamespace)]),
              eb.and([eb('g.scope_kind', '=', 'namespace'), eb('g.cluster_id', '=', clusterId), eb('g.namespace', '=', namespace)]),
            ]),
          )
          .execute() as Promise<Array<GrantRow & { user_status: string | null }>>,
        db.selectFrom('role_definitions').select(['role_id', 'permissions', 'grantable_at']).where('deleted', '=', false).execute() as Promise<RoleDefinitionRow[]>,
      ]);
      if (!ns || ns.status === 'deleted') return null;

      const grants: RbacGrant[] = grantRows.map((g) => ({ subject: { kind: g.subject_kind, id: g.subject_id }, roleId: g.role_id, scope: scopeOfRow(g) }));
      const disabledUsers = new Set(grantRows.filter((g) => g.subject_kind === 'user' && g.user_status === 'disabled').map((g) => g.subject_id));
      const customRoles: CustomRole[] = roleRows.map((r) => ({ roleId: r.role_id, permissions: r.permissions, grantableAt: r.grantable_at }));
      const desired = desiredRbac({ clusterId, grants, customRoles, namespaces: [{ name: namespace, workspaceId: ns.workspace_id as string }], disabledUsers });
      return desired.get(namespace) ?? [];
    },
  };
}
