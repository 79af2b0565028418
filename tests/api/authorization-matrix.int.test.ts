/**
 * The authorization matrix: every tRPC procedure × every built-in role × a target inside and
 * outside the caller's scope. The expectation comes from the role table of design.md, written out
 * here on its own (not read from domain/permissions.ts), so the test checks the code against the
 * design rather than against itself. Mutations are probed with an invalid commandId: the guard runs
 * before input validation, so an allowed caller gets 400 (nothing written) and a refused one 403.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { appRouter } from '../../api/router';
import type { ProcedureMeta } from '../../api/scope-rules';
import { httpStatusOf } from '../support/bosun-client';
import { CLUSTER, NS_A, NS_B, roleUsers, startTenants, WS_A, WS_B, type Tenants } from './support/tenants';

const reads = ['clusters:read', 'workspaces:read', 'namespaces:read', 'workloads:read'];
const nsWork = ['namespaces:read', 'workloads:read', 'apps:deploy', 'containers:exec', 'containers:logs', 'pipelines:run'];

/** design.md, Roles: what each built-in role can do. */
const designRoleTable: Record<string, string[] | 'everything'> = {
  'platform-admin': 'everything',
  'platform-auditor': [...reads, 'audit:read', 'metering:read'],
  'workspace-admin': [...reads, 'namespaces:manage', 'members:manage', 'metering:read'],
  'ops-engineer': [...nsWork, 'workloads:operate', 'devenv:manage', 'secrets:reveal'],
  developer: [...nsWork, 'devenv:manage', 'secrets:reveal'],
  tester: nsWork,
  viewer: reads,
};

type Variant = 'in' | 'out';
type Sample = Record<string, unknown> | undefined;
const bad = 'not-a-uuid';
const ns = (v: Variant) => (v === 'in' ? { clusterId: CLUSTER, name: NS_A } : { clusterId: CLUSTER, name: NS_B });
/** An app id in the namespace of the variant (no such app: an allowed caller gets 404, a refused one 403). */
const appOf = (v: Variant) => `${CLUSTER}.${v === 'in' ? NS_A : NS_B}.no-such-app`;
const ws = (v: Variant) => (v === 'in' ? WS_A : WS_B);
const nsScope = (v: Variant) =>
  v === 'in' ? { kind: 'namespace', clusterId: CLUSTER, namespace: NS_A, workspaceId: WS_A } : { kind: 'namespace', clusterId: CLUSTER, namespace: NS_B, workspaceId: WS_B };

