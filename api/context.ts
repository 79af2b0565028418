import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Services } from '../app/services';
import type { CommandContext } from '../commands/context';
import { principalForApiKey, principalForUser, type Principal } from '../identity/principal';
import { looksLikeApiKey } from '../identity/api-keys';
import { recordAttempt } from '../commands/audit-attempt';

export const SESSION_COOKIE = 'bosun_session';
/** Double-submit CSRF token: readable by the UI's script, echoed in the `x-bosun-csrf` header on every mutation. */
export const CSRF_COOKIE = 'bosun_csrf';
export const CSRF_HEADER = 'x-bosun-csrf';

export type ApiUser = Principal;

export interface ApiContext {
  services: Services;
  user: ApiUser | null;
  /** Why credentials that were presented are refused (bad API key, missing CSRF token). */
  authFailure: { status: 401 | 403; message: string } | null;
  clientIp: string;
  req: FastifyRequest;
  reply: FastifyReply;
  log: FastifyBaseLogger;
}

const keyRefusals = {
  unknown: 'API key not recognised',
  revoked: 'API key has been revoked',
  expired: 'API key has expired',
  user_disabled: "API key's user is disabled",
} as const;

export function bearerToken(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1] : null;
}

export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** Resolves the caller from a Bearer API key or the session cookie; refusals of an API key are audited. */
export async function authenticate(services: Services, req: FastifyRequest): Promise<Pick<ApiContext, 'user' | 'authFailure'>> {
  const now = services.clock();
  const bearer = bearerToken(req);
  if (bearer) {
    const result = await principalForApiKey(services.db, bearer, now);
    if (typeof result !== 'string') return { user: result, authFailure: null };
    // Only a Bosun key's public prefix is recorded; any other token sent by mistake is not copied at all.
    const shown = looksLikeApiKey(bearer) ? bearer.slice(0, 10) : 'not a Bosun key';
    await recordAttempt(
      services.store,
      {
        module: 'auth',
        action: 'UseApiKey',
        target: { kind: 'platform', id: 'platform' },
        details: { keyPrefix: shown, method: req.method, url: req.url.split('?')[0] },
        refusal: { code: 'unauthorized', message: keyRefusals[result] },
      },
      { actor: { kind: 'apiKey', id: shown, name: 'unknown' }, commandId: randomUUID(), correlationId: randomUUID(), causationId: null, clientIp: req.ip, now },
    ).catch((error) => req.log.warn({ err: error }, 'could not record a refused API key'));
    return { user: null, authFailure: { status: 401, message: keyRefusals[result] } };
  }
  const token = req.cookies?.[SESSION_COOKIE];
  if (!token) return { user: null, authFailure: null };
  const session = await services.sessions.lookup(token, now);
  if (!session) return { user: null, authFailure: null };
  const user = await principalForUser(services.db, session.userId);
  if (!user) {
    // Disabled (or removed) since the session began: end it now.
    await services.sessions.revokeAllFor(session.userId);
    return { user: null, authFailure: null };
  }
  // A cookie rides along on any request the browser makes, so a state-changing request must also
  // prove it came from Bosun's own page by echoing the CSRF cookie in a header.
  const mutating = req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS';
  if (mutating && !sameToken(req.cookies?.[CSRF_COOKIE], req.headers[CSRF_HEADER] as string | undefined)) {
    await recordAttempt(
      services.store,
      {
        module: 'auth',
        action: 'CsrfCheck',
        target: { kind: 'user', id: user.id },
        details: { method: req.method, url: req.url.split('?')[0], origin: req.headers.origin ?? null },
        refusal: { code: 'forbidden', message: 'missing or wrong CSRF token' },
      },
      { actor: { kind: 'user', id: user.id, name: user.name }, commandId: randomUUID(), correlationId: randomUUID(), causationId: null, clientIp: req.ip, now },
    ).catch((error) => req.log.warn({ err: error }, 'could not record a CSRF refusal'));
    return { user: null, authFailure: { status: 403, message: `missing or wrong CSRF token: send the ${CSRF_COOKIE} cookie's value in the ${CSRF_HEADER} header` } };
  }
  return { user, authFailure: null };
}

export async function createContext(services: Services, req: FastifyRequest, reply: FastifyReply): Promise<ApiContext> {
  const { user, authFailure } = await authenticate(services, req);
  return { services, user, authFailure, clientIp: req.ip, req, reply, log: req.log };
}

/** The metadata every command from this request carries. */
export function commandContext(ctx: ApiContext & { user: ApiUser }, commandId: string): CommandContext {
  return {
    actor:
      ctx.user.kind === 'apiKey'
        ? { kind: 'apiKey', id: ctx.user.id, name: `${ctx.user.name} (API key ${ctx.user.keyId})` }
        : { kind: 'user', id: ctx.user.id, name: ctx.user.name },
    commandId,
    correlationId: (ctx.req.headers['x-correlation-id'] as string | undefined) ?? randomUUID(),
    causationId: null,
    clientIp: ctx.clientIp,
    now: ctx.services.clock(),
  };
}
