import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../app/services';
import type { Permission } from '../domain/permissions';
import type { CommandContext } from '../commands/context';
import { randomUUID } from 'node:crypto';

export const SESSION_COOKIE = 'bosun_session';

export interface ApiUser {
  id: string;
  name: string;
  permissions: Permission[];
}

export interface ApiContext {
  services: Services;
  user: ApiUser | null;
  clientIp: string;
  req: FastifyRequest;
  reply: FastifyReply;
  log: FastifyBaseLogger;
}

export async function createContext(services: Services, req: FastifyRequest, reply: FastifyReply): Promise<ApiContext> {
  const token = req.cookies?.[SESSION_COOKIE];
  let user: ApiUser | null = null;
  if (token) {
    const session = await services.sessions.lookup(token, services.clock());
    if (session) user = await services.users.describe(session.userId);
  }
  return { services, user, clientIp: req.ip, req, reply, log: req.log };
}

/** The metadata every command from this request carries. */
export function commandContext(ctx: ApiContext & { user: ApiUser }, commandId: string): CommandContext {
  return {
    actor: { kind: 'user', id: ctx.user.id, name: ctx.user.name },
    commandId,
    correlationId: (ctx.req.headers['x-correlation-id'] as string | undefined) ?? randomUUID(),
    causationId: null,
    clientIp: ctx.clientIp,
    now: ctx.services.clock(),
  };
}
