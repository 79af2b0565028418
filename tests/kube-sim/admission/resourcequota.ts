/**
 * ResourceQuota admission (plugin/pkg/admission/resourcequota) and the usage the quota controller
 * keeps in status (pkg/controller/resourcequota, pkg/quota/v1/evaluator/core), done synchronously.
 */
import type { AdmissionPlugin, AdmissionRequest, ObjectReader, ObjectWriter } from '../hooks';
import { admissionForbidden } from './limitranger';
import { containersOf, initContainersOf, podAggregate, podQOS } from './pods';
import {
  addLists,
  formatResourceList,
  maskList,
  parseResourceList,
  Quantity,
  type ResourceList,
  subtractLists,
} from './quantity';

const one = () => Quantity.fromInt(1);

// ---------- evaluators ----------

interface Evaluator {
  group: string;
  resource: string;
  /** Which quota resource names this evaluator accounts for. */
  matches(name: string): boolean;
  handles(req: AdmissionRequest): boolean;
  usage(obj: any): ResourceList;
  /** Whether the object falls under a scope selector requirement (non-pod evaluators match no scope). */
  matchesScope(scope: ScopeRequirement, obj: any): boolean;
  constraints?(required: string[], obj: any): string | null;
}

interface ScopeRequirement {
  scopeName: string;
  operator: string;
  values?: string[];
}

export function objectCountName(group: string, resource: string): string {
  return group ? `count/${resource}.${group}` : `count/${resource}`;
}

const POD_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage',
  'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
  'pods', 'count/pods',
]);
const VALIDATION_SET = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);

/** podComputeUsageHelper */
function podComputeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const result: ResourceList = { pods: one() };
  const pairs: [string, string, string][] = [
    ['cpu', 'cpu', 'requests.cpu'],
    ['memory', 'memory', 'requests.memory'],
    ['ephemeral-storage', 'ephemeral-storage', 'requests.ephemeral-storage'],
  ];
  for (const [res, plain, reqName] of pairs) {
    if (requests[res]) {
      result[plain] = requests[res];
      result[reqName] = requests[res];
    }
    if (limits[res]) result[`limits.${res}`] = limits[res];
  }
  for (const [k, v] of Object.entries(requests)) {
    if (k.startsWith('hugepages-')) {
      result[k] = v;
      result[`requests.${k}`] = v;
    }
    if (isExtendedResourceName(k)) result[`requests.${k}`] = v;
  }
  return result;
}

/** helper.IsNativeResource: not domain-qualified, or in the kubernetes.io domain. */
function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

/** helper.IsExtendedResourceName */
function isExtendedResourceName(name: string): boolean {
  return !isNativeResource(name) && !name.startsWith('requests.');
}

/** QuotaV1Pod: terminal pods (and pods past their deletion grace period) do not use compute quota. */
function podIsActive(pod: any, now = Date.now()): boolean {
  const phase = pod?.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const dt = pod?.metadata?.deletionTimestamp;
  const grace = pod?.metadata?.deletionGracePeriodSeconds;
  if (dt && typeof grace === 'number') {
    if (now > Date.parse(dt) + grace * 1000) return false;
  }
  return true;
}

function podMatchesScope(scope: ScopeRequirement, pod: any): boolean {
  switch (scope.scopeName) {
    case 'Terminating':
      return typeof pod?.spec?.activeDeadlineSeconds === 'number' && pod.spec.activeDeadlineSeconds >= 0;
    case 'NotTerminating':
      return !(typeof pod?.spec?.activeDeadlineSeconds === 'number' && pod.spec.activeDeadlineSeconds >= 0);
    case 'BestEffort':
      return podQOS(pod) === 'BestEffort';
    case 'NotBestEffort':
      return podQOS(pod) !== 'BestEffort';
    case 'PriorityClass': {
      const pc: string = pod?.spec?.priorityClassName ?? '';
      const vals = scope.values ?? [];
      switch (scope.operator) {
        // the pod is matched as the label set {PriorityClass: name}, empty when it has none
        case 'In':
          return pc !== '' && vals.includes(pc);
        case 'NotIn':
          return pc === '' || !vals.includes(pc);
        case 'Exists':
          return pc !== '';
        case 'DoesNotExist':
          return pc === '';
        default:
          return false;
      }
    }
    case 'CrossNamespacePodAffinity': {
      const terms = [
        ...(pod?.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
        ...(pod?.spec?.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t: any) => t?.podAffinityTerm),
        ...(pod?.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
        ...(pod?.spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t: any) => t?.podAffinityTerm),
      ];
      return terms.some((t: any) => (t?.namespaces?.length ?? 0) > 0 || t?.namespaceSelector != null);
    }
    default:
      return false;
  }
}

