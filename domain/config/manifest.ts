/**
 * Checks a configuration or storage object as a user writes it (YAML text, or an object built
 * from a form) and brings it to the one shape Bosun applies: the kind's apiVersion, the target
 * namespace, the managed-by label, no server-populated fields. Every refusal names the field
 * (`manifest.spec.ports[0].port`) and, for YAML text, the line.
 */
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { invalid } from '../errors';
import { parseMemory } from '../quantity';
import { Problems } from '../template/problems';
import { CONFIG_KINDS, configKinds, dataKeyErrors, isConfigKind, MANAGED_BY_LABEL, MANAGED_BY_VALUE, objectNameErrors, type ConfigKind } from './kinds';

/** Large enough for any ConfigMap or Secret Kubernetes accepts (1 MiB of data) written as YAML. */
export const MAX_MANIFEST_LENGTH = 1_572_864;

export type Json = Record<string, unknown>;

export interface ConfigObject {
  apiVersion: string;
  kind: ConfigKind;
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string>; [field: string]: unknown };
  [field: string]: unknown;
}

export interface Expected {
  namespace: string;
  /** When given, the manifest must be of this kind / have this name (an edit keeps both). */
  kind?: string;
  name?: string;
}

const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Top-level fields each kind may carry besides apiVersion, kind, metadata (and status, dropped). */
const TOP_LEVEL: Record<ConfigKind, readonly string[]> = {
  ConfigMap: ['data', 'binaryData', 'immutable'],
  Secret: ['data', 'stringData', 'type', 'immutable'],
  Service: ['spec'],
  Ingress: ['spec'],
  PersistentVolumeClaim: ['spec'],
};

/** Written by the API server; dropped so YAML copied from `kubectl get -o yaml` applies cleanly. */
const SERVER_METADATA = ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Where a path of the parsed YAML starts, to name the line in a refusal. */
type LineOf = (path: (string | number)[]) => number | undefined;

/** Parses YAML text holding exactly one object; a syntax error names its line and column. */
export function parseManifestText(text: string, field = 'manifest'): { value: unknown; lineOf: LineOf } {
  if (text.length > MAX_MANIFEST_LENGTH) throw invalid(field, `must be no more than ${MAX_MANIFEST_LENGTH} characters`);
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true }) as Document.Parsed[];
  const problems = new Problems();
  for (const document of documents) {
    for (const error of [...document.errors]) {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      problems.add(field, `line ${line}, column ${col}: YAML does not parse: ${error.message.split('\n')[0]}`, { line, column: col });
    }
  }
  problems.throwIfAny();
  const objects = documents.filter((d) => d.contents !== null);
  if (objects.length === 0) throw invalid(field, 'is empty: write one Kubernetes object');
  if (objects.length > 1) {
    const line = lineCounter.linePos((objects[1].contents as { range: [number, number, number] }).range[0]).line;
    throw invalid(field, `line ${line}: holds ${objects.length} objects; write one object at a time`, { line });
  }
  const document = objects[0];
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw invalid(field, `YAML does not parse: ${(error as Error).message}`);
  }
  const lineOf: LineOf = (path) => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? document.contents : document.getIn(path.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      if (range) return lineCounter.linePos(range[0]).line;
    }
    return undefined;
  };
  return { value, lineOf };
}

class Checker {
  readonly problems = new Problems();
  constructor(
    private readonly root: string,
    private readonly lineOf: LineOf | undefined,
  ) {}

  fieldOf(path: (string | number)[]): string {
    return path.reduce<string>((f, p) => (typeof p === 'number' ? `${f}[${p}]` : `${f}.${p}`), this.root);
  }

  add(path: (string | number)[], reason: string): void {
    const line = this.lineOf?.(path);
    this.problems.add(this.fieldOf(path), line !== undefined ? `line ${line}: ${reason}` : reason, line !== undefined ? { line } : {});
  }

  stringMap(value: unknown, path: (string | number)[], keys: 'data' | 'label'): Record<string, string> | undefined {
    if (value === undefined || value === null) return undefined;
    if (!isRecord(value)) {
      this.add(path, 'must be a map of keys to strings');
      return undefined;
    }
    const out: Record<string, string> = {};
    for (const [key, v] of Object.entries(value)) {
      if (keys === 'data') for (const reason of dataKeyErrors(key)) this.add([...path, key], `Invalid key: ${reason}`);
      if (keys === 'label' && (key.length === 0 || key.length > 317 || !/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(key))) {
        this.add([...path, key], 'is not a valid label or annotation key');
      }
      if (typeof v !== 'string') {
        this.add([...path, key], `must be a string, got ${v === null ? 'null' : typeof v}${typeof v === 'number' || typeof v === 'boolean' ? ' (quote it in YAML)' : ''}`);
        continue;
      }
      out[key] = v;
    }
    return out;
  }

