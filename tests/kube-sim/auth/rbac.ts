/**
 * RBAC authorizer, modelled on kube-apiserver's union of
 *   1. the privileged-group authorizer (system:masters → allow, reason ""), and
 *   2. plugin/pkg/auth/authorizer/rbac (DefaultRuleResolver.VisitRulesFor + RuleAllows).
 */
import type { Authorizer, AuthzDecision, ObjectReader, RequestAttributes, UserInfo } from '../hooks';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
export const SYSTEM_MASTERS = 'system:masters';

export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

export interface RoleRef {
  apiGroup?: string;
  kind: string;
  name: string;
}

/** Detailed decision, as the RBAC authorizer's (decision, reason, error) triple. */
export interface RbacDecision {
  allowed: boolean;
  reason: string;
}

// ---------- rule matching (pkg/apis/rbac/v1/evaluation_helpers.go) ----------

const has = (list: string[] | undefined, v: string) => !!list && list.includes(v);

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return has(rule.verbs, '*') || has(rule.verbs, verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return has(rule.apiGroups, '*') || has(rule.apiGroups, group);
}

export function resourceMatches(rule: PolicyRule, combinedRequestedResource: string, requestedSubresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === '*') return true;
    if (r === combinedRequestedResource) return true;
    if (!requestedSubresource) continue;
    if (r.length === requestedSubresource.length + 2 && r.startsWith('*/') && r.endsWith(requestedSubresource)) return true;
  }
  return false;
}

export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  if (!rule.resourceNames || rule.resourceNames.length === 0) return true;
  return rule.resourceNames.includes(name);
}

export function nonResourceURLMatches(rule: PolicyRule, url: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === '*') return true;
    if (u === url) return true;
    if (u.endsWith('*') && url.startsWith(u.replace(/\*+$/, ''))) return true;
  }
  return false;
}

export function ruleAllows(attrs: RequestAttributes, rule: PolicyRule): boolean {
  if (attrs.isResourceRequest) {
    const combined = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
    return (
      verbMatches(rule, attrs.verb) &&
      apiGroupMatches(rule, attrs.apiGroup) &&
      resourceMatches(rule, combined, attrs.subresource) &&
      resourceNameMatches(rule, attrs.name)
    );
  }
  return verbMatches(rule, attrs.verb) && nonResourceURLMatches(rule, attrs.path);
}

// ---------- subjects ----------

