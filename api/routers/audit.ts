import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { permissions } from '../../domain/permissions';
import { router, platformProcedure } from '../trpc';
import { readYourWrites } from './inputs';
import { caughtUp } from './run-command';
import { auditRecordDetail, InvalidAuditCursorError, listAuditRecords, type AuditFilter } from '../../projections/audit/queries';
import { stateAt } from '../../projections/audit/state-at';
import { whoHeldPermission } from '../../projections/access-history/queries';

const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time' });
const label = z.string().trim().min(1, 'is required').max(63);

/** The filters of the audit list, shared by the CSV export (`GET /audit/export.csv?…`). */
export const auditFilterInput = z.object({
  from: isoTime.optional(),
  to: isoTime.optional(),
  module: z.string().max(64).optional(),
  action: z.string().max(128).optional(),
  /** The actor's display name. */
  user: z.string().max(128).optional(),
  actorId: z.string().max(128).optional(),
  outcome: z.enum(['accepted', 'rejected']).optional(),
  targetKind: z.string().max(64).optional(),
  targetId: z.string().max(512).optional(),
  clusterId: z.string().max(63).optional(),
  workspaceId: z.string().max(63).optional(),
  namespace: z.string().max(63).optional(),
});

export type AuditFilterInput = z.infer<typeof auditFilterInput>;

function checkWindow(from: string | undefined, to: string | undefined): void {
  if (from && to && Date.parse(from) > Date.parse(to)) throw new DomainError('invalid', 'from: must not be later than to', { field: 'from' });
}

export function toAuditFilter(input: AuditFilterInput): AuditFilter {
  checkWindow(input.from, input.to);
  return {
    from: input.from,
    to: input.to,
    module: input.module || undefined,
    action: input.action || undefined,
    actorName: input.user || undefined,
    actorId: input.actorId || undefined,
    outcome: input.outcome,
    targetKind: input.targetKind || undefined,
    targetId: input.targetId || undefined,
    clusterId: input.clusterId || undefined,
    workspaceId: input.workspaceId || undefined,
    namespace: input.namespace || undefined,
  };
}

export const auditRouter = router({
  list: platformProcedure('audit:read')
    .input(
      readYourWrites.extend(auditFilterInput.shape).extend({
        cursor: z.string().max(512).optional(),
        limit: z.number().int().min(1).max(500).optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      await caughtUp(ctx, input.minPosition);
      try {
        return await listAuditRecords(ctx.services.db, toAuditFilter(input), { cursor: input.cursor, limit: input.limit });
      } catch (error) {
        if (error instanceof InvalidAuditCursorError) throw new DomainError('invalid', error.message, { field: 'cursor' });
        throw error;
      }
    }),

  get: platformProcedure('audit:read')
    .input(z.object({ commandId: z.string().min(1).max(128) }))
    .query(async ({ ctx, input }) => {
      const record = await auditRecordDetail(ctx.services.db, ctx.services.store, input.commandId);
      if (!record) throw new DomainError('not_found', `commandId: no audit record for command "${input.commandId}"`, { field: 'commandId' });
      return record;
    }),

  /** A workspace, namespace (`clusterId/name`) or user as it was at `at`, folded from its stream. */
  stateAt: platformProcedure('audit:read')
    .input(z.object({ kind: z.enum(['workspace', 'namespace', 'user']), id: z.string().trim().min(1, 'is required').max(200), at: isoTime }))
    .query(({ ctx, input }) => stateAt(ctx.services.store, input)),

  /** Who held `permission` on a namespace at any moment of [from, to], with the periods and the grants. */
  whoHeld: platformProcedure('audit:read')
    .input(
      readYourWrites.extend({
        permission: z.enum(permissions),
        clusterId: label,
        namespace: label,
        from: isoTime,
        to: isoTime,
      }),
    )
    .query(async ({ ctx, input }) => {
      await caughtUp(ctx, input.minPosition);
      checkWindow(input.from, input.to);
      return whoHeldPermission(ctx.services.db, input);
    }),
});
