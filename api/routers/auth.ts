import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { publicProcedure, router, selfProcedure } from '../trpc';
import { CSRF_COOKIE, SESSION_COOKIE, commandContext } from '../context';
import type { Services } from '../../app/services';
import { permissionsAt, visibility, permissions } from '../../domain/permissions';
import { passwordProblem } from '../../identity/passwords';
import { DomainError } from '../../domain/errors';
import { tenancyCommand } from '../../commands/tenancy';
import { commandId } from './inputs';

/**
 * Starts a session for `userId`: a fresh token on every sign-in, so a token planted before it
 * (session fixation) never becomes valid, and a fresh CSRF token beside it.
 */
export async function startSession(services: Services, req: FastifyRequest, reply: FastifyReply, userId: string): Promise<void> {
  const old = req.cookies?.[SESSION_COOKIE];
  if (old) await services.sessions.revoke(old);
  const token = await services.sessions.create(userId, services.clock());
  const secure = req.protocol === 'https';
  reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', secure });
  reply.setCookie(CSRF_COOKIE, randomBytes(24).toString('base64url'), { path: '/', httpOnly: false, sameSite: 'strict', secure });
}

export const authRouter = router({
  login: publicProcedure
    .input(z.object({ username: z.string().min(1).max(128), password: z.string().min(1).max(256) }))
    .mutation(async ({ ctx, input }) => {
      const result = await ctx.services.signIn.withPassword(input.username, input.password, ctx.clientIp);
      if (!result.ok) {
        ctx.log.info({ username: input.username, clientIp: ctx.clientIp, code: result.code }, 'login refused');
        throw new TRPCError({ code: result.code === 'too_many_requests' ? 'TOO_MANY_REQUESTS' : 'UNAUTHORIZED', message: result.message });
      }
      await startSession(ctx.services, ctx.req, ctx.reply, result.userId);
      return { user: { id: result.userId, name: result.name } };
    }),

  /** Which sign-in methods the login page offers. */
  methods: publicProcedure.query(({ ctx }) => ({ password: true, oidc: ctx.services.oidc !== null })),

  logout: selfProcedure.mutation(async ({ ctx }) => {
    const token = ctx.req.cookies?.[SESSION_COOKIE];
    if (token) await ctx.services.sessions.revoke(token);
    ctx.reply.clearCookie(SESSION_COOKIE, { path: '/' });
    ctx.reply.clearCookie(CSRF_COOKIE, { path: '/' });
    return { ok: true };
  }),

  /** The caller, what they hold on the platform, and where they hold each permission (for navigation). */
  me: publicProcedure.query(({ ctx }) => {
    const user = ctx.user;
    if (!user) return { user: null };
    const where = Object.fromEntries(
      permissions.map((p) => {
        const v = visibility(user.access, p);
        return [p, { everywhere: v.everywhere, workspaces: [...v.workspaceIds], namespaces: [...v.namespaces] }];
      }),
    );
    return {
      user: {
        id: user.id,
        name: user.name,
        kind: user.kind,
        groups: [...user.groups],
        platformPermissions: permissionsAt(user.access, { kind: 'platform' }),
        where,
      },
    };
  }),

  changePassword: selfProcedure
    .input(z.object({ commandId, currentPassword: z.string().min(1).max(256), newPassword: z.string().min(1).max(256) }))
    .mutation(async ({ ctx, input }) => {
      if (ctx.user.kind !== 'user') throw new DomainError('forbidden', 'newPassword: an API key cannot change a password; log in', { field: 'newPassword' });
      const problem = passwordProblem(input.newPassword);
      if (problem) throw new DomainError('invalid', `newPassword: ${problem}`, { field: 'newPassword' });
      if (!(await ctx.services.accounts.verify(ctx.user.id, input.currentPassword))) {
        throw new DomainError('invalid', 'currentPassword: is not your current password', { field: 'currentPassword' });
      }
      const result = await ctx.services.handle(tenancyCommand('RecordPasswordChanged'), { type: 'RecordPasswordChanged', userId: ctx.user.id }, commandContext(ctx, input.commandId));
      await ctx.services.accounts.setPassword(ctx.user.id, input.newPassword, ctx.services.clock());
      // Other sessions end; this one is renewed.
      await ctx.services.sessions.revokeAllFor(ctx.user.id);
      await startSession(ctx.services, ctx.req, ctx.reply, ctx.user.id);
      return { position: result.position };
    }),
});