const podEvaluator: Evaluator = {
  group: '',
  resource: 'pods',
  matches: (n) =>
    POD_RESOURCES.has(n) || n.startsWith('hugepages-') || n.startsWith('requests.hugepages-') || (n.startsWith('requests.') && !isNativeResource(n)),
  handles: (req) => (req.subresource === '' && req.operation === 'CREATE') || (req.subresource === 'resize' && req.operation === 'UPDATE'),
  usage(pod) {
    const result: ResourceList = { 'count/pods': one() };
    if (!podIsActive(pod)) return result;
    return addLists(result, podComputeUsage(podAggregate(pod, 'requests'), podAggregate(pod, 'limits')));
  },
  matchesScope: podMatchesScope,
  constraints(required, pod) {
    const requiredSet = required.filter((r) => VALIDATION_SET.has(r));
    const missing = new Map<string, Set<string>>();
    for (const c of [...containersOf(pod), ...initContainersOf(pod)]) {
      const usage = podComputeUsage(parseResourceList(c?.resources?.requests), parseResourceList(c?.resources?.limits));
      for (const r of requiredSet) {
        if (usage[r]) continue;
        if (!missing.has(r)) missing.set(r, new Set());
        missing.get(r)!.add(c?.name ?? '');
      }
    }
    if (missing.size === 0) return null;
    const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
    return `must specify ${parts.join('; ')}`;
  },
};

const noScope = () => false;

const serviceEvaluator: Evaluator = {
  group: '',
  resource: 'services',
  matches: (n) => ['services', 'count/services', 'services.loadbalancers', 'services.nodeports'].includes(n),
  handles: (req) => req.subresource === '' && (req.operation === 'CREATE' || req.operation === 'UPDATE'),
  usage(svc) {
    const result: ResourceList = { 'count/services': one(), services: one() };
    const ports = Array.isArray(svc?.spec?.ports) ? svc.spec.ports.length : 0;
    if (svc?.spec?.type === 'NodePort') result['services.nodeports'] = Quantity.fromInt(ports);
    if (svc?.spec?.type === 'LoadBalancer') {
      if (svc.spec.allocateLoadBalancerNodePorts !== false) result['services.nodeports'] = Quantity.fromInt(ports);
      result['services.loadbalancers'] = one();
    }
    return result;
  },
  matchesScope: noScope,
};

const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';

