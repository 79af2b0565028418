/**
 * The Kubernetes proxy: `/k8s/clusters/<clusterId>/<kubernetes path>` for every method and for
 * WebSocket upgrades (exec, attach, port-forward). Each call is authenticated as a Bosun caller (API
 * key or session), passed through a coarse gate (does the caller hold anything reaching this
 * cluster?), stripped of every credential and identity header, and forwarded with the cluster's own
 * credentials and `Impersonate-User`/`Impersonate-Group` naming the caller, so the cluster's RBAC,
 * projected from Bosun's grants, decides. Bodies stream both ways (watches, followed logs); a
 * caller going away aborts the upstream call. Mutations and sessions are audited; bodies never are.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger, FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { sameHost, upgradeRequest } from '../upgrade-request';
import type { Services } from '../../app/services';
import { authenticate, bearerToken } from '../context';
import type { Principal } from '../../identity/principal';
import { recordAttempt } from '../../commands/audit-attempt';
import type { AuditTarget } from '../../commands/audit-events';
import type { CommandContext } from '../../commands/context';
import { getNamespace } from '../../projections/namespaces/queries';
import { auditAction, isLongRunning, isMutating, parseKubeRequest, type KubeRequestInfo } from './request-info';
import { clusterRefusal, reachesCluster } from './access';
import { carriesImpersonation, downstreamResponseHeaders, upstreamFor, upstreamRequestHeaders, type Upstream } from './upstream';
import { SAFETY_HEADERS, sendStatus, writeRawResponse, writeRawStatus } from './status';

export const K8S_PROXY_PREFIX = '/k8s/clusters/';

export interface K8sProxyOptions {
  services: Services;
  /** Deadline for opening the connection to the API server (TCP and TLS). Default 10 s. */
  connectTimeoutMs?: number;
  /** Deadline for the response headers of an ordinary (not long-running) call. Default 60 s, kube-apiserver's own. */
  responseTimeoutMs?: number;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const CLUSTER_ID = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** How much of an error answer is read to name the refusal in the audit record (Status objects are small). */
const ERROR_PEEK_BYTES = 16 * 1024;

class ProxyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The target of a proxied request, split from the URL. */
export interface ProxyTarget {
  clusterId: string;
  /** The Kubernetes path, e.g. `/api/v1/namespaces/a/pods`. */
  path: string;
  /** The query string with its `?`, or ''. */
  search: string;
  query: URLSearchParams;
}

export function splitProxyUrl(rawUrl: string): ProxyTarget {
  if (!rawUrl.startsWith(K8S_PROXY_PREFIX)) throw new ProxyError(404, 'not found');
  const q = rawUrl.indexOf('?');
  const pathname = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const search = q === -1 ? '' : rawUrl.slice(q);
  const rest = pathname.slice(K8S_PROXY_PREFIX.length);
  const slash = rest.indexOf('/');
  const clusterId = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '/' : rest.slice(slash);
  if (!CLUSTER_ID.test(clusterId)) throw new ProxyError(404, `cluster "${clusterId.slice(0, 64)}" not found`);
  // Dot segments would make the audited path differ from the one the API server resolves.
  if (path.split('/').some((s) => s === '.' || s === '..' || /^%2e(%2e)?$/i.test(s) || /^\.%2e$|^%2e\.$/i.test(s))) {
    throw new ProxyError(400, `the path ${path} contains "." or ".." segments`);
  }
  return { clusterId, path, search, query: new URLSearchParams(search) };
}

interface Admitted {
  user: Principal;
  target: ProxyTarget;
  info: KubeRequestInfo;
  upstream: Upstream;
  clientIp: string;
  correlationId: string;
}

