import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { authedProcedure, publicProcedure, router } from '../trpc';
import { SESSION_COOKIE } from '../context';

export const authRouter = router({
  login: publicProcedure
    .input(z.object({ username: z.string().min(1).max(128), password: z.string().min(1).max(256) }))
    .mutation(async ({ ctx, input }) => {
      const { services } = ctx;
      const userId = await services.accounts.authenticate(input.username, input.password);
      if (!userId) {
        ctx.log.info({ username: input.username, clientIp: ctx.clientIp }, 'login refused');
        throw new TRPCError({ code: 'UNAUTHORIZED', message: 'wrong username or password' });
      }
      // A fresh token on every login: a token planted before login (session fixation) never becomes valid.
      const old = ctx.req.cookies?.[SESSION_COOKIE];
      if (old) await services.sessions.revoke(old);
      const token = await services.sessions.create(userId, services.clock());
      ctx.reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: ctx.req.protocol === 'https',
      });
      const user = await services.users.describe(userId);
      return { user: { id: userId, name: user?.name ?? input.username } };
    }),
  logout: authedProcedure.mutation(async ({ ctx }) => {
    const token = ctx.req.cookies?.[SESSION_COOKIE];
    if (token) await ctx.services.sessions.revoke(token);
    ctx.reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  }),
  me: publicProcedure.query(({ ctx }) => ({ user: ctx.user })),
});
