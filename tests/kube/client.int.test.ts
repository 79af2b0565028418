import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiException, CoreV1Api, setHeaderOptions } from '@kubernetes/client-node';
import { KubeTimeoutError, createClusterClient, makeApiClient, makeKubeConfig, withTimeout } from '../../kube/client';
import type { ResolvedKubeconfig } from '../../kube/kubeconfig';
import { type FakeApiServer, type TestCertificates, makeCertificates, sendJson, startFakeApiServer, startSilentServer } from './support/fake-servers';

let certs: TestCertificates;
let server: FakeApiServer;

beforeAll(async () => {
  certs = await makeCertificates();
  server = await startFakeApiServer(certs, (req, res) => {
    if (req.url === '/version') return sendJson(res, 200, { major: '1', minor: '31', gitVersion: 'v1.31.0-fake' });
    if (req.url?.startsWith('/api/v1/nodes')) return sendJson(res, 200, { kind: 'NodeList', apiVersion: 'v1', metadata: {}, items: [] });
    if (req.url === '/api/v1/namespaces/slow-body') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"kind":');
      return; // never finishes
    }
    sendJson(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'the server could not find the requested resource' });
  });
});
afterAll(() => server.close());

const resolved = (overrides: Partial<ResolvedKubeconfig> = {}): ResolvedKubeconfig => ({
  contextName: 'test',
  server: server.url,
  insecureSkipTlsVerify: false,
  caData: certs.serverCert,
  credentials: { kind: 'token', token: 'the-token' },
  ...overrides,
});

describe('makeKubeConfig', () => {
  it('keeps everything in memory: inline data, no file paths', () => {
    const kc = makeKubeConfig(resolved({
      namespace: 'team-a',
      credentials: { kind: 'clientCert', certData: certs.clientCert, keyData: certs.clientKey },
    }));
    const cluster = kc.getCurrentCluster()!;
    const user = kc.getCurrentUser()!;
    expect(cluster.caFile).toBeUndefined();
    expect(Buffer.from(cluster.caData!, 'base64').toString()).toBe(certs.serverCert);
    expect(user.certFile).toBeUndefined();
    expect(user.keyFile).toBeUndefined();
    expect(kc.getContextObject('test')?.namespace).toBe('team-a');
  });
});

describe('clients built from a ResolvedKubeconfig', () => {
  it('authenticates with a bearer token and verifies the server against caData', async () => {
    const client = createClusterClient(resolved());
    const version = await client.version.getCode();
    expect(version.gitVersion).toBe('v1.31.0-fake');
    const request = server.requests.at(-1)!;
    expect(request.headers.authorization).toBe('Bearer the-token');
    expect(request.headers['user-agent']).toBe('bosun');
  });

  it('presents a client certificate', async () => {
    const client = createClusterClient(resolved({ credentials: { kind: 'clientCert', certData: certs.clientCert, keyData: certs.clientKey } }));
    await client.version.getCode();
    const request = server.requests.at(-1)!;
    expect(request.clientCertCN).toBe('alice');
    expect(request.headers.authorization).toBeUndefined();
  });

  it('sends basic credentials', async () => {
    await createClusterClient(resolved({ credentials: { kind: 'basic', username: 'root', password: 'pw' } })).version.getCode();
    expect(server.requests.at(-1)!.headers.authorization).toBe(`Basic ${Buffer.from('root:pw').toString('base64')}`);
  });

  it('refuses an untrusted server unless insecureSkipTlsVerify is set', async () => {
    await expect(createClusterClient(resolved({ caData: undefined })).version.getCode()).rejects.toThrow();
    const insecure = createClusterClient(resolved({ caData: undefined, insecureSkipTlsVerify: true }));
    expect((await insecure.version.getCode()).gitVersion).toBe('v1.31.0-fake');
  });

  it('verifies the certificate against tlsServerName when given', async () => {
    const error = await createClusterClient(resolved({ tlsServerName: 'kubernetes.example' })).version.getCode().catch((e) => e);
    expect(JSON.stringify(error.cause?.code ?? error.cause?.cause?.code)).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
    expect((await createClusterClient(resolved({ tlsServerName: 'localhost' })).version.getCode()).gitVersion).toBe('v1.31.0-fake');
  });

  it('reports HTTP errors as ApiException with code and body', async () => {
    const core = makeApiClient(resolved(), CoreV1Api);
    const error = await core.readNamespace({ name: 'missing' }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiException);
    expect(error.code).toBe(404);
    expect(JSON.stringify(error.body)).toContain('NotFound');
  });
});

describe('timeouts', () => {
  it('every generated-API call has a deadline, including with per-call middleware', async () => {
    const silent = await startSilentServer();
    try {
      const client = createClusterClient(resolved({ server: silent.url }), { timeoutMs: 200 });
      const started = Date.now();
      const errors = await Promise.all([
        client.version.getCode().catch((e) => e),
        client.core.listNode().catch((e) => e),
        client.objects.list('v1', 'Node').catch((e) => e),
        // Per-call middleware replaces the configured middleware by default; the deadline must survive.
        client.core.listNamespace({}, setHeaderOptions('X-Test', '1')).catch((e) => e),
      ]);
      expect(Date.now() - started).toBeLessThan(3000);
      for (const error of errors) expect(error).toBeInstanceOf(KubeTimeoutError);
      expect(errors[0].message).toBe('GET /version timed out after 200 ms');
    } finally {
      await silent.close();
    }
  });

  it('the deadline covers a response body that never ends', async () => {
    const client = createClusterClient(resolved(), { timeoutMs: 300 });
    const started = Date.now();
    const error = await client.core.readNamespace({ name: 'slow-body' }).catch((e) => e);
    expect(error).toBeInstanceOf(KubeTimeoutError);
    expect(error.message).toBe('GET /api/v1/namespaces/slow-body timed out after 300 ms');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('withTimeout bounds calls outside the generated APIs and aborts their signal', async () => {
    let aborted = false;
    const error: any = await withTimeout('watch nodes', (signal) => new Promise((_, reject) => {
      signal.addEventListener('abort', () => { aborted = true; reject(signal.reason); });
    }), 50).catch((e) => e);
    expect(error).toBeInstanceOf(KubeTimeoutError);
    expect(error.message).toBe('watch nodes timed out after 50 ms');
    expect(aborted).toBe(true);
    expect(await withTimeout('quick', async () => 42, 1000)).toBe(42);
  });
});
