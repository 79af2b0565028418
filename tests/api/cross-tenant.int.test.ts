/**
 * Tenant isolation: a member of workspace A, whatever their role there, sees nothing of workspace B
 * through any list, get or explain procedure: B's names never appear in a response, and asking
 * for B's objects directly is refused without revealing whether they exist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { appRouter } from '../../api/router';
import { httpStatusOf } from '../support/bosun-client';
import { CLUSTER, NS_A, NS_B, roleUsers, startTenants, WS_A, WS_B, type Tenants } from './support/tenants';

/** Inputs that point into A (the caller's own tenant) or at nothing in particular. */
const inputsInA: Record<string, unknown> = {
  'clusters.get': { clusterId: CLUSTER },
  'workspaces.get': { workspaceId: WS_A },
  'namespaces.get': { clusterId: CLUSTER, name: NS_A },
  'members.ofWorkspace': { workspaceId: WS_A },
  'members.ofNamespace': { clusterId: CLUSTER, name: NS_A },
  'access.mine': { scope: { kind: 'workspace', workspaceId: WS_A } },
  'users.get': { userId: 'r-developer' },
  'access.ofUser': { userId: 'r-developer', scope: { kind: 'platform' } },
  'audit.get': { commandId: randomUUID() },
};

/** The same procedures pointed at B. */
const inputsInB: Record<string, unknown> = {
  'workspaces.get': { workspaceId: WS_B },
  'namespaces.get': { clusterId: CLUSTER, name: NS_B },
  'members.ofWorkspace': { workspaceId: WS_B },
  'members.ofNamespace': { clusterId: CLUSTER, name: NS_B },
};

const tenantARoles = roleUsers.filter((u) => u.scope.kind !== 'platform');

describe('cross-tenant isolation', () => {
  let t: Tenants;

  beforeAll(async () => {
    t = await startTenants();
    // B has a member of its own, with a telling name.
    const a = t.admin.client;
    await a.users.create.mutate({ commandId: randomUUID(), userId: 'b-owner', displayName: 'B owner', email: null, password: 'user-Passw0rd-long' });
    await a.members.grant.mutate({ commandId: randomUUID(), subject: { kind: 'user', id: 'b-owner' }, roleId: 'workspace-admin', scope: { kind: 'workspace', workspaceId: WS_B } });
    await a.members.grant.mutate({ commandId: randomUUID(), subject: { kind: 'group', id: 'tenant-b-devs' }, roleId: 'developer', scope: { kind: 'namespace', clusterId: CLUSTER, namespace: NS_B, workspaceId: WS_B } });
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
  });

  const queries = () =>
    Object.entries((appRouter as any)._def.procedures as Record<string, any>)
      .filter(([, p]) => p._def.type === 'query')
      .map(([path]) => path);

  for (const user of tenantARoles) {
    it(`${user.roleId} of tenant A sees nothing of tenant B through any query`, async () => {
      const client = t.as[user.roleId].client as any;
      const leaks: string[] = [];
      let answered = 0;
      for (const path of queries()) {
        const [router, name] = path.split('.');
        const body = await client[router][name].query(inputsInA[path]).then(
          (value: unknown) => JSON.stringify(value),
          () => '',
        );
        if (body) answered++;
        for (const secret of [WS_B, NS_B, 'b-owner', 'tenant-b-devs']) if (body.includes(secret)) leaks.push(`${path} reveals ${secret}`);
      }
      expect(answered).toBeGreaterThan(3);
      expect(leaks).toEqual([]);
    });

    it(`${user.roleId} of tenant A is refused B's objects, existing or not, alike`, async () => {
      const client = t.as[user.roleId].client as any;
      for (const [path, input] of Object.entries(inputsInB)) {
        const [router, name] = path.split('.');
        const status = await client[router][name].query(input).then(
          () => 200,
          (e: unknown) => httpStatusOf(e),
        );
        expect(status, path).toBe(403);
      }
      // A namespace that does not exist is refused the same way: a refusal does not reveal existence.
      const missing = await client.namespaces.get.query({ clusterId: CLUSTER, name: 'no-such-ns' }).catch((e: unknown) => e);
      expect(httpStatusOf(missing)).toBe(403);
    });
  }

  it('the platform admin, for contrast, does see B', async () => {
    const names = (await t.admin.client.namespaces.list.query()).map((n) => n.name);
    expect(names).toEqual(expect.arrayContaining([NS_A, NS_B]));
  });
});
