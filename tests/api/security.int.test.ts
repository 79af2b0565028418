/**
 * Attacks on sign-in, sessions and API keys, each refused and audited: session fixation, CSRF,
 * brute force, an API key used beyond its permissions or scope, an expired or revoked key, a
 * disabled user's open session and key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { bosunClient, httpStatusOf } from '../support/bosun-client';
import { CLUSTER, NS_A, NS_A2, startTenants, USER_PASSWORD, WS_A, WS_B, type Tenants } from './support/tenants';

let offsetMs = 0;
const clock = () => new Date(Date.now() + offsetMs);

async function auditRows(t: Tenants, where: { action?: string; actor?: string; code?: string }) {
  let q = t.bosun.services.db.selectFrom('audit_records').selectAll();
  if (where.action) q = q.where('action', '=', where.action);
  if (where.actor) q = q.where('actor_id', '=', where.actor);
  if (where.code) q = q.where('code', '=', where.code);
  return q.execute();
}

/** Waits until the audit read model has caught up with everything written so far. */
async function settled(t: Tenants) {
  await t.bosun.services.readModels.waitForPosition(await t.bosun.services.store.headPosition(), 10_000);
}

describe('security', () => {
  let t: Tenants;

  beforeAll(async () => {
    t = await startTenants({ clock });
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
  });

  it('session fixation: a token planted before sign-in never becomes the victim’s session', async () => {
    // The attacker signs in and plants their own token in the victim's browser.
    const attacker = await t.login('r-viewer');
    const planted = attacker.cookies.get('bosun_session')!;
    const victim = bosunClient(t.bosun.url);
    victim.cookies.set('bosun_session', planted);
    await victim.client.auth.login.mutate({ username: 'r-developer', password: USER_PASSWORD });
    expect(victim.cookies.get('bosun_session')).not.toBe(planted);
    // The planted token is gone (sign-in revokes the token it arrived with), so it cannot ride on the victim's sign-in.
    const withPlanted = bosunClient(t.bosun.url);
    withPlanted.cookies.set('bosun_session', planted);
    expect((await withPlanted.client.auth.me.query()).user).toBeNull();
    expect((await victim.client.auth.me.query()).user?.id).toBe('r-developer');
  });

  it('sessions end after 30 idle minutes and after 12 hours in any case', async () => {
    const idle = await t.login('r-viewer');
    const busy = await t.login('r-viewer');
    for (let i = 0; i < 25; i++) {
      offsetMs += 29 * 60_000; // busy keeps using its session; idle does not
      expect((await busy.client.auth.me.query()).user?.id, `after ${i + 1} × 29 min`).toBe(i < 24 ? 'r-viewer' : undefined);
      if (i === 1) expect((await idle.client.auth.me.query()).user).toBeNull();
    }
    offsetMs -= 25 * 29 * 60_000;
  });

  it('CSRF: a mutation riding on the session cookie without the CSRF header is refused, writes nothing, and is audited', async () => {
    const admin = await t.login('admin', 'correct-horse-battery-9');
    const forged = bosunClient(t.bosun.url, {}, { csrf: false });
    for (const [k, v] of admin.cookies) forged.cookies.set(k, v);
    const before = await t.bosun.services.store.headPosition();
    const refused = await forged.client.workspaces.create
      .mutate({ commandId: randomUUID(), name: 'csrf-ws', ceilingCpu: '1', ceilingMemory: '1Gi' })
      .catch((e) => e);
    expect(httpStatusOf(refused)).toBe(403);
    expect(refused.message).toContain('CSRF');
    // A wrong token is refused as well.
    const wrong = bosunClient(t.bosun.url, { 'x-bosun-csrf': 'guessed' }, { csrf: false });
    for (const [k, v] of admin.cookies) wrong.cookies.set(k, v);
    expect(httpStatusOf(await wrong.client.workspaces.create.mutate({ commandId: randomUUID(), name: 'csrf-ws', ceilingCpu: '1', ceilingMemory: '1Gi' }).catch((e) => e))).toBe(403);
    await settled(t);
    expect((await t.admin.client.workspaces.list.query()).map((w) => w.workspaceId)).not.toContain('csrf-ws');
    expect((await auditRows(t, { action: 'CsrfCheck', actor: 'admin' })).length).toBe(2);
    // Reads need no token; the same cookies with the header work.
    expect((await forged.client.auth.me.query()).user?.id).toBe('admin');
    expect(await t.bosun.services.store.headPosition()).toBeGreaterThan(before); // only the audit records
  });

  it('brute force: after five failures the account is locked out with growing waits, even for the right password', async () => {
    const client = bosunClient(t.bosun.url).client;
    for (let i = 0; i < 5; i++) {
      expect(httpStatusOf(await client.auth.login.mutate({ username: 'r-tester', password: `wrong-${i}` }).catch((e) => e))).toBe(401);
    }
    const locked = await client.auth.login.mutate({ username: 'r-tester', password: `wrong-5` }).catch((e) => e);
    expect(httpStatusOf(locked)).toBe(401); // the sixth failure earns the first lockout
    const refused = await client.auth.login.mutate({ username: 'r-tester', password: USER_PASSWORD }).catch((e) => e);
    expect(httpStatusOf(refused)).toBe(429);
    expect(refused.message).toMatch(/too many failed logins; try again in \d+ s/);
    offsetMs += 31_000; // the first lockout lasts 30 s
    await client.auth.login.mutate({ username: 'r-tester', password: USER_PASSWORD });
    await settled(t);
    const logins = await auditRows(t, { action: 'Login' });
    const testerAttempts = logins.filter((r: any) => r.command?.username === 'r-tester');
    expect(testerAttempts.filter((r: any) => r.outcome === 'rejected' && r.code === 'unauthorized').length).toBeGreaterThanOrEqual(6);
    expect(testerAttempts.filter((r: any) => r.code === 'too_many_requests').length).toBe(1);
    expect(testerAttempts.filter((r: any) => r.outcome === 'accepted').length).toBeGreaterThanOrEqual(1);
    // No password ever reaches the audit trail.
    expect(JSON.stringify(logins)).not.toContain(USER_PASSWORD);
    expect(JSON.stringify(logins)).not.toContain('wrong-3');
  });

  it('an API key works as a Bearer token, only within its permissions and scopes, and is stored as a digest', async () => {
    const dev = t.as['workspace-admin'].client;
    const created = await dev.apiKeys.create.mutate({ commandId: randomUUID(), name: 'ci', permissions: ['namespaces:read'], scopes: [{ kind: 'namespace', clusterId: CLUSTER, namespace: NS_A, workspaceId: WS_A }], expiresInDays: 30 });
    expect(created.key).toMatch(/^bsk_/);
    const keyClient = bosunClient(t.bosun.url, { authorization: `Bearer ${created.key}` }).client;
    // Within: reads the one namespace of its scope, not the other one its user may see.
    expect((await keyClient.namespaces.list.query()).map((n) => n.name)).toEqual([NS_A]);
    // Beyond its permissions (the user may manage namespaces; the key may not).
    const manage = await keyClient.namespaces.delete.mutate({ commandId: randomUUID(), clusterId: CLUSTER, name: NS_A }).catch((e) => e);
    expect(httpStatusOf(manage)).toBe(403);
    // Beyond its scope.
    expect(httpStatusOf(await keyClient.namespaces.get.query({ clusterId: CLUSTER, name: NS_A2 }).catch((e) => e))).toBe(403);
    expect(httpStatusOf(await keyClient.workspaces.get.query({ workspaceId: WS_B }).catch((e) => e))).toBe(403);
    // A key cannot mint keys, and a user cannot make a key with permissions they do not hold.
    expect(httpStatusOf(await keyClient.apiKeys.create.mutate({ commandId: randomUUID(), name: 'x', permissions: ['namespaces:read'] }).catch((e) => e))).toBe(403);
    const escalate = await dev.apiKeys.create.mutate({ commandId: randomUUID(), name: 'root', permissions: ['clusters:manage'] }).catch((e) => e);
    expect(httpStatusOf(escalate)).toBe(403);
    expect(escalate.message).toContain('clusters:manage');
    // Only the SHA-256 is kept.
    await settled(t);
    const events = await t.bosun.services.store.readAll({ limit: 1_000_000 });
    expect(JSON.stringify(events)).not.toContain(created.key);
    const rows = await t.bosun.services.db.selectFrom('api_keys').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(created.key);
    await settled(t);
    // Three refusals by the guard, two inside the procedure (a key minting keys, an escalation).
    expect((await auditRows(t, { actor: 'r-workspace-admin', code: 'forbidden' })).length).toBe(5);
  });

  it('a revoked key is refused at once, an expired key once it expires; both audited', async () => {
    const ops = t.as['ops-engineer'].client;
    const revoked = await ops.apiKeys.create.mutate({ commandId: randomUUID(), name: 'soon-revoked', permissions: ['namespaces:read'], expiresInDays: 30 });
    const expiring = await ops.apiKeys.create.mutate({ commandId: randomUUID(), name: 'short', permissions: ['namespaces:read'], expiresInDays: 1 });
    const viaRevoked = bosunClient(t.bosun.url, { authorization: `Bearer ${revoked.key}` }).client;
    const viaExpiring = bosunClient(t.bosun.url, { authorization: `Bearer ${expiring.key}` }).client;
    expect((await viaRevoked.namespaces.list.query()).length).toBe(1);
    await ops.apiKeys.revoke.mutate({ commandId: randomUUID(), keyId: revoked.keyId });
    const refused = await viaRevoked.namespaces.list.query().catch((e) => e);
    expect(httpStatusOf(refused)).toBe(401);
    expect(refused.message).toBe('API key has been revoked');
    expect((await viaExpiring.namespaces.list.query()).length).toBe(1);
    offsetMs += 2 * 86_400_000;
    const expired = await viaExpiring.namespaces.list.query().catch((e) => e);
    expect(httpStatusOf(expired)).toBe(401);
    expect(expired.message).toBe('API key has expired');
    offsetMs -= 2 * 86_400_000;
    await settled(t);
    const refusals = await auditRows(t, { action: 'UseApiKey' });
    expect(refusals.map((r: any) => r.message)).toEqual(expect.arrayContaining(['API key has been revoked', 'API key has expired']));
    expect(JSON.stringify(refusals)).not.toContain(revoked.key);
  });

  it('disabling a user ends their open session and their keys at once', async () => {
    const session = await t.login('r-developer');
    const key = await session.client.apiKeys.create.mutate({ commandId: randomUUID(), name: 'dev-key', permissions: ['namespaces:read'] });
    const viaKey = bosunClient(t.bosun.url, { authorization: `Bearer ${key.key}` }).client;
    expect((await session.client.namespaces.list.query()).length).toBe(1);
    await t.admin.client.users.disable.mutate({ commandId: randomUUID(), userId: 'r-developer' });
    expect(httpStatusOf(await session.client.namespaces.list.query().catch((e) => e))).toBe(401);
    expect(httpStatusOf(await viaKey.namespaces.list.query().catch((e) => e))).toBe(401);
    expect(httpStatusOf(await bosunClient(t.bosun.url).client.auth.login.mutate({ username: 'r-developer', password: USER_PASSWORD }).catch((e) => e))).toBe(401);
    // Nobody disables themselves.
    const self = await t.admin.client.users.disable.mutate({ commandId: randomUUID(), userId: 'admin' }).catch((e) => e);
    expect(httpStatusOf(self)).toBe(403);
    await t.admin.client.users.enable.mutate({ commandId: randomUUID(), userId: 'r-developer' });
    expect((await (await t.login('r-developer')).client.namespaces.list.query()).length).toBe(1);
  });

  it('a workspace admin cannot grant roles outside their workspace, nor to themselves', async () => {
    const wsAdmin = t.as['workspace-admin'].client;
    const platform = await wsAdmin.members.grant.mutate({ commandId: randomUUID(), subject: { kind: 'user', id: 'r-tester' }, roleId: 'platform-admin', scope: { kind: 'platform' } }).catch((e) => e);
    expect(httpStatusOf(platform)).toBe(403);
    const otherTenant = await wsAdmin.members.grant.mutate({ commandId: randomUUID(), subject: { kind: 'user', id: 'r-tester' }, roleId: 'viewer', scope: { kind: 'workspace', workspaceId: WS_B } }).catch((e) => e);
    expect(httpStatusOf(otherTenant)).toBe(403);
    const self = await wsAdmin.members.grant.mutate({ commandId: randomUUID(), subject: { kind: 'user', id: 'r-workspace-admin' }, roleId: 'developer', scope: { kind: 'namespace', clusterId: CLUSTER, namespace: NS_A, workspaceId: WS_A } }).catch((e) => e);
    expect(httpStatusOf(self)).toBe(403);
    expect(self.message).toContain('yourself');
    // Lying about a namespace's workspace does not help: the real one decides.
    const lie = await wsAdmin.members.grant.mutate({ commandId: randomUUID(), subject: { kind: 'user', id: 'r-tester' }, roleId: 'developer', scope: { kind: 'namespace', clusterId: CLUSTER, namespace: 'b-private', workspaceId: WS_A } }).catch((e) => e);
    expect(httpStatusOf(lie)).toBe(403);
    // Inside their workspace they can.
    await wsAdmin.members.grant.mutate({ commandId: randomUUID(), subject: { kind: 'user', id: 'r-tester' }, roleId: 'viewer', scope: { kind: 'workspace', workspaceId: WS_A } });
  });
});
