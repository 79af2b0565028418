/**
 * The web terminal: a WebSocket at `/containers/<clusterId>/<namespace>/<pod>/exec?container=&command=&cols=&rows=&csrf=`
 * bridged to the cluster's `pods/exec` (channel.k8s.io v5/v4, with a TTY). Needs `containers:exec`
 * on the namespace. Opening and closing are the commands OpenTerminal / CloseTerminal (audited,
 * module `containers`); what is typed and printed is never recorded.
 *
 * Cross-site use: a browser sends the session cookie on a WebSocket from any page, so a socket
 * authenticated by the cookie must come from Bosun's own page: its Origin must be Bosun's host
 * and it must carry the session's CSRF token (`csrf`, the readable `bosun_csrf` cookie, which
 * another site cannot read). An API key (Authorization header) needs neither.
 *
 * Frames to the browser and back mirror the channel protocol: one byte for the channel, then the
 * payload. From the browser: 0 stdin, 4 resize (`{"cols":80,"rows":24}`). To the browser: 1 stdout,
 * 2 stderr, 3 the end (`{"exitCode":0|n|null,"reason":"…"}`), after which the socket closes.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger, FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { sameHost, upgradeRequest } from '../upgrade-request';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { z } from 'zod';
import type { Services } from '../../app/services';
import { recordAttempt } from '../../commands/audit-attempt';
import type { CommandContext } from '../../commands/context';
import { tenancyCommand } from '../../commands/tenancy';
import type { Principal } from '../../identity/principal';
import { authenticate, bearerToken, CSRF_COOKIE, sameToken } from '../context';
import { upstreamFor } from '../k8s-proxy/upstream';
import { K8S_PROXY_PREFIX } from '../k8s-proxy/plugin';
import { writeRawStatus } from '../k8s-proxy/status';
import { dnsLabelSchema } from '../../domain/schemas';
import { podRefSchema, Refusal, relayClusterRefusal, requireOnNamespace, unreachable, type PodRef } from './access';
import { parse } from './logs';

export const TERMINAL_PATH = /^\/containers\/([^/]+)\/([^/]+)\/([^/]+)\/exec$/;

export interface TerminalOptions {
  services: Services;
  /** Deadline for the cluster to accept the exec upgrade. Default 15 s. */
  connectTimeoutMs?: number;
}

const terminalQuerySchema = z
  .object({
    container: dnsLabelSchema.optional(),
    command: z.union([z.string().min(1).max(1000), z.array(z.string().min(1).max(1000)).min(1).max(32)]).optional(),
    cols: z.coerce.number().int().min(1).max(1000).optional(),
    rows: z.coerce.number().int().min(1).max(1000).optional(),
    csrf: z.string().max(200).optional(),
  })
  .strict();

const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, status: 3, resize: 4 } as const;
const DEFAULT_COMMAND = ['sh'];

function queryObject(search: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(search.keys())) {
    const all = search.getAll(key);
    out[key] = key === 'command' && all.length > 1 ? all : all[all.length - 1];
  }
  return out;
}

/** The exit code in an exec Status (channel 3): 0 on Success, the ExitCode cause otherwise, null when unknown. */
export function exitCodeOf(status: { status?: string; reason?: string; details?: { causes?: { reason?: string; message?: string }[] } }): number | null {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const n = cause ? Number(cause.message) : NaN;
  return Number.isInteger(n) ? n : null;
}

export const terminalRoutes: FastifyPluginAsync<TerminalOptions> = async (app, options) => {
  const terminals = new Terminals(options, app.log);
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = req.url ?? '/';
    const pathname = url.split('?')[0];
    if (TERMINAL_PATH.test(pathname)) {
      terminals.upgrade(req, socket, head, app).catch((error) => {
        app.log.error({ err: error }, 'terminal upgrade failed');
        socket.destroy();
      });
    } else if (!url.startsWith(K8S_PROXY_PREFIX) && app.server.listenerCount('upgrade') <= 2) {
      // Neither the Kubernetes proxy nor the terminal serves this upgrade: answer rather than leave it hanging.
      writeRawStatus(socket, 404, 'not found');
    }
  };
  app.server.on('upgrade', onUpgrade);
  app.addHook('preClose', async () => {
    app.server.off('upgrade', onUpgrade);
    await terminals.closeAll();
  });
};

