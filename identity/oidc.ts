import * as client from 'openid-client';
import { DomainError } from '../domain/errors';
import type { ExternalIdentity } from './external';

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Must be registered at the provider exactly as written here. */
  redirectUri: string;
  scopes?: string[];
  usernameClaim?: string;
  groupsClaim?: string;
  /** Allows an http:// issuer; for tests against a local provider only. */
  allowInsecureIssuer?: boolean;
  /** Timeout of each request to the provider, in seconds. */
  timeoutSeconds?: number;
}

/** What must survive between `begin` and `complete`: random values only, kept in the browser's cookie. */
export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
}

type Claims = Record<string, unknown>;

/** Sign-in through an OpenID Connect provider: authorization code flow with PKCE, state and nonce. */
export class OidcLogin {
  private readonly issuer: URL;
  private discovered: Promise<client.Configuration> | null = null;

  constructor(private readonly config: OidcConfig) {
    this.issuer = parseIssuer(config);
    if (!URL.canParse(config.redirectUri)) throw new DomainError('invalid', 'oidc.redirectUri: not a URL', { field: 'oidc.redirectUri' });
  }

  get redirectUri(): string {
    return this.config.redirectUri;
  }

  async begin(): Promise<{ url: string; pending: PendingLogin }> {
    const configuration = await this.configuration();
    const pending: PendingLogin = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
    };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.config.redirectUri,
      scope: (this.config.scopes ?? ['openid', 'profile', 'email']).join(' '),
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, pending };
  }

  /**
   * Checks the provider's answer against the pending login, redeems the code and describes the user.
   * Only the query of `callbackUrl` is used: the token request must name the registered redirect URI,
   * whatever host or path prefix the request arrived under.
   */
  async complete(callbackUrl: URL, pending: PendingLogin): Promise<ExternalIdentity> {
    const current = new URL(this.config.redirectUri);
    current.search = callbackUrl.search;
    if (!isPendingLogin(pending)) throw new DomainError('invalid', 'OIDC sign-in: no sign-in is pending in this browser; start again');
    // The library checks state too; checking first gives the common case (stale or forged link) its own message.
    if (current.searchParams.get('state') !== pending.state) {
      throw new DomainError('invalid', 'OIDC sign-in: the response does not belong to the sign-in started in this browser (state mismatch); start again');
    }
    const configuration = await this.configuration();
    try {
      const tokens = await client.authorizationCodeGrant(configuration, current, {
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        pkceCodeVerifier: pending.codeVerifier,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims() as Claims;
      const sub = String(idClaims.sub);
      // Many providers (oidc-provider, Keycloak by configuration) put profile claims in userinfo only.
      const userinfo = configuration.serverMetadata().userinfo_endpoint
        ? ((await client.fetchUserInfo(configuration, tokens.access_token, sub)) as Claims)
        : {};
      return this.identityFrom(sub, { ...userinfo, ...idClaims });
    } catch (error) {
      throw this.refusal(error);
    }
  }

  private identityFrom(sub: string, claims: Claims): ExternalIdentity {
    const username = nonEmptyString(claims[this.config.usernameClaim ?? 'preferred_username']) ?? sub;
    const email = claims.email_verified === false ? null : nonEmptyString(claims.email);
    return {
      source: 'oidc',
      subject: sub,
      username,
      displayName: nonEmptyString(claims.name) ?? username,
      email,
      groups: groupsFrom(claims[this.config.groupsClaim ?? 'groups']),
    };
  }

  /** Discovery happens on first use and is retried after a failure, so Bosun starts while the provider is down. */
  private configuration(): Promise<client.Configuration> {
    this.discovered ??= client
      .discovery(this.issuer, this.config.clientId, undefined, client.ClientSecretBasic(this.config.clientSecret), {
        execute: this.issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [],
        timeout: this.config.timeoutSeconds ?? 10,
      })
      .catch((error: unknown) => {
        this.discovered = null;
        throw new DomainError(
          'precondition_failed',
          `OIDC provider ${this.issuer.href} cannot be reached or its discovery document is unusable: ${this.scrub(describe(error))}`,
        );
      });
    return this.discovered;
  }

  private refusal(error: unknown): DomainError {
    if (error instanceof DomainError) return error;
    if (error instanceof client.AuthorizationResponseError) {
      return new DomainError('forbidden', `OIDC sign-in refused by the provider: ${errorCode(error.error)}`);
    }
    if (error instanceof client.ResponseBodyError) {
      return new DomainError('forbidden', `OIDC provider refused the token or userinfo request: ${errorCode(error.error)}`);
    }
    if (error instanceof client.WWWAuthenticateChallengeError) {
      // A 401 with a challenge, e.g. a wrong client secret at the token endpoint (invalid_client).
      const reason = errorCode(error.cause.map((c) => c.parameters.error).find(Boolean) ?? `HTTP ${error.status}`);
      return new DomainError('forbidden', `OIDC provider refused the token or userinfo request: ${reason}`);
    }
    const code = (error as { code?: unknown })?.code;
    if (typeof code === 'string' && code.startsWith('OAUTH_')) {
      // oauth4webapi messages are fixed sentences; the offending values stay in `cause`, which is dropped here.
      return new DomainError('forbidden', `OIDC sign-in rejected: ${this.scrub(describe(error))}`);
    }
    return new DomainError('precondition_failed', `OIDC provider ${this.issuer.href} failed during sign-in: ${this.scrub(describe(error))}`);
  }

  /** Belt and braces: no message built here may carry the client secret, whatever a library put in it. */
  private scrub(text: string): string {
    return this.config.clientSecret ? text.split(this.config.clientSecret).join('[redacted]') : text;
  }
}

function parseIssuer(config: OidcConfig): URL {
  if (!URL.canParse(config.issuer)) throw new DomainError('invalid', 'oidc.issuer: not a URL', { field: 'oidc.issuer' });
  const issuer = new URL(config.issuer);
  if (issuer.protocol === 'https:') return issuer;
  if (issuer.protocol === 'http:' && config.allowInsecureIssuer) return issuer;
  throw new DomainError('invalid', `oidc.issuer: must be an https:// URL, got ${issuer.protocol}//${issuer.host}`, { field: 'oidc.issuer' });
}

function isPendingLogin(value: unknown): value is PendingLogin {
  const p = value as PendingLogin | null;
  return !!p && [p.state, p.nonce, p.codeVerifier].every((v) => typeof v === 'string' && v.length > 0);
}

function groupsFrom(claim: unknown): string[] {
  if (typeof claim === 'string') return claim ? [claim] : [];
  if (Array.isArray(claim)) return claim.filter((g): g is string => typeof g === 'string' && g.length > 0);
  return [];
}

/** OAuth error codes are short tokens; anything else (a forged `error=` parameter, say) is not echoed to the browser. */
function errorCode(value: string): string {
  return /^[\w .-]{1,64}$/.test(value) ? value : 'unrecognised error';
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** The error's own message plus the cause's (fetch hides ECONNREFUSED there), never the cause's data. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause : null;
  const inner = cause?.cause instanceof Error ? cause.cause : null;
  return [error.message, cause?.message, inner?.message].filter(Boolean).join(': ');
}