export const k8sProxyPlugin: FastifyPluginAsync<K8sProxyOptions> = async (app, options) => {
  const proxy = new KubeProxy(options, app.log);

  // Bodies are streamed to the cluster untouched: no parsing, no buffering, no body limit of Bosun's own.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));

  for (const url of ['/k8s/clusters/:clusterId', '/k8s/clusters/:clusterId/*']) {
    app.route({
      method: [...METHODS],
      url,
      exposeHeadRoute: false,
      handler: (req, reply) => {
        reply.hijack();
        void proxy.handle(req, reply.raw);
      },
    });
  }

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (req.url?.startsWith(K8S_PROXY_PREFIX)) {
      void proxy.upgrade(req, socket, head, app);
    } else if (app.server.listenerCount('upgrade') === 1) {
      // Nobody else serves upgrades: answer rather than leave the socket hanging.
      writeRawStatus(socket, 404, 'not found');
    }
  };
  app.server.on('upgrade', onUpgrade);
  app.addHook('preClose', async () => {
    app.server.off('upgrade', onUpgrade);
    proxy.closeAll();
  });
};

export class KubeProxy {
  private readonly services: Services;
  private readonly connectTimeoutMs: number;
  private readonly responseTimeoutMs: number;
  /** Open calls and sessions, ended when the server closes (watches and exec sessions never end by themselves). */
  private readonly open = new Set<() => void>();

  constructor(
    options: K8sProxyOptions,
    private readonly log: FastifyBaseLogger,
  ) {
    this.services = options.services;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.responseTimeoutMs = options.responseTimeoutMs ?? 60_000;
  }

  closeAll(): void {
    for (const end of [...this.open]) end();
    this.open.clear();
  }

  private track(end: () => void): () => void {
    this.open.add(end);
    return () => this.open.delete(end);
  }

  /** Authentication, the impersonation rule and the cluster gate: the same for plain calls and upgrades. */
  private async admit(req: FastifyRequest, rawUrl: string, method: string, upgrade: boolean): Promise<Admitted> {
    const target = splitProxyUrl(rawUrl);
    const info = parseKubeRequest(method, target.path, target.query);
    const { user, authFailure } = await authenticate(this.services, req);
    if (authFailure) throw new ProxyError(authFailure.status, authFailure.message);
    if (!user) throw new ProxyError(401, 'Unauthorized: send a Bosun API key as "Authorization: Bearer bsk_…" (download a kubeconfig from Bosun), or log in');
    const clientIp = req.ip;
    const correlationId = (typeof req.headers['x-correlation-id'] === 'string' && req.headers['x-correlation-id'].slice(0, 128)) || randomUUID();
    const admitted = { user, target, info, clientIp, correlationId };

    if (upgrade && !bearerToken(req)) {
      // A browser sends the session cookie on a WebSocket from any page; only Bosun's own page may open one.
      const origin = req.headers.origin;
      if (origin && !sameHost(origin, req.headers.host)) {
        const message = `forbidden: a session cookie is accepted only from Bosun's own page, not from ${origin.slice(0, 200)}`;
        await this.audit(admitted, 403, { code: 'forbidden', message });
        throw new ProxyError(403, message);
      }
    }
    if (carriesImpersonation(req.headers)) {
      const message = 'forbidden: Impersonate-* headers are not accepted; Bosun itself impersonates you at the cluster';
      await this.audit(admitted, 403, { code: 'forbidden', message });
      throw new ProxyError(403, message);
    }
    if (!(await reachesCluster(this.services.db, user.access, target.clusterId))) {
      const message = clusterRefusal(target.clusterId);
      await this.audit(admitted, 403, { code: 'forbidden', message });
      throw new ProxyError(403, message);
    }
    let upstream: Upstream;
    try {
      upstream = await upstreamFor((await this.services.clusterAccess.clientFor(target.clusterId)).kubeConfig);
    } catch (error) {
      if ((error as { code?: string }).code === 'not_found') throw new ProxyError(404, `cluster "${target.clusterId}" is not registered`);
      throw error;
    }
    return { ...admitted, upstream };
  }

  async handle(req: FastifyRequest, res: ServerResponse): Promise<void> {
    let gone = false;
    res.once('close', () => (gone = true));
    try {
      const admitted = await this.admit(req, req.raw.url ?? '/', req.method, false);
      // The caller may have left while we looked them up; then nothing is sent on.
      if (!gone) this.forward(req, res, admitted);
    } catch (error) {
      this.refuse(req.raw, error, (code, message) => sendStatus(res, code, message));
    }
  }