function pvcStorageClass(pvc: any): string {
  return pvc?.spec?.storageClassName ?? pvc?.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

const pvcEvaluator: Evaluator = {
  group: '',
  resource: 'persistentvolumeclaims',
  matches: (n) =>
    ['persistentvolumeclaims', 'count/persistentvolumeclaims', 'requests.storage'].includes(n) ||
    (n.includes(STORAGE_CLASS_SUFFIX) && (n.endsWith('/requests.storage') || n.endsWith('/persistentvolumeclaims'))),
  handles: (req) => req.subresource === '' && (req.operation === 'CREATE' || req.operation === 'UPDATE'),
  usage(pvc) {
    const result: ResourceList = { 'count/persistentvolumeclaims': one(), persistentvolumeclaims: one() };
    const sc = pvcStorageClass(pvc);
    if (sc) result[`${sc}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`] = one();
    const requests = parseResourceList(pvc?.spec?.resources?.requests);
    let storage = requests['storage'];
    const allocated = parseResourceList(pvc?.status?.allocatedResources)['storage'];
    if (allocated && (!storage || allocated.cmp(storage) > 0)) storage = allocated;
    if (storage) {
      result['requests.storage'] = storage;
      if (sc) result[`${sc}${STORAGE_CLASS_SUFFIX}requests.storage`] = storage;
    }
    return result;
  },
  matchesScope: noScope,
};

/** Object-count evaluators: legacy names for a few core kinds, count/<resource>[.<group>] for all. */
const LEGACY_COUNT: Record<string, string> = {
  configmaps: 'configmaps',
  secrets: 'secrets',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};

function countEvaluator(group: string, resource: string): Evaluator {
  const countName = objectCountName(group, resource);
  const legacy = group === '' ? LEGACY_COUNT[resource] : undefined;
  return {
    group,
    resource,
    matches: (n) => n === countName || (!!legacy && n === legacy),
    handles: (req) => req.subresource === '' && req.operation === 'CREATE',
    usage() {
      const r: ResourceList = { [countName]: one() };
      if (legacy) r[legacy] = one();
      return r;
    },
    matchesScope: noScope,
  };
}

export function evaluatorFor(group: string, resource: string): Evaluator {
  if (group === '') {
    if (resource === 'pods') return podEvaluator;
    if (resource === 'services') return serviceEvaluator;
    if (resource === 'persistentvolumeclaims') return pvcEvaluator;
  }
  return countEvaluator(group, resource);
}

/** Which (group, resource) evaluators a quota resource name needs. */
function evaluatorsForName(name: string): [string, string][] {
  if (podEvaluator.matches(name)) return [['', 'pods']];
  if (serviceEvaluator.matches(name)) return [['', 'services']];
  if (pvcEvaluator.matches(name)) return [['', 'persistentvolumeclaims']];
  if (LEGACY_COUNT[name]) return [['', name]];
  if (name.startsWith('count/')) {
    const rest = name.slice('count/'.length);
    const dot = rest.indexOf('.');
    return dot < 0 ? [['', rest]] : [[rest.slice(dot + 1), rest.slice(0, dot)]];
  }
  return [];
}

// ---------- quota helpers ----------

function scopesOf(quota: any): ScopeRequirement[] {
  const out: ScopeRequirement[] = [];
  for (const s of quota?.spec?.scopes ?? []) out.push({ scopeName: s, operator: 'Exists' });
  for (const e of quota?.spec?.scopeSelector?.matchExpressions ?? []) out.push(e);
  return out;
}

function hardOf(quota: any): ResourceList {
  return parseResourceList(quota?.status?.hard ?? quota?.spec?.hard);
}

function quotaMatches(quota: any, ev: Evaluator, obj: any): boolean {
  const names = Object.keys(hardOf(quota));
  if (!names.some((n) => ev.matches(n))) return false;
  return scopesOf(quota).every((s) => ev.matchesScope(s, obj));
}

function safeList(objects: ObjectReader, group: string, resource: string, namespace: string): any[] {
  try {
    return (objects.list(group, resource, namespace) ?? []).filter((o) => (o?.metadata?.namespace ?? namespace) === namespace);
  } catch {
    return [];
  }
}

function quotasIn(objects: ObjectReader, namespace: string): any[] {
  return safeList(objects, '', 'resourcequotas', namespace).sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
}

/** quota.CalculateUsage for one quota: zero for every tracked hard resource, plus each matching object's usage. */
export function calculateUsage(quota: any, objects: ObjectReader, namespace: string): ResourceList {
  const hard = parseResourceList(quota?.spec?.hard);
  const scopes = scopesOf(quota);
  const byEvaluator = new Map<string, { ev: Evaluator; names: string[] }>();
  for (const name of Object.keys(hard)) {
    for (const [g, r] of evaluatorsForName(name)) {
      const ev = evaluatorFor(g, r);
      if (!ev.matches(name)) continue;
      const key = `${g}/${r}`;
      if (!byEvaluator.has(key)) byEvaluator.set(key, { ev, names: [] });
      byEvaluator.get(key)!.names.push(name);
    }
  }
  let used: ResourceList = {};
  for (const { ev, names } of byEvaluator.values()) {
    let stats: ResourceList = {};
    for (const n of names) stats[n] = Quantity.zero();
    for (const item of safeList(objects, ev.group, ev.resource, namespace)) {
      if (!scopes.every((s) => ev.matchesScope(s, item))) continue;
      stats = addLists(stats, ev.usage(item));
    }
    used = addLists(used, maskList(stats, names));
  }
  return used;
}

function prettyPrint(list: ResourceList): string {
  return Object.keys(list)
    .sort()
    .map((k) => `${k}=${list[k]}`)
    .join(',');
}

function isNegative(list: ResourceList): string[] {
  return Object.keys(list)
    .filter((k) => list[k].sign() < 0)
    .sort();
}

function removeZeros(list: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(list)) if (!v.isZero()) out[k] = v;
  return out;
}

/** The status the quota controller would write for `quota` now. */
export function quotaStatus(quota: any, objects: ObjectReader): { hard: Record<string, string>; used: Record<string, string> } {
  const ns = quota?.metadata?.namespace ?? '';
  return {
    hard: formatResourceList(parseResourceList(quota?.spec?.hard)),
    used: formatResourceList(calculateUsage(quota, objects, ns)),
  };
}

