/**
 * `GET /audit/export.csv?<the audit list's filters>`: the matching audit records as CSV, newest
 * first, streamed page by page (keyset), never all in memory. `X-Total-Count` is counted first
 * over a pinned snapshot (records at or below the last position at the start), so the client can
 * show progress and the count matches the rows. The export is itself audited (module `system`,
 * action `ExportAudit`, the filters as details); so is a refusal.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Services } from '../../app/services';
import { recordAttempt, type Attempt } from '../../commands/audit-attempt';
import { isDomainError } from '../../domain/errors';
import { authorize } from '../../domain/permissions';
import { auditCsvHeader, auditCsvLine } from '../../projections/audit/csv';
import { auditRecordPages, countAuditRecords, lastAuditPosition, type AuditFilter } from '../../projections/audit/queries';
import { authenticate, commandContext, type ApiUser } from '../context';
import { describeZodError } from '../errors';
import { auditFilterInput, toAuditFilter } from '../routers/audit';

export interface AuditExportOptions {
  services: Services;
}

const PAGE = 500;
/** Lets spreadsheet programs (Excel in particular) read the file as UTF-8; `?bom=0` leaves it out. */
const BOM = '\uFEFF';

async function* csv(services: Services, filter: AuditFilter, bom: boolean): AsyncGenerator<string> {
  yield (bom ? BOM : '') + auditCsvHeader;
  for await (const page of auditRecordPages(services.db, filter, PAGE)) yield page.map(auditCsvLine).join('');
}

function refuse(reply: FastifyReply, status: number, message: string, field?: string) {
  return reply.code(status).type('application/json; charset=utf-8').send({ error: message, ...(field ? { field } : {}) });
}

export const auditExportRoutes: FastifyPluginAsync<AuditExportOptions> = async (app, { services }) => {
  app.get('/audit/export.csv', async (req: FastifyRequest, reply: FastifyReply) => {
    const { user, authFailure } = await authenticate(services, req);
    if (authFailure) return refuse(reply, authFailure.status, authFailure.message);
    if (!user) return refuse(reply, 401, 'log in first');
    const audit = (attempt: Omit<Attempt, 'module' | 'action' | 'target'>) =>
      recordAttempt(
        services.store,
        { module: 'system', action: 'ExportAudit', target: { kind: 'platform', id: 'platform' }, ...attempt },
        commandContext({ services, user: user as ApiUser, authFailure: null, clientIp: req.ip, req, reply, log: req.log }, randomUUID()),
      );

    const query = { ...(req.query as Record<string, unknown>) };
    if (!authorize(user.access, 'audit:read', { kind: 'platform' })) {
      const message = 'forbidden: you lack the permission audit:read on the platform';
      const asked = Object.fromEntries(Object.entries(query).slice(0, 20).map(([k, v]) => [k.slice(0, 64), String(v).slice(0, 512)]));
      await audit({ details: asked, refusal: { code: 'forbidden', message } }).catch((err) => req.log.warn({ err }, 'could not record an access denial'));
      return refuse(reply, 403, message);
    }
    const bom = query.bom !== '0';
    delete query.bom;
    const parsed = auditFilterInput.strict().safeParse(query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return refuse(reply, 400, describeZodError(parsed.error), issue?.path.map(String).join('.') || undefined);
    }
    let filter: AuditFilter;
    try {
      filter = toAuditFilter(parsed.data);
    } catch (error) {
      if (isDomainError(error)) return refuse(reply, 400, error.message, error.field);
      throw error;
    }

    filter = { ...filter, maxPosition: await lastAuditPosition(services.db) };
    const total = await countAuditRecords(services.db, filter);
    await audit({ details: { ...parsed.data } });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="bosun-audit-${stamp}.csv"`)
      .header('x-total-count', String(total))
      .header('cache-control', 'no-store');
    return reply.send(Readable.from(csv(services, filter, bom), { objectMode: false }));
  });
};