/** An input per procedure and variant. A procedure without one fails the coverage test below. */
const samples: Record<string, (v: Variant) => Sample> = {
  'auth.login': () => ({ username: '', password: '' }),
  'auth.methods': () => undefined,
  'auth.me': () => undefined,
  'auth.logout': () => undefined,
  'auth.changePassword': () => ({ commandId: bad }),
  'clusters.list': () => undefined,
  'clusters.get': () => ({ clusterId: CLUSTER }),
  'clusters.inspectKubeconfig': () => ({ kubeconfig: '' }),
  'clusters.register': () => ({ commandId: bad }),
  'clusters.refresh': () => ({ commandId: bad, clusterId: CLUSTER }),
  'clusters.setOvercommit': () => ({ commandId: bad, clusterId: CLUSTER }),
  'clusters.remove': () => ({ commandId: bad, clusterId: CLUSTER }),
  'workspaces.list': () => undefined,
  'workspaces.get': (v) => ({ workspaceId: ws(v) }),
  'workspaces.create': () => ({ commandId: bad }),
  'workspaces.changeCeiling': (v) => ({ commandId: bad, workspaceId: ws(v) }),
  'workspaces.delete': (v) => ({ commandId: bad, workspaceId: ws(v) }),
  'workspaces.bind': (v) => ({ commandId: bad, workspaceId: ws(v) }),
  'workspaces.changeBinding': (v) => ({ commandId: bad, workspaceId: ws(v) }),
  'workspaces.unbind': (v) => ({ commandId: bad, workspaceId: ws(v) }),
  'namespaces.list': () => undefined,
  'namespaces.get': (v) => ns(v),
  'namespaces.create': (v) => ({ commandId: bad, workspaceId: ws(v) }),
  'namespaces.changeQuota': (v) => ({ commandId: bad, ...ns(v) }),
  'namespaces.delete': (v) => ({ commandId: bad, ...ns(v) }),
  'audit.list': () => undefined,
  'audit.get': () => ({ commandId: randomUUID() }),
  'audit.stateAt': () => ({ kind: 'workspace', id: WS_A, at: 'not-a-time' }),
  'audit.whoHeld': () => ({ permission: 'containers:exec', clusterId: CLUSTER, namespace: NS_A, from: 'x', to: 'y' }),
  'live.changes': () => undefined,
  'system.info': () => undefined,
  'users.list': () => undefined,
  'users.get': () => ({ userId: 'r-developer' }),
  'users.create': () => ({ commandId: bad }),
  'users.disable': () => ({ commandId: bad }),
  'users.enable': () => ({ commandId: bad }),
  'users.resetPassword': () => ({ commandId: bad }),
  'roles.list': () => undefined,
  'roles.define': () => ({ commandId: bad }),
  'roles.update': () => ({ commandId: bad }),
  'roles.delete': () => ({ commandId: bad }),
  'members.ofPlatform': () => undefined,
  'members.ofWorkspace': (v) => ({ workspaceId: ws(v) }),
  'members.ofNamespace': (v) => ns(v),
  'members.grant': (v) => ({ commandId: bad, scope: nsScope(v) }),
  'members.revoke': (v) => ({ commandId: bad, scope: nsScope(v) }),
  'apiKeys.list': () => undefined,
  'apiKeys.create': () => ({ commandId: bad }),
  'apiKeys.revoke': () => ({ commandId: bad }),
  'apiKeys.revokeFor': () => ({ commandId: bad }),
  'access.mine': () => ({ scope: { kind: 'platform' } }),
  'access.ofUser': () => ({ userId: 'r-developer', scope: { kind: 'platform' } }),
  'kubeconfig.download': () => ({ commandId: bad, clusterId: CLUSTER }),
  'templates.list': () => undefined,
  'templates.get': () => ({ templateId: '' }),
  'templates.starters': () => undefined,
  // The guard reads the claimed scope; a namespace scope passes it where allowed and is then refused as input (400).
  'templates.create': (v) => ({ commandId: bad, scope: nsScope(v) }),
  'templates.saveVersion': () => ({ commandId: bad }),
  'templates.share': () => ({ commandId: bad }),
  'templates.delete': () => ({ commandId: bad }),
  'templates.check': () => ({}),
  'templates.render': () => ({ namespace: 5 }),
  // workloads (H3): scope = clusterId + namespace; an allowed read of a missing object is a 404, not a 403.
  'workloads.list': (v) => ({ clusterId: CLUSTER, namespace: v === 'in' ? NS_A : NS_B, kind: 'Deployment' }),
  'workloads.get': (v) => ({ clusterId: CLUSTER, namespace: v === 'in' ? NS_A : NS_B, kind: 'Deployment', name: 'none' }),
  'workloads.yaml': (v) => ({ clusterId: CLUSTER, namespace: v === 'in' ? NS_A : NS_B, kind: 'Deployment', name: 'none' }),
  'workloads.scale': (v) => ({ commandId: bad, clusterId: CLUSTER, namespace: v === 'in' ? NS_A : NS_B }),
  'workloads.setAutoscaler': (v) => ({ commandId: bad, clusterId: CLUSTER, namespace: v === 'in' ? NS_A : NS_B }),
  'workloads.removeAutoscaler': (v) => ({ commandId: bad, clusterId: CLUSTER, namespace: v === 'in' ? NS_A : NS_B }),
  'workloads.updateImage': (v) => ({ commandId: bad, clusterId: CLUSTER, namespace: v === 'in' ? NS_A : NS_B }),
  'workloads.restart': (v) => ({ commandId: bad, clusterId: CLUSTER, namespace: v === 'in' ? NS_A : NS_B }),
  'workloads.rollback': (v) => ({ commandId: bad, clusterId: CLUSTER, namespace: v === 'in' ? NS_A : NS_B }),
  'workloads.delete': (v) => ({ commandId: bad, clusterId: CLUSTER, namespace: v === 'in' ? NS_A : NS_B }),
  'config.list': (v) => ({ clusterId: CLUSTER, namespace: ns(v).name, kind: 'ConfigMap' }),
  'config.get': (v) => ({ clusterId: CLUSTER, namespace: ns(v).name, kind: 'ConfigMap', name: 'absent' }),
  'config.reveal': (v) => ({ clusterId: CLUSTER, namespace: ns(v).name, name: 'absent' }),
  'config.save': (v) => ({ commandId: bad, clusterId: CLUSTER, namespace: ns(v).name }),
  'config.delete': (v) => ({ commandId: bad, clusterId: CLUSTER, namespace: ns(v).name }),
  'apps.list': () => undefined,
  'apps.get': (v) => ({ appId: appOf(v) }),
  'apps.revisions': (v) => ({ appId: appOf(v) }),
  'apps.preview': (v) => ({ clusterId: CLUSTER, namespace: ns(v).name, name: 5 }),
  'apps.generate': (v) => ({ commandId: bad, clusterId: CLUSTER, namespace: ns(v).name }),
  'apps.publish': (v) => ({ commandId: bad, appId: appOf(v) }),
  'apps.revise': (v) => ({ commandId: bad, appId: appOf(v) }),
  'apps.rollback': (v) => ({ commandId: bad, appId: appOf(v) }),
  'apps.unpublish': (v) => ({ commandId: bad, appId: appOf(v) }),
  'apps.delete': (v) => ({ commandId: bad, appId: appOf(v) }),
  'apps.status': (v) => ({ appId: appOf(v) }),
  'apps.topology': (v) => ({ appId: appOf(v) }),
  'devenvs.list': () => undefined,
  'devenvs.get': (v) => ({ clusterId: CLUSTER, namespace: ns(v).name, name: 'no-such-env' }),
  'devenvs.namespaces': () => undefined,
  'devenvs.quota': (v) => ({ clusterId: CLUSTER, namespace: ns(v).name }),
  'devenvs.start': (v) => ({ commandId: bad, clusterId: CLUSTER, namespace: ns(v).name }),
  'devenvs.stop': (v) => ({ commandId: bad, clusterId: CLUSTER, namespace: ns(v).name }),
  'devenvs.resume': (v) => ({ commandId: bad, clusterId: CLUSTER, namespace: ns(v).name }),
  'devenvs.delete': (v) => ({ commandId: bad, clusterId: CLUSTER, namespace: ns(v).name }),
  'devenvs.pod': (v) => ({ clusterId: CLUSTER, namespace: ns(v).name, name: 'no-such-env' }),
  'pods.get': (v) => ({ clusterId: CLUSTER, namespace: ns(v).name, name: 'no-such-pod' }),
  'pods.events': (v) => ({ clusterId: CLUSTER, namespace: ns(v).name, name: 'no-such-pod' }),
  'pods.metrics': (v) => ({ clusterId: CLUSTER, namespace: ns(v).name, name: 'no-such-pod' }),
};