function sameJSON(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function syncQuota(quota: any, objects: ObjectReader, writer: ObjectWriter): void {
  const status = quotaStatus(quota, objects);
  const current = quota?.status ?? {};
  if (sameJSON({ hard: current.hard ?? {}, used: current.used ?? {} }, status)) return;
  writer.updateStatus('', 'resourcequotas', quota.metadata.namespace, quota.metadata.name, { ...current, ...status });
}

// ---------- admission ----------

/** QuotaEvaluator.checkRequest for the quotas of the request's namespace. */
export function checkQuota(req: AdmissionRequest, objects: ObjectReader): void {
  if (req.subresource !== '' && req.subresource !== 'resize') return;
  if (!req.namespace) return;
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return;
  const ev = evaluatorFor(req.group, req.resource);
  if (!ev.handles(req)) return;
  const quotas = quotasIn(objects, req.namespace);
  if (quotas.length === 0) return;
  const obj = req.object;
  if (!obj) return;

  const interesting: any[] = [];
  for (const quota of quotas) {
    if (!quotaMatches(quota, ev, obj)) continue;
    const restricted = Object.keys(hardOf(quota)).filter((n) => ev.matches(n));
    const err = ev.constraints?.(restricted, obj);
    if (err) throw admissionForbidden(req, `failed quota: ${quota.metadata.name}: ${err}`);
    interesting.push(quota);
  }
  if (interesting.length === 0) return;

  let delta = ev.usage(obj);
  const negative = isNegative(delta);
  if (negative.length) throw admissionForbidden(req, `quota usage is negative for resource(s): ${negative.join(',')}`);
  if (req.operation === 'UPDATE') {
    const prev = req.oldObject;
    if (!prev) throw admissionForbidden(req, 'unable to get previous usage since prior version of object was not found');
    if (prev?.metadata?.resourceVersion) {
      const prevUsage = ev.usage(prev);
      if (ev === podEvaluator) delta = subtractLists(delta, prevUsage);
      else {
        // SubtractWithNonNegativeResult
        const d = subtractLists(delta, prevUsage);
        for (const k of Object.keys(d)) if (d[k].sign() < 0) d[k] = Quantity.zero();
        delta = d;
      }
    }
  }
  delta = removeZeros(delta);
  if (Object.keys(delta).length === 0) return;

  for (const quota of interesting) {
    const hard = hardOf(quota);
    // status.used as the quota controller keeps it (recomputed: this sim keeps it current synchronously).
    const used = calculateUsage(quota, objects, req.namespace);
    const requested = maskList(delta, Object.keys(hard));
    const newUsage = addLists(used, requested);
    const exceeded = Object.keys(requested)
      .filter((k) => hard[k] && newUsage[k] && newUsage[k].cmp(hard[k]) > 0)
      .sort();
    if (exceeded.length) {
      throw admissionForbidden(
        req,
        `exceeded quota: ${quota.metadata.name}, requested: ${prettyPrint(maskList(requested, exceeded))}, used: ${prettyPrint(maskList(used, exceeded))}, limited: ${prettyPrint(maskList(hard, exceeded))}`,
      );
    }
  }
}

/** Recompute the status of the quotas a write may have changed. */
export function afterQuotaWrite(req: AdmissionRequest, objects: ObjectReader, writer: ObjectWriter): void {
  if (!req.namespace) return;
  if (req.group === '' && req.resource === 'resourcequotas') {
    if (req.operation === 'DELETE') return;
    const name = req.object?.metadata?.name ?? req.oldObject?.metadata?.name;
    let current: any;
    try {
      current = objects.get('', 'resourcequotas', req.namespace, name);
    } catch {
      current = undefined;
    }
    if (current) syncQuota(current, objects, writer);
    // resourcequotas themselves may be counted by other quotas
  }
  const quotas = quotasIn(objects, req.namespace);
  for (const quota of quotas) {
    const names = Object.keys(parseResourceList(quota?.spec?.hard));
    const relevant = names.some((n) => evaluatorsForName(n).some(([g, r]) => g === req.group && r === req.resource));
    if (relevant) syncQuota(quota, objects, writer);
  }
}

export function createResourceQuota(): AdmissionPlugin {
  return {
    name: 'ResourceQuota',
    admit: checkQuota,
    afterWrite: afterQuotaWrite,
  };
}
