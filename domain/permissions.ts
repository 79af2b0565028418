/**
 * The permission model, as data: permissions are `module:action`, roles are sets of permissions
 * granted at a scope, and `isAllowed` decides from grants alone. Custom roles (a later issue) are
 * more rows of the same shape.
 */

export const permissions = [
  'clusters:manage',
  'clusters:read',
  'workspaces:manage',
  'workspaces:read',
  'namespaces:manage',
  'namespaces:read',
  'members:manage',
  'apps:deploy',
  'workloads:operate',
  'workloads:read',
  'containers:exec',
  'containers:logs',
  'pipelines:run',
  'devenv:manage',
  /** Read a Secret's values (they are masked otherwise); each reveal is audited. */
  'secrets:reveal',
  'audit:read',
  'metering:read',
  'users:manage',
  'roles:manage',
] as const;

export type Permission = (typeof permissions)[number];

export type Scope =
  | { kind: 'platform' }
  | { kind: 'workspace'; workspaceId: string }
  | { kind: 'namespace'; clusterId: string; namespace: string; workspaceId: string };

export type ScopeKind = Scope['kind'];

export interface RoleDefinition {
  displayName: { en: string; 'zh-CN': string };
  /** Scope kinds at which the role may be granted; a grant at any other kind grants nothing. */
  grantableAt: readonly ScopeKind[];
  permissions: readonly Permission[];
}

const readOnly: readonly Permission[] = ['clusters:read', 'workspaces:read', 'namespaces:read', 'workloads:read'];

export const builtInRoles = {
  'platform-admin': {
    displayName: { en: 'Platform admin', 'zh-CN': '超级管理员' },
    grantableAt: ['platform'],
    permissions,
  },
  'platform-auditor': {
    displayName: { en: 'Platform auditor', 'zh-CN': '平台审计员' },
    grantableAt: ['platform'],
    // Reads everything, changes nothing; no container access (no exec, no logs).
    permissions: [...readOnly, 'audit:read', 'metering:read'],
  },
  'workspace-admin': {
    displayName: { en: 'Workspace admin', 'zh-CN': '管理员' },
    grantableAt: ['workspace'],
    // Namespaces (and their quotas) and members inside the workspace; no container access.
    permissions: [...readOnly, 'namespaces:manage', 'members:manage', 'metering:read'],
  },
  'ops-engineer': {
    displayName: { en: 'Ops engineer', 'zh-CN': '运维工程师' },
    grantableAt: ['namespace'],
    permissions: [
      'namespaces:read',
      'workloads:read',
      'apps:deploy',
      'workloads:operate',
      'containers:exec',
      'containers:logs',
      'pipelines:run',
      'devenv:manage',
      'secrets:reveal',
    ],
  },
  developer: {
    displayName: { en: 'Developer', 'zh-CN': '开发工程师' },
    grantableAt: ['namespace'],
    permissions: ['namespaces:read', 'workloads:read', 'apps:deploy', 'containers:exec', 'containers:logs', 'pipelines:run', 'devenv:manage', 'secrets:reveal'],
  },
  tester: {
    displayName: { en: 'Tester', 'zh-CN': '测试工程师' },
    grantableAt: ['namespace'],
    permissions: ['namespaces:read', 'workloads:read', 'apps:deploy', 'containers:exec', 'containers:logs', 'pipelines:run'],
  },
  viewer: {
    displayName: { en: 'Viewer', 'zh-CN': '观察者' },
    grantableAt: ['platform', 'workspace', 'namespace'],
    permissions: readOnly,
  },
} as const satisfies Record<string, RoleDefinition>;

export type BuiltInRole = keyof typeof builtInRoles;

export interface Grant {
  role: string;
  scope: Scope;
}

/** Does a grant at `granted` reach `target`? Platform covers all; a workspace covers its namespaces. */
export function scopeCovers(granted: Scope, target: Scope): boolean {
  switch (granted.kind) {
    case 'platform':
      return true;
    case 'workspace':
      return target.kind !== 'platform' && target.workspaceId === granted.workspaceId;
    case 'namespace':
      return (
        target.kind === 'namespace' &&
        target.clusterId === granted.clusterId &&
        target.namespace === granted.namespace &&
        target.workspaceId === granted.workspaceId
      );
    default: {
      const never: never = granted;
      return never;
    }
  }
}

