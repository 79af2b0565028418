import { describe, expect, it } from 'vitest';
import { desiredRbac, rulesFor, type DesiredObject, type PolicyRule, type RbacGrant, type RbacInputs } from '../../../reconcilers/rbac/desired';
import { KUBE_ALL_USERS_GROUP, kubeGroupName, kubeUserName } from '../../../kube/identities';
import type { Scope } from '../../../domain/permissions';

const C = 'c1';
const namespaces = [
  { name: 'ns-a', workspaceId: 'ws-1' },
  { name: 'ns-a2', workspaceId: 'ws-1' },
  { name: 'ns-b', workspaceId: 'ws-2' },
];
const onNs = (namespace: string, workspaceId = 'ws-1'): Scope => ({ kind: 'namespace', clusterId: C, namespace, workspaceId });
const user = (id: string, roleId: string, scope: Scope): RbacGrant => ({ subject: { kind: 'user', id }, roleId, scope });
const group = (id: string, roleId: string, scope: Scope): RbacGrant => ({ subject: { kind: 'group', id }, roleId, scope });

function compute(grants: RbacGrant[], extra: Partial<RbacInputs> = {}): Map<string, DesiredObject[]> {
  return desiredRbac({ clusterId: C, grants, customRoles: [], namespaces, disabledUsers: new Set(), ...extra });
}

const find = (objects: DesiredObject[] | undefined, kind: 'Role' | 'RoleBinding', roleId: string) =>
  objects?.find((o) => o.kind === kind && o.metadata.name === `bosun-${roleId}`);

/** Does a rule set allow `verb` on `resource` of `group`, as RBAC matches it? */
function allows(rules: PolicyRule[] | undefined, verb: string, group: string, resource: string): boolean {
  return (rules ?? []).some((r) => r.verbs.includes(verb) && r.apiGroups.includes(group) && r.resources.includes(resource));
}