interface Session {
  sessionId: string;
  ref: PodRef;
  container: string;
  workspaceId: string;
  user: Principal;
  clientIp: string;
  correlationId: string;
  openedAt: number;
  closed: boolean;
  end(reason: string, exitCode: number | null): Promise<void>;
}

class Terminals {
  private readonly services: Services;
  private readonly connectTimeoutMs: number;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1024 * 1024 });
  private readonly sessions = new Set<Session>();

  constructor(
    options: TerminalOptions,
    private readonly log: FastifyBaseLogger,
  ) {
    this.services = options.services;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions].map((s) => s.end('the server is shutting down', null)));
    this.wss.close();
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

  async upgrade(raw: IncomingMessage, socket: Duplex, head: Buffer, app: FastifyInstance): Promise<void> {
    socket.on('error', () => socket.destroy());
    const req = upgradeRequest(raw, app.log);
    const url = new URL(raw.url ?? '/', 'http://bosun');
    // The path as sent (as onUpgrade matched it): URL parsing would resolve `.` and `%2e%2e` segments.
    const match = TERMINAL_PATH.exec((raw.url ?? '/').split('?')[0]);
    if (!match) {
      writeRawStatus(socket, 404, 'not found');
      return;
    }
    const [, clusterId, namespace, pod] = match.map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
    const correlationId = (typeof raw.headers['x-correlation-id'] === 'string' && raw.headers['x-correlation-id'].slice(0, 128)) || randomUUID();
    let user: Principal | null = null;
    const auditRefusal = async (ref: { clusterId: string; namespace: string; pod: string }, message: string) => {
      if (!user) return;
      await recordAttempt(
        this.services.store,
        {
          module: 'containers',
          action: 'OpenTerminal',
          target: { kind: 'namespace', id: `${ref.clusterId}/${ref.namespace}`, clusterId: ref.clusterId, namespace: ref.namespace },
          details: { pod: ref.pod.slice(0, 253), origin: raw.headers.origin?.slice(0, 200) ?? null },
          refusal: { code: 'forbidden', message },
        },
        this.context(user, req.ip, correlationId),
      ).catch((error) => this.log.warn({ err: error }, 'could not record a terminal refusal'));
    };
    try {
      const auth = await authenticate(this.services, req);
      if (auth.authFailure) throw new Refusal(auth.authFailure.status, auth.authFailure.message);
      if (!auth.user) throw new Refusal(401, 'log in first');
      user = auth.user;
      if (!bearerToken(req)) {
        // The cookie rides along from any page: only Bosun's own page, which can read the CSRF cookie, may open a terminal with it.
        const origin = raw.headers.origin;
        if (origin && !sameHost(origin, raw.headers.host)) {
          const message = `forbidden: a terminal is opened only from Bosun's own page, not from ${origin.slice(0, 200)}`;
          await auditRefusal({ clusterId, namespace, pod }, message);
          throw new Refusal(403, message);
        }
        if (!sameToken(req.cookies?.[CSRF_COOKIE], url.searchParams.get('csrf') ?? undefined)) {
          const message = `forbidden: missing or wrong CSRF token: send the ${CSRF_COOKIE} cookie's value as the csrf parameter`;
          await auditRefusal({ clusterId, namespace, pod }, message);
          throw new Refusal(403, message);
        }
      }
      const ref = parse(podRefSchema, { clusterId, namespace, pod });
      let access;
      try {
        access = await requireOnNamespace(this.services.db, user, 'containers:exec', ref.clusterId, ref.namespace);
      } catch (error) {
        if (error instanceof Refusal && error.status === 403) await auditRefusal(ref, error.message);
        throw error;
      }
      const query = parse(terminalQuerySchema, queryObject(url.searchParams));
      const command = query.command === undefined ? DEFAULT_COMMAND : Array.isArray(query.command) ? query.command : [query.command];
      await this.open(raw, socket, head, { ref, user, workspaceId: access.workspaceId, container: query.container, command, size: query.cols && query.rows ? { cols: query.cols, rows: query.rows } : null, clientIp: req.ip, correlationId });
    } catch (error) {
      if (error instanceof Refusal) {
        writeRawStatus(socket, error.status, error.message);
        return;
      }
      const errorId = randomUUID();
      this.log.error({ errorId, err: error }, 'terminal: unexpected error');
      writeRawStatus(socket, 500, `internal error (id ${errorId})`);
    }
  }

  /** The container to exec in: the one asked for (it must exist), else the pod's first. */
  private async containerOf(ref: PodRef, asked: string | undefined): Promise<string> {
    const client = await this.services.clusterAccess.clientFor(ref.clusterId);
    let pod;
    try {
      pod = await client.core.readNamespacedPod({ name: ref.pod, namespace: ref.namespace });
    } catch (error) {
      const code = (error as { code?: number }).code;
      if (typeof code === 'number' && code >= 400) throw relayClusterRefusal(code, String((error as { body?: unknown }).body ?? ''));
      throw unreachable(ref.clusterId, error);
    }
    const names = (pod.spec?.containers ?? []).map((c) => c.name);
    if (asked === undefined) {
      if (names.length === 0) throw new Refusal(400, `pod: pod "${ref.pod}" has no containers`, 'pod');
      return names[0];
    }
    if (!names.includes(asked)) throw new Refusal(400, `container: pod "${ref.pod}" has no container "${asked}" (it has ${names.join(', ')})`, 'container');
    return asked;
  }

  private async open(
    raw: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    o: { ref: PodRef; user: Principal; workspaceId: string; container: string | undefined; command: string[]; size: { cols: number; rows: number } | null; clientIp: string; correlationId: string },
  ): Promise<void> {
    const { ref } = o;
    const container = await this.containerOf(ref, o.container);
    let upstream;
    try {
      upstream = await upstreamFor((await this.services.clusterAccess.clientFor(ref.clusterId)).kubeConfig);
    } catch (error) {
      if ((error as { code?: string }).code === 'not_found') throw new Refusal(404, `cluster "${ref.clusterId}" is not registered`);
      throw error;
    }
    const q = new URLSearchParams();
    for (const word of o.command) q.append('command', word);
    q.set('container', container);
    for (const s of ['stdin', 'stdout', 'stderr', 'tty']) q.set(s, 'true');
    const target = `${upstream.secure ? 'wss' : 'ws'}://${upstream.host}${upstream.basePath}/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/pods/${encodeURIComponent(ref.pod)}/exec?${q}`;

    // The cluster's session first: a refusal (no such container, not running) is then the browser's HTTP answer.
    // Frames that arrive before the browser's socket is up (a shell's first prompt) wait in `early`.
    const early: RawData[] = [];
    const hold = (data: RawData) => early.push(data);
    const cluster = await new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(target, ['v5.channel.k8s.io', 'v4.channel.k8s.io'], {
        headers: upstream.authHeaders,
        ...upstream.tls,
        ...(upstream.auth ? { auth: upstream.auth } : {}),
        handshakeTimeout: this.connectTimeoutMs,
        perMessageDeflate: false,
      });
      ws.once('open', () => {
        ws.on('message', hold);
        resolve(ws);
      });
      ws.once('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.length < 64 && chunks.push(c));
        res.on('end', () => reject(relayClusterRefusal(res.statusCode ?? 502, Buffer.concat(chunks))));
        res.on('error', () => reject(unreachable(ref.clusterId, new Error('the answer was cut'))));
      });
      ws.once('error', (error) => reject(unreachable(ref.clusterId, error)));
    });
    if (socket.destroyed) {
      cluster.terminate();
      return;
    }

    const sessionId = randomUUID();
    const openedAt = this.services.clock().getTime();
    try {
      await this.services.handle(
        tenancyCommand('OpenTerminal'),
        { type: 'OpenTerminal', sessionId, clusterId: ref.clusterId, namespace: ref.namespace, workspaceId: o.workspaceId, pod: ref.pod, container, command: o.command, at: openedAt },
        this.context(o.user, o.clientIp, o.correlationId),
      );
    } catch (error) {
      cluster.terminate();
      throw error;
    }

    let browser: WebSocket | null = null;
    const session: Session = {
      sessionId,
      ref,
      container,
      workspaceId: o.workspaceId,
      user: o.user,
      clientIp: o.clientIp,
      correlationId: o.correlationId,
      openedAt,
      closed: false,
      end: async (reason, exitCode) => {
        if (session.closed) return;
        session.closed = true;
        this.sessions.delete(session);
        if (browser && browser.readyState === WebSocket.OPEN) {
          browser.send(Buffer.concat([Buffer.from([CHANNEL.status]), Buffer.from(JSON.stringify({ exitCode, reason }))]));
          browser.close(1000, reason.slice(0, 100));
        } else if (!browser) socket.destroy();
        if (cluster.readyState === WebSocket.OPEN || cluster.readyState === WebSocket.CONNECTING) cluster.close();
        try {
          await this.services.handle(
            tenancyCommand('CloseTerminal'),
            { type: 'CloseTerminal', sessionId, clusterId: ref.clusterId, namespace: ref.namespace, workspaceId: o.workspaceId, reason, exitCode, at: this.services.clock().getTime() },
            this.context(o.user, o.clientIp, o.correlationId),
          );
        } catch (error) {
          this.log.warn({ err: error, sessionId }, 'terminal: could not record the end of a session');
        }
      },
    };
    this.sessions.add(session);

    let exit: { exitCode: number | null; reason: string } | null = null;
    const pendingOutput: Buffer[] = [];
    const fromCluster = (data: RawData) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (buf.length === 0) return;
      const channel = buf[0];
      if (channel === CHANNEL.stdout || channel === CHANNEL.stderr) {
        if (browser?.readyState === WebSocket.OPEN) browser.send(buf);
        else if (!browser) pendingOutput.push(buf);
      } else if (channel === CHANNEL.status) {
        let status: Parameters<typeof exitCodeOf>[0] & { message?: string } = {};
        try {
          status = JSON.parse(buf.subarray(1).toString('utf8'));
        } catch {
          status = { message: buf.subarray(1).toString('utf8') };
        }
        const exitCode = exitCodeOf(status);
        exit = { exitCode, reason: exitCode === null ? `error: ${(status.message ?? 'the session failed').slice(0, 400)}` : `exited ${exitCode}` };
      }
    };
    cluster.off('message', hold);
    for (const data of early.splice(0)) fromCluster(data);
    cluster.on('message', fromCluster);
    cluster.on('close', () => void session.end(exit?.reason ?? 'the cluster closed the session', exit?.exitCode ?? null));
    cluster.on('error', (error) => void session.end(`error: ${(error as Error).message}`.slice(0, 500), null));
    // Ended while the opening was being recorded: its close event has passed already.
    if (cluster.readyState === WebSocket.CLOSED) {
      const ended = exit as { exitCode: number | null; reason: string } | null;
      void session.end(ended?.reason ?? 'the cluster closed the session', ended?.exitCode ?? null);
    }

    const resize = (cols: number, rows: number) => {
      if (cluster.readyState !== WebSocket.OPEN) return;
      cluster.send(Buffer.concat([Buffer.from([CHANNEL.resize]), Buffer.from(JSON.stringify({ Width: cols, Height: rows }))]));
    };
    if (o.size) resize(o.size.cols, o.size.rows);

    this.wss.handleUpgrade(raw, socket, head, (ws) => {
      browser = ws;
      for (const buf of pendingOutput.splice(0)) ws.send(buf);
      if (session.closed) {
        ws.send(Buffer.concat([Buffer.from([CHANNEL.status]), Buffer.from(JSON.stringify({ exitCode: exit?.exitCode ?? null, reason: exit?.reason ?? 'closed' }))]));
        ws.close(1000);
        return;
      }
      ws.on('message', (data: RawData, isBinary: boolean) => {
        const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
        if (buf.length === 0) return;
        if (!isBinary) {
          // Text frames are keystrokes (a convenience for simple clients).
          if (cluster.readyState === WebSocket.OPEN) cluster.send(Buffer.concat([Buffer.from([CHANNEL.stdin]), buf]));
          return;
        }
        const channel = buf[0];
        if (channel === CHANNEL.stdin) {
          if (cluster.readyState === WebSocket.OPEN) cluster.send(buf);
        } else if (channel === CHANNEL.resize) {
          try {
            const size = JSON.parse(buf.subarray(1).toString('utf8')) as { cols?: unknown; rows?: unknown };
            const cols = Number(size.cols);
            const rows = Number(size.rows);
            if (Number.isInteger(cols) && Number.isInteger(rows) && cols > 0 && rows > 0 && cols <= 1000 && rows <= 1000) resize(cols, rows);
          } catch {
            // a malformed resize is ignored, like kubelet does
          }
        }
      });
      ws.on('close', () => void session.end(exit?.reason ?? 'closed by the browser', exit?.exitCode ?? null));
      ws.on('error', () => void session.end('the browser connection failed', null));
    });
  }
}