/**
 * True when some grant's role holds `permission` and its scope covers `target`. Roles are looked
 * up in `roles` (built-in roles by default; pass custom ones merged in); unknown roles grant nothing.
 */
export function isAllowed(
  grants: readonly Grant[],
  permission: Permission,
  target: Scope,
  roles: Readonly<Record<string, RoleDefinition>> = builtInRoles,
): boolean {
  return grants.some((grant) => {
    const role = Object.hasOwn(roles, grant.role) ? roles[grant.role] : undefined;
    return (
      role !== undefined &&
      role.grantableAt.includes(grant.scope.kind) &&
      role.permissions.includes(permission) &&
      scopeCovers(grant.scope, target)
    );
  });
}

/**
 * Everything that decides what a caller may do: the grants held by the user and by their groups,
 * the custom roles in force, and, for an API key, the limit the key was created with. A key never
 * widens what its user holds now: it is the intersection of both.
 */
export interface Access {
  grants: readonly (Grant & { via?: { kind: 'user' | 'group'; id: string } })[];
  roles: Readonly<Record<string, RoleDefinition>>;
  keyLimit: { permissions: readonly Permission[]; scopes: readonly Scope[] | null } | null;
}

export function keyAllows(access: Access, permission: Permission, target: Scope): boolean {
  const limit = access.keyLimit;
  if (!limit) return true;
  return limit.permissions.includes(permission) && (limit.scopes === null || limit.scopes.some((s) => scopeCovers(s, target)));
}

export function authorize(access: Access, permission: Permission, target: Scope): boolean {
  return keyAllows(access, permission, target) && isAllowed(access.grants, permission, target, access.roles);
}

/** The grants that confer `permission` on `target` ("why can I"); empty when refused. */
export function grantsConferring(access: Access, permission: Permission, target: Scope): Access['grants'] {
  if (!keyAllows(access, permission, target)) return [];
  return access.grants.filter((g) => isAllowed([g], permission, target, access.roles));
}

/** Where a caller holds `permission`: everywhere, or in these workspaces and namespaces (for filtering lists). */
export interface Visibility {
  everywhere: boolean;
  workspaceIds: ReadonlySet<string>;
  /** `clusterId/namespace` keys. */
  namespaces: ReadonlySet<string>;
}

export const namespaceKey = (clusterId: string, namespace: string) => `${clusterId}/${namespace}`;

export function visibility(access: Access, permission: Permission): Visibility {
  const workspaceIds = new Set<string>();
  const namespaces = new Set<string>();
  let everywhere = false;
  const add = (scope: Scope) => {
    if (scope.kind === 'platform') everywhere = true;
    else if (scope.kind === 'workspace') workspaceIds.add(scope.workspaceId);
    else namespaces.add(namespaceKey(scope.clusterId, scope.namespace));
  };
  const keyScopes = access.keyLimit?.scopes ?? null;
  if (access.keyLimit && !access.keyLimit.permissions.includes(permission)) return { everywhere, workspaceIds, namespaces };
  for (const grant of access.grants) {
    if (!isAllowed([grant], permission, grant.scope, access.roles)) continue;
    if (keyScopes === null) {
      add(grant.scope);
      continue;
    }
    // The narrower of the grant's scope and each of the key's scopes, where they overlap.
    for (const keyScope of keyScopes) {
      if (scopeCovers(keyScope, grant.scope)) add(grant.scope);
      else if (scopeCovers(grant.scope, keyScope)) add(keyScope);
    }
  }
  return { everywhere, workspaceIds, namespaces };
}

export function canSeeNamespace(v: Visibility, ns: { clusterId: string; name: string; workspaceId: string }): boolean {
  return v.everywhere || v.workspaceIds.has(ns.workspaceId) || v.namespaces.has(namespaceKey(ns.clusterId, ns.name));
}

/** Every permission the caller holds at `target`. */
export function permissionsAt(access: Access, target: Scope): Permission[] {
  return permissions.filter((p) => authorize(access, p, target));
}