const SA_PREFIX = 'system:serviceaccount:';

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SA_PREFIX}${namespace}:${name}`;
}

/** serviceaccount.SplitUsername: null when not a valid SA username. */
export function splitServiceAccountUsername(username: string): { namespace: string; name: string } | null {
  if (!username.startsWith(SA_PREFIX)) return null;
  const parts = username.slice(SA_PREFIX.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return null;
  return { namespace: parts[0], name: parts[1] };
}

export function serviceAccountGroups(namespace: string): string[] {
  return ['system:serviceaccounts', `system:serviceaccounts:${namespace}`];
}

export function appliesToUser(user: UserInfo, subject: Subject, namespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.name === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const saNs = subject.namespace || namespace;
      if (!saNs) return false;
      return user.name === serviceAccountUsername(saNs, subject.name);
    }
    default:
      return false;
  }
}

function appliesTo(user: UserInfo, subjects: Subject[] | undefined, namespace: string): number {
  for (let i = 0; i < (subjects ?? []).length; i++) if (appliesToUser(user, subjects![i], namespace)) return i;
  return -1;
}

function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `${s.kind} ${JSON.stringify(`${s.name}/${s.namespace || bindingNamespace}`)}`;
  return `${s.kind} ${JSON.stringify(s.name)}`;
}

// ---------- role resolution ----------

function safeList(objects: ObjectReader, resource: string, namespace?: string): any[] {
  try {
    return objects.list(RBAC_GROUP, resource, namespace) ?? [];
  } catch {
    return [];
  }
}

function safeGet(objects: ObjectReader, resource: string, namespace: string, name: string): any | undefined {
  try {
    return objects.get(RBAC_GROUP, resource, namespace, name);
  } catch {
    return undefined;
  }
}

/** metav1.LabelSelector matching (matchLabels + matchExpressions). */
export function labelSelectorMatches(selector: any, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  const ml = selector.matchLabels ?? {};
  const me: any[] = selector.matchExpressions ?? [];
  // An empty selector matches everything.
  for (const [k, v] of Object.entries(ml)) if (l[k] !== v) return false;
  for (const e of me) {
    const present = Object.prototype.hasOwnProperty.call(l, e.key);
    const values: string[] = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!present || !values.includes(l[e.key])) return false;
        break;
      case 'NotIn':
        if (present && values.includes(l[e.key])) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * Rules of a ClusterRole. A role with an aggregationRule gets the union of the rules of the
 * ClusterRoles its selectors match (what the clusterrole-aggregation controller writes into
 * `rules`), evaluated here on the fly so aggregation is immediate.
 */
export function clusterRoleRules(role: any, objects: ObjectReader, seen = new Set<string>()): PolicyRule[] {
  const selectors: any[] | undefined = role?.aggregationRule?.clusterRoleSelectors;
  if (!selectors) return role?.rules ?? [];
  const name = role?.metadata?.name ?? '';
  seen.add(name);
  const rules: PolicyRule[] = [];
  const seenRules = new Set<string>();
  const all = safeList(objects, 'clusterroles')
    .filter((r) => r?.metadata?.name !== name)
    .sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
  for (const other of all) {
    if (!selectors.some((s) => labelSelectorMatches(s, other.metadata?.labels))) continue;
    const otherName = other.metadata?.name;
    // The real controller reads the stored (already aggregated) rules of the matched role.
    const otherRules = other.aggregationRule?.clusterRoleSelectors
      ? seen.has(otherName)
        ? (other.rules ?? [])
        : clusterRoleRules(other, objects, seen)
      : (other.rules ?? []);
    for (const r of otherRules) {
      const key = JSON.stringify(r);
      if (seenRules.has(key)) continue;
      seenRules.add(key);
      rules.push(r);
    }
  }
  return rules;
}

type Visitor = (source: string | null, rule: PolicyRule | null, err: string | null) => boolean;

function getRoleReferenceRules(objects: ObjectReader, roleRef: RoleRef, bindingNamespace: string): PolicyRule[] | string {
  switch (roleRef?.kind) {
    case 'Role': {
      const role = safeGet(objects, 'roles', bindingNamespace, roleRef.name);
      if (!role) return `role.${RBAC_GROUP} ${JSON.stringify(roleRef.name)} not found`;
      return role.rules ?? [];
    }
    case 'ClusterRole': {
      const role = safeGet(objects, 'clusterroles', '', roleRef.name);
      if (!role) return `clusterrole.${RBAC_GROUP} ${JSON.stringify(roleRef.name)} not found`;
      return clusterRoleRules(role, objects);
    }
    default:
      return `unsupported role reference kind: ${JSON.stringify(roleRef?.kind)}`;
  }
}

const byName = (a: any, b: any) => {
  const x = String(a?.metadata?.name ?? '');
  const y = String(b?.metadata?.name ?? '');
  return x < y ? -1 : x > y ? 1 : 0;
};

/** DefaultRuleResolver.VisitRulesFor */
export function visitRulesFor(objects: ObjectReader, user: UserInfo, namespace: string, visitor: Visitor): void {
  const crbs = safeList(objects, 'clusterrolebindings').slice().sort(byName);
  for (const b of crbs) {
    const idx = appliesTo(user, b.subjects, '');
    if (idx < 0) continue;
    const rules = getRoleReferenceRules(objects, b.roleRef, '');
    if (typeof rules === 'string') {
      if (!visitor(null, null, rules)) return;
      continue;
    }
    const source = `ClusterRoleBinding ${JSON.stringify(b.metadata?.name)} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${describeSubject(b.subjects[idx], '')}`;
    for (const r of rules) if (!visitor(source, r, null)) return;
  }
  if (namespace) {
    const rbs = safeList(objects, 'rolebindings', namespace)
      .filter((b) => (b?.metadata?.namespace ?? namespace) === namespace)
      .sort(byName);
    for (const b of rbs) {
      const idx = appliesTo(user, b.subjects, namespace);
      if (idx < 0) continue;
      const rules = getRoleReferenceRules(objects, b.roleRef, namespace);
      if (typeof rules === 'string') {
        if (!visitor(null, null, rules)) return;
        continue;
      }
      const source = `RoleBinding ${JSON.stringify(`${b.metadata?.name}/${namespace}`)} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${describeSubject(b.subjects[idx], namespace)}`;
      for (const r of rules) if (!visitor(source, r, null)) return;
    }
  }
}

/** The RBAC authorizer alone (no system:masters shortcut). */
export function rbacAuthorize(attrs: RequestAttributes, objects: ObjectReader): RbacDecision {
  let allowed = false;
  let reason = '';
  const errors: string[] = [];
  visitRulesFor(objects, attrs.user, attrs.namespace, (source, rule, err) => {
    if (rule && ruleAllows(attrs, rule)) {
      allowed = true;
      reason = `RBAC: allowed by ${source}`;
      return false;
    }
    if (err) errors.push(err);
    return true;
  });
  if (allowed) return { allowed, reason };
  // utilerrors.NewAggregate: one error → itself; several (deduplicated) → "[a, b]".
  const uniq = [...new Set(errors)];
  const agg = uniq.length === 0 ? '' : uniq.length === 1 ? uniq[0] : `[${uniq.join(', ')}]`;
  return { allowed: false, reason: agg ? `RBAC: ${agg}` : '' };
}

/** The union authorizer kube-apiserver runs (privileged groups, then RBAC). */
export function authorize(attrs: RequestAttributes, objects: ObjectReader): RbacDecision {
  if (attrs.user.groups.includes(SYSTEM_MASTERS)) return { allowed: true, reason: '' };
  return rbacAuthorize(attrs, objects);
}

export function createAuthorizer(): Authorizer {
  return {
    authorize(attrs: RequestAttributes, objects: ObjectReader): AuthzDecision {
      const d = authorize(attrs, objects);
      // The allow reason rides along (not in the AuthzDecision type) so access reviews can report it.
      return d.allowed ? ({ allowed: true, reason: d.reason } as AuthzDecision) : { allowed: false, reason: d.reason };
    },
  };
}
