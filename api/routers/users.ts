import { z } from 'zod';
import { router, listProcedure, platformProcedure } from '../trpc';
import { commandId, readYourWrites } from './inputs';
import { userId } from './identity-inputs';
import { runCommand } from './run-domain-command';
import { caughtUp } from './run-command';
import { DomainError } from '../../domain/errors';
import { authorize } from '../../domain/permissions';
import { passwordProblem } from '../../identity/passwords';
import { getUser, listApiKeys, listGrants, listUsers } from '../../projections/identity/queries';
import { scopeOfRow } from '../../projections/identity/tables';

function checkPassword(password: string, field = 'password') {
  const problem = passwordProblem(password);
  if (problem) throw new DomainError('invalid', `${field}: ${problem}`, { field });
}

export const usersRouter = router({
  /**
   * User admins see everyone. Anyone else who manages members somewhere sees the members of the
   * scopes they manage, plus a user whose exact id or email they type (to invite them): so the
   * directory cannot be browsed to learn who works for another tenant.
   */
  list: listProcedure('members:manage')
    .input(readYourWrites.extend({ search: z.string().max(100).optional() }).optional())
    .query(async ({ ctx, input }) => {
      await caughtUp(ctx, input?.minPosition);
      const full = authorize(ctx.user.access, 'users:manage', { kind: 'platform' });
      const db = ctx.services.db;
      let rows;
      if (full) rows = await listUsers(db, { search: input?.search });
      else {
        const visible = ctx.visible!;
        // Only the grants inside the scopes the caller manages (a workspace's include its namespaces').
        const grants = await Promise.all([
          ...[...visible.workspaceIds].map((workspaceId) => listGrants(db, { workspaceId })),
          ...[...visible.namespaces].map((key) => {
            const [clusterId, namespace] = key.split('/');
            return listGrants(db, { clusterId, namespace });
          }),
        ]);
        const members = grants.flat().filter((g) => g.subject_kind === 'user').map((g) => g.subject_id);
        const search = input?.search?.trim().toLowerCase();
        const invited = search ? (await listUsers(db, { search })).filter((u) => u.user_id === search || u.email?.toLowerCase() === search) : [];
        const known = new Set(members);
        rows = [...(await listUsers(db, { userIds: [...known] })), ...invited.filter((u) => !known.has(u.user_id))];
        if (search) rows = rows.filter((u) => u.user_id.includes(search) || u.display_name.toLowerCase().includes(search) || u.email?.toLowerCase() === search);
      }
      return rows.map((u) =>
        full
          ? { userId: u.user_id, displayName: u.display_name, email: u.email, source: u.source, status: u.status, groups: u.groups, createdAt: u.created_at }
          : { userId: u.user_id, displayName: u.display_name, email: null, source: null, status: null, groups: [], createdAt: null },
      );
    }),

  get: platformProcedure('users:manage')
    .input(readYourWrites.extend({ userId }))
    .query(async ({ ctx, input }) => {
      await caughtUp(ctx, input.minPosition);
      const user = await getUser(ctx.services.db, input.userId);
      if (!user) throw new DomainError('not_found', `userId: user "${input.userId}" does not exist`, { field: 'userId' });
      const grants = await listGrants(ctx.services.db, { subject: { kind: 'user', id: user.user_id } });
      return {
        userId: user.user_id,
        displayName: user.display_name,
        email: user.email,
        source: user.source,
        status: user.status,
        groups: user.groups,
        createdAt: user.created_at,
        grants: grants.map((g) => ({ roleId: g.role_id, scope: scopeOfRow(g), grantedAt: g.granted_at, grantedBy: g.granted_by })),
        apiKeys: (await listApiKeys(ctx.services.db, user.user_id)).map((k) => ({
          keyId: k.key_id,
          name: k.name,
          prefix: k.prefix,
          permissions: k.permissions,
          scopes: k.scopes,
          expiresAt: k.expires_at,
          revokedAt: k.revoked_at,
          createdAt: k.created_at,
        })),
      };
    }),

  create: platformProcedure('users:manage')
    .input(
      z.object({
        commandId,
        userId,
        displayName: z.string().trim().min(1, 'is required').max(200),
        email: z.email().max(254).nullable().optional(),
        password: z.string().min(1, 'is required').max(256),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      checkPassword(input.password);
      const result = await runCommand(ctx, input.commandId, {
        type: 'CreateUser',
        userId: input.userId,
        displayName: input.displayName,
        email: input.email ?? null,
        source: 'local',
        externalSubject: null,
      });
      await ctx.services.accounts.setPassword(input.userId, input.password, ctx.services.clock());
      return result;
    }),

  /** Disabling ends the user's sessions at once; their API keys stop working with the next request. */
  disable: platformProcedure('users:manage')
    .input(z.object({ commandId, userId }))
    .mutation(async ({ ctx, input }) => {
      const result = await runCommand(ctx, input.commandId, { type: 'DisableUser', userId: input.userId, by: ctx.user.id });
      await ctx.services.sessions.revokeAllFor(input.userId);
      return result;
    }),

  enable: platformProcedure('users:manage')
    .input(z.object({ commandId, userId }))
    .mutation(({ ctx, input }) => runCommand(ctx, input.commandId, { type: 'EnableUser', userId: input.userId })),

  resetPassword: platformProcedure('users:manage')
    .input(z.object({ commandId, userId, newPassword: z.string().min(1, 'is required').max(256) }))
    .mutation(async ({ ctx, input }) => {
      checkPassword(input.newPassword, 'newPassword');
      const result = await runCommand(ctx, input.commandId, { type: 'RecordPasswordReset', userId: input.userId });
      await ctx.services.accounts.setPassword(input.userId, input.newPassword, ctx.services.clock());
      await ctx.services.sessions.revokeAllFor(input.userId);
      return result;
    }),
});
