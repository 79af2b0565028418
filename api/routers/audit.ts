import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { router, platformProcedure } from '../trpc';
import { readYourWrites } from './inputs';
import { caughtUp } from './run-command';
import { auditRecordDetail, InvalidAuditCursorError, listAuditRecords } from '../../projections/audit/queries';

const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time' });

export const auditRouter = router({
  list: platformProcedure('audit:read')
    .input(
      readYourWrites.extend({
        from: isoTime.optional(),
        to: isoTime.optional(),
        module: z.string().max(64).optional(),
        action: z.string().max(128).optional(),
        user: z.string().max(128).optional(),
        outcome: z.enum(['accepted', 'rejected']).optional(),
        targetKind: z.string().max(64).optional(),
        targetId: z.string().max(512).optional(),
        clusterId: z.string().max(63).optional(),
        workspaceId: z.string().max(63).optional(),
        namespace: z.string().max(63).optional(),
        cursor: z.string().max(512).optional(),
        limit: z.number().int().min(1).max(500).optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      await caughtUp(ctx, input.minPosition);
      if (input.from && input.to && Date.parse(input.from) > Date.parse(input.to)) {
        throw new DomainError('invalid', 'from: must not be later than to', { field: 'from' });
      }
      try {
        return await listAuditRecords(
          ctx.services.db,
          {
            from: input.from,
            to: input.to,
            module: input.module,
            action: input.action,
            actorName: input.user,
            outcome: input.outcome,
            targetKind: input.targetKind,
            targetId: input.targetId,
            clusterId: input.clusterId,
            workspaceId: input.workspaceId,
            namespace: input.namespace,
          },
          { cursor: input.cursor, limit: input.limit },
        );
      } catch (error) {
        if (error instanceof InvalidAuditCursorError) throw new DomainError('invalid', error.message, { field: 'cursor' });
        throw error;
      }
    }),

  get: platformProcedure('audit:read')
    .input(z.object({ commandId: z.string().min(1).max(128) }))
    .query(async ({ ctx, input }) => {
      const record = await auditRecordDetail(ctx.services.db, input.commandId);
      if (!record) throw new DomainError('not_found', `commandId: no audit record for command "${input.commandId}"`, { field: 'commandId' });
      return record;
    }),
});
