/** Kubernetes `Status` objects, so kubectl and client-node show Bosun's own refusals like the API server's. */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

const reasons: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  500: 'InternalError',
  502: 'ServiceUnavailable',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  code: number;
}

export function kubeStatus(code: number, message: string): KubeStatus {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: reasons[code] ?? 'Unknown', code };
}

/** Headers every answer from the proxy carries: a proxied page (pods/proxy, services/proxy) must never run as Bosun's origin. */
export const SAFETY_HEADERS: Record<string, string> = {
  'content-security-policy': 'sandbox',
  'x-content-type-options': 'nosniff',
};

export function sendStatus(res: ServerResponse, code: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(kubeStatus(code, message));
  res.writeHead(code, { ...SAFETY_HEADERS, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

/** An HTTP answer written on a socket that asked to upgrade (no ServerResponse exists then). */
export function writeRawResponse(socket: Duplex, code: number, headers: Record<string, string | string[]>, body: Buffer | string): void {
  if (socket.destroyed) return;
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  const lines = [`HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ''}`];
  const all: Record<string, string | string[]> = { ...headers, ...SAFETY_HEADERS, 'content-length': String(payload.length), connection: 'close' };
  for (const [name, value] of Object.entries(all)) for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
  socket.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), payload]));
}

export function writeRawStatus(socket: Duplex, code: number, message: string): void {
  writeRawResponse(socket, code, { 'content-type': 'application/json' }, JSON.stringify(kubeStatus(code, message)));
}
