/**
 * Table output (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), as kubectl get asks for it:
 * kube-apiserver's default table convertor (Name, Created At) plus a few kind-specific columns.
 */
import type { ResourceDef } from './registry';

export const wantsTable = (accept: string | undefined) => !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);

interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
  cell: (o: any) => unknown;
}

const age = (o: any) => o.metadata.creationTimestamp;
const COMMON: Column[] = [
  { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0, cell: (o) => o.metadata.name },
];
const CREATED: Column = { name: 'Created At', type: 'date', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0, cell: age };
const AGE: Column = { name: 'Age', type: 'string', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0, cell: (o) => ageString(o.metadata.creationTimestamp) };

const KIND_COLUMNS: Record<string, Column[]> = {
  Pod: [
    { name: 'Ready', type: 'string', format: '', description: 'The aggregate readiness state of this pod for accepting traffic.', priority: 0, cell: (o) => `${(o.status?.containerStatuses ?? []).filter((c: any) => c.ready).length}/${o.spec?.containers?.length ?? 0}` },
    { name: 'Status', type: 'string', format: '', description: 'The aggregate status of the containers in this pod.', priority: 0, cell: (o) => (o.metadata.deletionTimestamp ? 'Terminating' : o.status?.phase ?? '') },
    { name: 'Restarts', type: 'string', format: '', description: 'The number of times the containers in this pod have been restarted.', priority: 0, cell: (o) => String((o.status?.containerStatuses ?? []).reduce((n: number, c: any) => n + (c.restartCount ?? 0), 0)) },
    AGE,
    { name: 'Node', type: 'string', format: '', description: 'Node name', priority: 1, cell: (o) => o.spec?.nodeName ?? '<none>' },
  ],
  Namespace: [{ name: 'Status', type: 'string', format: '', description: 'The status of the namespace', priority: 0, cell: (o) => o.status?.phase ?? '' }, AGE],
  Node: [
    { name: 'Status', type: 'string', format: '', description: 'The status of the node', priority: 0, cell: (o) => (o.status?.conditions ?? []).find((c: any) => c.type === 'Ready')?.status === 'True' ? 'Ready' : 'NotReady' },
    { name: 'Roles', type: 'string', format: '', description: 'The roles of the node', priority: 0, cell: () => '<none>' },
    AGE,
    { name: 'Version', type: 'string', format: '', description: 'Kubelet Version reported by the node.', priority: 0, cell: (o) => o.status?.nodeInfo?.kubeletVersion ?? '' },
  ],
  Deployment: [
    { name: 'Ready', type: 'string', format: '', description: 'Number of the pod with ready state', priority: 0, cell: (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}` },
    { name: 'Up-to-date', type: 'string', format: '', description: 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', priority: 0, cell: (o) => o.status?.updatedReplicas ?? 0 },
    { name: 'Available', type: 'string', format: '', description: 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.', priority: 0, cell: (o) => o.status?.availableReplicas ?? 0 },
    AGE,
  ],
  ConfigMap: [{ name: 'Data', type: 'integer', format: '', description: 'Data contains the configuration data.', priority: 0, cell: (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length }, AGE],
  Secret: [
    { name: 'Type', type: 'string', format: '', description: 'Used to facilitate programmatic handling of secret data.', priority: 0, cell: (o) => o.type ?? '' },
    { name: 'Data', type: 'string', format: '', description: 'Data contains the secret data.', priority: 0, cell: (o) => Object.keys(o.data ?? {}).length },
    AGE,
  ],
  Service: [
    { name: 'Type', type: 'string', format: '', description: 'Service type', priority: 0, cell: (o) => o.spec?.type ?? '' },
    { name: 'Cluster-IP', type: 'string', format: '', description: 'ClusterIP', priority: 0, cell: (o) => o.spec?.clusterIP ?? '' },
    { name: 'External-IP', type: 'string', format: '', description: 'External IP', priority: 0, cell: (o) => (o.status?.loadBalancer?.ingress ?? []).map((i: any) => i.ip ?? i.hostname).join(',') || '<none>' },
    { name: 'Port(s)', type: 'string', format: '', description: 'Ports', priority: 0, cell: (o) => (o.spec?.ports ?? []).map((p: any) => `${p.port}/${p.protocol ?? 'TCP'}`).join(',') || '<none>' },
    AGE,
  ],
};

function ageString(ts: string | undefined): string {
  if (!ts) return '<unknown>';
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

export function toTable(def: ResourceDef, items: any[], listMeta: { resourceVersion: string; continue?: string; remainingItemCount?: number }, includeObject: 'None' | 'Metadata' | 'Object' = 'Metadata') {
  const cols = [...COMMON, ...(KIND_COLUMNS[def.custom ? '' : def.kind] ?? [CREATED])];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: cols.map(({ cell: _c, ...c }) => c),
    rows: items.map((o) => {
      const row: any = { cells: cols.map((c) => c.cell(o)) };
      if (includeObject === 'Object') row.object = { kind: def.kind, apiVersion: def.group ? `${def.group}/${def.version}` : def.version, ...o };
      else if (includeObject === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
      return row;
    }),
  };
}
