/**
 * Config and storage objects (ConfigMap, Secret, Service, Ingress, PersistentVolumeClaim) in a
 * Bosun namespace. A command carries the object as the user wrote it (checked and normalised
 * here); for a Secret it carries no value at all: the API splits the values off, sends them only to
 * the cluster, and hands the decider one keyed fingerprint per key (computed outside the domain,
 * under a server-side key). The command is copied into the audit trail, so the decider refuses a
 * Secret command that still holds values.
 */
import { DomainError, invalid } from '../errors';
import { stateOf, type CommandDecider } from '../decider';
import { validateDnsLabel } from '../names';
import { streamIds } from '../streams';
import { initialState as namespaceInitial, type NamespaceState } from '../namespace/state';
import { FINGERPRINT_PATTERN, type ConfigEvent, type SecretSummary } from './events';
import { CONFIG_KINDS, configKinds, dataKeyErrors, isConfigKind, objectNameErrors, type ConfigKind } from './kinds';
import { checkConfigManifest } from './manifest';

interface ObjectRef {
  clusterId: string;
  namespace: string;
  kind: string;
  name: string;
  /** The namespace's workspace as the API resolved it (for the audit target); checked against the namespace. */
  workspaceId?: string;
}

export interface ApplyConfigObject extends ObjectRef {
  type: 'ApplyConfigObject';
  /** The object: parsed from a form, or YAML text. A Secret's data and stringData are left out. */
  manifest: unknown;
  /** Secrets only: key → `hmac-sha256:…` of its value. */
  secretFingerprints?: Record<string, string>;
}
export interface DeleteConfigObject extends ObjectRef {
  type: 'DeleteConfigObject';
}
/** The cluster refused (or could not be reached for) what was just decided. */
export interface RecordConfigObjectFailed extends ObjectRef {
  type: 'RecordConfigObjectFailed';
  operation: 'apply' | 'delete';
  reason: string;
  status?: number;
}
export type ConfigCommand = ApplyConfigObject | DeleteConfigObject | RecordConfigObjectFailed;

export const SECRET_VALUES_IN_COMMAND =
  "a Secret's values never enter a command or an event: send them to the cluster and pass one fingerprint per key";

function checkKind(kind: unknown): ConfigKind {
  if (kind === undefined || kind === null || kind === '') throw new DomainError('invalid', 'kind: Required value', { field: 'kind' });
  if (!isConfigKind(kind)) throw invalid('kind', `kind ${JSON.stringify(kind)} is not managed here (allowed: ${configKinds.join(', ')})`);
  return kind;
}

function checkName(kind: ConfigKind, name: unknown): string {
  if (typeof name !== 'string' || name === '') throw new DomainError('invalid', 'name: Required value', { field: 'name' });
  const errors = objectNameErrors(kind, name);
  if (errors.length > 0) throw new DomainError('invalid', `name: Invalid value: ${JSON.stringify(name)}: ${errors.join('; ')}`, { field: 'name', details: { reasons: errors } });
  return name;
}

/** The checked identity of the object a command is about. */
export function configRef(cmd: ObjectRef): { clusterId: string; namespace: string; kind: ConfigKind; name: string } {
  const clusterId = validateDnsLabel(cmd.clusterId, 'clusterId');
  const namespace = validateDnsLabel(cmd.namespace, 'namespace');
  const kind = checkKind(cmd.kind);
  return { clusterId, namespace, kind, name: checkName(kind, cmd.name) };
}

