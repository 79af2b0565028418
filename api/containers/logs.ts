/**
 * `GET /containers/<clusterId>/<namespace>/<pod>/log?container=&follow=&tailLines=&sinceSeconds=&timestamps=&previous=`:
 * a container's log from the cluster's `pods/log`, passed on as chunked `text/plain` as it arrives
 * (with `follow`, until the container stops or the caller goes away; the cluster call ends with it).
 * Authenticated like tRPC (session cookie or API key); needs `containers:logs` on the namespace.
 * Bad options are refused with 400 naming the field, before the cluster is asked.
 */
import http from 'node:http';
import https from 'node:https';
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../app/services';
import { recordAttempt } from '../../commands/audit-attempt';
import { authenticate, commandContext, type ApiUser } from '../context';
import { upstreamFor } from '../k8s-proxy/upstream';
import { dnsLabelSchema } from '../../domain/schemas';
import { podRefSchema, Refusal, relayClusterRefusal, requireOnNamespace, unreachable, type PodRef } from './access';

export interface ContainerLogsOptions {
  services: Services;
  /** Deadline for the cluster's response headers. Default 15 s. */
  responseTimeoutMs?: number;
}

const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1');

export const logOptionsSchema = z
  .object({
    container: dnsLabelSchema.optional(),
    follow: flag,
    timestamps: flag,
    previous: flag,
    tailLines: z.coerce.number().int('must be a whole number').min(0, 'must be 0 or more').max(1_000_000, 'must be at most 1000000').optional(),
    sinceSeconds: z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more').max(10 * 365 * 86400, 'is too large').optional(),
    limitBytes: z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more').optional(),
  })
  .strict();
export type LogOptions = z.infer<typeof logOptionsSchema>;

function refuse(reply: FastifyReply, refusal: Refusal) {
  return reply
    .code(refusal.status)
    .header('cache-control', 'no-store')
    .type('application/json; charset=utf-8')
    .send({ error: refusal.message, ...(refusal.field ? { field: refusal.field } : {}) });
}

export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    throw new Refusal(400, `${key}: is not a log option (container, follow, tailLines, sinceSeconds, timestamps, previous, limitBytes)`, key);
  }
  const field = issue?.path.map(String).join('.') || 'query';
  throw new Refusal(400, `${field}: ${issue?.message ?? 'is invalid'}`, field);
}

export function logQuery(options: LogOptions): string {
  const q = new URLSearchParams();
  if (options.container) q.set('container', options.container);
  if (options.follow) q.set('follow', 'true');
  if (options.timestamps) q.set('timestamps', 'true');
  if (options.previous) q.set('previous', 'true');
  if (options.tailLines !== undefined) q.set('tailLines', String(options.tailLines));
  if (options.sinceSeconds !== undefined) q.set('sinceSeconds', String(options.sinceSeconds));
  if (options.limitBytes !== undefined) q.set('limitBytes', String(options.limitBytes));
  return q.toString();
}

export const containerLogsRoutes: FastifyPluginAsync<ContainerLogsOptions> = async (app, options) => {
  const { services } = options;
  const responseTimeoutMs = options.responseTimeoutMs ?? 15_000;
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  app.get('/containers/:clusterId/:namespace/:pod/log', async (req: FastifyRequest, reply: FastifyReply) => {
    let ref: PodRef;
    let opts: LogOptions;
    try {
      const { user, authFailure } = await authenticate(services, req);
      if (authFailure) throw new Refusal(authFailure.status, authFailure.message);
      if (!user) throw new Refusal(401, 'log in first');
      ref = parse(podRefSchema, req.params);
      try {
        await requireOnNamespace(services.db, user, 'containers:logs', ref.clusterId, ref.namespace);
      } catch (error) {
        if (error instanceof Refusal && error.status === 403) {
          await recordAttempt(
            services.store,
            {
              module: 'containers',
              action: 'ReadContainerLog',
              target: { kind: 'namespace', id: `${ref.clusterId}/${ref.namespace}`, clusterId: ref.clusterId, namespace: ref.namespace },
              details: { pod: ref.pod },
              refusal: { code: 'forbidden', message: error.message },
            },
            commandContext({ services, user: user as ApiUser, authFailure: null, clientIp: req.ip, req, reply, log: req.log }, randomUUID()),
          ).catch((err) => req.log.warn({ err }, 'could not record a log access denial'));
        }
        throw error;
      }
      opts = parse(logOptionsSchema, req.query ?? {});
    } catch (error) {
      if (error instanceof Refusal) return refuse(reply, error);
      throw error;
    }

    let upstream;
    try {
      upstream = await upstreamFor((await services.clusterAccess.clientFor(ref.clusterId)).kubeConfig);
    } catch (error) {
      if ((error as { code?: string }).code === 'not_found') return refuse(reply, new Refusal(404, `cluster "${ref.clusterId}" is not registered`, 'clusterId'));
      throw error;
    }
    const path = `${upstream.basePath}/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/pods/${encodeURIComponent(ref.pod)}/log?${logQuery(opts)}`;

    reply.hijack();
    const res = reply.raw;
    const upstreamReq = (upstream.secure ? https : http).request({
      method: 'GET',
      hostname: upstream.hostname,
      port: upstream.port,
      path,
      headers: { ...upstream.authHeaders, host: upstream.host, accept: 'text/plain, application/json' },
      agent: upstream.agent,
      auth: upstream.auth,
    });
    const end = () => {
      upstreamReq.destroy();
      res.destroy();
    };
    open.add(end);
    const timer = setTimeout(() => upstreamReq.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), responseTimeoutMs);
    const sendRefusal = (refusal: Refusal) => {
      if (res.headersSent || res.destroyed) return res.destroy();
      res.writeHead(refusal.status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ error: refusal.message, ...(refusal.field ? { field: refusal.field } : {}) }));
    };

    upstreamReq.on('response', (up) => {
      clearTimeout(timer);
      const status = up.statusCode ?? 502;
      if (status !== 200) {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.length < 64 && chunks.push(c));
        up.on('end', () => sendRefusal(relayClusterRefusal(status, Buffer.concat(chunks))));
        up.on('error', () => sendRefusal(unreachable(ref.clusterId, new Error('the answer was cut'))));
        return;
      }
      res.writeHead(200, {
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        // Proxies in front of Bosun must not buffer a followed log.
        'x-accel-buffering': 'no',
      });
      res.flushHeaders();
      up.on('error', () => res.destroy());
      up.pipe(res);
    });
    upstreamReq.on('error', (error) => {
      clearTimeout(timer);
      if (res.headersSent) return res.destroy();
      if (res.destroyed) return;
      sendRefusal(unreachable(ref.clusterId, error));
    });
    // The caller went away (closed the tab, stopped following): so does the cluster call.
    res.on('close', () => {
      clearTimeout(timer);
      open.delete(end);
      upstreamReq.destroy();
    });
    upstreamReq.end();
  });
};
