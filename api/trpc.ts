import { initTRPC, TRPCError } from '@trpc/server';
import { randomUUID } from 'node:crypto';
import type { ApiContext } from './context';
import { fieldOf, refusalCodeOf, toTRPCError, describeZodError } from './errors';
import { ZodError } from 'zod';
import type { Permission } from '../domain/permissions';

const t = initTRPC.context<ApiContext>().create({
  errorFormatter({ shape, error, ctx }) {
    const internal = error.code === 'INTERNAL_SERVER_ERROR';
    let message = shape.message;
    if (error.cause instanceof ZodError) message = describeZodError(error.cause);
    if (internal) {
      // The cause is logged with this id; the client sees no internals.
      const errorId = randomUUID();
      ctx?.log.error({ errorId, err: error.cause ?? error }, 'unhandled error in procedure');
      message = `internal error (id ${errorId})`;
    }
    return {
      ...shape,
      message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        field: fieldOf(error) ?? null,
        reason: refusalCodeOf(error) ?? null,
      },
    };
  },
});

export const router = t.router;
export const middleware = t.middleware;

const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) return { ...result, error: toTRPCError(result.error) };
  return result;
});

export const publicProcedure = t.procedure.use(mapErrors);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'log in first' });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/**
 * A procedure that requires a permission at platform scope. The identity issue widens this to
 * workspace and namespace scopes resolved from the input.
 */
export function platformProcedure(permission: Permission) {
  return authedProcedure.use(({ ctx, next }) => {
    if (!ctx.user.permissions.includes(permission)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: `missing permission ${permission}` });
    }
    return next();
  });
}
