/** "Why can I / why can't I": a caller's (or, for user admins, anyone's) permissions at a scope, with the grants behind each. */
import { router, platformProcedure, selfProcedure } from '../trpc';
import { readYourWrites } from './inputs';
import { scope, userId } from './identity-inputs';
import { caughtUp } from './run-command';
import { DomainError } from '../../domain/errors';
import { grantsConferring, permissions, type Access, type Scope } from '../../domain/permissions';
import { accessOf, getUser } from '../../projections/identity/queries';
import { namespaceScope } from '../scope-rules';
import type { Kysely } from 'kysely';

async function explain(db: Kysely<any>, access: Access, requested: Scope) {
  // The namespace's real workspace decides what a workspace grant reaches, not the one asked about.
  const target = requested.kind === 'namespace' ? await namespaceScope(db, requested.clusterId, requested.namespace) : requested;
  return {
    scope: target,
    grants: access.grants.map((g) => ({ roleId: g.role, scope: g.scope, via: g.via ?? null })),
    permissions: permissions.map((p) => {
      const because = grantsConferring(access, p, target);
      return { permission: p, allowed: because.length > 0, because: because.map((g) => ({ roleId: g.role, scope: g.scope, via: g.via ?? null })) };
    }),
  };
}

export const accessRouter = router({
  mine: selfProcedure.input(readYourWrites.extend({ scope })).query(async ({ ctx, input }) => {
    await caughtUp(ctx, input.minPosition);
    return explain(ctx.services.db, ctx.user.access, input.scope as Scope);
  }),

  ofUser: platformProcedure('users:manage')
    .input(readYourWrites.extend({ userId, scope }))
    .query(async ({ ctx, input }) => {
      await caughtUp(ctx, input.minPosition);
      const user = await getUser(ctx.services.db, input.userId);
      if (!user) throw new DomainError('not_found', `userId: user "${input.userId}" does not exist`, { field: 'userId' });
      return explain(ctx.services.db, await accessOf(ctx.services.db, user.user_id, user.groups), input.scope as Scope);
    }),
});