  private forward(req: FastifyRequest, res: ServerResponse, admitted: Admitted): void {
    const { upstream, target, info, user } = admitted;
    const mutating = isMutating(req.method, info);
    const headers = upstreamRequestHeaders(req.headers, upstream, { userId: user.id, groups: user.groups, clientIp: admitted.clientIp });
    const upstreamReq = (upstream.secure ? https : http).request({
      method: req.method,
      hostname: upstream.hostname,
      port: upstream.port,
      path: upstream.basePath + target.path + target.search,
      headers,
      agent: upstream.agent,
      auth: upstream.auth,
    });
    let audited = false;
    const auditOnce = (status: number, refusal?: { code: string; message: string }) => {
      if (audited || !mutating) return;
      audited = true;
      void this.audit(admitted, status, refusal);
    };
    const untrack = this.track(() => {
      upstreamReq.destroy();
      res.destroy();
    });
    const clearTimers = this.timeouts(upstreamReq, upstream.secure, isLongRunning(info, target.query) ? null : this.responseTimeoutMs);

    upstreamReq.on('response', (up) => {
      clearTimers();
      const status = up.statusCode ?? 502;
      res.writeHead(status, { ...downstreamResponseHeaders(up.rawHeaders), ...SAFETY_HEADERS });
      res.flushHeaders();
      if (status < 400) {
        // The cluster did it: recorded now, whether or not the caller reads the whole answer.
        auditOnce(status);
      } else if (mutating) {
        // The start of an error answer (a Status object) names the refusal; success bodies are never read.
        const peek: Buffer[] = [];
        let peeked = 0;
        up.on('data', (chunk: Buffer) => {
          if (peeked >= ERROR_PEEK_BYTES) return;
          peek.push(chunk);
          peeked += chunk.length;
        });
        up.once('close', () => auditOnce(status, refusalFor(status, Buffer.concat(peek))));
      }
      up.on('error', () => res.destroy());
      up.pipe(res);
    });
    upstreamReq.on('error', (error) => {
      clearTimers();
      if (res.headersSent) {
        // The answer was under way: the caller sees it cut, as from the API server itself.
        res.destroy();
        return;
      }
      const code = error instanceof ProxyError ? error.status : 502;
      const message = error instanceof ProxyError ? error.message : `cluster "${target.clusterId}" is unreachable: ${(error as NodeJS.ErrnoException).code ?? error.message}`;
      if (res.destroyed) return; // the caller left first; recorded below
      this.log.warn({ clusterId: target.clusterId, method: req.method, path: target.path, reason: message }, 'kubernetes proxy: upstream call failed');
      auditOnce(code, { code: 'failed', message });
      sendStatus(res, code, message);
    });
    res.on('close', () => {
      untrack();
      clearTimers();
      if (res.writableFinished) return;
      // The caller went away (a watch closed, a log stopped following): so does the upstream call.
      upstreamReq.destroy();
      if (!res.headersSent) auditOnce(499, { code: 'failed', message: 'the client closed the connection before the cluster answered' });
    });
    req.raw.on('error', () => upstreamReq.destroy());
    req.raw.pipe(upstreamReq);
  }

  /** A WebSocket (or SPDY) upgrade: admitted like any call, then the two sockets are joined byte for byte. */
  async upgrade(raw: IncomingMessage, socket: Duplex, head: Buffer, app: FastifyInstance): Promise<void> {
    socket.on('error', () => socket.destroy());
    try {
      const admitted = await this.admit(upgradeRequest(raw, app.log), raw.url ?? '/', raw.method ?? 'GET', true);
      if (!socket.destroyed) this.join(raw, socket, head, admitted);
    } catch (error) {
      this.refuse(raw, error, (code, message) => writeRawStatus(socket, code, message));
    }
  }

