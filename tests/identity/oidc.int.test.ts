import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import { DomainError } from '../../domain/errors';
import type { ExternalIdentity } from '../../identity/external';
import { OidcLogin, type OidcConfig } from '../../identity/oidc';
import { OIDC_PENDING_COOKIE, oidcRoutes } from '../../api/routes/oidc';
import { startOidcProvider, type OidcTestProvider } from '../support/oidc-provider';

// Never contacted: the test plays the browser and hands the provider's redirect to fastify's inject.
const REDIRECT_URI = 'http://bosun.test/auth/oidc/callback';

const alice = {
  sub: 'sub-alice-0001',
  preferred_username: 'alice',
  name: 'Alice Liddell',
  email: 'alice@example.test',
  groups: ['platform-admins', 'team-wonderland'],
};
const bob = { sub: 'sub-bob-0002', preferred_username: 'bob', name: 'Bob Builder', email: 'bob@example.test', groups: 'team-builders' };

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('OIDC sign-in against a real OpenID provider', () => {
  let idp: OidcTestProvider;
  const config = (overrides: Partial<OidcConfig> = {}): OidcConfig => ({
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    redirectUri: REDIRECT_URI,
    scopes: ['openid', 'profile', 'email', 'groups'],
    allowInsecureIssuer: true,
    ...overrides,
  });

  beforeAll(async () => {
    idp = await startOidcProvider({ redirectUris: [REDIRECT_URI], accounts: [alice, bob] });
  });
  afterAll(async () => {
    await idp?.stop();
  });

  describe('OidcLogin', () => {
    it('runs the code flow with PKCE, state and nonce and describes the user from the claims', async () => {
      const login = new OidcLogin(config());
      const { url, pending } = await login.begin();
      const authorize = new URL(url);
      expect(authorize.origin).toBe(idp.issuer);
      expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorize.searchParams.get('state')).toBe(pending.state);
      expect(authorize.searchParams.get('nonce')).toBe(pending.nonce);
      expect(url).not.toContain(pending.codeVerifier);

      const callback = await idp.signIn(url, alice.sub);
      const identity = await login.complete(callback, pending);
      expect(identity).toEqual<ExternalIdentity>({
        source: 'oidc',
        subject: alice.sub,
        username: 'alice',
        displayName: 'Alice Liddell',
        email: 'alice@example.test',
        groups: ['platform-admins', 'team-wonderland'],
      });
    });

    it('reads a groups claim that is a single string', async () => {
      const login = new OidcLogin(config());
      const { url, pending } = await login.begin();
      const identity = await login.complete(await idp.signIn(url, bob.sub), pending);
      expect(identity.username).toBe('bob');
      expect(identity.groups).toEqual(['team-builders']);
    });

    it('falls back to sub when the username claim is absent, and has no groups without the groups scope', async () => {
      const login = new OidcLogin(config({ scopes: ['openid'], usernameClaim: 'nickname' }));
      const { url, pending } = await login.begin();
      const identity = await login.complete(await idp.signIn(url, alice.sub), pending);
      expect(identity).toMatchObject({ subject: alice.sub, username: alice.sub, displayName: alice.sub, email: null, groups: [] });
    });

    it('refuses a response whose state was tampered with', async () => {
      const login = new OidcLogin(config());
      const { url, pending } = await login.begin();
      const callback = await idp.signIn(url, alice.sub);
      callback.searchParams.set('state', `${pending.state}x`);
      const error = await refusal(login.complete(callback, pending));
      expect(error.code).toBe('invalid');
      expect(error.message).toMatch(/state mismatch/);
    });

    it('refuses a response meant for another pending login (nonce and verifier differ too)', async () => {
      const login = new OidcLogin(config());
      const first = await login.begin();
      const second = await login.begin();
      const callback = await idp.signIn(first.url, alice.sub);
      const error = await refusal(login.complete(callback, second.pending));
      expect(error.code).toBe('invalid');
    });

    it('refuses to redeem the same code twice', async () => {
      const login = new OidcLogin(config());
      const { url, pending } = await login.begin();
      const callback = await idp.signIn(url, alice.sub);
      await login.complete(callback, pending);
      const error = await refusal(login.complete(callback, pending));
      expect(error.code).toBe('forbidden');
      expect(error.message).toMatch(/invalid_grant/);
      expect(error.message).not.toContain(callback.searchParams.get('code')!);
    });

    it('reports the provider refusing the sign-in', async () => {
      const login = new OidcLogin(config());
      const { url, pending } = await login.begin();
      const error = await refusal(login.complete(await idp.signIn(url, 'nobody'), pending));
      expect(error.code).toBe('forbidden');
      expect(error.message).toMatch(/access_denied/);
    });

    it('keeps the client secret out of the error when the provider rejects the client', async () => {
      const wrongSecret = `wrong-${idp.clientSecret}`;
      const login = new OidcLogin(config({ clientSecret: wrongSecret }));
      const { url, pending } = await login.begin();
      const callback = await idp.signIn(url, alice.sub);
      const error = await refusal(login.complete(callback, pending));
      expect(error.code).toBe('forbidden');
      expect(error.message).toMatch(/invalid_client/);
      for (const secret of [wrongSecret, idp.clientSecret, callback.searchParams.get('code')!]) {
        expect(error.message).not.toContain(secret);
        expect(JSON.stringify(error)).not.toContain(secret);
      }
    });

    it('refuses an http:// issuer unless explicitly allowed', () => {
      expect(() => new OidcLogin(config({ allowInsecureIssuer: false }))).toThrow(/https/);
    });

    it('reports an unreachable provider as precondition_failed, naming the issuer but not the secret', async () => {
      // A port that was just free, so the connection is refused (fetch rejects well-known ports like 9 outright).
      const issuer = `http://127.0.0.1:${await closedPort()}/`;
      const login = new OidcLogin(config({ issuer }));
      const error = await refusal(login.begin());
      expect(error.code).toBe('precondition_failed');
      expect(error.message).toContain(issuer);
      expect(error.message).toMatch(/ECONNREFUSED/);
      expect(error.message).not.toContain(idp.clientSecret);
    });
  });

  describe('fastify routes', () => {
    let app: FastifyInstance;
    const signedIn: ExternalIdentity[] = [];

    beforeAll(async () => {
      app = Fastify();
      await app.register(fastifyCookie);
      await app.register(oidcRoutes, {
        login: new OidcLogin(config()),
        async signIn(identity, _req, reply) {
          signedIn.push(identity);
          await reply.redirect('/', 302);
        },
      });
      await app.ready();
    });
    afterAll(async () => {
      await app?.close();
    });

    async function startLogin() {
      const res = await app.inject({ method: 'GET', url: '/auth/oidc/login' });
      expect(res.statusCode).toBe(302);
      const cookie = res.cookies.find((c) => c.name === OIDC_PENDING_COOKIE)!;
      return { res, cookie, location: res.headers.location as string };
    }

    it('redirects to the provider with a short-lived, httpOnly, Lax, path-limited cookie, then signs in', async () => {
      const { res, cookie, location } = await startLogin();
      expect(new URL(location).origin).toBe(idp.issuer);
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/auth/oidc', maxAge: 600 });
      expect(String(res.headers['set-cookie'])).not.toContain('Domain=');

      const callback = await idp.signIn(location, alice.sub);
      expect(callback.href.startsWith(REDIRECT_URI)).toBe(true);
      const done = await app.inject({ method: 'GET', url: callback.pathname + callback.search, cookies: { [cookie.name]: cookie.value } });
      expect(done.statusCode).toBe(302);
      expect(done.headers.location).toBe('/');
      expect(signedIn.at(-1)).toMatchObject({ source: 'oidc', username: 'alice', groups: ['platform-admins', 'team-wonderland'] });
      const cleared = done.cookies.find((c) => c.name === OIDC_PENDING_COOKIE);
      expect(cleared).toMatchObject({ value: '', path: '/auth/oidc' });
    });

    it('refuses a callback that arrives without the pending cookie', async () => {
      const { location } = await startLogin();
      const callback = await idp.signIn(location, alice.sub);
      const before = signedIn.length;
      const res = await app.inject({ method: 'GET', url: callback.pathname + callback.search });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.body).toMatch(/no sign-in is pending/);
      expect(signedIn.length).toBe(before);
    });

    it('refuses a tampered state with 400, naming the problem and echoing no secret', async () => {
      const { cookie, location } = await startLogin();
      const callback = await idp.signIn(location, alice.sub);
      const code = callback.searchParams.get('code')!;
      callback.searchParams.set('state', 'forged-state');
      const res = await app.inject({ method: 'GET', url: callback.pathname + callback.search, cookies: { [cookie.name]: cookie.value } });
      expect(res.statusCode).toBe(400);
      expect(res.body).toMatch(/state mismatch/);
      for (const secret of [idp.clientSecret, code, cookie.value]) expect(res.body).not.toContain(secret);
    });

    it('answers 401 when the provider refuses the sign-in', async () => {
      const { cookie, location } = await startLogin();
      const callback = await idp.signIn(location, 'nobody');
      const res = await app.inject({ method: 'GET', url: callback.pathname + callback.search, cookies: { [cookie.name]: cookie.value } });
      expect(res.statusCode).toBe(401);
      expect(res.body).toMatch(/access_denied/);
    });
  });
});
