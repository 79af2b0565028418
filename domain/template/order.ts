/**
 * How an application's objects hang together: the order to apply them (what others refer to
 * first) and to delete them (the reverse), and the references between them for a topology view.
 */
import {
  type AllowedKind,
  containersOf,
  get,
  isRecord,
  isWorkloadKind,
  type KubernetesObject,
  list,
  type ObjectRef,
  podSpecOf,
  podTemplateOf,
  refOf,
} from './objects';

/** Config and storage, then workloads, their autoscalers, the Services in front, Ingresses last. */
export const APPLY_PHASES: ReadonlyArray<readonly AllowedKind[]> = [
  ['ConfigMap', 'Secret', 'PersistentVolumeClaim'],
  ['Deployment', 'StatefulSet', 'Job', 'CronJob'],
  ['HorizontalPodAutoscaler'],
  ['Service'],
  ['Ingress'],
];

export function applyPhase(kind: AllowedKind): number {
  return APPLY_PHASES.findIndex((phase) => phase.includes(kind));
}

/** Objects sorted by apply phase; within a phase they keep the template's order. */
export function applyOrder<T extends Pick<KubernetesObject, 'kind'>>(objects: readonly T[]): T[] {
  return objects
    .map((object, index) => ({ object, index, phase: applyPhase(object.kind) }))
    .sort((a, b) => a.phase - b.phase || a.index - b.index)
    .map((entry) => entry.object);
}

/** The exact reverse of applyOrder: Ingresses first, config and storage last. */
export function deleteOrder<T extends Pick<KubernetesObject, 'kind'>>(objects: readonly T[]): T[] {
  return applyOrder(objects).reverse();
}

/**
 * - `selects`: a Service whose selector matches a workload's pod labels;
 * - `routes`: an Ingress whose backend is a Service;
 * - `uses`: a workload mounting or reading a ConfigMap, Secret or PersistentVolumeClaim;
 * - `scales`: an HPA and its scale target.
 */
export type RelationType = 'selects' | 'routes' | 'uses' | 'scales';

export interface Relation {
  type: RelationType;
  from: ObjectRef;
  to: ObjectRef;
}

type Reference = { kind: string; name: unknown };

function selects(service: KubernetesObject, workload: KubernetesObject): boolean {
  const selector = get(service, 'spec', 'selector');
  if (!isRecord(selector) || Object.keys(selector).length === 0) return false;
  const labels = get(podTemplateOf(workload), 'metadata', 'labels');
  return isRecord(labels) && Object.entries(selector).every(([key, value]) => labels[key] === value);
}

function ingressBackends(ingress: KubernetesObject): Reference[] {
  const backends = [get(ingress, 'spec', 'defaultBackend')];
  for (const rule of list(get(ingress, 'spec', 'rules'))) {
    for (const path of list(get(rule, 'http', 'paths'))) backends.push(get(path, 'backend'));
  }
  return backends.map((backend) => ({ kind: 'Service', name: get(backend, 'service', 'name') }));
}

/** ConfigMaps, Secrets and claims a workload's pods mount, read into their environment, or pull with. */
function podReferences(workload: KubernetesObject): Reference[] {
  const spec = podSpecOf(workload);
  const refs: Reference[] = [];
  for (const volume of list(spec?.volumes)) {
    refs.push({ kind: 'ConfigMap', name: get(volume, 'configMap', 'name') });
    refs.push({ kind: 'Secret', name: get(volume, 'secret', 'secretName') });
    refs.push({ kind: 'PersistentVolumeClaim', name: get(volume, 'persistentVolumeClaim', 'claimName') });
    for (const source of list(get(volume, 'projected', 'sources'))) {
      refs.push({ kind: 'ConfigMap', name: get(source, 'configMap', 'name') });
      refs.push({ kind: 'Secret', name: get(source, 'secret', 'name') });
    }
  }
  for (const container of containersOf(spec)) {
    for (const from of list(container.envFrom)) {
      refs.push({ kind: 'ConfigMap', name: get(from, 'configMapRef', 'name') });
      refs.push({ kind: 'Secret', name: get(from, 'secretRef', 'name') });
    }
    for (const env of list(container.env)) {
      refs.push({ kind: 'ConfigMap', name: get(env, 'valueFrom', 'configMapKeyRef', 'name') });
      refs.push({ kind: 'Secret', name: get(env, 'valueFrom', 'secretKeyRef', 'name') });
    }
  }
  for (const pullSecret of list(spec?.imagePullSecrets)) refs.push({ kind: 'Secret', name: get(pullSecret, 'name') });
  return refs;
}

function scaleTarget(hpa: KubernetesObject): Reference[] {
  const target = get(hpa, 'spec', 'scaleTargetRef');
  return [{ kind: String(get(target, 'kind')), name: get(target, 'name') }];
}

/** Edges between the objects of one application; references to objects outside it are left out. */
export function relations(objects: readonly KubernetesObject[]): Relation[] {
  const byKey = new Map(objects.map((object) => [`${object.kind}/${object.metadata.name}`, object]));
  const edges = new Map<string, Relation>();
  const add = (type: RelationType, from: KubernetesObject, to: KubernetesObject | undefined) => {
    if (to === undefined) return;
    const edge = { type, from: refOf(from), to: refOf(to) };
    edges.set(`${type} ${from.kind}/${from.metadata.name} ${to.kind}/${to.metadata.name}`, edge);
  };
  const resolve = (ref: Reference) => (typeof ref.name === 'string' ? byKey.get(`${ref.kind}/${ref.name}`) : undefined);

  for (const object of objects) {
    if (object.kind === 'Service') {
      for (const workload of objects) if (isWorkloadKind(workload.kind) && selects(object, workload)) add('selects', object, workload);
    } else if (object.kind === 'Ingress') {
      for (const ref of ingressBackends(object)) add('routes', object, resolve(ref));
    } else if (object.kind === 'HorizontalPodAutoscaler') {
      for (const ref of scaleTarget(object)) add('scales', object, resolve(ref));
    } else if (isWorkloadKind(object.kind)) {
      for (const ref of podReferences(object)) add('uses', object, resolve(ref));
    }
  }
  return [...edges.values()];
}
