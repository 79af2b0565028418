/** Pod resource helpers shared by LimitRanger and ResourceQuota (k8s.io/component-helpers/resource, pkg/apis/core/v1/helper/qos). */
import { addLists, parseQuantity, parseResourceList, Quantity, type ResourceList } from './quantity';

export function containersOf(pod: any): any[] {
  return Array.isArray(pod?.spec?.containers) ? pod.spec.containers : [];
}

export function initContainersOf(pod: any): any[] {
  return Array.isArray(pod?.spec?.initContainers) ? pod.spec.initContainers : [];
}

function maxInto(list: ResourceList, other: ResourceList): void {
  for (const [k, v] of Object.entries(other)) if (!list[k] || v.cmp(list[k]) > 0) list[k] = v;
}

/** resourcehelper.PodRequests / PodLimits: sum of containers, max with each init container (sidecars add up). */
export function podAggregate(pod: any, field: 'requests' | 'limits', opts: { excludeOverhead?: boolean } = {}): ResourceList {
  let reqs: ResourceList = {};
  for (const c of containersOf(pod)) reqs = addLists(reqs, parseResourceList(c?.resources?.[field]));
  let restartable: ResourceList = {};
  const initMax: ResourceList = {};
  for (const c of initContainersOf(pod)) {
    const r = parseResourceList(c?.resources?.[field]);
    let eff: ResourceList;
    if (c?.restartPolicy === 'Always') {
      reqs = addLists(reqs, r);
      restartable = addLists(restartable, r);
      eff = restartable;
    } else {
      eff = addLists(r, restartable);
    }
    maxInto(initMax, eff);
  }
  maxInto(reqs, initMax);
  // Pod-level resources (PodLevelResources) override the aggregate for cpu and memory.
  for (const [k, v] of Object.entries(parseResourceList(pod?.spec?.resources?.[field]))) if (k === 'cpu' || k === 'memory') reqs[k] = v;
  // Pod overhead (RuntimeClass) is added to requests, and to limits that are set.
  const overhead = opts.excludeOverhead ? {} : parseResourceList(pod?.spec?.overhead);
  if (Object.keys(overhead).length) {
    for (const [k, v] of Object.entries(overhead)) if (field === 'requests' || reqs[k]) reqs[k] = reqs[k] ? reqs[k].add(v) : v;
  }
  return reqs;
}

/** v1 SetDefaults_Pod: a container's missing requests default to its limits. */
export function defaultRequestsFromLimits(pod: any): void {
  for (const c of [...containersOf(pod), ...initContainersOf(pod)]) {
    const limits = c?.resources?.limits;
    if (!limits || typeof limits !== 'object') continue;
    const requests = (c.resources.requests ??= {});
    for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
  }
}

/** qos.GetPodQOS (cpu and memory only). */
export function podQOS(pod: any): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const supported = new Set(['cpu', 'memory']);
  let requests: ResourceList = {};
  let limits: ResourceList = {};
  let guaranteed = true;
  for (const c of [...containersOf(pod), ...initContainersOf(pod)]) {
    for (const [k, v] of Object.entries(parseResourceList(c?.resources?.requests))) {
      if (supported.has(k) && v.sign() > 0) requests = addLists(requests, { [k]: v });
    }
    const found = new Set<string>();
    for (const [k, v] of Object.entries(parseResourceList(c?.resources?.limits))) {
      if (supported.has(k) && v.sign() > 0) {
        found.add(k);
        limits = addLists(limits, { [k]: v });
      }
    }
    if (!(found.has('cpu') && found.has('memory'))) guaranteed = false;
  }
  if (Object.keys(requests).length === 0 && Object.keys(limits).length === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [k, v] of Object.entries(requests)) if (!limits[k] || limits[k].cmp(v) !== 0) guaranteed = false;
  }
  if (guaranteed && Object.keys(requests).length === Object.keys(limits).length) return 'Guaranteed';
  return 'Burstable';
}

export function q(s: unknown): Quantity {
  return parseQuantity(s);
}
