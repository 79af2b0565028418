/**
 * Plain-JSON calls to a cluster's API server for the workloads module: get, list, patch, delete and
 * watch, with the cluster's stored credentials (client-node's KubeConfig, through the proxy's
 * upstream settings) and a deadline on every call. Objects come back as the API server sent them
 * (no client-node model classes), which is what the UI's YAML view and the summaries need.
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { upstreamFor, type Upstream } from '../k8s-proxy/upstream';
import { DomainError } from '../../domain/errors';

export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
    managedFields?: unknown;
    deletionTimestamp?: string;
  };
  spec?: any;
  status?: any;
  [key: string]: unknown;
};

export interface KubeList {
  metadata: { resourceVersion?: string; continue?: string };
  items: KubeObject[];
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: any;
}

/** A call the API server answered with an error status, or that never got an answer (status undefined). */
export class KubeRequestError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'KubeRequestError';
  }
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  timeoutMs?: number;
}

export interface KubeJson {
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<T>;
  /**
   * Streams watch events to `onEvent` until the server ends the watch, `signal` aborts or nothing
   * (not even a bookmark) arrives for `idleMs`. Resolves when the stream ends; rejects on a failed start.
   */
  watch(path: string, query: Record<string, string | number | boolean | undefined>, onEvent: (event: WatchEvent) => void, signal: AbortSignal, idleMs?: number): Promise<void>;
}

function withQuery(path: string, query: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

function statusMessage(text: string): { message?: string; reason?: string } {
  try {
    const body = JSON.parse(text) as { message?: unknown; reason?: unknown };
    return { message: typeof body.message === 'string' ? body.message : undefined, reason: typeof body.reason === 'string' ? body.reason : undefined };
  } catch {
    return {};
  }
}

function send(up: Upstream, method: string, path: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number, signal?: AbortSignal) {
  const options: https.RequestOptions = {
    method,
    hostname: up.hostname,
    port: up.port,
    path: up.basePath + path,
    headers: { ...up.authHeaders, host: up.host, ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
    agent: up.agent,
    ...(up.auth ? { auth: up.auth } : {}),
    ...(signal ? { signal } : {}),
  };
  const req = up.secure ? https.request(options) : http.request(options);
  req.setTimeout(timeoutMs, () => req.destroy(new KubeRequestError(`${method} ${path} timed out after ${timeoutMs} ms`, undefined, 'Timeout')));
  if (body !== undefined) req.write(body);
  req.end();
  return req;
}

function networkError(error: unknown, server: string): KubeRequestError {
  if (error instanceof KubeRequestError) return error;
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  return new KubeRequestError(`cannot reach ${server}: ${code ?? message}`, undefined, 'Unreachable');
}

export function kubeJson(kubeConfig: KubeConfig, defaultTimeoutMs: number): KubeJson {
  let upstream: Promise<Upstream> | undefined;
  const up = () => (upstream ??= upstreamFor(kubeConfig));
  const server = kubeConfig.getCurrentCluster()?.server ?? 'the cluster';

  return {
    async request(method, path, options = {}) {
      const u = await up();
      const body = options.body === undefined ? undefined : JSON.stringify(options.body);
      const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'bosun' };
      if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
      const full = withQuery(path, options.query);
      return new Promise((resolve, reject) => {
        const req = send(u, method, full, headers, body, options.timeoutMs ?? defaultTimeoutMs);
        req.on('error', (error) => reject(networkError(error, server)));
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (error) => reject(networkError(error, server)));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              try {
                resolve(text ? JSON.parse(text) : {});
              } catch {
                reject(new KubeRequestError(`${method} ${path}: the API server sent something that is not JSON`, status));
              }
              return;
            }
            const { message, reason } = statusMessage(text);
            reject(new KubeRequestError(message ?? `${method} ${path}: HTTP ${status}`, status, reason));
          });
        });
      });
    },

    async watch(path, query, onEvent, signal, idleMs = 90_000) {
      const u = await up();
      const full = withQuery(path, { ...query, watch: 1 });
      await new Promise<void>((resolve, reject) => {
        let started = false;
        const req = send(u, 'GET', full, { accept: 'application/json', 'user-agent': 'bosun' }, undefined, idleMs, signal);
        req.on('error', (error) => {
          if (signal.aborted || started) resolve();
          else reject(networkError(error, server));
        });
        req.on('response', (res) => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const { message, reason } = statusMessage(Buffer.concat(chunks).toString('utf8'));
              reject(new KubeRequestError(message ?? `watch ${path}: HTTP ${status}`, status, reason));
            });
            return;
          }
          started = true;
          res.setEncoding('utf8');
          let buffer = '';
          res.on('data', (chunk: string) => {
            buffer += chunk;
            let newline: number;
            while ((newline = buffer.indexOf('\n')) >= 0) {
              const line = buffer.slice(0, newline).trim();
              buffer = buffer.slice(newline + 1);
              if (!line) continue;
              let event: WatchEvent;
              try {
                event = JSON.parse(line) as WatchEvent;
              } catch {
                req.destroy();
                return;
              }
              onEvent(event);
            }
          });
          res.on('end', () => resolve());
          res.on('close', () => resolve());
          res.on('error', () => resolve());
        });
      });
    },
  };
}

/**
 * A cluster's refusal or failure as the user's 4xx: the API server's own message, never a 500.
 * `field` names the input the refusal is about, when the operation knows it.
 */
export function asRefusal(error: unknown, clusterId: string, field?: string): unknown {
  if (!(error instanceof KubeRequestError)) return error;
  const options = field ? { field } : {};
  switch (error.status) {
    case undefined:
      return new DomainError('precondition_failed', `cluster "${clusterId}" could not be reached: ${error.message}`, { field: 'clusterId' });
    case 400:
    case 422:
      return new DomainError('invalid', field ? `${field}: the cluster refused it: ${error.message}` : `the cluster refused it: ${error.message}`, options);
    case 404:
      return new DomainError('not_found', error.message, { field: field ?? 'name' });
    case 409:
      return new DomainError('conflict', `the cluster refused it: ${error.message}`, options);
    case 401:
    case 403:
      return new DomainError('precondition_failed', `cluster "${clusterId}" refused Bosun's credentials: ${error.message}`, { field: 'clusterId' });
    default:
      return new DomainError('precondition_failed', `cluster "${clusterId}" could not do it (HTTP ${error.status}): ${error.message}`, { field: 'clusterId' });
  }
}
