import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import { isDomainError } from '../../domain/errors';
import type { ExternalIdentity } from '../../identity/external';
import type { OidcLogin, PendingLogin } from '../../identity/oidc';

export interface OidcRoutesOptions {
  login: OidcLogin;
  /** Creates the Bosun session for the identity and answers the browser (typically a redirect to `/`). */
  signIn(identity: ExternalIdentity, req: FastifyRequest, reply: FastifyReply): Promise<void>;
}

export const OIDC_PENDING_COOKIE = 'bosun_oidc_pending';
const COOKIE_PATH = '/auth/oidc';
const PENDING_MAX_AGE_SECONDS = 600;

const statusByCode: Record<string, number> = { invalid: 400, forbidden: 401, conflict: 409, precondition_failed: 502 };

/**
 * `GET /auth/oidc/login` sends the browser to the provider; `GET /auth/oidc/callback` receives it back.
 * The pending state, nonce and PKCE verifier ride in a cookie: they are random values that only matter
 * when they come back from the same browser, so the cookie needs no signature, only httpOnly and a short life.
 */
export const oidcRoutes: FastifyPluginAsync<OidcRoutesOptions> = async (app, options) => {
  app.get('/auth/oidc/login', async (req, reply) => {
    let started: Awaited<ReturnType<OidcLogin['begin']>>;
    try {
      started = await options.login.begin();
    } catch (error) {
      return refuse(req, reply, error);
    }
    reply.setCookie(OIDC_PENDING_COOKIE, encodePending(started.pending), {
      path: COOKIE_PATH,
      httpOnly: true,
      sameSite: 'lax', // the provider's redirect back is a cross-site top-level GET; Strict would drop the cookie
      secure: req.protocol === 'https',
      maxAge: PENDING_MAX_AGE_SECONDS,
    });
    return reply.redirect(started.url, 302);
  });

  // logLevel warn: the routine request log line would carry the authorization code in the URL.
  app.get('/auth/oidc/callback', { logLevel: 'warn' }, async (req, reply) => {
    const pending = decodePending(req.cookies[OIDC_PENDING_COOKIE]);
    reply.clearCookie(OIDC_PENDING_COOKIE, { path: COOKIE_PATH });
    if (!pending) {
      return reply
        .code(400)
        .type('text/plain; charset=utf-8')
        .send('Sign-in failed: no sign-in is pending in this browser (its cookie is missing or expired). Start again at /auth/oidc/login.\n');
    }
    let identity: ExternalIdentity;
    try {
      identity = await options.login.complete(new URL(req.url, options.login.redirectUri), pending);
    } catch (error) {
      return refuse(req, reply, error);
    }
    try {
      await options.signIn(identity, req, reply);
    } catch (error) {
      // e.g. the provider's username is taken by a local user: a refusal, not a server fault.
      return refuse(req, reply, error);
    }
    return reply;
  });
};

function refuse(req: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const known = isDomainError(error) ? error : null;
  const status = (known && statusByCode[known.code]) || 500;
  const message = known ? known.message : 'internal error';
  req.log.warn({ code: known?.code ?? 'internal' }, `OIDC sign-in refused: ${message}`);
  if (!known) req.log.error({ err: error }, 'OIDC sign-in failed unexpectedly');
  return reply.code(status).type('text/plain; charset=utf-8').send(`Sign-in failed: ${message}\n`);
}

function encodePending(pending: PendingLogin): string {
  return Buffer.from(JSON.stringify(pending)).toString('base64url');
}

function decodePending(cookie: string | undefined): PendingLogin | null {
  if (!cookie) return null;
  try {
    const value = JSON.parse(Buffer.from(cookie, 'base64url').toString('utf8')) as Partial<PendingLogin>;
    const { state, nonce, codeVerifier } = value;
    if (typeof state !== 'string' || typeof nonce !== 'string' || typeof codeVerifier !== 'string') return null;
    return { state, nonce, codeVerifier };
  } catch {
    return null;
  }
}