  base64Map(value: unknown, path: (string | number)[]): Record<string, string> | undefined {
    const map = this.stringMap(value, path, 'data');
    for (const [key, v] of Object.entries(map ?? {})) {
      // Never echo the value: it may be a secret.
      if (!isBase64(v)) this.add([...path, key], 'must be base64-encoded (use stringData for plain text)');
    }
    return map;
  }

  int(value: unknown, path: (string | number)[], min: number, max: number, what = 'an integer'): number | undefined {
    if (typeof value === 'string' && /^\d+$/.test(value)) value = Number(value);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.add(path, `must be ${what} between ${min} and ${max}, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value;
  }

  oneOf(value: unknown, path: (string | number)[], allowed: readonly string[]): void {
    if (typeof value !== 'string' || !allowed.includes(value)) this.add(path, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
}

function isBase64(value: string): boolean {
  const compact = value.replace(/\s+/g, '');
  return compact.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(compact);
}

/**
 * The checked, normalised object, or a DomainError 'invalid' listing every problem. `value` is a
 * parsed object (from a form) or YAML text; `field` is the input field it came from.
 */
export function checkConfigManifest(value: unknown, expected: Expected, field = 'manifest'): ConfigObject {
  let lineOf: LineOf | undefined;
  if (typeof value === 'string') {
    const parsed = parseManifestText(value, field);
    value = parsed.value;
    lineOf = parsed.lineOf;
  }
  if (!isRecord(value)) throw invalid(field, 'must be a Kubernetes object (a map with apiVersion, kind and metadata)');
  const c = new Checker(field, lineOf);
  const object = structuredClone(value) as Json;

  const kind = object.kind;
  if (kind === undefined || kind === null || kind === '') {
    c.add(['kind'], 'Required value');
  } else if (!isConfigKind(kind)) {
    c.add(['kind'], `kind ${JSON.stringify(kind)} is not managed here (allowed: ${configKinds.join(', ')})`);
  } else if (expected.kind !== undefined && kind !== expected.kind) {
    c.add(['kind'], `must be ${expected.kind}, got ${kind}`);
  }
  c.problems.throwIfAny();
  const k = kind as ConfigKind;

  const apiVersion = object.apiVersion ?? CONFIG_KINDS[k].apiVersion;
  if (apiVersion !== CONFIG_KINDS[k].apiVersion) c.add(['apiVersion'], `must be ${CONFIG_KINDS[k].apiVersion} for a ${k}, got ${JSON.stringify(apiVersion)}`);

  const metadata = object.metadata;
  if (!isRecord(metadata)) {
    c.add(['metadata'], 'Required value: a map with at least name');
    c.problems.throwIfAny();
  }
  const meta = metadata as Json;
  const name = meta.name;
  if (typeof name !== 'string' || name === '') {
    c.add(['metadata', 'name'], 'Required value');
  } else {
    for (const reason of objectNameErrors(k, name)) c.add(['metadata', 'name'], `Invalid value: ${JSON.stringify(name)}: ${reason}`);
    if (expected.name !== undefined && name !== expected.name) c.add(['metadata', 'name'], `must be ${JSON.stringify(expected.name)} (the object being edited), got ${JSON.stringify(name)}`);
  }
  if (meta.generateName !== undefined) c.add(['metadata', 'generateName'], 'is not supported: give metadata.name');
  if (meta.namespace !== undefined && meta.namespace !== null && meta.namespace !== expected.namespace) {
    c.add(['metadata', 'namespace'], `must be ${JSON.stringify(expected.namespace)} (the namespace chosen) or left out, got ${JSON.stringify(meta.namespace)}`);
  }
  const labels = c.stringMap(meta.labels, ['metadata', 'labels'], 'label') ?? {};
  if (labels[MANAGED_BY_LABEL] !== undefined && labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) {
    c.add(['metadata', 'labels', MANAGED_BY_LABEL], `must be "${MANAGED_BY_VALUE}" or left out: Bosun manages what it applies`);
  }
  const annotations = c.stringMap(meta.annotations, ['metadata', 'annotations'], 'label');

  for (const key of Object.keys(object)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'metadata' || key === 'status') continue;
    if (!TOP_LEVEL[k].includes(key)) c.add([key], `unknown field for a ${k} (known: ${['apiVersion', 'kind', 'metadata', ...TOP_LEVEL[k]].join(', ')})`);
  }
  CHECKS[k](object, c);
  c.problems.throwIfAny();

  for (const f of SERVER_METADATA) delete meta[f];
  if (annotations && LAST_APPLIED in annotations) delete annotations[LAST_APPLIED];
  const { apiVersion: _a, kind: _k, metadata: _m, status: _s, ...body } = object;
  const out: ConfigObject = {
    apiVersion: CONFIG_KINDS[k].apiVersion,
    kind: k,
    metadata: {
      ...meta,
      name: name as string,
      namespace: expected.namespace,
      labels: { ...labels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
      ...(annotations && Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    ...body,
  };
  if (!(annotations && Object.keys(annotations).length > 0)) delete out.metadata.annotations;
  return out;
}

const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const PATH_TYPES = ['Exact', 'Prefix', 'ImplementationSpecific'];
const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];

const CHECKS: Record<ConfigKind, (object: Json, c: Checker) => void> = {
  ConfigMap(o, c) {
    const data = c.stringMap(o.data, ['data'], 'data') ?? {};
    const binary = c.base64Map(o.binaryData, ['binaryData']) ?? {};
    for (const key of Object.keys(binary)) if (key in data) c.add(['binaryData', key], 'duplicate of a key in data');
    if (o.immutable !== undefined && typeof o.immutable !== 'boolean') c.add(['immutable'], 'must be true or false');
  },
  Secret(o, c) {
    c.base64Map(o.data, ['data']);
    c.stringMap(o.stringData, ['stringData'], 'data');
    if (o.type !== undefined && (typeof o.type !== 'string' || o.type === '')) c.add(['type'], 'must be a Secret type such as Opaque');
    if (o.immutable !== undefined && typeof o.immutable !== 'boolean') c.add(['immutable'], 'must be true or false');
  },
  Service(o, c) {
    const spec = o.spec;
    if (!isRecord(spec)) return c.add(['spec'], 'Required value: a map with ports and selector');
    const type = spec.type ?? 'ClusterIP';
    c.oneOf(type, ['spec', 'type'], SERVICE_TYPES);
    if (type === 'ExternalName') {
      if (typeof spec.externalName !== 'string' || spec.externalName === '') c.add(['spec', 'externalName'], 'Required value for type ExternalName');
    } else if (spec.clusterIP !== 'None' && (!Array.isArray(spec.ports) || spec.ports.length === 0)) {
      c.add(['spec', 'ports'], 'Required value: at least one port');
    }
    if (spec.ports !== undefined && !Array.isArray(spec.ports)) c.add(['spec', 'ports'], 'must be a list of ports');
    const ports = Array.isArray(spec.ports) ? spec.ports : [];
    const names = new Set<string>();
    ports.forEach((port, i) => {
      const at = ['spec', 'ports', i];
      if (!isRecord(port)) return c.add(at, 'must be a map with port (and targetPort, protocol, name)');
      c.int(port.port, [...at, 'port'], 1, 65535, 'a port number');
      if (port.targetPort !== undefined) {
        if (typeof port.targetPort === 'string' && !/^\d+$/.test(port.targetPort)) {
          if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(port.targetPort) || port.targetPort.length > 15) c.add([...at, 'targetPort'], 'must be a port number or a container port name');
        } else c.int(port.targetPort, [...at, 'targetPort'], 1, 65535, 'a port number');
      }
      if (port.protocol !== undefined) c.oneOf(port.protocol, [...at, 'protocol'], PROTOCOLS);
      if (port.nodePort !== undefined) {
        if (type !== 'NodePort' && type !== 'LoadBalancer') c.add([...at, 'nodePort'], 'may only be set for type NodePort or LoadBalancer');
        else c.int(port.nodePort, [...at, 'nodePort'], 30000, 32767, 'a node port');
      }
      if (port.name !== undefined) {
        if (typeof port.name !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(port.name)) c.add([...at, 'name'], 'must be a DNS label');
        else if (names.has(port.name)) c.add([...at, 'name'], `duplicate port name ${JSON.stringify(port.name)}`);
        else names.add(port.name);
      } else if (ports.length > 1) {
        c.add([...at, 'name'], 'Required value: every port needs a name when there are several');
      }
    });
    c.stringMap(spec.selector, ['spec', 'selector'], 'label');
  },
  Ingress(o, c) {
    const spec = o.spec;
    if (!isRecord(spec)) return c.add(['spec'], 'Required value: a map with rules');
    if (spec.ingressClassName !== undefined && typeof spec.ingressClassName !== 'string') c.add(['spec', 'ingressClassName'], 'must be a string');
    if (spec.rules !== undefined && !Array.isArray(spec.rules)) return c.add(['spec', 'rules'], 'must be a list of rules');
    const rules = (spec.rules as unknown[] | undefined) ?? [];
    if (rules.length === 0 && spec.defaultBackend === undefined) c.add(['spec', 'rules'], 'Required value: at least one rule (or a defaultBackend)');
    const backend = (b: unknown, at: (string | number)[]) => {
      if (!isRecord(b) || !isRecord(b.service)) return c.add(at, 'Required value: service.name and service.port');
      const s = b.service;
      if (typeof s.name !== 'string' || objectNameErrors('Service', s.name).length > 0) c.add([...at, 'service', 'name'], 'must be the name of a Service');
      if (!isRecord(s.port)) return c.add([...at, 'service', 'port'], 'Required value: number or name');
      if (s.port.number !== undefined) c.int(s.port.number, [...at, 'service', 'port', 'number'], 1, 65535, 'a port number');
      else if (typeof s.port.name !== 'string' || s.port.name === '') c.add([...at, 'service', 'port'], 'Required value: number or name');
    };
    if (spec.defaultBackend !== undefined) backend(spec.defaultBackend, ['spec', 'defaultBackend']);
    rules.forEach((rule, i) => {
      const at = ['spec', 'rules', i];
      if (!isRecord(rule)) return c.add(at, 'must be a map with host and http.paths');
      if (rule.host !== undefined && (typeof rule.host !== 'string' || !/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(rule.host))) {
        c.add([...at, 'host'], `must be a DNS name (optionally starting with "*."), got ${JSON.stringify(rule.host)}`);
      }
      const paths = isRecord(rule.http) ? rule.http.paths : undefined;
      if (!Array.isArray(paths) || paths.length === 0) return c.add([...at, 'http', 'paths'], 'Required value: at least one path');
      paths.forEach((p, j) => {
        const pat = [...at, 'http', 'paths', j];
        if (!isRecord(p)) return c.add(pat, 'must be a map with path, pathType and backend');
        if (p.pathType === undefined) c.add([...pat, 'pathType'], 'Required value: Exact, Prefix or ImplementationSpecific');
        else c.oneOf(p.pathType, [...pat, 'pathType'], PATH_TYPES);
        if (p.path !== undefined && (typeof p.path !== 'string' || !p.path.startsWith('/'))) c.add([...pat, 'path'], 'must be an absolute path (starting with "/")');
        if (p.path === undefined && p.pathType !== 'ImplementationSpecific') c.add([...pat, 'path'], 'Required value');
        backend(p.backend, [...pat, 'backend']);
      });
    });
  },
  PersistentVolumeClaim(o, c) {
    const spec = o.spec;
    if (!isRecord(spec)) return c.add(['spec'], 'Required value: a map with accessModes and resources.requests.storage');
    if (!Array.isArray(spec.accessModes) || spec.accessModes.length === 0) c.add(['spec', 'accessModes'], `Required value: one or more of ${ACCESS_MODES.join(', ')}`);
    else spec.accessModes.forEach((m, i) => c.oneOf(m, ['spec', 'accessModes', i], ACCESS_MODES));
    const storage = isRecord(spec.resources) && isRecord(spec.resources.requests) ? spec.resources.requests.storage : undefined;
    if (storage === undefined || storage === null || storage === '') c.add(['spec', 'resources', 'requests', 'storage'], 'Required value: a size such as 1Gi');
    else {
      try {
        if (parseMemory(storage as string, 'storage') <= 0) c.add(['spec', 'resources', 'requests', 'storage'], 'must be greater than zero');
      } catch {
        c.add(['spec', 'resources', 'requests', 'storage'], `must be a quantity such as 1Gi or 500Mi, got ${JSON.stringify(storage)}`);
      }
    }
    if (spec.storageClassName !== undefined && spec.storageClassName !== null && typeof spec.storageClassName !== 'string') c.add(['spec', 'storageClassName'], 'must be a string');
    if (spec.volumeMode !== undefined) c.oneOf(spec.volumeMode, ['spec', 'volumeMode'], ['Filesystem', 'Block']);
  },
};

/**
 * A Secret's values by key, as bytes (data decoded from base64, stringData as UTF-8; stringData
 * wins for a key in both, as in Kubernetes). Used outside the domain to fingerprint them.
 */
export function secretValues(secret: Json): Record<string, Uint8Array> {
  const values: Record<string, Uint8Array> = {};
  for (const [key, v] of Object.entries(isRecord(secret.data) ? secret.data : {})) values[key] = fromBase64(String(v));
  for (const [key, v] of Object.entries(isRecord(secret.stringData) ? secret.stringData : {})) values[key] = new TextEncoder().encode(String(v));
  return values;
}

/** The Secret without its values: what a command and an event may carry. */
export function withoutSecretValues<T extends Json>(secret: T): T {
  const { data: _data, stringData: _stringData, ...rest } = secret;
  return rest as T;
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text.replace(/\s+/g, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
