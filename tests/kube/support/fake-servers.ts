import https from 'node:https';
import net from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { generate } from 'selfsigned';

/** Local servers for the failure modes a real cluster cannot be asked to produce on demand. */

export interface TestCertificates {
  /** Self-signed server certificate for 127.0.0.1/localhost; it is its own CA. */
  serverCert: string;
  serverKey: string;
  /** A client certificate (CN=alice) and its key. */
  clientCert: string;
  clientKey: string;
}

export async function makeCertificates(): Promise<TestCertificates> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    algorithm: 'sha256',
    keyType: 'ec',
    curve: 'P-256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
    clientCertificate: { keyType: 'ec', curve: 'P-256', cn: 'alice', algorithm: 'sha256' },
  });
  return { serverCert: pems.cert, serverKey: pems.private, clientCert: pems.clientcert!, clientKey: pems.clientprivate! };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  clientCertCN?: string;
}

export interface FakeApiServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** An HTTPS server that records requests and answers with `handler` (default: a VersionInfo). */
export async function startFakeApiServer(
  certs: TestCertificates,
  handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => sendJson(res, 200, { major: '1', minor: '31', gitVersion: 'v1.31.0-fake' }),
): Promise<FakeApiServer> {
  const requests: RecordedRequest[] = [];
  const server = https.createServer({ key: certs.serverKey, cert: certs.serverCert, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    requests.push({ method: req.method!, url: req.url!, headers: req.headers, clientCertCN: peer?.subject?.CN as string | undefined });
    handler(req, res);
  });
  await listen(server);
  return { url: `https://127.0.0.1:${portOf(server)}`, requests, close: () => close(server) };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Accepts connections and never answers. */
export async function startSilentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await listen(server);
  return {
    url: `https://127.0.0.1:${portOf(server)}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await close(server);
    },
  };
}

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await listen(server);
  const port = portOf(server);
  await close(server);
  return port;
}

function listen(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}

function portOf(server: net.Server): number {
  return (server.address() as net.AddressInfo).port;
}

function close(server: net.Server): Promise<void> {
  (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}
