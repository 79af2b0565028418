/** LimitRanger admission plugin (plugin/pkg/admission/limitranger/admission.go). */
import { forbidden, StatusError } from '../errors';
import type { AdmissionPlugin, AdmissionRequest, ObjectReader } from '../hooks';
import { containersOf, defaultRequestsFromLimits, initContainersOf, podAggregate, podQOS } from './pods';
import { parseResourceList, Quantity, type ResourceList } from './quantity';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';
const MAX_MILLI = 9223372036854775807n / 1000n; // resource.MaxMilliValue

/** apierrors.NewForbidden through admission.NewForbidden: `pods "x" is forbidden: <err>`. */
export function admissionForbidden(req: AdmissionRequest, err: string): StatusError {
  const obj = req.object ?? req.oldObject;
  const name = obj?.metadata?.name || obj?.metadata?.generateName || 'Unknown';
  const qualified = req.group ? `${req.resource}.${req.group}` : req.resource;
  return forbidden(`${qualified} ${JSON.stringify(name)} is forbidden: ${err}`, { name, group: req.group || undefined, kind: req.resource });
}

/** utilerrors.NewAggregate(errs).Error(): deduplicated, bracketed when more than one. */
export function aggregate(errs: string[]): string {
  const uniq = [...new Set(errs)];
  if (uniq.length === 0) return '';
  if (uniq.length === 1) return uniq[0];
  return `[${uniq.join(', ')}]`;
}

/** v1 SetDefaults_LimitRangeItem for Container items (max → default → defaultRequest ← min). */
export function defaultLimitRangeItem(item: any): any {
  if (item?.type !== 'Container') return item;
  const out = { ...item, default: { ...(item.default ?? {}) }, defaultRequest: { ...(item.defaultRequest ?? {}) } };
  for (const [k, v] of Object.entries(item.max ?? {})) if (!(k in out.default)) out.default[k] = v;
  for (const [k, v] of Object.entries(out.default)) if (!(k in out.defaultRequest)) out.defaultRequest[k] = v;
  for (const [k, v] of Object.entries(item.min ?? {})) if (!(k in out.defaultRequest)) out.defaultRequest[k] = v;
  // empty maps are omitted in the JSON (omitempty)
  if (Object.keys(out.default).length === 0) delete out.default;
  if (Object.keys(out.defaultRequest).length === 0) delete out.defaultRequest;
  return out;
}

function canonicalMap(m: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parseResourceList(m as any))) out[k] = v.toString();
  return out;
}

/** requestLimitEnforcedValues: milli-precision (rounded up) unless that would overflow int64. */
function enforcedValues(req: Quantity | undefined, lim: Quantity | undefined, enforced: Quantity): [bigint, bigint, bigint] {
  let r = req ? req.value() : 0n;
  let l = lim ? lim.value() : 0n;
  let e = enforced.value();
  if (r <= MAX_MILLI && l <= MAX_MILLI && e <= MAX_MILLI) {
    r = req ? req.milliValue() : 0n;
    l = lim ? lim.milliValue() : 0n;
    e = enforced.milliValue();
  }
  return [r, l, e];
}

export function minConstraint(limitType: string, name: string, enforced: Quantity, request: ResourceList, limit: ResourceList): string | null {
  const req = request[name];
  const lim = limit[name];
  const [r, l, e] = enforcedValues(req, lim, enforced);
  if (!req) return `minimum ${name} usage per ${limitType} is ${enforced}.  No request is specified`;
  if (r < e) return `minimum ${name} usage per ${limitType} is ${enforced}, but request is ${req}`;
  if (lim && l < e) return `minimum ${name} usage per ${limitType} is ${enforced}, but limit is ${lim}`;
  return null;
}

export function maxRequestConstraint(limitType: string, name: string, enforced: Quantity, request: ResourceList): string | null {
  const req = request[name];
  const [r, , e] = enforcedValues(req, undefined, enforced);
  if (!req) return `maximum ${name} usage per ${limitType} is ${enforced}.  No request is specified`;
  if (r > e) return `maximum ${name} usage per ${limitType} is ${enforced}, but request is ${req}`;
  return null;
}

export function maxConstraint(limitType: string, name: string, enforced: Quantity, request: ResourceList, limit: ResourceList): string | null {
  const req = request[name];
  const lim = limit[name];
  const [r, l, e] = enforcedValues(req, lim, enforced);
  if (!lim) return `maximum ${name} usage per ${limitType} is ${enforced}.  No limit is specified`;
  if (l > e) return `maximum ${name} usage per ${limitType} is ${enforced}, but limit is ${lim}`;
  if (req && r > e) return `maximum ${name} usage per ${limitType} is ${enforced}, but request is ${req}`;
  return null;
}

export function limitRequestRatioConstraint(limitType: string, name: string, enforced: Quantity, request: ResourceList, limit: ResourceList): string | null {
  const req = request[name];
  const lim = limit[name];
  const [r, l] = enforcedValues(req, lim, enforced);
  if (!req || r === 0n) return `${name} max limit to request ratio per ${limitType} is ${enforced}, but no request is specified or request is 0`;
  if (!lim || l === 0n) return `${name} max limit to request ratio per ${limitType} is ${enforced}, but no limit is specified or limit is 0`;
  let observed = Number(l) / Number(r);
  const display = observed;
  let max = Number(enforced.value());
  if (enforced.value() <= MAX_MILLI) {
    observed = observed * 1000;
    max = Number(enforced.milliValue());
  }
  if (observed > max) return `${name} max limit to request ratio per ${limitType} is ${enforced}, but provided ratio is ${display.toFixed(6)}`;
  return null;
}

function limitItems(lr: any): any[] {
  return (Array.isArray(lr?.spec?.limits) ? lr.spec.limits : []).map(defaultLimitRangeItem);
}

