/**
 * The RBAC objects kube-apiserver bootstraps (plugin/pkg/auth/authorizer/rbac/bootstrappolicy),
 * restricted to the roles a user-facing cluster relies on: cluster-admin, admin/edit/view with their
 * system:aggregate-to-* parts, discovery, basic-user, public-info-viewer, monitoring, auth-delegator.
 */
import type { ObjectReader } from '../hooks';
import { clusterRoleRules, type PolicyRule, RBAC_GROUP } from './rbac';

const Read = ['get', 'list', 'watch'];
const Write = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const ReadWrite = [...Read, ...Write];

const legacy = '';
const apps = 'apps';
const autoscaling = 'autoscaling';
const batch = 'batch';
const extensions = 'extensions';
const policy = 'policy';
const networking = 'networking.k8s.io';
const authorization = 'authorization.k8s.io';
const authentication = 'authentication.k8s.io';

/** rbacv1helpers.NewRule(...).Groups(...).Resources(...).RuleOrDie(): lists come out sorted. */
function rule(verbs: string[], groups: string[], resources: string[], names?: string[]): PolicyRule {
  const r: PolicyRule = { apiGroups: [...groups].sort(), resources: [...resources].sort(), verbs: [...verbs].sort() };
  if (names) r.resourceNames = [...names].sort();
  return r;
}

function urls(verbs: string[], paths: string[]): PolicyRule {
  return { nonResourceURLs: [...paths].sort(), verbs: [...verbs].sort() };
}

const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const BOOTSTRAP_ANNOTATIONS = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };

function clusterRole(name: string, rules: PolicyRule[] | null, extraLabels: Record<string, string> = {}, aggregateFrom?: string): any {
  const role: any = {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRole',
    metadata: { name, labels: { ...BOOTSTRAP_LABELS, ...extraLabels }, annotations: { ...BOOTSTRAP_ANNOTATIONS } },
  };
  if (aggregateFrom) {
    role.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [`rbac.authorization.k8s.io/${aggregateFrom}`]: 'true' } }] };
  }
  role.rules = rules ?? [];
  return role;
}

function clusterRoleBinding(name: string, groups: string[], users: string[] = []): any {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: { ...BOOTSTRAP_LABELS }, annotations: { ...BOOTSTRAP_ANNOTATIONS } },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name },
    subjects: [
      ...groups.map((g) => ({ apiGroup: RBAC_GROUP, kind: 'Group', name: g })),
      ...users.map((u) => ({ apiGroup: RBAC_GROUP, kind: 'User', name: u })),
    ],
  };
}

function bootstrapClusterRoles(): any[] {
  return [
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
    clusterRole('system:discovery', [
      urls(['get'], ['/livez', '/readyz', '/healthz', '/version', '/version/', '/openapi', '/openapi/*', '/api', '/api/*', '/apis', '/apis/*']),
    ]),
    clusterRole('system:monitoring', [
      urls(['get'], ['/metrics', '/metrics/slis', '/livez', '/readyz', '/healthz', '/livez/*', '/readyz/*', '/healthz/*']),
    ]),
    clusterRole('system:basic-user', [
      rule(['create'], [authorization], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], [authentication], ['selfsubjectreviews']),
    ]),
    clusterRole('system:public-info-viewer', [urls(['get'], ['/livez', '/readyz', '/healthz', '/version', '/version/'])]),
    clusterRole('admin', null, {}, 'aggregate-to-admin'),
    clusterRole('edit', null, { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' }, 'aggregate-to-edit'),
    clusterRole('view', null, { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' }, 'aggregate-to-view'),
    clusterRole(
      'system:aggregate-to-admin',
      [rule(['create'], [authorization], ['localsubjectaccessreviews']), rule(ReadWrite, [RBAC_GROUP], ['roles', 'rolebindings'])],
      { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' },
    ),
    clusterRole(
      'system:aggregate-to-edit',
      [
        rule(Read, [legacy], ['pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward', 'secrets', 'services/proxy']),
        rule(['impersonate'], [legacy], ['serviceaccounts']),
        rule(Write, [legacy], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
        rule(Write, [legacy], [
          'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/proxy',
          'persistentvolumeclaims', 'configmaps', 'secrets',
        ]),
        rule(Write, [apps], [
          'statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback',
          'replicasets', 'replicasets/scale',
        ]),
        rule(Write, [autoscaling], ['horizontalpodautoscalers']),
        rule(Write, [batch], ['jobs', 'cronjobs']),
        rule(Write, [extensions], [
          'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'ingresses', 'replicasets',
          'replicasets/scale', 'replicationcontrollers/scale', 'networkpolicies',
        ]),
        rule(Write, [policy], ['poddisruptionbudgets']),
        rule(Write, [networking], ['networkpolicies', 'ingresses']),
      ],
      { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' },
    ),
    clusterRole(
      'system:aggregate-to-view',
      [
        rule(Read, [legacy], [
          'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status',
          'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps',
        ]),
        rule(Read, [legacy], [
          'limitranges', 'resourcequotas', 'bindings', 'events', 'pods/status', 'resourcequotas/status', 'namespaces/status',
          'replicationcontrollers/status', 'pods/log',
        ]),
        rule(Read, [legacy], ['namespaces']),
        rule(Read, ['discovery.k8s.io'], ['endpointslices']),
        rule(Read, [apps], [
          'controllerrevisions', 'statefulsets', 'statefulsets/status', 'statefulsets/scale', 'daemonsets', 'daemonsets/status',
          'deployments', 'deployments/status', 'deployments/scale', 'replicasets', 'replicasets/status', 'replicasets/scale',
        ]),
        rule(Read, [autoscaling], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
        rule(Read, [batch], ['jobs', 'cronjobs', 'cronjobs/status', 'jobs/status']),
        rule(Read, [extensions], [
          'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses',
          'ingresses/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale',
          'networkpolicies',
        ]),
        rule(Read, [policy], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
        rule(Read, [networking], ['networkpolicies', 'ingresses', 'ingresses/status']),
      ],
      { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' },
    ),
    clusterRole('system:auth-delegator', [
      rule(['create'], [authentication], ['tokenreviews']),
      rule(['create'], [authorization], ['subjectaccessreviews']),
    ]),
  ];
}

function bootstrapClusterRoleBindings(): any[] {
  return [
    clusterRoleBinding('cluster-admin', ['system:masters']),
    clusterRoleBinding('system:monitoring', ['system:monitoring']),
    clusterRoleBinding('system:discovery', ['system:authenticated']),
    clusterRoleBinding('system:basic-user', ['system:authenticated']),
    clusterRoleBinding('system:public-info-viewer', ['system:authenticated', 'system:unauthenticated']),
  ];
}

/**
 * ClusterRoles and ClusterRoleBindings to seed at start. Aggregated roles (admin/edit/view) come
 * with `rules` already filled as the clusterrole-aggregation controller would have written them;
 * the authorizer also re-aggregates on the fly, so later aggregate-to-* roles take effect at once.
 */
export function bootstrapRbacObjects(): any[] {
  const roles = bootstrapClusterRoles();
  const reader: ObjectReader = {
    list: (group, resource) => (group === RBAC_GROUP && resource === 'clusterroles' ? roles : []),
    get: (group, resource, _ns, name) => (group === RBAC_GROUP && resource === 'clusterroles' ? roles.find((r) => r.metadata.name === name) : undefined),
  };
  const filled = roles.map((r) => (r.aggregationRule ? { ...r, rules: clusterRoleRules(r, reader) } : r));
  return [...filled, ...bootstrapClusterRoleBindings()];
}
