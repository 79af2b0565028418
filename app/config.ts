import { resolve } from 'node:path';
import type { OidcConfig } from '../identity/oidc';
import type { LdapConfig } from '../identity/ldap';

export interface BosunConfig {
  dataDir: string;
  host: string;
  port: number;
  /** PostgreSQL for read models (and events unless eventStoreUrl is set); PGlite in dataDir when absent. */
  databaseUrl: string | null;
  /** EventStoreDB for events. */
  eventStoreUrl: string | null;
  adminPassword: string | null;
  resyncSeconds: number;
  logLevel: string;
  /** OpenID Connect sign-in ("Log in with SSO"); off when null. */
  oidc: OidcConfig | null;
  /** LDAP sign-in and group sync; off when null. */
  ldap: LdapConfig | null;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): BosunConfig {
  return {
    dataDir: resolve(env.BOSUN_DATA_DIR ?? '.bosun'),
    host: env.BOSUN_HOST ?? '127.0.0.1',
    port: integer(env.PORT ?? env.BOSUN_PORT, 8080, 'PORT'),
    databaseUrl: env.DATABASE_URL || null,
    eventStoreUrl: env.EVENTSTORE_URL || null,
    adminPassword: env.BOSUN_ADMIN_PASSWORD || null,
    resyncSeconds: integer(env.BOSUN_RESYNC_SECONDS, 60, 'BOSUN_RESYNC_SECONDS'),
    logLevel: env.LOG_LEVEL ?? 'info',
    oidc: env.BOSUN_OIDC_ISSUER
      ? {
          issuer: env.BOSUN_OIDC_ISSUER,
          clientId: required(env, 'BOSUN_OIDC_CLIENT_ID'),
          clientSecret: required(env, 'BOSUN_OIDC_CLIENT_SECRET'),
          redirectUri: required(env, 'BOSUN_OIDC_REDIRECT_URI'),
          groupsClaim: env.BOSUN_OIDC_GROUPS_CLAIM || undefined,
          usernameClaim: env.BOSUN_OIDC_USERNAME_CLAIM || undefined,
          // Many providers (Dex, Keycloak) send group claims only when the `groups` scope is asked for.
          scopes: env.BOSUN_OIDC_SCOPES ? env.BOSUN_OIDC_SCOPES.split(/[\s,]+/).filter(Boolean) : undefined,
        }
      : null,
    ldap: env.BOSUN_LDAP_URL
      ? {
          url: env.BOSUN_LDAP_URL,
          bindDn: required(env, 'BOSUN_LDAP_BIND_DN'),
          bindPassword: required(env, 'BOSUN_LDAP_BIND_PASSWORD'),
          userBase: required(env, 'BOSUN_LDAP_USER_BASE'),
          groupBase: required(env, 'BOSUN_LDAP_GROUP_BASE'),
          userFilter: env.BOSUN_LDAP_USER_FILTER || undefined,
          groupFilter: env.BOSUN_LDAP_GROUP_FILTER || undefined,
        }
      : null,
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} must be set (it goes with the other ${name.split('_').slice(0, 2).join('_')}_* settings)`);
  return value;
}

function integer(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}
