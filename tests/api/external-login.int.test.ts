/**
 * Signing in to Bosun through an identity provider: LDAP (Debian's slapd, started by the test) by
 * username and password, and OpenID Connect (panva's oidc-provider) by the browser redirect flow.
 * Either way the user is created on first sign-in with the provider's groups, and a role granted to
 * a group reaches its members.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { bosunClient } from '../support/bosun-client';
import { slapdAvailable, startSlapd, type RunningSlapd } from '../support/slapd';
import { startOidcProvider, type OidcTestProvider } from '../support/oidc-provider';
import { CLUSTER, NS_A, startTenants, WS_A, type Tenants } from './support/tenants';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function setCookies(response: Response): Map<string, string> {
  const jar = new Map<string, string>();
  for (const c of response.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const eq = pair.indexOf('=');
    jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return jar;
}

if (!slapdAvailable) console.warn('external sign-in tests skipped: /usr/sbin/slapd is not installed (Debian package slapd)');

describe.skipIf(!slapdAvailable)('sign-in through LDAP and OpenID Connect (needs slapd)', () => {
  let t: Tenants;
  let ldap: RunningSlapd;
  let idp: OidcTestProvider;
  let port: number;

  beforeAll(async () => {
    ldap = await startSlapd({
      users: [{ uid: 'lena', cn: 'Lena LDAP', mail: 'lena@example.com', password: 'lena-Passw0rd-x' }],
      groups: [{ cn: 'platform-devs', members: ['lena'] }],
    });
    port = await freePort();
    idp = await startOidcProvider({
      redirectUris: [`http://127.0.0.1:${port}/auth/oidc/callback`],
      accounts: [
        { sub: 'sub-olga', preferred_username: 'olga', name: 'Olga OIDC', email: 'olga@example.com', groups: ['platform-devs', 'sso-only'] },
        { sub: 'sub-mallory', preferred_username: 'admin', name: 'Not the admin', email: 'm@example.com', groups: [] },
      ],
    });
    t = await startTenants({
      config: {
        port,
        ldap: { url: ldap.url, bindDn: ldap.serviceDn, bindPassword: ldap.servicePassword, userBase: ldap.userBase, groupBase: ldap.groupBase },
        oidc: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, redirectUri: `http://127.0.0.1:${port}/auth/oidc/callback`, allowInsecureIssuer: true, scopes: ['openid', 'profile', 'email', 'groups'] },
      },
    });
    // A role for the directory group, granted before any of its members has signed in.
    await t.admin.client.members.grant.mutate({
      commandId: randomUUID(),
      subject: { kind: 'group', id: 'platform-devs' },
      roleId: 'developer',
      scope: { kind: 'namespace', clusterId: CLUSTER, namespace: NS_A, workspaceId: WS_A },
    });
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
    await idp?.stop();
    await ldap?.stop();
  });

  it('an LDAP user signs in with their directory password and gets what their group was granted', async () => {
    const lena = bosunClient(t.bosun.url);
    const signedIn = await lena.client.auth.login.mutate({ username: 'lena', password: 'lena-Passw0rd-x' });
    expect(signedIn.user).toEqual({ id: 'lena', name: 'Lena LDAP' });
    const me = (await lena.client.auth.me.query()).user!;
    expect(me.groups).toEqual(['platform-devs']);
    expect((await lena.client.namespaces.list.query()).map((n) => n.name)).toEqual([NS_A]);
    const user = await t.admin.client.users.get.query({ userId: 'lena' });
    expect(user).toMatchObject({ source: 'ldap', email: 'lena@example.com', groups: ['platform-devs'] });
    // A wrong directory password is refused like a wrong local one.
    const wrong = await bosunClient(t.bosun.url).client.auth.login.mutate({ username: 'lena', password: 'nope-nope-nope1' }).catch((e) => e);
    expect(wrong.message).toBe('wrong username or password');
  });

  it('an OIDC user signs in through the redirect flow and gets what their group was granted', async () => {
    const start = await fetch(`${t.bosun.url}/auth/oidc/login`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const pending = setCookies(start);
    const callback = await idp.signIn(start.headers.get('location')!, 'sub-olga');
    const finish = await fetch(callback, { redirect: 'manual', headers: { cookie: [...pending].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(finish.status).toBe(302);
    expect(finish.headers.get('location')).toBe('/');
    const olga = bosunClient(t.bosun.url);
    for (const [k, v] of setCookies(finish)) if (v) olga.cookies.set(k, v);
    const me = (await olga.client.auth.me.query()).user!;
    expect(me).toMatchObject({ id: 'olga', name: 'Olga OIDC', groups: ['platform-devs', 'sso-only'] });
    expect((await olga.client.namespaces.list.query()).map((n) => n.name)).toEqual([NS_A]);
    const audit = await t.bosun.services.db.selectFrom('audit_records').selectAll().where('action', '=', 'Login').where('actor_id', '=', 'olga').execute();
    expect(audit.map((r: any) => r.command.method)).toContain('oidc');
  });

  it('an OIDC identity whose username belongs to a local user is refused with 409, and no session is made', async () => {
    const start = await fetch(`${t.bosun.url}/auth/oidc/login`, { redirect: 'manual' });
    const pending = setCookies(start);
    const callback = await idp.signIn(start.headers.get('location')!, 'sub-mallory');
    const finish = await fetch(callback, { redirect: 'manual', headers: { cookie: [...pending].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(finish.status).toBe(409);
    expect(await finish.text()).toContain('already belongs to another local user');
    expect(setCookies(finish).get('bosun_session')).toBeUndefined();
  });
});