/** mergePodResourceRequirements for one LimitRange's Container defaults; returns whether anything was set. */
function mutatePod(lr: any, pod: any): void {
  const defReq: Record<string, string> = {};
  const defLim: Record<string, string> = {};
  for (const item of limitItems(lr)) {
    if (item.type !== 'Container') continue;
    Object.assign(defReq, canonicalMap(item.defaultRequest ?? {}));
    Object.assign(defLim, canonicalMap(item.default ?? {}));
  }
  const annotations: string[] = [];
  const merge = (c: any, prefix: string) => {
    if (!c || typeof c !== 'object') return;
    const setRequests: string[] = [];
    const setLimits: string[] = [];
    const res = (c.resources ??= {});
    for (const [k, v] of Object.entries(defLim)) {
      if (res.limits && k in res.limits) continue;
      (res.limits ??= {})[k] = v;
      setLimits.push(k);
    }
    for (const [k, v] of Object.entries(defReq)) {
      if (res.requests && k in res.requests) continue;
      (res.requests ??= {})[k] = v;
      setRequests.push(k);
    }
    if (setRequests.length) annotations.push(`${setRequests.sort().join(', ')} request for ${prefix} ${c.name}`);
    if (setLimits.length) annotations.push(`${setLimits.sort().join(', ')} limit for ${prefix} ${c.name}`);
  };
  for (const c of containersOf(pod)) merge(c, 'container');
  for (const c of initContainersOf(pod)) merge(c, 'init container');
  if (annotations.length) {
    const md = (pod.metadata ??= {});
    md.annotations = { ...(md.annotations ?? {}), [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${annotations.join('; ')}` };
  }
}

/** PodValidateLimitFunc */
export function validatePod(lr: any, pod: any): string[] {
  const errs: string[] = [];
  const check = (type: string, item: any, requests: ResourceList, limits: ResourceList) => {
    for (const [k, v] of Object.entries(parseResourceList(item.min))) {
      const e = minConstraint(type, k, v, requests, limits);
      if (e) errs.push(e);
    }
    for (const [k, v] of Object.entries(parseResourceList(item.max))) {
      const e = maxConstraint(type, k, v, requests, limits);
      if (e) errs.push(e);
    }
    for (const [k, v] of Object.entries(parseResourceList(item.maxLimitRequestRatio))) {
      const e = limitRequestRatioConstraint(type, k, v, requests, limits);
      if (e) errs.push(e);
    }
  };
  for (const item of limitItems(lr)) {
    if (item.type === 'Container') {
      for (const c of [...containersOf(pod), ...initContainersOf(pod)]) {
        check('Container', item, parseResourceList(c?.resources?.requests), parseResourceList(c?.resources?.limits));
      }
    }
    if (item.type === 'Pod') check('Pod', item, podAggregate(pod, 'requests', { excludeOverhead: true }), podAggregate(pod, 'limits', { excludeOverhead: true }));
  }
  return errs;
}

/** PersistentVolumeClaimValidateLimitFunc */
export function validatePVC(lr: any, pvc: any): string[] {
  const errs: string[] = [];
  for (const item of limitItems(lr)) {
    if (item.type !== 'PersistentVolumeClaim') continue;
    const requests = parseResourceList(pvc?.spec?.resources?.requests);
    for (const [k, v] of Object.entries(parseResourceList(item.min))) {
      const e = minConstraint('PersistentVolumeClaim', k, v, requests, {});
      if (e) errs.push(e);
    }
    for (const [k, v] of Object.entries(parseResourceList(item.max))) {
      const e = maxRequestConstraint('PersistentVolumeClaim', k, v, requests);
      if (e) errs.push(e);
    }
  }
  return errs;
}

function limitRanges(objects: ObjectReader, namespace: string): any[] {
  let items: any[] = [];
  try {
    items = objects.list('', 'limitranges', namespace) ?? [];
  } catch {
    items = [];
  }
  return items
    .filter((lr) => (lr?.metadata?.namespace ?? namespace) === namespace)
    .sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
}

export function createLimitRanger(): AdmissionPlugin {
  return {
    name: 'LimitRanger',
    admit(req, objects) {
      if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return;
      if (req.subresource) return;
      // LimitRange defaulting (v1 SetDefaults_LimitRangeItem) so the stored object looks as the real one.
      if (req.group === '' && req.resource === 'limitranges' && req.object?.spec?.limits) {
        req.object.spec.limits = req.object.spec.limits.map(defaultLimitRangeItem);
        return;
      }
      const isPod = req.group === '' && req.resource === 'pods';
      const isPVC = req.group === '' && req.resource === 'persistentvolumeclaims';
      if (!isPod && !isPVC) return;
      // Pod containers cannot change on update, so pods are handled on create only.
      if (isPod && req.operation === 'UPDATE') return;
      if (req.oldObject?.metadata?.deletionTimestamp) return;
      const obj = req.object;
      if (!obj) return;
      const lrs = limitRanges(objects, req.namespace);
      if (isPod) {
        defaultRequestsFromLimits(obj); // v1 pod defaulting, which runs before admission
        for (const lr of lrs) mutatePod(lr, obj);
        // status.qosClass is computed by the pod strategy after mutating admission.
        if (obj.status && typeof obj.status === 'object' && obj.status.qosClass) obj.status.qosClass = podQOS(obj);
        for (const lr of lrs) {
          const errs = validatePod(lr, obj);
          if (errs.length) throw admissionForbidden(req, aggregate(errs));
        }
      } else {
        for (const lr of lrs) {
          const errs = validatePVC(lr, obj);
          if (errs.length) throw admissionForbidden(req, aggregate(errs));
        }
      }
    },
  };
}
