/**
 * Unknown-field handling of built-in kinds (kube-apiserver decodes into typed structs, so unknown JSON
 * fields are dropped; `fieldValidation=Strict` refuses them, `Warn` — the default — reports them in a
 * `Warning` header, `Ignore` drops them silently). kube-sim knows the top-level and metadata fields of
 * each kind, not the full schemas.
 */
import { StatusError } from './errors';
import type { ResourceDef } from './registry';

const META = new Set(['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields']);
const SPEC_STATUS = ['spec', 'status'];

const TOP: Record<string, string[]> = {
  ConfigMap: ['data', 'binaryData', 'immutable'],
  Secret: ['data', 'stringData', 'type', 'immutable'],
  ServiceAccount: ['secrets', 'imagePullSecrets', 'automountServiceAccountToken'],
  Event: ['involvedObject', 'reason', 'message', 'source', 'firstTimestamp', 'lastTimestamp', 'count', 'type', 'eventTime', 'series', 'action', 'related', 'reportingComponent', 'reportingInstance'],
  Endpoints: ['subsets'],
  Role: ['rules'],
  ClusterRole: ['rules', 'aggregationRule'],
  RoleBinding: ['subjects', 'roleRef'],
  ClusterRoleBinding: ['subjects', 'roleRef'],
  StorageClass: ['provisioner', 'parameters', 'reclaimPolicy', 'mountOptions', 'allowVolumeExpansion', 'volumeBindingMode', 'allowedTopologies'],
  EndpointSlice: ['addressType', 'endpoints', 'ports'],
  PriorityClass: ['value', 'globalDefault', 'description', 'preemptionPolicy'],
  ControllerRevision: ['data', 'revision'],
  LimitRange: ['spec'],
  IngressClass: ['spec'],
  Lease: ['spec'],
  NetworkPolicy: ['spec'],
  CronJob: SPEC_STATUS,
};

function allowedTop(def: ResourceDef): Set<string> | undefined {
  if (def.custom || def.virtual) return undefined;
  const own = TOP[def.kind] ?? SPEC_STATUS;
  return new Set(['apiVersion', 'kind', 'metadata', ...own]);
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function parseFieldValidation(v: string | null): FieldValidation {
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw new StatusError(400, 'BadRequest', `fieldValidation parameter unsupported: ${v}`);
}

/** Drops unknown fields in place; returns the warnings (Warn) or throws 400 (Strict). */
export function dropUnknownFields(def: ResourceDef, obj: any, mode: FieldValidation): string[] {
  const top = allowedTop(def);
  if (!top || !obj || typeof obj !== 'object') return [];
  const unknown: string[] = [];
  for (const k of Object.keys(obj)) if (!top.has(k)) unknown.push(k);
  if (obj.metadata && typeof obj.metadata === 'object') for (const k of Object.keys(obj.metadata)) if (!META.has(k)) unknown.push(`metadata.${k}`);
  if (unknown.length === 0) return [];
  if (mode === 'Strict') {
    const msgs = unknown.map((f) => `unknown field "${f}"`);
    throw new StatusError(400, 'BadRequest', `strict decoding error: ${msgs.join(', ')}`);
  }
  for (const f of unknown) {
    if (f.startsWith('metadata.')) delete obj.metadata[f.slice('metadata.'.length)];
    else delete obj[f];
  }
  return mode === 'Warn' ? unknown.map((f) => `unknown field "${f}"`) : [];
}
