/**
 * The one table of resources kube-sim serves. Every built-in kind is a row here; custom resources
 * are added at runtime from CustomResourceDefinitions (see crds.ts). Handlers, discovery, storage,
 * field selectors and validation all look resources up here instead of having code per kind.
 */

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const NO_COLLECTION_DELETE = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

export interface SubresourceDef {
  name: string; // 'status', 'scale', 'log', ...
  kind: string;
  group?: string; // group/version of the subresource kind, when it differs (Scale -> autoscaling/v1)
  version?: string;
  verbs: string[];
}

export interface ScaleSpec {
  specReplicasPath: string; // '.spec.replicas'
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface ResourceDef {
  group: string; // '' for core
  version: string;
  resource: string; // plural
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories?: string[];
  verbs: string[];
  subresources: SubresourceDef[];
  /** has a status subresource: main-resource writes keep the stored status, /status keeps the spec. */
  hasStatus: boolean;
  /** metadata.generation maintained (bumped on spec changes). */
  generation: boolean;
  /** Name rule: DNS-1123 subdomain (default), DNS-1123 label, DNS-1035 label, or path segment. */
  nameRule: 'subdomain' | 'label' | 'dns1035' | 'path';
  /** Extra field selector labels this resource supports (metadata.name / metadata.namespace always). */
  fieldLabels: string[];
  /** DELETE answers the deleted object (pods, CRs...) instead of a Success Status. */
  returnDeletedObject: boolean;
  scale?: ScaleSpec;
  /** true for resources defined by a CRD. */
  custom?: boolean;
  /** create-only virtual resources such as access reviews. */
  virtual?: boolean;
  /** OpenAPI v3 schema of a custom resource version (used for SSA list types). */
  schema?: any;
}

export const apiVersionOf = (d: { group: string; version: string }) => (d.group ? `${d.group}/${d.version}` : d.version);
export const groupResource = (d: ResourceDef) => (d.group ? `${d.resource}.${d.group}` : d.resource);
export const resourceKey = (group: string, resource: string) => `${group}/${resource}`;

const status: SubresourceDef = { name: 'status', kind: '', verbs: ['get', 'patch', 'update'] };
const scale: SubresourceDef = { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] };
const sub = (name: string, kind: string, verbs: string[], group?: string, version?: string): SubresourceDef => ({ name, kind, verbs, group, version });

interface Row {
  g: string;
  v: string;
  r: string;
  k: string;
  ns: boolean;
  short?: string[];
  subs?: SubresourceDef[];
  verbs?: string[];
  gen?: boolean;
  name?: ResourceDef['nameRule'];
  fields?: string[];
  ret?: boolean;
  cat?: string[];
  virtual?: boolean;
}

const DEPLOY_SCALE: ScaleSpec = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' };

