import { beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'selfsigned';
import { stringify } from 'yaml';
import { KubeconfigError, fingerprint, parseKubeconfig, resolveContext } from '../../kube/kubeconfig';
import { resolvedKubeconfigSchema } from '../../kube/resolved-schema';

const TOKEN = 'tok-SUPERSECRET-4f8a9c';
const PASSWORD = 'pw-SUPERSECRET-77';
let caPem: string;
let clientCertPem: string;
let clientKeyPem: string;
const b64 = (s: string) => Buffer.from(s).toString('base64');

beforeAll(async () => {
  const pems = await generate([{ name: 'commonName', value: 'test-ca' }], {
    algorithm: 'sha256',
    keyType: 'ec',
    curve: 'P-256',
    clientCertificate: { keyType: 'ec', curve: 'P-256', cn: 'alice' },
  });
  caPem = pems.cert;
  clientCertPem = pems.clientcert!;
  clientKeyPem = pems.clientprivate!;
});

function kubeconfig(overrides: {
  cluster?: Record<string, unknown>;
  user?: Record<string, unknown>;
  root?: Record<string, unknown>;
} = {}): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'other', cluster: { server: 'https://other.example:6443' } },
      { name: 'prod', cluster: { server: 'https://10.0.0.1:6443/', 'certificate-authority-data': b64(caPem), ...overrides.cluster } },
    ],
    users: [
      { name: 'nobody', user: { exec: { command: 'aws' } } },
      { name: 'admin', user: { token: TOKEN, ...overrides.user } },
    ],
    contexts: [
      { name: 'other-ctx', context: { cluster: 'other', user: 'nobody' } },
      { name: 'prod-admin', context: { cluster: 'prod', user: 'admin', namespace: 'kube-system' } },
    ],
    'current-context': 'prod-admin',
    ...overrides.root,
  });
}

function errorOf(fn: () => unknown): KubeconfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KubeconfigError);
    const err = e as KubeconfigError;
    for (const secret of [TOKEN, PASSWORD, 'SUPERSECRET', b64(TOKEN)]) {
      expect(err.message).not.toContain(secret);
      expect(err.field).not.toContain(secret);
    }
    if (clientKeyPem) {
      expect(err.message).not.toContain(b64(clientKeyPem).slice(0, 40));
      expect(err.message).not.toContain(clientKeyPem.split('\n')[1]);
    }
    return err;
  }
  throw new Error('expected a KubeconfigError');
}

describe('parseKubeconfig', () => {
  it('lists contexts and the current context', () => {
    expect(parseKubeconfig(kubeconfig())).toEqual({
      contexts: [
        { name: 'other-ctx', cluster: 'other', user: 'nobody' },
        { name: 'prod-admin', cluster: 'prod', user: 'admin', namespace: 'kube-system' },
      ],
      currentContext: 'prod-admin',
    });
  });

  it('reports YAML syntax errors with line and column but without the offending text', () => {
    const text = `apiVersion: v1\nkind: Config\nusers:\n- name: a\n  user:\n    token: "${TOKEN}\n`;
    const err = errorOf(() => parseKubeconfig(text));
    expect(err.field).toBe('');
    expect(err.message).toMatch(/^invalid YAML at line \d+, column \d+: /);
    expect(err.line).toBeGreaterThan(0);

    const tabbed = errorOf(() => parseKubeconfig(`apiVersion: v1\nkind: Config\nusers:\n\t- token: ${TOKEN}: x\n`));
    expect(tabbed.message).toMatch(/line 4, column 1/);
  });

  it('refuses documents that are not kubeconfigs', () => {
    expect(errorOf(() => parseKubeconfig('')).message).toMatch(/empty/);
    expect(errorOf(() => parseKubeconfig('- a\n- b\n')).message).toMatch(/not a kubeconfig/);
    expect(errorOf(() => parseKubeconfig(stringify({ apiVersion: 'v1', kind: 'Pod', metadata: {} }))).field).toBe('kind');
    expect(errorOf(() => parseKubeconfig(stringify({ apiVersion: 'v1', clusters: [], contexts: [] }))).field).toBe('kind');
    expect(errorOf(() => parseKubeconfig(stringify({ kind: 'Config', clusters: [], contexts: [] }))).field).toBe('apiVersion');
    const noClusters = errorOf(() => parseKubeconfig(stringify({ apiVersion: 'v1', kind: 'Config', contexts: [] })));
    expect(noClusters.field).toBe('clusters');
    expect(noClusters.message).toMatch(/not a kubeconfig/);
    expect(errorOf(() => parseKubeconfig(kubeconfig({ root: { contexts: [] } }))).field).toBe('contexts');
    expect(errorOf(() => parseKubeconfig('a: 1\n---\nb: 2\n')).message).toMatch(/several YAML documents/);
  });

  it('refuses duplicate names and contexts without a cluster', () => {
    const dup = kubeconfig({ root: { contexts: [{ name: 'x', context: { cluster: 'prod', user: 'admin' } }, { name: 'x', context: { cluster: 'prod', user: 'admin' } }] } });
    expect(errorOf(() => parseKubeconfig(dup)).field).toBe('contexts[1].name');
    const noCluster = kubeconfig({ root: { contexts: [{ name: 'x', context: { user: 'admin' } }] } });
    expect(errorOf(() => parseKubeconfig(noCluster)).field).toBe('contexts[0].context.cluster');
  });
});

