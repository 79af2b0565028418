import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
// @ts-ignore -- oidc-provider 9 ships no type declarations; the little used here is typed below.
import Provider from 'oidc-provider';

export interface TestAccount {
  sub: string;
  preferred_username: string;
  name: string;
  email: string;
  /** A string as well as an array: providers differ, and the client must read both. */
  groups: string[] | string;
}

export interface OidcTestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /**
   * Plays the browser from the authorization URL to the redirect back to the client: follows the
   * provider's redirects carrying its cookies, and signs in as `login` at the interaction step.
   * Returns the URL the provider sends the browser to (the client's redirect URI with code and state).
   */
  signIn(authorizationUrl: string, login: string): Promise<URL>;
  stop(): Promise<void>;
}

/** Only the parts of oidc-provider this file touches. */
interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<{ params: Record<string, string> }>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: object, options: object): Promise<void>;
  Grant: new (init: { accountId: string; clientId: string }) => { addOIDCScope(scope: string): void; save(): Promise<string> };
}

/**
 * A real OpenID provider (panva's oidc-provider) on 127.0.0.1 and an ephemeral port, with one
 * confidential client and the given accounts. Its interaction step is a bare POST of the login name:
 * signing in grants every requested scope, so there is no consent page.
 */
export async function startOidcProvider(options: { redirectUris: string[]; accounts: TestAccount[] }): Promise<OidcTestProvider> {
  const accounts = new Map(options.accounts.map((a) => [a.sub, a]));
  const clientId = 'bosun';
  const clientSecret = `client-secret-${randomBytes(16).toString('hex')}`;

  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const provider: ProviderInstance = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    async findAccount(_ctx: unknown, sub: string) {
      const account = accounts.get(sub);
      return account && { accountId: sub, claims: async () => ({ ...account, email_verified: true }) };
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
  });

  const providerHandler = provider.callback();
  handle = (req, res) => {
    if (req.method === 'POST' && /^\/interaction\/[^/]+\/login$/.test(req.url ?? '')) {
      submitLogin(provider, accounts, req, res).catch((error) => res.writeHead(500).end(String(error)));
    } else {
      providerHandler(req, res);
    }
  };

  async function signIn(authorizationUrl: string, login: string): Promise<URL> {
    const jar = new Map<string, string>();
    let url = new URL(authorizationUrl);
    let body: string | undefined;
    for (let hop = 0; hop < 10; hop++) {
      if (url.origin !== issuer) return url;
      const res = await fetch(url, {
        method: body === undefined ? 'GET' : 'POST',
        body,
        redirect: 'manual',
        headers: {
          cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
          ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
        },
      });
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const eq = pair.indexOf('=');
        const value = pair.slice(eq + 1);
        if (value && !/max-age=0|expires=Thu, 01 Jan 1970/i.test(line)) jar.set(pair.slice(0, eq), value);
        else jar.delete(pair.slice(0, eq));
      }
      const text = await res.text();
      const location = res.headers.get('location');
      if (!location) throw new Error(`OIDC test provider answered ${res.status} at ${url.pathname}: ${text.slice(0, 500)}`);
      url = new URL(location, url);
      body = undefined;
      if (url.origin === issuer && url.pathname.startsWith('/interaction/')) {
        url = new URL(`${url.pathname}/login`, url);
        body = new URLSearchParams({ login }).toString();
      }
    }
    throw new Error('OIDC test provider: too many redirects');
  }

  return {
    issuer,
    clientId,
    clientSecret,
    signIn,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Signs in as the posted login (no password: this provider trusts the test) and grants what was asked. */
async function submitLogin(provider: ProviderInstance, accounts: Map<string, TestAccount>, req: IncomingMessage, res: ServerResponse) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  const login = new URLSearchParams(raw).get('login') ?? '';
  const { params } = await provider.interactionDetails(req, res);
  if (!accounts.has(login)) {
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'unknown user' }, { mergeWithLastSubmission: false });
    return;
  }
  const grant = new provider.Grant({ accountId: login, clientId: params.client_id });
  grant.addOIDCScope(params.scope);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { login: { accountId: login }, consent: { grantId } }, { mergeWithLastSubmission: false });
}