function checkFingerprints(value: unknown): SecretSummary['keys'] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('secretFingerprints', 'must be a map of key to fingerprint');
  return Object.entries(value as Record<string, unknown>)
    .map(([key, fingerprint]) => {
      const errors = dataKeyErrors(key);
      if (errors.length > 0) throw invalid(`secretFingerprints.${key}`, `Invalid key: ${errors.join('; ')}`);
      if (typeof fingerprint !== 'string' || !FINGERPRINT_PATTERN.test(fingerprint)) throw invalid(`secretFingerprints.${key}`, 'must be an hmac-sha256 fingerprint');
      return { key, fingerprint };
    })
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function liveNamespace(state: NamespaceState, cmd: ObjectRef, clusterId: string, namespace: string): void {
  if (state.status === 'absent' || state.status === 'deleted') {
    throw new DomainError('not_found', `namespace: namespace "${namespace}" does not exist on cluster "${clusterId}"`, { field: 'namespace' });
  }
  if (cmd.workspaceId !== undefined && cmd.workspaceId !== state.workspaceId) {
    throw invalid('workspaceId', `namespace "${namespace}" belongs to workspace "${state.workspaceId}", not "${cmd.workspaceId}"`);
  }
}

export const configDecider: CommandDecider<ConfigCommand, ConfigEvent> = {
  streams: (cmd) => [streamIds.config(cmd.clusterId, cmd.namespace, String(cmd.kind).toLowerCase(), cmd.name), streamIds.namespace(cmd.clusterId, cmd.namespace)],
  decide(cmd, states) {
    const ref = configRef(cmd);
    const stream = streamIds.config(ref.clusterId, ref.namespace, CONFIG_KINDS[ref.kind].slug, ref.name);
    const ns = stateOf<NamespaceState>(states, streamIds.namespace(ref.clusterId, ref.namespace), namespaceInitial);
    switch (cmd.type) {
      case 'ApplyConfigObject': {
        // Input is checked before the namespace: a refusal for a missing namespace is recorded with
        // the command, which must then be known to hold no Secret values.
        if (ref.kind === 'Secret' && typeof cmd.manifest === 'string') throw invalid('manifest', `${SECRET_VALUES_IN_COMMAND} (give the Secret as an object)`);
        const manifest = checkConfigManifest(cmd.manifest, { namespace: ref.namespace, kind: ref.kind, name: ref.name });
        if (ref.kind !== 'Secret') {
          if (cmd.secretFingerprints !== undefined) throw invalid('secretFingerprints', `only a Secret has fingerprints, not a ${ref.kind}`);
          liveNamespace(ns, cmd, ref.clusterId, ref.namespace);
          return { [stream]: [{ type: 'ConfigObjectApplied', data: { ...ref, manifest } }] };
        }
        for (const field of ['data', 'stringData'] as const) {
          if (manifest[field] !== undefined) throw invalid(`manifest.${field}`, SECRET_VALUES_IN_COMMAND);
        }
        const keys = checkFingerprints(cmd.secretFingerprints);
        liveNamespace(ns, cmd, ref.clusterId, ref.namespace);
        const type = typeof manifest.type === 'string' ? manifest.type : 'Opaque';
        return { [stream]: [{ type: 'ConfigObjectApplied', data: { ...ref, manifest, secret: { type, keys } } }] };
      }
      case 'DeleteConfigObject':
        liveNamespace(ns, cmd, ref.clusterId, ref.namespace);
        return { [stream]: [{ type: 'ConfigObjectDeleted', data: ref }] };
      case 'RecordConfigObjectFailed': {
        if (cmd.operation !== 'apply' && cmd.operation !== 'delete') throw invalid('operation', 'must be apply or delete');
        if (typeof cmd.reason !== 'string' || cmd.reason.trim() === '') throw new DomainError('invalid', 'reason: Required value', { field: 'reason' });
        const reason = cmd.reason.length > 2000 ? `${cmd.reason.slice(0, 1999)}…` : cmd.reason;
        const data = { ...ref, reason, ...(cmd.status !== undefined ? { status: cmd.status } : {}) };
        return { [stream]: [{ type: cmd.operation === 'apply' ? 'ConfigObjectApplyFailed' : 'ConfigObjectDeleteFailed', data }] };
      }
    }
  },
};
