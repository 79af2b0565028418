/**
 * Helpers for HTTP upgrades (WebSockets), which reach Node's `upgrade` event and never a fastify
 * route: the Kubernetes proxy's exec/attach/watch and the web terminal share them.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { fastifyCookie } from '@fastify/cookie';

/** Whether an Origin header names this server's own host (a page Bosun served). */
export function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** What `authenticate` reads of a request, built for an upgrade. */
export function upgradeRequest(raw: IncomingMessage, log: FastifyBaseLogger): FastifyRequest {
  const cookieHeader = raw.headers.cookie;
  return {
    raw,
    headers: raw.headers,
    method: raw.method ?? 'GET',
    url: raw.url ?? '/',
    ip: raw.socket.remoteAddress ?? '',
    cookies: cookieHeader ? fastifyCookie.parse(cookieHeader) : {},
    log,
  } as unknown as FastifyRequest;
}
