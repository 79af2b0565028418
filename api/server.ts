import Fastify, { type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import { fastifyTRPCPlugin, type CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { appRouter } from './router';
import { createContext } from './context';
import type { Services } from '../app/services';
import { renderMetrics } from './metrics';
import { oidcRoutes } from './routes/oidc';
import { k8sProxyPlugin } from './k8s-proxy/plugin';
import { auditExportRoutes } from './routes/audit-export';
import { containerLogsRoutes } from './containers/logs';
import { terminalRoutes } from './containers/terminal';
import { startSession } from './routers/auth';
import { stopWorkloadCache } from './routers/workloads';

export interface ServerOptions {
  services: Services;
  uiDir?: string;
  logger?: boolean | object;
  ready(): boolean;
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { services } = options;
  const app = Fastify({
    logger: withRedactedUrls(options.logger ?? false),
    trustProxy: false,
    // Request logs carry method, URL and status only: kubeconfigs and passwords travel in bodies, never logged.
    bodyLimit: 2 * 1024 * 1024,
  });
  await app.register(fastifyCookie);
  await app.register(k8sProxyPlugin, { services });

  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: ({ req, res }: CreateFastifyContextOptions) => createContext(services, req, res),
    },
  });
  app.addHook('preClose', async () => stopWorkloadCache(services));

  if (services.oidc) {
    await app.register(oidcRoutes, {
      login: services.oidc,
      async signIn(identity, req, reply) {
        const result = await services.signIn.withExternalIdentity(identity, req.ip);
        if (!result.ok) {
          reply.code(401).type('text/plain').send(result.message);
          return;
        }
        await startSession(services, req, reply, result.userId);
        reply.redirect('/', 302);
      },
    });
  }

  await app.register(auditExportRoutes, { services });
  await app.register(containerLogsRoutes, { services });
  await app.register(terminalRoutes, { services });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    if (!options.ready()) return reply.code(503).send({ status: 'starting' });
    return { status: 'ready', lag: await services.readModels.lag() };
  });
  app.get('/metrics', async (_req, reply) => {
    reply.type('text/plain; version=0.0.4');
    return renderMetrics(services);
  });

  const uiDir = options.uiDir ?? join(import.meta.dirname, '..', 'ui', 'dist');
  if (existsSync(uiDir)) {
    await app.register(fastifyStatic, { root: uiDir, wildcard: false });
    app.setNotFoundHandler((req, reply) => {
      if (req.method === 'GET' && !req.url.startsWith('/trpc') && !req.url.startsWith('/k8s')) {
        return reply.sendFile('index.html');
      }
      return reply.code(404).send({ error: 'not found' });
    });
  }
  return app;
}

/** Query parameters whose values never reach a log line (the terminal's WebSocket carries its CSRF token in the URL). */
const REDACTED_PARAMS = /([?&](?:csrf|token|access_token)=)[^&]*/gi;

/** Request logs with the URL's token parameters replaced by `[redacted]`. */
export function withRedactedUrls(logger: boolean | object): boolean | object {
  if (logger === false) return false;
  const base = logger === true ? {} : (logger as { serializers?: Record<string, unknown> });
  return {
    ...base,
    serializers: {
      ...base.serializers,
      req: (req: { method: string; url: string; hostname?: string; ip?: string }) => ({
        method: req.method,
        url: req.url.replace(REDACTED_PARAMS, '$1[redacted]'),
        host: req.hostname,
        remoteAddress: req.ip,
      }),
    },
  };
}
