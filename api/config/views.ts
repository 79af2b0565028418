/**
 * What the config and storage pages show of live objects: a row per object for the tables, and
 * an object for editing. A Secret's values are never part of either: rows list its keys, and the
 * object for editing holds `stringData` with every value masked (sending a mask back keeps the value).
 */
import { stringify } from 'yaml';
import type { ConfigKind } from '../../domain/config/kinds';
import { APP_LABEL, CONFIG_KINDS, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../domain/config/kinds';

/** What stands for a Secret value in everything Bosun shows; sent back in an edit, it keeps the value. */
export const SECRET_MASK = '••••';

type Json = Record<string, any>;

const keysOf = (value: unknown): string[] => (value && typeof value === 'object' ? Object.keys(value).sort() : []);

export interface ConfigRow {
  name: string;
  createdAt: string | null;
  labels: Record<string, string>;
  managedByBosun: boolean;
  /** The application whose reconciler owns the object; change it through the application then. */
  app: string | null;
  /** Kind-specific columns, all plain text or lists of text. */
  keys?: string[];
  type?: string;
  immutable?: boolean;
  clusterIP?: string;
  ports?: string[];
  selector?: Record<string, string>;
  hosts?: string[];
  rules?: { host: string; path: string; service: string; port: string }[];
  ingressClassName?: string | null;
  address?: string[];
  phase?: string;
  storage?: string;
  capacity?: string | null;
  accessModes?: string[];
  storageClassName?: string | null;
  volumeName?: string | null;
}

function common(o: Json): ConfigRow {
  const labels = (o.metadata?.labels ?? {}) as Record<string, string>;
  return {
    name: o.metadata?.name,
    createdAt: o.metadata?.creationTimestamp ?? null,
    labels,
    managedByBosun: labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE,
    app: labels[APP_LABEL] ?? null,
  };
}

const portText = (p: Json) =>
  `${p.name ? `${p.name} ` : ''}${p.port}${p.targetPort !== undefined && String(p.targetPort) !== String(p.port) ? `→${p.targetPort}` : ''}/${p.protocol ?? 'TCP'}${p.nodePort ? ` (node ${p.nodePort})` : ''}`;

export function rowOf(kind: ConfigKind, o: Json): ConfigRow {
  const row = common(o);
  switch (kind) {
    case 'ConfigMap':
      return { ...row, keys: [...keysOf(o.data), ...keysOf(o.binaryData)].sort(), immutable: o.immutable === true };
    case 'Secret':
      // Keys and type only: a row never carries a value.
      return { ...row, keys: [...new Set([...keysOf(o.data), ...keysOf(o.stringData)])].sort(), type: o.type ?? 'Opaque', immutable: o.immutable === true };
    case 'Service':
      return {
        ...row,
        type: o.spec?.type ?? 'ClusterIP',
        clusterIP: o.spec?.clusterIP ?? '',
        ports: (o.spec?.ports ?? []).map(portText),
        selector: o.spec?.selector ?? {},
      };
    case 'Ingress': {
      const rules = (o.spec?.rules ?? []).flatMap((r: Json) =>
        (r.http?.paths ?? []).map((p: Json) => ({
          host: r.host ?? '*',
          path: p.path ?? '/',
          service: p.backend?.service?.name ?? '',
          port: String(p.backend?.service?.port?.number ?? p.backend?.service?.port?.name ?? ''),
        })),
      );
      return {
        ...row,
        hosts: [...new Set<string>((o.spec?.rules ?? []).map((r: Json) => r.host ?? '*'))],
        rules,
        ingressClassName: o.spec?.ingressClassName ?? null,
        address: (o.status?.loadBalancer?.ingress ?? []).map((i: Json) => i.ip ?? i.hostname).filter(Boolean),
      };
    }
    case 'PersistentVolumeClaim':
      return {
        ...row,
        phase: o.status?.phase ?? 'Pending',
        storage: o.spec?.resources?.requests?.storage ?? '',
        capacity: o.status?.capacity?.storage ?? null,
        accessModes: o.spec?.accessModes ?? [],
        storageClassName: o.spec?.storageClassName ?? null,
        volumeName: o.spec?.volumeName ?? null,
      };
  }
}

const SERVER_METADATA = ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

/** The object as a user edits it: no server-populated metadata, no status; a Secret's values masked. */
export function editableOf(kind: ConfigKind, o: Json): Json {
  const metadata = { ...(o.metadata ?? {}) };
  for (const f of SERVER_METADATA) delete metadata[f];
  if (metadata.annotations) {
    const { 'kubectl.kubernetes.io/last-applied-configuration': _dropped, ...rest } = metadata.annotations;
    if (Object.keys(rest).length > 0) metadata.annotations = rest;
    else delete metadata.annotations;
  }
  const { status: _status, metadata: _metadata, apiVersion: _apiVersion, kind: _kind, ...body } = o;
  const out: Json = { apiVersion: CONFIG_KINDS[kind].apiVersion, kind, metadata, ...body };
  if (kind === 'Secret') {
    const keys = [...new Set([...keysOf(o.data), ...keysOf(o.stringData)])].sort();
    delete out.data;
    delete out.stringData;
    if (keys.length > 0) out.stringData = Object.fromEntries(keys.map((k) => [k, SECRET_MASK]));
  }
  return out;
}

export function yamlOf(o: Json): string {
  return stringify(o, { lineWidth: 0 });
}