const ROWS: Row[] = [
  // core/v1
  { g: '', v: 'v1', r: 'namespaces', k: 'Namespace', ns: false, short: ['ns'], subs: [status, sub('finalize', 'Namespace', ['update'])], verbs: NO_COLLECTION_DELETE, name: 'label', fields: ['status.phase'], ret: true },
  { g: '', v: 'v1', r: 'resourcequotas', k: 'ResourceQuota', ns: true, short: ['quota'], subs: [status] },
  { g: '', v: 'v1', r: 'limitranges', k: 'LimitRange', ns: true, short: ['limits'] },
  { g: '', v: 'v1', r: 'configmaps', k: 'ConfigMap', ns: true, short: ['cm'] },
  { g: '', v: 'v1', r: 'secrets', k: 'Secret', ns: true, fields: ['type'] },
  {
    g: '', v: 'v1', r: 'services', k: 'Service', ns: true, short: ['svc'], cat: ['all'], name: 'dns1035', ret: true,
    subs: [status, sub('proxy', 'ServiceProxyOptions', ['create', 'delete', 'get', 'patch', 'update'])],
  },
  { g: '', v: 'v1', r: 'serviceaccounts', k: 'ServiceAccount', ns: true, short: ['sa'], ret: true, subs: [sub('token', 'TokenRequest', ['create'], 'authentication.k8s.io', 'v1')] },
  {
    g: '', v: 'v1', r: 'pods', k: 'Pod', ns: true, short: ['po'], cat: ['all'], ret: true,
    fields: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName'],
    subs: [
      sub('attach', 'PodAttachOptions', ['create', 'get']),
      sub('binding', 'Binding', ['create']),
      sub('ephemeralcontainers', 'Pod', ['get', 'patch', 'update']),
      sub('eviction', 'Eviction', ['create'], 'policy', 'v1'),
      sub('exec', 'PodExecOptions', ['create', 'get']),
      sub('log', 'Pod', ['get']),
      sub('portforward', 'PodPortForwardOptions', ['create', 'get']),
      sub('proxy', 'PodProxyOptions', ['create', 'delete', 'get', 'patch', 'update']),
      status,
    ],
  },
  { g: '', v: 'v1', r: 'nodes', k: 'Node', ns: false, short: ['no'], fields: ['spec.unschedulable'], subs: [sub('proxy', 'NodeProxyOptions', ['create', 'delete', 'get', 'patch', 'update']), status], ret: true },
  {
    g: '', v: 'v1', r: 'events', k: 'Event', ns: true, short: ['ev'], name: 'path',
    fields: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  },
  { g: '', v: 'v1', r: 'persistentvolumeclaims', k: 'PersistentVolumeClaim', ns: true, short: ['pvc'], subs: [status], ret: true },
  { g: '', v: 'v1', r: 'endpoints', k: 'Endpoints', ns: true, short: ['ep'] },
  { g: '', v: 'v1', r: 'persistentvolumes', k: 'PersistentVolume', ns: false, short: ['pv'], subs: [status], ret: true },
  // apps/v1
  { g: 'apps', v: 'v1', r: 'deployments', k: 'Deployment', ns: true, short: ['deploy'], cat: ['all'], subs: [scale, status], gen: true },
  { g: 'apps', v: 'v1', r: 'replicasets', k: 'ReplicaSet', ns: true, short: ['rs'], cat: ['all'], subs: [scale, status], gen: true, fields: ['status.replicas'] },
  { g: 'apps', v: 'v1', r: 'statefulsets', k: 'StatefulSet', ns: true, short: ['sts'], cat: ['all'], subs: [scale, status], gen: true },
  { g: 'apps', v: 'v1', r: 'daemonsets', k: 'DaemonSet', ns: true, short: ['ds'], cat: ['all'], subs: [status], gen: true },
  { g: 'apps', v: 'v1', r: 'controllerrevisions', k: 'ControllerRevision', ns: true },
  // batch/v1
  { g: 'batch', v: 'v1', r: 'jobs', k: 'Job', ns: true, cat: ['all'], subs: [status], gen: true, fields: ['status.successful'] },
  { g: 'batch', v: 'v1', r: 'cronjobs', k: 'CronJob', ns: true, short: ['cj'], cat: ['all'], subs: [status], gen: true },
  // rbac
  { g: 'rbac.authorization.k8s.io', v: 'v1', r: 'roles', k: 'Role', ns: true, name: 'path' },
  { g: 'rbac.authorization.k8s.io', v: 'v1', r: 'rolebindings', k: 'RoleBinding', ns: true, name: 'path' },
  { g: 'rbac.authorization.k8s.io', v: 'v1', r: 'clusterroles', k: 'ClusterRole', ns: false, name: 'path' },
  { g: 'rbac.authorization.k8s.io', v: 'v1', r: 'clusterrolebindings', k: 'ClusterRoleBinding', ns: false, name: 'path' },
  // networking
  { g: 'networking.k8s.io', v: 'v1', r: 'networkpolicies', k: 'NetworkPolicy', ns: true, short: ['netpol'], gen: true },
  { g: 'networking.k8s.io', v: 'v1', r: 'ingresses', k: 'Ingress', ns: true, short: ['ing'], subs: [status], gen: true },
  // autoscaling
  { g: 'autoscaling', v: 'v2', r: 'horizontalpodautoscalers', k: 'HorizontalPodAutoscaler', ns: true, short: ['hpa'], cat: ['all'], subs: [status] },
  { g: 'networking.k8s.io', v: 'v1', r: 'ingressclasses', k: 'IngressClass', ns: false },
  // policy, coordination, discovery, scheduling
  { g: 'policy', v: 'v1', r: 'poddisruptionbudgets', k: 'PodDisruptionBudget', ns: true, short: ['pdb'], subs: [status], gen: true },
  { g: 'coordination.k8s.io', v: 'v1', r: 'leases', k: 'Lease', ns: true },
  { g: 'discovery.k8s.io', v: 'v1', r: 'endpointslices', k: 'EndpointSlice', ns: true },
  { g: 'scheduling.k8s.io', v: 'v1', r: 'priorityclasses', k: 'PriorityClass', ns: false, short: ['pc'] },
  // storage
  { g: 'storage.k8s.io', v: 'v1', r: 'storageclasses', k: 'StorageClass', ns: false, short: ['sc'], ret: true },
  // apiextensions
  { g: 'apiextensions.k8s.io', v: 'v1', r: 'customresourcedefinitions', k: 'CustomResourceDefinition', ns: false, short: ['crd', 'crds'], subs: [status], gen: true, cat: ['api-extensions'] },
  // authorization reviews: create only, never stored
  { g: 'authorization.k8s.io', v: 'v1', r: 'selfsubjectaccessreviews', k: 'SelfSubjectAccessReview', ns: false, verbs: ['create'], virtual: true },
  { g: 'authorization.k8s.io', v: 'v1', r: 'subjectaccessreviews', k: 'SubjectAccessReview', ns: false, verbs: ['create'], virtual: true },
  { g: 'authorization.k8s.io', v: 'v1', r: 'localsubjectaccessreviews', k: 'LocalSubjectAccessReview', ns: true, verbs: ['create'], virtual: true },
  { g: 'authorization.k8s.io', v: 'v1', r: 'selfsubjectrulesreviews', k: 'SelfSubjectRulesReview', ns: false, verbs: ['create'], virtual: true },
];

