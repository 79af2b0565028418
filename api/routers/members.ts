/**
 * Members: who holds which role where. Listing a scope shows the grants made there and the ones it
 * inherits (a namespace inherits its workspace's and the platform's). Granting and revoking need
 * `members:manage` on the scope of the grant.
 */
import { z } from 'zod';
import type { Kysely } from 'kysely';
import { router, namespaceProcedure, platformProcedure, scopeInputProcedure, workspaceProcedure } from '../trpc';
import { commandId, dnsLabel, readYourWrites } from './inputs';
import { roleId, scope, subject } from './identity-inputs';
import { runCommand } from './run-domain-command';
import { caughtUp } from './run-command';
import { listGrants, listUsers } from '../../projections/identity/queries';
import { scopeOfRow, type GrantRow } from '../../projections/identity/tables';
import { namespaceScope } from '../scope-rules';

/** Display names of the user subjects, so member lists read well for anyone allowed to see them. */
async function withNames<T extends { subject: { kind: string; id: string } }>(db: Kysely<any>, rows: T[]): Promise<(T & { subjectName: string })[]> {
  const ids = [...new Set(rows.filter((r) => r.subject.kind === 'user').map((r) => r.subject.id))];
  const names = new Map((await listUsers(db, { userIds: ids })).map((u) => [u.user_id, u.display_name]));
  return rows.map((r) => ({ ...r, subjectName: names.get(r.subject.id) ?? r.subject.id }));
}

function memberRows(rows: GrantRow[], inherited: boolean) {
  return rows.map((g) => ({
    subject: { kind: g.subject_kind, id: g.subject_id },
    roleId: g.role_id,
    scope: scopeOfRow(g),
    grantedAt: g.granted_at,
    grantedBy: g.granted_by,
    inherited,
  }));
}

async function platformMembers(db: Kysely<any>) {
  return listGrants(db, { scopeKind: 'platform' });
}

async function workspaceMembers(db: Kysely<any>, workspaceId: string) {
  return listGrants(db, { scopeKind: 'workspace', workspaceId });
}

export const membersRouter = router({
  ofPlatform: platformProcedure('users:manage')
    .input(readYourWrites.optional())
    .query(async ({ ctx, input }) => {
      await caughtUp(ctx, input?.minPosition);
      return withNames(ctx.services.db, memberRows(await platformMembers(ctx.services.db), false));
    }),

  ofWorkspace: workspaceProcedure('workspaces:read')
    .input(readYourWrites.extend({ workspaceId: dnsLabel }))
    .query(async ({ ctx, input }) => {
      await caughtUp(ctx, input.minPosition);
      const db = ctx.services.db;
      const [own, namespaces, platform] = await Promise.all([
        workspaceMembers(db, input.workspaceId),
        listGrants(db, { scopeKind: 'namespace', workspaceId: input.workspaceId }),
        platformMembers(db),
      ]);
      return withNames(db, [...memberRows(own, false), ...memberRows(namespaces, false), ...memberRows(platform, true)]);
    }),

  ofNamespace: namespaceProcedure('namespaces:read')
    .input(readYourWrites.extend({ clusterId: dnsLabel, name: dnsLabel }))
    .query(async ({ ctx, input }) => {
      await caughtUp(ctx, input.minPosition);
      const db = ctx.services.db;
      const target = await namespaceScope(db, input.clusterId, input.name);
      const workspaceId = target.kind === 'namespace' ? target.workspaceId : '';
      const [own, workspace, platform] = await Promise.all([
        listGrants(db, { scopeKind: 'namespace', clusterId: input.clusterId, namespace: input.name }),
        workspaceId ? workspaceMembers(db, workspaceId) : Promise.resolve([]),
        platformMembers(db),
      ]);
      return withNames(db, [...memberRows(own, false), ...memberRows(workspace, true), ...memberRows(platform, true)]);
    }),

  grant: scopeInputProcedure('members:manage')
    .input(z.object({ commandId, subject, roleId, scope }))
    .mutation(({ ctx, input }) =>
      runCommand(ctx, input.commandId, { type: 'GrantRole', subject: input.subject, roleId: input.roleId, scope: input.scope, by: ctx.user.id }),
    ),

  revoke: scopeInputProcedure('members:manage')
    .input(z.object({ commandId, subject, roleId, scope }))
    .mutation(({ ctx, input }) =>
      runCommand(ctx, input.commandId, { type: 'RevokeRole', subject: input.subject, roleId: input.roleId, scope: input.scope, by: ctx.user.id }),
    ),
});