/** Procedures not called over HTTP here (their guard is still checked from meta): */
const notCalled = new Set([
  'auth.logout', // would end the session the matrix uses; covered by the security tests
  'live.changes', // a subscription (SSE); it carries positions only
]);

interface ProcedureInfo {
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  meta: ProcedureMeta;
}

function procedures(): ProcedureInfo[] {
  const record = (appRouter as any)._def.procedures as Record<string, any>;
  return Object.entries(record).map(([path, procedure]) => ({
    path,
    type: procedure._def.type,
    meta: (procedure._def.meta ?? { permission: null, scope: { kind: 'public' } }) as ProcedureMeta,
  }));
}

function roleHas(roleId: string, permission: string): boolean {
  const table = designRoleTable[roleId];
  return table === 'everything' || table.includes(permission);
}

/** Does the role's grant (see roleUsers) reach the target of this rule and variant? */
function grantReaches(grantKind: 'platform' | 'workspace' | 'namespace', rule: ProcedureMeta['scope'], variant: Variant): boolean {
  if (grantKind === 'platform') return true;
  switch (rule.kind) {
    case 'platform':
      return false;
    case 'list':
      return true;
    case 'workspace':
      // A namespace grant does not reach its workspace; a workspace grant reaches only its own.
      return grantKind === 'workspace' && variant === 'in';
    case 'namespace':
    case 'namespaceId':
    case 'scopeInput':
      return variant === 'in';
    default:
      return true;
  }
}