function fromRow(r: Row): ResourceDef {
  const subs = (r.subs ?? []).map((s) => (s.name === 'status' ? { ...s, kind: r.k } : s));
  return {
    group: r.g,
    version: r.v,
    resource: r.r,
    singular: r.k.toLowerCase(),
    kind: r.k,
    listKind: `${r.k}List`,
    namespaced: r.ns,
    shortNames: r.short ?? [],
    categories: r.cat,
    verbs: r.verbs ?? ALL_VERBS,
    subresources: subs,
    hasStatus: subs.some((s) => s.name === 'status'),
    generation: !!r.gen,
    nameRule: r.name ?? 'subdomain',
    fieldLabels: r.fields ?? [],
    returnDeletedObject: !!r.ret,
    scale: subs.some((s) => s.name === 'scale') ? DEPLOY_SCALE : undefined,
    virtual: r.virtual,
  };
}

/** Mutable registry: built-ins plus CRD-defined resources. */
export class Registry {
  private byKey = new Map<string, ResourceDef>(); // group/version/resource
  private listeners: Array<() => void> = [];

  constructor() {
    for (const r of ROWS) this.add(fromRow(r));
  }

  add(def: ResourceDef) {
    this.byKey.set(`${def.group}/${def.version}/${def.resource}`, def);
    this.changed();
  }

  remove(group: string, resource: string) {
    for (const [k, d] of this.byKey) if (d.group === group && d.resource === resource) this.byKey.delete(k);
    this.changed();
  }

  onChange(fn: () => void) {
    this.listeners.push(fn);
  }

  private changed() {
    for (const l of this.listeners) l();
  }

  get(group: string, version: string, resource: string): ResourceDef | undefined {
    return this.byKey.get(`${group}/${version}/${resource}`);
  }

  /** Any served version of group/resource (storage is per group/resource). */
  find(group: string, resource: string): ResourceDef | undefined {
    for (const d of this.byKey.values()) if (d.group === group && d.resource === resource) return d;
    return undefined;
  }

  byKind(apiVersion: string, kind: string): ResourceDef | undefined {
    for (const d of this.byKey.values()) if (apiVersionOf(d) === apiVersion && d.kind === kind) return d;
    return undefined;
  }

  all(): ResourceDef[] {
    return [...this.byKey.values()];
  }

  /** group -> versions (preferred first) */
  groups(): Map<string, string[]> {
    const m = new Map<string, string[]>();
    for (const d of this.byKey.values()) {
      const vs = m.get(d.group) ?? [];
      if (!vs.includes(d.version)) vs.push(d.version);
      m.set(d.group, vs);
    }
    return m;
  }
}
