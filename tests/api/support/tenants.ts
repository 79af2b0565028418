/**
 * Two tenants on one cluster, and one signed-in user per built-in role: the fixture of the
 * authorization matrix, the cross-tenant test and the security tests.
 *
 *   workspace tenant-a: namespaces a-dev (and a-prod)  ← members of A hold roles here
 *   workspace tenant-b: namespace b-private             ← nobody of A may see anything of it
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { startKubeSim, type KubeSim } from '../../kube-sim';
import { startBosun, type RunningBosun } from '../../../app/bosun';
import type { BosunConfig } from '../../../app/config';
import { bosunClient } from '../../support/bosun-client';
import { addNodes } from '../../support/kube-nodes';

export const CLUSTER = 'sim';
export const WS_A = 'tenant-a';
export const WS_B = 'tenant-b';
export const NS_A = 'a-dev';
export const NS_A2 = 'a-prod';
export const NS_B = 'b-private';
export const ADMIN_PASSWORD = 'correct-horse-battery-9';
export const USER_PASSWORD = 'user-Passw0rd-long';

type Scope =
  | { kind: 'platform' }
  | { kind: 'workspace'; workspaceId: string }
  | { kind: 'namespace'; clusterId: string; namespace: string; workspaceId: string };

export const scopes = {
  platform: { kind: 'platform' } as Scope,
  wsA: { kind: 'workspace', workspaceId: WS_A } as Scope,
  nsA: { kind: 'namespace', clusterId: CLUSTER, namespace: NS_A, workspaceId: WS_A } as Scope,
};

/** One user per built-in role, each granted where a tenant of A would hold it. */
export const roleUsers = [
  { userId: 'r-platform-admin', roleId: 'platform-admin', scope: scopes.platform },
  { userId: 'r-platform-auditor', roleId: 'platform-auditor', scope: scopes.platform },
  { userId: 'r-workspace-admin', roleId: 'workspace-admin', scope: scopes.wsA },
  { userId: 'r-ops-engineer', roleId: 'ops-engineer', scope: scopes.nsA },
  { userId: 'r-developer', roleId: 'developer', scope: scopes.nsA },
  { userId: 'r-tester', roleId: 'tester', scope: scopes.nsA },
  { userId: 'r-viewer', roleId: 'viewer', scope: scopes.wsA },
] as const;

export type Client = ReturnType<typeof bosunClient>;

export interface Tenants {
  bosun: RunningBosun;
  sim: KubeSim;
  admin: Client;
  /** A signed-in client per role user. */
  as: Record<string, Client>;
  login(userId: string, password?: string): Promise<Client>;
  stop(): Promise<void>;
}

export async function startTenants(options: { databaseUrl?: string | null; clock?: () => Date; config?: Partial<BosunConfig>; logger?: object } = {}): Promise<Tenants> {
  const sim = await startKubeSim({ nodes: 0 });
  await addNodes(sim.kubeconfig, 2, { cpu: '8', memory: '32Gi' });
  const dataDir = mkdtempSync(join(tmpdir(), 'bosun-tenants-'));
  const bosun = await startBosun({
    config: { dataDir, port: 0, databaseUrl: options.databaseUrl ?? null, adminPassword: ADMIN_PASSWORD, resyncSeconds: 2, ...options.config },
    reconcilerBackoff: { baseMs: 50, maxMs: 500 },
    clock: options.clock,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const login = async (userId: string, password = USER_PASSWORD) => {
    const client = bosunClient(bosun.url);
    await client.client.auth.login.mutate({ username: userId, password });
    return client;
  };
  const admin = await login('admin', ADMIN_PASSWORD);
  const a = admin.client;
  const id = () => randomUUID();
  const inspected = await a.clusters.inspectKubeconfig.mutate({ kubeconfig: sim.kubeconfig });
  await a.clusters.register.mutate({ commandId: id(), name: CLUSTER, kubeconfig: sim.kubeconfig, context: inspected.contexts[0].name });
  for (const ws of [WS_A, WS_B]) {
    await a.workspaces.create.mutate({ commandId: id(), name: ws, ceilingCpu: '6', ceilingMemory: '24Gi' });
    await a.workspaces.bind.mutate({ commandId: id(), workspaceId: ws, clusterId: CLUSTER, cpu: '6', memory: '24Gi' });
  }
  const quota = { quotaCpu: '1', quotaMemory: '2Gi', defaultRequestCpu: '100m', defaultRequestMemory: '128Mi', defaultLimitCpu: '500m', defaultLimitMemory: '512Mi' };
  for (const [ws, ns] of [[WS_A, NS_A], [WS_A, NS_A2], [WS_B, NS_B]]) {
    await a.namespaces.create.mutate({ commandId: id(), clusterId: CLUSTER, workspaceId: ws, name: ns, ...quota });
  }
  let last = 0;
  for (const user of roleUsers) {
    await a.users.create.mutate({ commandId: id(), userId: user.userId, displayName: user.userId, email: `${user.userId}@example.com`, password: USER_PASSWORD });
    last = (await a.members.grant.mutate({ commandId: id(), subject: { kind: 'user', id: user.userId }, roleId: user.roleId, scope: user.scope as any })).position;
  }
  await bosun.services.readModels.waitForPosition(last, 10_000);
  const deadline = Date.now() + 30_000;
  while ((await a.namespaces.list.query()).filter((n) => n.status === 'ready').length < 3) {
    if (Date.now() > deadline) throw new Error('the three namespaces did not become ready within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  const as: Record<string, Client> = {};
  for (const user of roleUsers) as[user.roleId] = await login(user.userId);
  return {
    bosun,
    sim,
    admin,
    as,
    login,
    async stop() {
      await bosun.stop();
      await sim.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