describe('desired RBAC of a namespace', () => {
  it('developer: exec, logs, read and deploy apps, but no Deployment patch', () => {
    const role = find(compute([user('alice', 'developer', onNs('ns-a'))]).get('ns-a'), 'Role', 'developer');
    expect(role).toBeDefined();
    expect(allows(role!.rules, 'create', '', 'pods/exec')).toBe(true);
    expect(allows(role!.rules, 'get', '', 'pods/log')).toBe(true);
    expect(allows(role!.rules, 'get', '', 'pods')).toBe(true);
    expect(allows(role!.rules, 'create', '', 'configmaps')).toBe(true);
    expect(allows(role!.rules, 'patch', 'apps', 'deployments')).toBe(false);
    expect(allows(role!.rules, 'delete', '', 'pods')).toBe(false);
  });

  it('ops-engineer: may patch Deployments and scale them', () => {
    const role = find(compute([user('bob', 'ops-engineer', onNs('ns-a'))]).get('ns-a'), 'Role', 'ops-engineer');
    expect(allows(role!.rules, 'patch', 'apps', 'deployments')).toBe(true);
    expect(allows(role!.rules, 'update', 'apps', 'deployments/scale')).toBe(true);
    expect(allows(role!.rules, 'delete', '', 'pods')).toBe(true);
    expect(allows(role!.rules, 'create', 'batch', 'jobs')).toBe(true);
  });

  it('tester holds exec as the role table says; viewer reads but never secrets', () => {
    const got = compute([user('tess', 'tester', onNs('ns-a')), user('vic', 'viewer', onNs('ns-a'))]).get('ns-a');
    expect(allows(find(got, 'Role', 'tester')!.rules, 'create', '', 'pods/exec')).toBe(true);
    const viewer = find(got, 'Role', 'viewer')!.rules;
    expect(allows(viewer, 'list', 'apps', 'deployments')).toBe(true);
    expect(allows(viewer, 'get', 'networking.k8s.io', 'ingresses')).toBe(true);
    expect(allows(viewer, 'get', '', 'secrets')).toBe(false);
    expect(allows(viewer, 'get', '', 'pods/log')).toBe(false);
    expect(allows(viewer, 'create', '', 'pods/exec')).toBe(false);
  });

  it('Role and RoleBinding carry the labels, the names and the subject the proxy impersonates', () => {
    const objects = compute([user('alice', 'developer', onNs('ns-a'))]).get('ns-a')!;
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Role/bosun-developer', 'RoleBinding/bosun-developer']);
    for (const o of objects) {
      expect(o.apiVersion).toBe('rbac.authorization.k8s.io/v1');
      expect(o.metadata).toMatchObject({
        namespace: 'ns-a',
        labels: { 'app.kubernetes.io/managed-by': 'bosun', 'bosun.io/component': 'rbac', 'bosun.io/cluster': C, 'bosun.io/role': 'developer' },
      });
    }
    expect(objects[1].roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'bosun-developer' });
    expect(objects[1].subjects).toEqual([{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: kubeUserName('alice') }]);
  });

  it('a namespace grant reaches only its namespace', () => {
    const got = compute([user('alice', 'developer', onNs('ns-a'))]);
    expect(got.get('ns-a2')).toEqual([]);
    expect(got.get('ns-b')).toEqual([]);
  });

  it('a workspace grant covers every namespace of its workspace and none of another', () => {
    const got = compute([user('wanda', 'viewer', { kind: 'workspace', workspaceId: 'ws-1' })]);
    expect(find(got.get('ns-a'), 'RoleBinding', 'viewer')?.subjects?.[0].name).toBe(kubeUserName('wanda'));
    expect(find(got.get('ns-a2'), 'RoleBinding', 'viewer')).toBeDefined();
    expect(got.get('ns-b')).toEqual([]);
  });

  it('platform grants (viewer, auditor, admin) cover every namespace', () => {
    const got = compute([
      user('pat', 'viewer', { kind: 'platform' }),
      user('aud', 'platform-auditor', { kind: 'platform' }),
      user('root', 'platform-admin', { kind: 'platform' }),
    ]);
    for (const ns of namespaces) {
      const objects = got.get(ns.name)!;
      expect(find(objects, 'RoleBinding', 'viewer')?.subjects?.map((s) => s.name)).toEqual([kubeUserName('pat')]);
      expect(allows(find(objects, 'Role', 'platform-auditor')!.rules, 'create', '', 'pods/exec')).toBe(false);
      expect(allows(find(objects, 'Role', 'platform-admin')!.rules, 'patch', 'apps', 'deployments')).toBe(true);
    }
  });

  it('group subjects are bound as Groups under their Kubernetes name; several holders share one binding', () => {
    const binding = find(
      compute([
        group('Team Blue', 'viewer', onNs('ns-a')),
        user('zed', 'viewer', { kind: 'platform' }),
        user('amy', 'viewer', { kind: 'workspace', workspaceId: 'ws-1' }),
      ]).get('ns-a'),
      'RoleBinding',
      'viewer',
    );
    expect(binding?.subjects).toEqual([
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: kubeUserName('amy') },
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: kubeUserName('zed') },
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: kubeGroupName('Team Blue') },
    ]);
    expect(binding?.subjects?.some((s) => s.name === KUBE_ALL_USERS_GROUP)).toBe(false);
  });

  it('disabled users are left out; a role held only by them yields nothing', () => {
    const grants = [user('alice', 'developer', onNs('ns-a')), user('mallory', 'developer', onNs('ns-a')), user('mallory', 'ops-engineer', onNs('ns-a'))];
    const objects = compute(grants, { disabledUsers: new Set(['mallory']) }).get('ns-a')!;
    expect(find(objects, 'RoleBinding', 'developer')?.subjects?.map((s) => s.name)).toEqual([kubeUserName('alice')]);
    expect(find(objects, 'Role', 'ops-engineer')).toBeUndefined();
    expect(find(objects, 'RoleBinding', 'ops-engineer')).toBeUndefined();
  });

  it('a custom role maps its permissions; one with no Kubernetes permissions, or a deleted one, gets nothing', () => {
    const customRoles = [
      { roleId: 'log-reader', permissions: ['containers:logs'] as const, grantableAt: ['namespace', 'workspace'] as const },
      { roleId: 'pipeline-runner', permissions: ['pipelines:run'] as const, grantableAt: ['namespace'] as const },
    ];
    const grants = [user('lou', 'log-reader', onNs('ns-a')), user('pip', 'pipeline-runner', onNs('ns-a')), user('gone', 'deleted-role', onNs('ns-a'))];
    const objects = compute(grants, { customRoles: customRoles.map((r) => ({ ...r, permissions: [...r.permissions], grantableAt: [...r.grantableAt] })) }).get('ns-a')!;
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Role/bosun-log-reader', 'RoleBinding/bosun-log-reader']);
    expect(objects[0].rules).toEqual([{ apiGroups: [''], resources: ['pods/log'], verbs: ['get'] }]);
  });

  it('a grant at a scope kind its role is not grantable at grants nothing (as isAllowed)', () => {
    // developer is grantable at namespace scope only.
    expect(compute([user('alice', 'developer', { kind: 'platform' })]).get('ns-a')).toEqual([]);
  });

  it('revocation: once the grant is gone, so are the Role and RoleBinding', () => {
    const grants = [user('alice', 'developer', onNs('ns-a')), user('bob', 'ops-engineer', onNs('ns-a'))];
    expect(compute(grants).get('ns-a')!.map((o) => o.metadata.name)).toContain('bosun-developer');
    const after = compute(grants.slice(1)).get('ns-a')!;
    expect(after.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Role/bosun-ops-engineer', 'RoleBinding/bosun-ops-engineer']);
  });

  it('is deterministic: the same grants in any order give the same objects', () => {
    const grants = [user('b', 'developer', onNs('ns-a')), group('g', 'viewer', { kind: 'platform' }), user('a', 'developer', onNs('ns-a'))];
    expect(compute([...grants].reverse())).toEqual(compute(grants));
  });
});

