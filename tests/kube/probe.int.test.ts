import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClusterProbeError, probeCluster } from '../../kube/probe';
import type { ResolvedKubeconfig } from '../../kube/kubeconfig';
import { type FakeApiServer, type TestCertificates, closedPort, makeCertificates, sendJson, startFakeApiServer, startSilentServer } from './support/fake-servers';

/** Probe behaviour against local stand-ins; probe-sim.int.test.ts runs the same checks against kube-sim. */

const TOKEN = 'probe-SECRET-token-123';
let certs: TestCertificates;
let otherCerts: TestCertificates;
let handler: (req: IncomingMessage, res: ServerResponse) => void;
let server: FakeApiServer;

const node = (name: string, cpu: string, memory: string, ready = 'True') => ({
  metadata: { name },
  status: { allocatable: { cpu, memory, pods: '110' }, conditions: [{ type: 'Ready', status: ready }] },
});

const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason, code, message });

function kubernetes(nodes: { pages: unknown[][] }) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url!, 'https://x');
    if (url.pathname === '/version') return sendJson(res, 200, { major: '1', minor: '31', gitVersion: 'v1.31.2' });
    if (url.pathname === '/api/v1/nodes') {
      const page = Number(url.searchParams.get('continue') ?? 0);
      const next = page + 1 < nodes.pages.length ? String(page + 1) : undefined;
      return sendJson(res, 200, { kind: 'NodeList', apiVersion: 'v1', metadata: next ? { continue: next } : {}, items: nodes.pages[page] });
    }
    sendJson(res, 404, status(404, 'NotFound', 'not found'));
  };
}

beforeAll(async () => {
  [certs, otherCerts] = await Promise.all([makeCertificates(), makeCertificates()]);
  server = await startFakeApiServer(certs, (req, res) => handler(req, res));
});
afterAll(() => server.close());

const resolved = (overrides: Partial<ResolvedKubeconfig> = {}): ResolvedKubeconfig => ({
  contextName: 'test',
  server: server.url,
  insecureSkipTlsVerify: false,
  caData: certs.serverCert,
  credentials: { kind: 'token', token: TOKEN },
  ...overrides,
});

async function probeError(target: ResolvedKubeconfig, timeoutMs?: number): Promise<ClusterProbeError> {
  const error = await probeCluster(target, { timeoutMs }).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ClusterProbeError);
  expect((error as Error).message).not.toContain(TOKEN);
  return error as ClusterProbeError;
}

describe('probeCluster', () => {
  it('reports the version and sums the allocatable resources of Ready nodes, across pages', async () => {
    handler = kubernetes({
      pages: [
        [node('a', '3920m', '16Gi'), node('b', '4', '16416012Ki')],
        [node('c', '2', '8Gi', 'False'), node('d', '0.5', '1G')],
      ],
    });
    expect(await probeCluster(resolved())).toEqual({
      kubernetesVersion: 'v1.31.2',
      nodeCount: 4,
      readyNodeCount: 3,
      allocatableCpuMillis: 3920 + 4000 + 500,
      allocatableMemoryBytes: 16 * 2 ** 30 + 16416012 * 1024 + 1e9,
    });
    expect(server.requests.filter((r) => r.url.startsWith('/api/v1/nodes')).at(-1)!.url).toContain('continue=1');
  });

  it('classifies 401 as unauthorized', async () => {
    handler = (_req, res) => sendJson(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
    const error = await probeError(resolved());
    expect(error.kind).toBe('unauthorized');
    expect(error.message).toBe('the API server rejected the credentials (401 Unauthorized)');
  });

  it('classifies 403 as forbidden, keeping the server\'s reason but never a credential it echoes', async () => {
    handler = (req, res) => req.url === '/version'
      ? sendJson(res, 200, { gitVersion: 'v1.31.2' })
      : sendJson(res, 403, status(403, 'Forbidden', `nodes is forbidden: User "alice" (token ${TOKEN}) cannot list resource "nodes" in API group "" at the cluster scope`));
    const error = await probeError(resolved());
    expect(error.kind).toBe('forbidden');
    expect(error.message).toMatch(/^the credentials are not allowed to do this \(403 Forbidden\): nodes is forbidden: User "alice"/);
    expect(error.message).toContain('[redacted]');
  });

  it('classifies a server that is not Kubernetes as bad_response', async () => {
    handler = (_req, res) => sendJson(res, 404, { error: 'no such page' });
    const error = await probeError(resolved());
    expect(error.kind).toBe('bad_response');
    expect(error.message).toMatch(/HTTP 404 .*is this a Kubernetes API server\?/);

    handler = (_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<html></html>'); };
    expect((await probeError(resolved())).kind).toBe('bad_response');
  });

  it('classifies an invalid node quantity as bad_response', async () => {
    handler = kubernetes({ pages: [[node('weird', 'lots', '1Gi')]] });
    const error = await probeError(resolved());
    expect(error.kind).toBe('bad_response');
    expect(error.message).toContain('node "weird"');
  });

  it('classifies an untrusted certificate as tls, saying what to paste', async () => {
    handler = kubernetes({ pages: [[]] });
    const error = await probeError(resolved({ caData: otherCerts.serverCert }));
    expect(error.kind).toBe('tls');
    expect(error.message).toMatch(/^TLS verification failed: .+ — paste the cluster's certificate-authority-data$/);

    const noCa = await probeError(resolved({ caData: undefined }));
    expect(noCa.message).toBe("TLS verification failed: self-signed certificate — paste the cluster's certificate-authority-data");
  });

  it('classifies a wrong host name as tls', async () => {
    handler = kubernetes({ pages: [[]] });
    const error = await probeError(resolved({ tlsServerName: 'api.example.com' }));
    expect(error.kind).toBe('tls');
    expect(error.message).toMatch(/not valid for/);
  });

  it('classifies a closed port as unreachable', async () => {
    const port = await closedPort();
    const error = await probeError(resolved({ server: `https://127.0.0.1:${port}` }));
    expect(error.kind).toBe('unreachable');
    expect(error.message).toBe(`cannot reach https://127.0.0.1:${port}: connection refused`);
  });

  it('classifies a server that accepts and never answers as timeout', async () => {
    const silent = await startSilentServer();
    try {
      const started = Date.now();
      const error = await probeError(resolved({ server: silent.url }), 300);
      expect(error.kind).toBe('timeout');
      expect(error.message).toBe(`no answer from ${silent.url} within 300 ms`);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await silent.close();
    }
  });

  it('classifies plain HTTP against a TLS port, and TLS against a plain port', async () => {
    handler = kubernetes({ pages: [[]] });
    const plainToTls = await probeError(resolved({ server: server.url.replace('https:', 'http:'), caData: undefined }));
    expect(plainToTls.kind).toBe('unreachable');
    expect(plainToTls.message).toMatch(/is it an https:\/\/ address\?/);

    const plain = http.createServer(kubernetes({ pages: [[]] }));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const port = (plain.address() as AddressInfo).port;
      const tlsToPlain = await probeError(resolved({ server: `https://127.0.0.1:${port}` }));
      expect(tlsToPlain.kind).toBe('tls');
      expect(tlsToPlain.message).toMatch(/does not speak TLS there \(is it an http:\/\/ address\?\)/);
      const ok = await probeCluster(resolved({ server: `http://127.0.0.1:${port}`, caData: undefined }));
      expect(ok.kubernetesVersion).toBe('v1.31.2');
    } finally {
      plain.close();
    }
  });
});