  private join(raw: IncomingMessage, socket: Duplex, head: Buffer, admitted: Admitted): void {
    const { upstream, target, info, user } = admitted;
    const mutating = isMutating(raw.method ?? 'GET', info);
    const headers = upstreamRequestHeaders(raw.headers, upstream, { userId: user.id, groups: user.groups, clientIp: admitted.clientIp });
    headers.connection = 'Upgrade';
    headers.upgrade = raw.headers.upgrade ?? 'websocket';
    const upstreamReq = (upstream.secure ? https : http).request({
      ...upstream.tls,
      method: raw.method,
      hostname: upstream.hostname,
      port: upstream.port,
      path: upstream.basePath + target.path + target.search,
      headers,
      auth: upstream.auth,
      agent: false,
    });
    let upstreamSocket: Duplex | null = null;
    const untrack = this.track(() => {
      upstreamReq.destroy();
      upstreamSocket?.destroy();
      socket.destroy();
    });
    const clearTimers = this.timeouts(upstreamReq, upstream.secure, this.responseTimeoutMs);
    let settled = false;
    const audit = (status: number, refusal?: { code: string; message: string }) => {
      if (mutating) void this.audit(admitted, status, refusal);
    };
    socket.on('close', () => {
      untrack();
      clearTimers();
      upstreamReq.destroy();
      upstreamSocket?.destroy();
      if (!settled) {
        settled = true;
        audit(499, { code: 'failed', message: 'the client closed the connection before the session opened' });
      }
    });

    upstreamReq.on('upgrade', (up, upSocket, upHead) => {
      clearTimers();
      settled = true;
      upstreamSocket = upSocket;
      if (socket.destroyed) {
        upSocket.destroy();
        return;
      }
      const lines = [`HTTP/1.1 101 Switching Protocols`];
      for (let i = 0; i + 1 < up.rawHeaders.length; i += 2) {
        if (up.rawHeaders[i].toLowerCase() === 'set-cookie') continue;
        lines.push(`${up.rawHeaders[i]}: ${up.rawHeaders[i + 1]}`);
      }
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (upHead.length > 0) socket.write(upHead);
      if (head.length > 0) upSocket.write(head);
      for (const s of [socket, upSocket]) {
        (s as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
        (s as { setTimeout?: (ms: number) => void }).setTimeout?.(0);
      }
      upSocket.on('error', () => socket.destroy());
      upSocket.on('close', () => socket.destroy());
      upSocket.pipe(socket);
      socket.pipe(upSocket);
      audit(101);
    });
    upstreamReq.on('response', (up) => {
      // The API server refused to upgrade (403, 404, 400…): pass its answer on and close.
      clearTimers();
      settled = true;
      const status = up.statusCode ?? 502;
      const chunks: Buffer[] = [];
      let size = 0;
      up.on('data', (chunk: Buffer) => {
        if (size < 1024 * 1024) chunks.push(chunk);
        size += chunk.length;
      });
      up.on('end', () => {
        const body = Buffer.concat(chunks);
        const responseHeaders = downstreamResponseHeaders(up.rawHeaders);
        delete responseHeaders['content-length'];
        writeRawResponse(socket, status, responseHeaders, body);
        audit(status, status >= 400 ? refusalFor(status, body) : undefined);
      });
      up.on('error', () => socket.destroy());
    });
    upstreamReq.on('error', (error) => {
      clearTimers();
      if (settled) return;
      settled = true;
      const code = error instanceof ProxyError ? error.status : 502;
      const message = error instanceof ProxyError ? error.message : `cluster "${target.clusterId}" is unreachable: ${(error as NodeJS.ErrnoException).code ?? error.message}`;
      this.log.warn({ clusterId: target.clusterId, path: target.path, reason: message }, 'kubernetes proxy: upstream upgrade failed');
      audit(code, { code: 'failed', message });
      writeRawStatus(socket, code, message);
    });
    upstreamReq.end();
  }

  /** Connect deadline (TCP and TLS of a new connection), and optionally a deadline for the response headers. */
  private timeouts(upstreamReq: http.ClientRequest, secure: boolean, responseMs: number | null): () => void {
    const timers: NodeJS.Timeout[] = [];
    upstreamReq.once('socket', (socket) => {
      if (!socket.connecting) return; // a kept-alive connection: already open
      const timer = setTimeout(() => upstreamReq.destroy(new ProxyError(504, `connecting to the cluster's API server timed out after ${this.connectTimeoutMs} ms`)), this.connectTimeoutMs);
      timers.push(timer);
      socket.once(secure ? 'secureConnect' : 'connect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    });
    if (responseMs !== null) {
      timers.push(setTimeout(() => upstreamReq.destroy(new ProxyError(504, `the cluster's API server did not answer within ${responseMs} ms`)), responseMs));
    }
    return () => {
      for (const t of timers) clearTimeout(t);
    };
  }

  private refuse(raw: IncomingMessage, error: unknown, send: (code: number, message: string) => void): void {
    if (error instanceof ProxyError) {
      send(error.status, error.message);
      return;
    }
    const errorId = randomUUID();
    this.log.error({ errorId, err: error, method: raw.method, path: (raw.url ?? '').split('?')[0] }, 'kubernetes proxy: unexpected error');
    send(500, `internal error (id ${errorId})`);
  }

  /** One audit record of a proxied call: refused when the answer is 400 or above. Never fails the call. */
  private async audit(
    admitted: Pick<Admitted, 'user' | 'target' | 'info' | 'clientIp' | 'correlationId'>,
    status: number,
    refusal?: { code: string; message: string },
  ): Promise<void> {
    const { user, target, info } = admitted;
    try {
      const auditTarget = await this.auditTarget(target.clusterId, info.namespace);
      const details: Record<string, unknown> = { verb: info.verb, status };
      if (info.isResourceRequest) {
        Object.assign(details, { apiGroup: info.apiGroup, resource: info.resource, subresource: info.subresource, namespace: info.namespace, name: info.name });
      } else {
        details.path = info.path;
      }
      for (const key of Object.keys(details)) if (details[key] === '' || details[key] === undefined) delete details[key];
      details.clusterId = target.clusterId;
      await recordAttempt(this.services.store, { module: 'kubernetes', action: auditAction(info), target: auditTarget, details, refusal }, this.context(user, admitted.clientIp, admitted.correlationId));
    } catch (error) {
      this.log.warn({ err: error, clusterId: target.clusterId, action: auditAction(info) }, 'kubernetes proxy: could not record an audit record');
    }
  }

  private async auditTarget(clusterId: string, namespace: string): Promise<AuditTarget> {
    if (!namespace) return { kind: 'cluster', id: clusterId, clusterId };
    const known = await getNamespace(this.services.db, clusterId, namespace);
    return {
      kind: 'namespace',
      id: `${clusterId}/${namespace}`,
      clusterId,
      namespace,
      ...(known && known.status !== 'deleted' ? { workspaceId: known.workspaceId } : {}),
    };
  }

  private context(user: Principal, clientIp: string, correlationId: string): CommandContext {
    return {
      actor: user.kind === 'apiKey' ? { kind: 'apiKey', id: user.id, name: `${user.name} (API key ${user.keyId})` } : { kind: 'user', id: user.id, name: user.name },
      commandId: randomUUID(),
      correlationId,
      causationId: null,
      clientIp,
      now: this.services.clock(),
    };
  }
}

/** How a refused call is filed: `forbidden` for 403 with the API server's own message, else `failed` with the status and reason. */
function refusalFor(status: number, body: Buffer | null): { code: string; message: string } {
  let reason = '';
  let message = '';
  if (body && body.length > 0) {
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { kind?: string; reason?: unknown; message?: unknown };
      if (parsed?.kind === 'Status') {
        reason = typeof parsed.reason === 'string' ? parsed.reason : '';
        message = typeof parsed.message === 'string' ? parsed.message : '';
      }
    } catch {
      // not a Status: only the status code is recorded
    }
  }
  if (status === 403) return { code: 'forbidden', message: message.slice(0, 1000) || 'the cluster answered 403 Forbidden' };
  // Other refusals' messages can quote what was sent (invalid values), so only the status and reason are kept.
  return { code: 'failed', message: `the cluster answered ${status}${reason ? ` ${reason}` : ''}` };
}