describe('resolveContext', () => {
  it('resolves the current context to server, CA and token', () => {
    expect(resolveContext(kubeconfig())).toEqual({
      contextName: 'prod-admin',
      server: 'https://10.0.0.1:6443',
      insecureSkipTlsVerify: false,
      caData: caPem,
      namespace: 'kube-system',
      credentials: { kind: 'token', token: TOKEN },
    });
  });

  it('resolves client certificates to PEM, and basic auth', () => {
    const cert = resolveContext(kubeconfig({ user: { token: undefined, 'client-certificate-data': b64(clientCertPem), 'client-key-data': b64(clientKeyPem) } }));
    expect(cert.credentials).toEqual({ kind: 'clientCert', certData: clientCertPem, keyData: clientKeyPem });

    const basic = resolveContext(kubeconfig({ user: { token: undefined, username: 'root', password: PASSWORD } }));
    expect(basic.credentials).toEqual({ kind: 'basic', username: 'root', password: PASSWORD });
  });

  it('keeps tls-server-name and insecure-skip-tls-verify', () => {
    const r = resolveContext(kubeconfig({ cluster: { 'certificate-authority-data': undefined, 'insecure-skip-tls-verify': true, 'tls-server-name': 'kubernetes' } }));
    expect(r.insecureSkipTlsVerify).toBe(true);
    expect(r.tlsServerName).toBe('kubernetes');
    expect(r.caData).toBeUndefined();
  });

  it('uses the only context when no current-context is set', () => {
    const text = stringify({
      apiVersion: 'v1', kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: 'http://127.0.0.1:8080' } }],
      users: [{ name: 'u', user: { token: TOKEN } }],
      contexts: [{ name: 'only', context: { cluster: 'c', user: 'u' } }],
    });
    expect(resolveContext(text).contextName).toBe('only');
    expect(resolveContext(text).server).toBe('http://127.0.0.1:8080');
  });

  it('explains a missing context and lists the available ones', () => {
    const chosen = errorOf(() => resolveContext(kubeconfig(), 'staging'));
    expect(chosen.field).toBe('context');
    expect(chosen.message).toBe('context "staging" not found; available contexts: other-ctx, prod-admin');

    const current = errorOf(() => resolveContext(kubeconfig({ root: { 'current-context': 'gone' } })));
    expect(current.field).toBe('current-context');
    expect(current.message).toContain('other-ctx, prod-admin');

    const unset = errorOf(() => resolveContext(kubeconfig({ root: { 'current-context': undefined } })));
    expect(unset.field).toBe('current-context');
    expect(unset.message).toMatch(/no current-context/);
  });

  it('explains contexts pointing at undefined clusters or users', () => {
    const contexts = [
      { name: 'a', context: { cluster: 'prod', user: 'admin' } },
      { name: 'b', context: { cluster: 'nope', user: 'admin' } },
      { name: 'c', context: { cluster: 'prod', user: 'ghost' } },
    ];
    const text = kubeconfig({ root: { contexts } });
    const cluster = errorOf(() => resolveContext(text, 'b'));
    expect(cluster.field).toBe('contexts[1].context.cluster');
    expect(cluster.message).toContain('"nope"');
    expect(cluster.message).toContain('other, prod');
    const user = errorOf(() => resolveContext(text, 'c'));
    expect(user.field).toBe('contexts[2].context.user');
    expect(user.message).toContain('"ghost"');
  });

  it('requires an http(s) server URL', () => {
    expect(errorOf(() => resolveContext(kubeconfig({ cluster: { server: undefined } }))).field).toBe('clusters[1].cluster.server');
    expect(errorOf(() => resolveContext(kubeconfig({ cluster: { server: 'not a url' } }))).message).toMatch(/not a URL/);
    expect(errorOf(() => resolveContext(kubeconfig({ cluster: { server: 'ftp://10.0.0.1' } }))).message).toMatch(/https:\/\/ or http:\/\//);
    const inUrl = errorOf(() => resolveContext(kubeconfig({ cluster: { server: `https://root:${PASSWORD}@10.0.0.1` } })));
    expect(inUrl.message).toMatch(/must not contain credentials/);
  });

  it('requires credentials, exactly one kind, complete', () => {
    const none = errorOf(() => resolveContext(kubeconfig({ user: { token: undefined } })));
    expect(none.field).toBe('users[1].user');
    expect(none.message).toMatch(/no credentials/);

    const two = errorOf(() => resolveContext(kubeconfig({ user: { username: 'root', password: PASSWORD } })));
    expect(two.message).toMatch(/more than one kind of credential \(token, username\/password\)/);

    const keyOnly = errorOf(() => resolveContext(kubeconfig({ user: { token: undefined, 'client-key-data': b64(clientKeyPem) } })));
    expect(keyOnly.field).toBe('users[1].user.client-certificate-data');

    const noPassword = errorOf(() => resolveContext(kubeconfig({ user: { token: undefined, username: 'root' } })));
    expect(noPassword.field).toBe('users[1].user.password');
  });

  it('refuses malformed inline data without echoing it', () => {
    const badKey = errorOf(() => resolveContext(kubeconfig({
      user: { token: undefined, 'client-certificate-data': b64(clientCertPem), 'client-key-data': b64(clientKeyPem.replace(/[A-Za-z]{8}/, 'AAAAAAAA')) },
    })));
    expect(badKey.field).toBe('users[1].user.client-key-data');
    const notB64 = errorOf(() => resolveContext(kubeconfig({
      user: { token: undefined, 'client-certificate-data': b64(clientCertPem), 'client-key-data': clientKeyPem },
    })));
    expect(notB64.message).toMatch(/not base64/);
    expect(errorOf(() => resolveContext(kubeconfig({ cluster: { 'certificate-authority-data': b64('hello') } }))).field)
      .toBe('clusters[1].cluster.certificate-authority-data');
    const spaced = errorOf(() => resolveContext(kubeconfig({ user: { token: `${TOKEN} extra` } })));
    expect(spaced.field).toBe('users[1].user.token');
  });

  it('refuses both a CA and insecure-skip-tls-verify', () => {
    const err = errorOf(() => resolveContext(kubeconfig({ cluster: { 'insecure-skip-tls-verify': true } })));
    expect(err.field).toBe('clusters[1].cluster.insecure-skip-tls-verify');
  });

  describe('refuses anything that would act on the Bosun server itself', () => {
    const cases: [string, { cluster?: Record<string, unknown>; user?: Record<string, unknown> }, string, RegExp][] = [
      ['exec plugin', { user: { token: undefined, exec: { command: 'aws', args: ['eks', 'get-token', TOKEN] } } }, 'users[1].user.exec', /exec credential plugin.*token/],
      ['auth-provider', { user: { 'auth-provider': { name: 'oidc', config: { 'id-token': TOKEN } } } }, 'users[1].user.auth-provider', /auth-provider.*token/],
      ['tokenFile', { user: { token: undefined, tokenFile: '/var/run/secrets/token' } }, 'users[1].user.tokenFile', /local file \(tokenFile\).*inline it as token/],
      ['client-certificate file', { user: { token: undefined, 'client-certificate': '/etc/cert.pem', 'client-key-data': b64('x') } }, 'users[1].user.client-certificate', /client-certificate-data/],
      ['client-key file', { user: { token: undefined, 'client-certificate-data': b64('x'), 'client-key': '/etc/key.pem' } }, 'users[1].user.client-key', /client-key-data/],
      ['certificate-authority file', { cluster: { 'certificate-authority': '/etc/ca.crt' } }, 'clusters[1].cluster.certificate-authority', /certificate-authority-data/],
      ['impersonation', { user: { as: 'system:admin' } }, 'users[1].user.as', /impersonates/],
    ];
    it.each(cases)('%s', (_name, overrides, field, message) => {
      const err = errorOf(() => resolveContext(kubeconfig(overrides)));
      expect(err.field).toBe(field);
      expect(err.message).toMatch(message);
    });

    it('only checks the chosen context (another user with exec is harmless)', () => {
      expect(() => resolveContext(kubeconfig())).not.toThrow();
      expect(errorOf(() => resolveContext(kubeconfig(), 'other-ctx')).field).toBe('users[0].user.exec');
    });
  });
});

describe('fingerprint', () => {
  it('is stable, short, and reveals nothing', () => {
    const a = fingerprint({ kind: 'token', token: TOKEN });
    expect(a).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(fingerprint({ kind: 'token', token: TOKEN })).toBe(a);
    expect(fingerprint({ kind: 'token', token: `${TOKEN}x` })).not.toBe(a);
    expect(a).not.toContain(TOKEN);
    // Key order does not matter: the fingerprint is over a canonical form.
    expect(fingerprint({ password: PASSWORD, username: 'u', kind: 'basic' } as never))
      .toBe(fingerprint({ kind: 'basic', username: 'u', password: PASSWORD }));
  });
});

describe('resolvedKubeconfigSchema', () => {
  it('accepts what resolveContext returns and rejects other shapes without echoing values', () => {
    const resolved = resolveContext(kubeconfig());
    expect(resolvedKubeconfigSchema.parse(JSON.parse(JSON.stringify(resolved)))).toEqual(resolved);
    const result = resolvedKubeconfigSchema.safeParse({ ...resolved, credentials: { kind: 'exec', token: TOKEN } });
    expect(result.success).toBe(false);
  });
});