function expectedAllowed(roleId: string, grantKind: 'platform' | 'workspace' | 'namespace', info: ProcedureInfo, variant: Variant): boolean {
  const { permission, scope } = info.meta;
  if (scope.kind === 'public' || scope.kind === 'self' || permission === null) return true;
  return roleHas(roleId, permission) && grantReaches(grantKind, scope, variant);
}

async function call(client: any, info: ProcedureInfo, input: Sample): Promise<{ status: number; message: string }> {
  const [router, name] = info.path.split('.');
  const procedure = client[router][name];
  try {
    if (info.type === 'query') await procedure.query(input);
    else await procedure.mutate(input);
    return { status: 200, message: '' };
  } catch (error) {
    return { status: httpStatusOf(error) ?? 0, message: (error as Error).message };
  }
}

describe('authorization matrix (every procedure × every built-in role × in and out of scope)', () => {
  let t: Tenants;
  const denials: string[] = [];

  beforeAll(async () => {
    t = await startTenants();
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
  });

  it('has a sample input for every procedure, and every guarded procedure declares a permission', () => {
    const all = procedures();
    expect(all.length).toBeGreaterThan(40);
    expect(all.filter((p) => !samples[p.path]).map((p) => p.path)).toEqual([]);
    for (const p of all) {
      if (p.meta.scope.kind !== 'public' && p.meta.scope.kind !== 'self') expect(p.meta.permission, p.path).not.toBeNull();
    }
    // Only these are open to anyone signed in (or to anyone at all).
    expect(all.filter((p) => p.meta.scope.kind === 'public').map((p) => p.path).sort()).toEqual(['auth.login', 'auth.me', 'auth.methods']);
  });

  for (const user of roleUsers) {
    it(`${user.roleId} (granted at ${user.scope.kind} scope) is allowed or refused exactly as the role table says`, async () => {
      const client = t.as[user.roleId].client;
      const mismatches: string[] = [];
      for (const info of procedures()) {
        if (notCalled.has(info.path) || !samples[info.path]) continue; // a missing sample fails the coverage test
        const variants: Variant[] = ['workspace', 'namespace', 'namespaceId', 'scopeInput'].includes(info.meta.scope.kind) ? ['in', 'out'] : ['in'];
        for (const variant of variants) {
          const expected = expectedAllowed(user.roleId, user.scope.kind, info, variant);
          const { status, message } = await call(client, info, samples[info.path](variant));
          const refused = status === 403;
          if (status === 401) mismatches.push(`${info.path} [${variant}]: 401 ${message}`);
          else if (refused !== !expected) mismatches.push(`${info.path} [${variant}]: expected ${expected ? 'allowed' : 'refused'}, got ${status} ${message}`);
          else if (refused) {
            expect(message, info.path).toContain(`permission ${info.meta.permission}`);
            denials.push(`${user.userId} ${info.path}`);
          }
        }
      }
      expect(mismatches).toEqual([]);
    }, 120_000);
  }

  it('audits every refusal as an attempt, with who and what', async () => {
    await new Promise((r) => setTimeout(r, 200));
    const rows = await t.bosun.services.db
      .selectFrom('audit_records')
      .select(['actor_id', 'action', 'code', 'message'])
      .where('code', '=', 'forbidden')
      .execute();
    expect(denials.length).toBeGreaterThan(50);
    const recorded = new Set(rows.map((r: any) => `${r.actor_id} ${r.action}`));
    expect(denials.filter((d) => !recorded.has(d))).toEqual([]);
  });
});
