/**
 * Pure desired state of Bosun's RBAC projection: for each Bosun namespace of a cluster, one
 * `Role` + `RoleBinding` named `bosun-<roleId>` per Bosun role that someone holds there (through a
 * grant on the namespace, on its workspace, or on the platform), binding the users
 * (`kubeUserName`) and groups (`kubeGroupName`) that hold it. The proxy impersonates exactly those
 * names, so the cluster answers as Bosun's role table says.
 *
 * Bosun permission → Kubernetes rules (PERMISSION_RULES below is the one source of truth):
 *
 * | permission                          | verbs                          | resources (API group)                                                                 |
 * |-------------------------------------|--------------------------------|---------------------------------------------------------------------------------------|
 * | namespaces:read, workloads:read     | get, list, watch               | pods, services, endpoints, configmaps, persistentvolumeclaims, events (core);         |
 * |                                     |                                | deployments, replicasets, statefulsets, daemonsets (apps); jobs, cronjobs (batch);    |
 * |                                     |                                | horizontalpodautoscalers (autoscaling); ingresses (networking.k8s.io). Never secrets. |
 * | workloads:operate                   | create, update, patch, delete  | deployments, deployments/scale, replicasets, statefulsets, statefulsets/scale,        |
 * |                                     |                                | daemonsets (apps); jobs, cronjobs (batch); horizontalpodautoscalers (autoscaling)     |
 * |                                     | delete                         | pods (core)                                                                           |
 * | apps:deploy                         | create, update, patch, delete  | configmaps, services, persistentvolumeclaims, secrets (core); ingresses (networking)   |
 * | secrets:reveal                      | get, list, watch               | secrets (core): reading a Secret's values is this permission's alone (a list returns values too) |
 * | containers:logs                     | get                            | pods/log (core)                                                                       |
 * | containers:exec                     | create, get                    | pods/exec, pods/attach (core)                                                         |
 * | every other permission              | —                              | (Bosun-only: clusters, workspaces, members, pipelines, audit, …)                      |
 *
 * A role whose permissions map to no rule, or that nobody (enabled) holds in a namespace, yields
 * nothing there. Grants at a scope kind the role is not grantable at grant nothing, as in
 * `domain/permissions.isAllowed`. Disabled users are left out of the bindings.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { builtInRoles, scopeCovers, type Permission, type RoleDefinition, type Scope, type ScopeKind } from '../../domain/permissions';
import { kubeGroupName, kubeUserName } from '../../kube/identities';

export const FIELD_MANAGER = 'bosun';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'bosun';
export const COMPONENT_LABEL = 'bosun.io/component';
export const COMPONENT_VALUE = 'rbac';
export const CLUSTER_LABEL = 'bosun.io/cluster';
export const ROLE_LABEL = 'bosun.io/role';
export const RBAC_API_GROUP = 'rbac.authorization.k8s.io';
export const RBAC_API_VERSION = `${RBAC_API_GROUP}/v1`;

/** Label selector of every object this projection manages (in any namespace, of any cluster). */
export const RBAC_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${COMPONENT_LABEL}=${COMPONENT_VALUE}`;

export const objectName = (roleId: string) => `bosun-${roleId}`;

const CORE = '';
const APPS = 'apps';
const BATCH = 'batch';
const AUTOSCALING = 'autoscaling';
const NETWORKING = 'networking.k8s.io';

interface RuleSpec {
  apiGroup: string;
  resources: readonly string[];
  verbs: readonly string[];
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete'];

const readRules: readonly RuleSpec[] = [
  { apiGroup: CORE, resources: ['pods', 'services', 'endpoints', 'configmaps', 'persistentvolumeclaims', 'events'], verbs: READ },
  { apiGroup: APPS, resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'], verbs: READ },
  { apiGroup: BATCH, resources: ['jobs', 'cronjobs'], verbs: READ },
  { apiGroup: AUTOSCALING, resources: ['horizontalpodautoscalers'], verbs: READ },
  { apiGroup: NETWORKING, resources: ['ingresses'], verbs: READ },
];

/** Permission → the Kubernetes rules it confers in a namespace. Permissions not listed confer none. */
export const PERMISSION_RULES: Readonly<Partial<Record<Permission, readonly RuleSpec[]>>> = {
  'namespaces:read': readRules,
  'workloads:read': readRules,
  'workloads:operate': [
    { apiGroup: APPS, resources: ['deployments', 'deployments/scale', 'replicasets', 'statefulsets', 'statefulsets/scale', 'daemonsets'], verbs: WRITE },
    { apiGroup: BATCH, resources: ['jobs', 'cronjobs'], verbs: WRITE },
    { apiGroup: AUTOSCALING, resources: ['horizontalpodautoscalers'], verbs: WRITE },
    { apiGroup: CORE, resources: ['pods'], verbs: ['delete'] },
  ],
  'apps:deploy': [
    { apiGroup: CORE, resources: ['configmaps', 'services', 'persistentvolumeclaims', 'secrets'], verbs: WRITE },
    { apiGroup: NETWORKING, resources: ['ingresses'], verbs: WRITE },
  ],
  'secrets:reveal': [{ apiGroup: CORE, resources: ['secrets'], verbs: ['get', 'list', 'watch'] }],
  'containers:logs': [{ apiGroup: CORE, resources: ['pods/log'], verbs: ['get'] }],
  'containers:exec': [{ apiGroup: CORE, resources: ['pods/exec', 'pods/attach'], verbs: ['create', 'get'] }],
};

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/**
 * The rules of a set of permissions in canonical form: resources sharing an API group and the
 * same verbs are one rule, everything sorted. Equal permission sets give equal rules, so a
 * comparison with what the cluster holds is meaningful.
 */
export function rulesFor(perms: readonly Permission[]): PolicyRule[] {
  const verbsOf = new Map<string, Set<string>>(); // `${group}\n${resource}` → verbs
  for (const permission of perms) {
    for (const spec of PERMISSION_RULES[permission] ?? []) {
      for (const resource of spec.resources) {
        const key = `${spec.apiGroup}\n${resource}`;
        let verbs = verbsOf.get(key);
        if (!verbs) verbsOf.set(key, (verbs = new Set()));
        for (const verb of spec.verbs) verbs.add(verb);
      }
    }
  }
  const rules = new Map<string, PolicyRule>(); // `${group}\n${verbs}` → rule
  for (const [key, verbSet] of verbsOf) {
    const [group, resource] = key.split('\n');
    const verbs = [...verbSet].sort();
    const ruleKey = `${group}\n${verbs.join(',')}`;
    let rule = rules.get(ruleKey);
    if (!rule) rules.set(ruleKey, (rule = { apiGroups: [group], resources: [], verbs }));
    rule.resources.push(resource);
  }
  for (const rule of rules.values()) rule.resources.sort();
  return [...rules.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, rule]) => rule);
}

export interface RbacSubject {
  kind: 'User' | 'Group';
  apiGroup: typeof RBAC_API_GROUP;
  name: string;
}

/** A Role or RoleBinding as Bosun applies it. */
export interface DesiredObject extends KubernetesObject {
  apiVersion: string;
  kind: 'Role' | 'RoleBinding';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  rules?: PolicyRule[];
  roleRef?: { apiGroup: string; kind: 'Role'; name: string };
  subjects?: RbacSubject[];
}

/** A grant in force, as the `grants` read model holds it. */
export interface RbacGrant {
  subject: { kind: 'user' | 'group'; id: string };
  roleId: string;
  scope: Scope;
}

export interface CustomRole {
  roleId: string;
  permissions: readonly Permission[];
  grantableAt: readonly ScopeKind[];
}

export interface RbacInputs {
  clusterId: string;
  /** Grants in force; those not covering a namespace of `namespaces` are ignored. */
  grants: readonly RbacGrant[];
  /** Custom roles in force (deleted ones left out): their grants confer nothing. */
  customRoles: readonly CustomRole[];
  /** The Bosun namespaces of the cluster to compute. */
  namespaces: readonly { name: string; workspaceId: string }[];
  disabledUsers: ReadonlySet<string>;
}

/** Built-in roles plus custom ones, as `rolesInForce` merges them for the API's own checks. */
export function rolesTable(customRoles: readonly CustomRole[]): Record<string, Pick<RoleDefinition, 'permissions' | 'grantableAt'>> {
  const roles: Record<string, Pick<RoleDefinition, 'permissions' | 'grantableAt'>> = { ...builtInRoles };
  for (const role of customRoles) roles[role.roleId] = { permissions: role.permissions, grantableAt: role.grantableAt };
  return roles;
}

export function rbacLabels(clusterId: string, roleId: string): Record<string, string> {
  return {
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    [COMPONENT_LABEL]: COMPONENT_VALUE,
    [CLUSTER_LABEL]: clusterId,
    [ROLE_LABEL]: roleId,
  };
}

/** Desired Roles (first) and RoleBindings of each namespace in `inputs.namespaces` (an empty list where nothing is held). */
export function desiredRbac(inputs: RbacInputs): Map<string, DesiredObject[]> {
  const roles = rolesTable(inputs.customRoles);
  const rulesOfRole = new Map<string, PolicyRule[]>();
  const rulesOf = (roleId: string): PolicyRule[] => {
    let rules = rulesOfRole.get(roleId);
    if (!rules) rulesOfRole.set(roleId, (rules = rulesFor(roles[roleId].permissions)));
    return rules;
  };

  const effective = inputs.grants.filter((g) => {
    if (!Object.hasOwn(roles, g.roleId) || !roles[g.roleId].grantableAt.includes(g.scope.kind)) return false;
    if (g.subject.kind === 'user' && inputs.disabledUsers.has(g.subject.id)) return false;
    return rulesOf(g.roleId).length > 0;
  });

  const out = new Map<string, DesiredObject[]>();
  for (const ns of inputs.namespaces) {
    const target: Scope = { kind: 'namespace', clusterId: inputs.clusterId, namespace: ns.name, workspaceId: ns.workspaceId };
    const holders = new Map<string, Map<string, RbacSubject>>(); // roleId → subjects by key
    for (const grant of effective) {
      if (!scopeCovers(grant.scope, target)) continue;
      const subject = toSubject(grant.subject);
      let subjects = holders.get(grant.roleId);
      if (!subjects) holders.set(grant.roleId, (subjects = new Map()));
      subjects.set(`${subject.kind}\n${subject.name}`, subject);
    }
    const roleIds = [...holders.keys()].sort();
    const objects: DesiredObject[] = [];
    for (const roleId of roleIds) objects.push(buildRole(inputs.clusterId, ns.name, roleId, rulesOf(roleId)));
    for (const roleId of roleIds) objects.push(buildRoleBinding(inputs.clusterId, ns.name, roleId, [...holders.get(roleId)!.values()]));
    out.set(ns.name, objects);
  }
  return out;
}

function toSubject(subject: RbacGrant['subject']): RbacSubject {
  return subject.kind === 'user'
    ? { kind: 'User', apiGroup: RBAC_API_GROUP, name: kubeUserName(subject.id) }
    : { kind: 'Group', apiGroup: RBAC_API_GROUP, name: kubeGroupName(subject.id) };
}

export function buildRole(clusterId: string, namespace: string, roleId: string, rules: PolicyRule[]): DesiredObject {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'Role',
    metadata: { name: objectName(roleId), namespace, labels: rbacLabels(clusterId, roleId) },
    rules,
  };
}

export function buildRoleBinding(clusterId: string, namespace: string, roleId: string, subjects: RbacSubject[]): DesiredObject {
  const sorted = [...subjects].sort((a, b) => (a.kind !== b.kind ? (a.kind === 'User' ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'RoleBinding',
    metadata: { name: objectName(roleId), namespace, labels: rbacLabels(clusterId, roleId) },
    roleRef: { apiGroup: RBAC_API_GROUP, kind: 'Role', name: objectName(roleId) },
    subjects: sorted,
  };
}
