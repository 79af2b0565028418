import { describe, expect, it } from 'vitest';
import { builtInRoles, type Grant, isAllowed, type Permission, permissions, type Scope, scopeCovers } from '../../domain/permissions';

const platform: Scope = { kind: 'platform' };
const teamA: Scope = { kind: 'workspace', workspaceId: 'team-a' };
const teamB: Scope = { kind: 'workspace', workspaceId: 'team-b' };
const web: Scope = { kind: 'namespace', clusterId: 'prod', namespace: 'web', workspaceId: 'team-a' };
const api: Scope = { kind: 'namespace', clusterId: 'prod', namespace: 'api', workspaceId: 'team-a' };
const other: Scope = { kind: 'namespace', clusterId: 'prod', namespace: 'shop', workspaceId: 'team-b' };

/** The permissions a single grant yields on a target. */
function allowedOn(grant: Grant, target: Scope): Permission[] {
  return permissions.filter((p) => isAllowed([grant], p, target));
}

const containerAccess: Permission[] = ['containers:exec', 'containers:logs'];
const changes = permissions.filter((p) => !p.endsWith(':read'));

describe('built-in roles', () => {
  it('platform-admin can do everything everywhere', () => {
    const grant = { role: 'platform-admin', scope: platform };
    for (const target of [platform, teamA, web]) expect(allowedOn(grant, target)).toEqual([...permissions]);
  });

  it('platform-auditor reads everything, audit and metering included, and changes nothing', () => {
    const grant = { role: 'platform-auditor', scope: platform };
    expect(allowedOn(grant, platform).sort()).toEqual(
      ['audit:read', 'clusters:read', 'metering:read', 'namespaces:read', 'workloads:read', 'workspaces:read'].sort(),
    );
    for (const p of changes) expect(isAllowed([grant], p, web)).toBe(false);
    for (const p of containerAccess) expect(isAllowed([grant], p, web)).toBe(false);
  });

  it('workspace-admin manages namespaces and members in its workspace, without container access', () => {
    const grant = { role: 'workspace-admin', scope: teamA };
    expect(isAllowed([grant], 'namespaces:manage', teamA)).toBe(true);
    expect(isAllowed([grant], 'members:manage', teamA)).toBe(true);
    expect(isAllowed([grant], 'namespaces:manage', web)).toBe(true);
    for (const p of containerAccess) expect(isAllowed([grant], p, web)).toBe(false);
    expect(isAllowed([grant], 'apps:deploy', web)).toBe(false);
    expect(isAllowed([grant], 'clusters:manage', platform)).toBe(false);
    expect(isAllowed([grant], 'workspaces:manage', teamA)).toBe(false);
    expect(allowedOn(grant, teamB)).toEqual([]);
    expect(allowedOn(grant, other)).toEqual([]);
    expect(allowedOn(grant, platform)).toEqual([]);
  });

  it('ops-engineer deploys, operates workload controllers, uses containers, pipelines and dev environments in its namespace', () => {
    const grant = { role: 'ops-engineer', scope: web };
    for (const p of ['apps:deploy', 'workloads:operate', 'containers:exec', 'containers:logs', 'pipelines:run', 'devenv:manage'] as const) {
      expect(isAllowed([grant], p, web)).toBe(true);
    }
    expect(isAllowed([grant], 'namespaces:manage', web)).toBe(false);
    expect(isAllowed([grant], 'members:manage', web)).toBe(false);
    expect(allowedOn(grant, api)).toEqual([]);
    expect(allowedOn(grant, teamA)).toEqual([]);
  });

  it('developer is an ops engineer without workload controllers', () => {
    const grant = { role: 'developer', scope: web };
    for (const p of ['apps:deploy', 'containers:exec', 'containers:logs', 'pipelines:run', 'devenv:manage'] as const) {
      expect(isAllowed([grant], p, web)).toBe(true);
    }
    expect(isAllowed([grant], 'workloads:operate', web)).toBe(false);
    expect(allowedOn(grant, other)).toEqual([]);
  });

  it('tester is a developer without dev environments', () => {
    const grant = { role: 'tester', scope: web };
    for (const p of ['apps:deploy', 'containers:exec', 'containers:logs', 'pipelines:run'] as const) {
      expect(isAllowed([grant], p, web)).toBe(true);
    }
    expect(isAllowed([grant], 'workloads:operate', web)).toBe(false);
    expect(isAllowed([grant], 'devenv:manage', web)).toBe(false);
  });

  it('viewer reads at any scope, only within it, and changes nothing', () => {
    for (const scope of [platform, teamA, web]) {
      const grant = { role: 'viewer', scope };
      expect(isAllowed([grant], 'workloads:read', web)).toBe(true);
      for (const p of [...changes, 'audit:read' as const]) expect(isAllowed([grant], p, web)).toBe(false);
    }
    expect(isAllowed([{ role: 'viewer', scope: web }], 'workloads:read', api)).toBe(false);
    expect(isAllowed([{ role: 'viewer', scope: teamA }], 'workloads:read', other)).toBe(false);
  });

  it('every role lists only known permissions and at least one scope', () => {
    for (const role of Object.values(builtInRoles)) {
      expect(role.grantableAt.length).toBeGreaterThan(0);
      for (const p of role.permissions) expect(permissions).toContain(p);
    }
  });
});

describe('isAllowed', () => {
  it('is false without grants, for unknown roles, and for a role granted at a scope it is not meant for', () => {
    expect(isAllowed([], 'workloads:read', web)).toBe(false);
    expect(isAllowed([{ role: 'no-such-role', scope: platform }], 'workloads:read', web)).toBe(false);
    expect(isAllowed([{ role: 'constructor', scope: platform }], 'workloads:read', web)).toBe(false);
    expect(isAllowed([{ role: 'developer', scope: platform }], 'apps:deploy', web)).toBe(false);
    expect(isAllowed([{ role: 'workspace-admin', scope: platform }], 'namespaces:manage', web)).toBe(false);
  });

  it('combines grants', () => {
    const grants = [
      { role: 'viewer', scope: teamA },
      { role: 'developer', scope: web },
    ];
    expect(isAllowed(grants, 'apps:deploy', web)).toBe(true);
    expect(isAllowed(grants, 'apps:deploy', api)).toBe(false);
    expect(isAllowed(grants, 'workloads:read', api)).toBe(true);
  });

  it('takes custom roles as data', () => {
    const roles = { ...builtInRoles, 'log-reader': { displayName: { en: 'Log reader', 'zh-CN': '日志查看' }, grantableAt: ['workspace'], permissions: ['containers:logs'] } } as const;
    expect(isAllowed([{ role: 'log-reader', scope: teamA }], 'containers:logs', web, roles)).toBe(true);
    expect(isAllowed([{ role: 'log-reader', scope: teamA }], 'containers:exec', web, roles)).toBe(false);
  });

  it('matches a namespace grant only to the same cluster, name and workspace', () => {
    expect(scopeCovers(web, web)).toBe(true);
    expect(scopeCovers(web, { ...web, clusterId: 'dev' })).toBe(false);
    expect(scopeCovers(web, { ...web, workspaceId: 'team-b' })).toBe(false);
    expect(scopeCovers(teamA, web)).toBe(true);
    expect(scopeCovers(teamA, platform)).toBe(false);
    expect(scopeCovers(platform, other)).toBe(true);
  });
});
