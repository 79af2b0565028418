/**
 * The Kubernetes objects an application template may produce: the allowlist of kinds with their
 * apiVersions, the shape Bosun hands on, and accessors for the pod template inside a workload.
 */

/** Namespaced kinds an application may contain, each with the one apiVersion Bosun accepts. */
export const ALLOWED_KINDS = {
  ConfigMap: 'v1',
  Secret: 'v1',
  PersistentVolumeClaim: 'v1',
  Service: 'v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  Ingress: 'networking.k8s.io/v1',
} as const;

export type AllowedKind = keyof typeof ALLOWED_KINDS;

export function isAllowedKind(kind: string): kind is AllowedKind {
  return Object.hasOwn(ALLOWED_KINDS, kind);
}

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'Job', 'CronJob'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export function isWorkloadKind(kind: string): kind is WorkloadKind {
  return (WORKLOAD_KINDS as readonly string[]).includes(kind);
}

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'bosun';
export const INSTANCE_LABEL = 'app.kubernetes.io/instance';

export interface ObjectMeta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  [field: string]: unknown;
}

/** A rendered object: allowed kind, named, in the target namespace, labelled as Bosun's. */
export interface KubernetesObject {
  apiVersion: string;
  kind: AllowedKind;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ObjectRef {
  kind: AllowedKind;
  name: string;
}

export function refOf(object: KubernetesObject): ObjectRef {
  return { kind: object.kind, name: object.metadata.name };
}

/** `Deployment/web`, as objects are named in messages. */
export function describeRef(ref: ObjectRef): string {
  return `${ref.kind}/${ref.name}`;
}

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `get(obj, 'spec', 'template')`: the value at a path, or undefined when any step is missing. */
export function get(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** The elements of an array field, [] when absent or not an array. */
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Where a workload keeps its pod template (CronJob one level deeper, inside its job template). */
export function podTemplatePath(kind: WorkloadKind): string[] {
  return kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template'] : ['spec', 'template'];
}

/** The pod template of a workload; undefined for other kinds. */
export function podTemplateOf(object: KubernetesObject): Json | undefined {
  if (!isWorkloadKind(object.kind)) return undefined;
  const template = get(object, ...podTemplatePath(object.kind));
  return isRecord(template) ? template : undefined;
}

export function podSpecOf(object: KubernetesObject): Json | undefined {
  const spec = get(podTemplateOf(object), 'spec');
  return isRecord(spec) ? spec : undefined;
}

/** App and init containers of a pod spec. */
export function containersOf(podSpec: Json | undefined): Json[] {
  return [...list(podSpec?.containers), ...list(podSpec?.initContainers)].filter(isRecord);
}
