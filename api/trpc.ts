import { initTRPC, TRPCError } from '@trpc/server';
import { randomUUID } from 'node:crypto';
import { ZodError } from 'zod';
import type { ApiContext } from './context';
import { commandContext } from './context';
import { fieldOf, refusalCodeOf, toTRPCError, describeZodError } from './errors';
import { authorize, visibility, type Permission, type Scope, type Visibility } from '../domain/permissions';
import { describeScope } from '../domain/grant/state';
import { recordAttempt } from '../commands/audit-attempt';
import type { AuditModule, AuditTarget } from '../commands/audit-events';
import { resolveScope, type ProcedureMeta, type ScopeRule } from './scope-rules';

const t = initTRPC
  .context<ApiContext>()
  .meta<ProcedureMeta>()
  .create({
    defaultMeta: { permission: null, scope: { kind: 'public' } },
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

const authenticated = publicProcedure.use(async ({ ctx, next }) => {
  if (ctx.authFailure) throw new TRPCError({ code: ctx.authFailure.status === 403 ? 'FORBIDDEN' : 'UNAUTHORIZED', message: ctx.authFailure.message });
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'log in first' });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function auditTarget(scope: Scope | null): AuditTarget {
  if (!scope || scope.kind === 'platform') return { kind: 'platform', id: 'platform' };
  if (scope.kind === 'workspace') return { kind: 'workspace', id: scope.workspaceId, workspaceId: scope.workspaceId };
  return { kind: 'namespace', id: `${scope.clusterId}/${scope.namespace}`, clusterId: scope.clusterId, namespace: scope.namespace, workspaceId: scope.workspaceId || undefined };
}

const guard = authenticated.use(async ({ ctx, meta, path, type, getRawInput, next }) => {
  const rule = meta?.scope ?? { kind: 'public' };
  const permission = meta?.permission ?? null;
  const raw = (await getRawInput()) as Record<string, unknown> | undefined;
  const guarded = permission !== null && rule.kind !== 'self' && rule.kind !== 'public';
  const target = guarded ? await resolveScope(ctx.services.db, rule, raw && typeof raw === 'object' ? raw : undefined) : null;
  const visible = guarded && rule.kind === 'list' ? visibility(ctx.user.access, permission) : null;
  const allowed = !guarded || (visible ? visible.everywhere || visible.workspaceIds.size > 0 || visible.namespaces.size > 0 : authorize(ctx.user.access, permission, target!));
  const audit = (message: string) =>
    recordAttempt(
      ctx.services.store,
      {
        module: (permission?.split(':')[0] ?? 'auth') as AuditModule,
        action: path,
        target: auditTarget(target),
        details: { procedure: path, kind: type },
        refusal: { code: 'forbidden', message },
      },
      // The refusal is the outcome of the client's command (a retry is refused the same way), when it sent a well-formed id.
      commandContext(ctx as ApiContext & { user: NonNullable<ApiContext['user']> }, typeof raw?.commandId === 'string' && UUID.test(raw.commandId) ? raw.commandId : randomUUID()),
    ).catch((error) => {
      // Already recorded under this commandId (a command refusal the handler wrote), or the store is down: the 403 stands.
      ctx.log.debug({ err: error }, 'refusal not recorded again');
    });
  if (!allowed) {
    const where = target ? ` on ${describeScope(target)}` : ' anywhere';
    const message = `forbidden: you lack the permission ${permission}${where}`;
    // The refusal is audited as an attempt: "who tried" must be answerable.
    await audit(message);
    throw new TRPCError({ code: 'FORBIDDEN', message });
  }
  const result = await next({ ctx: { ...ctx, target: target as Scope | null, visible: visible as Visibility | null } });
  // A refusal inside the procedure (asking for more than one holds) is audited like the guard's own.
  if (!result.ok && toTRPCError(result.error).code === 'FORBIDDEN') await audit(toTRPCError(result.error).message);
  return result;
});

function guarded(permission: Permission | null, scope: ScopeRule) {
  return guard.meta({ permission, scope });
}

/** Any logged-in caller; acts on their own account or on nothing tenant-owned. */
export const selfProcedure = guarded(null, { kind: 'self' });
/** Requires `permission` on the whole platform. */
export const platformProcedure = (permission: Permission) => guarded(permission, { kind: 'platform' });
/** Requires `permission` on the workspace named by input field `field` (default `workspaceId`). */
export const workspaceProcedure = (permission: Permission, field = 'workspaceId') => guarded(permission, { kind: 'workspace', field });
/** Requires `permission` on the namespace named by input fields `clusterId` and `name`. */
export const namespaceProcedure = (permission: Permission, clusterField = 'clusterId', nameField = 'name') =>
  guarded(permission, { kind: 'namespace', clusterField, nameField });
/** Requires `permission` on the namespace of the id in input field `field` (`<clusterId>.<namespace>.<name>`, e.g. an appId). */
export const namespaceIdProcedure = (permission: Permission, field = 'appId') => guarded(permission, { kind: 'namespaceId', field });
/** Requires `permission` on the scope given as input field `field`. */
export const scopeInputProcedure = (permission: Permission, field = 'scope') => guarded(permission, { kind: 'scopeInput', field });
/** A list: allowed where the caller holds `permission` anywhere; `ctx.visible` says where, for filtering. */
export const listProcedure = (permission: Permission) => guarded(permission, { kind: 'list' });