describe('permission → rules', () => {
  it('merges resources with the same group and verbs into one sorted rule and never grants secrets to readers', () => {
    const rules = rulesFor(['namespaces:read', 'workloads:read']);
    expect(rules).toEqual(rulesFor(['workloads:read']));
    expect(rules.find((r) => r.apiGroups[0] === '')).toEqual({
      apiGroups: [''],
      resources: ['configmaps', 'endpoints', 'events', 'persistentvolumeclaims', 'pods', 'services'],
      verbs: ['get', 'list', 'watch'],
    });
    expect(rules.map((r) => r.apiGroups[0])).toEqual(['', 'apps', 'autoscaling', 'batch', 'networking.k8s.io']);
  });

  it('permissions without a Kubernetes meaning map to nothing', () => {
    expect(rulesFor(['clusters:manage', 'members:manage', 'pipelines:run', 'audit:read', 'metering:read', 'devenv:manage'])).toEqual([]);
  });

  it('apps:deploy writes secrets but reads their values only with secrets:reveal', () => {
    const rules = rulesFor(['apps:deploy']);
    expect(allows(rules, 'create', '', 'secrets')).toBe(true);
    expect(allows(rules, 'patch', '', 'secrets')).toBe(true);
    expect(allows(rules, 'get', '', 'secrets')).toBe(false);
    expect(allows(rules, 'list', '', 'secrets')).toBe(false);
    const revealing = rulesFor(['apps:deploy', 'secrets:reveal']);
    expect(allows(revealing, 'get', '', 'secrets')).toBe(true);
    expect(allows(revealing, 'list', '', 'secrets')).toBe(true);
  });
});
