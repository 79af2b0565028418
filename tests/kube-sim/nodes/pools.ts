/**
 * Node pools: groups of identical nodes as a cloud node group registers them (capacity, allocatable,
 * labels, taints, zone), each node a kubelet-registered Node object with conditions, addresses, nodeInfo.
 */
import type { ObjectStore } from '../objects';
import { quantity, rfc3339 } from './util';

export interface NodeTaint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface NodePool {
  /** Pool name; nodes are named `<name>-<i>` (i from 1) and labelled `kube-sim.bosun.io/pool=<name>`. */
  name: string;
  /** Nodes in the pool (default 1). */
  count?: number;
  /** Capacity (quantities, defaults 4 CPUs, 16Gi memory, 110 pods, 100Gi ephemeral-storage). */
  cpu?: string;
  memory?: string;
  pods?: number;
  ephemeralStorage?: string;
  /** Reserved for system daemons: allocatable = capacity - reserved (default none). */
  reserved?: { cpu?: string; memory?: string };
  labels?: Record<string, string>;
  taints?: NodeTaint[];
  /** `topology.kubernetes.io/zone`; a list spreads the pool's nodes round-robin over the zones. */
  zone?: string | string[];
  /** `topology.kubernetes.io/region` (set only with a zone; default derived from the zone, "zone-a" → "zone"). */
  region?: string;
  /** Created cordoned (spec.unschedulable). */
  unschedulable?: boolean;
  /** `node.kubernetes.io/instance-type` label. */
  instanceType?: string;
  kubeletVersion?: string;
}

export const POOL_LABEL = 'kube-sim.bosun.io/pool';

/** Node conditions as a healthy kubelet posts them. */
export function readyConditions(ts: string) {
  return [
    { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: ts, lastTransitionTime: ts, reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    { type: 'DiskPressure', status: 'False', lastHeartbeatTime: ts, lastTransitionTime: ts, reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    { type: 'PIDPressure', status: 'False', lastHeartbeatTime: ts, lastTransitionTime: ts, reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    { type: 'Ready', status: 'True', lastHeartbeatTime: ts, lastTransitionTime: ts, reason: 'KubeletReady', message: 'kubelet is posting ready status' },
  ];
}

function minus(q: string, reserved: string | undefined, unit: 'cpu' | 'mem'): string {
  if (!reserved) return q;
  const v = quantity(q) - quantity(reserved);
  if (unit === 'cpu') {
    const milli = Math.round(v * 1000);
    return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
  }
  return `${Math.floor(v / 1024)}Ki`;
}

/** The Node objects of a pool; `index0` numbers nodes cluster-wide (pod CIDRs, internal IPs). */
export function poolNodes(pool: NodePool, index0: number, nowMs: number): any[] {
  const out: any[] = [];
  const ts = rfc3339(nowMs);
  const count = pool.count ?? 1;
  const zones = pool.zone === undefined ? [] : Array.isArray(pool.zone) ? pool.zone : [pool.zone];
  for (let i = 1; i <= count; i++) {
    const index = index0 + i;
    const name = `${pool.name}-${i}`;
    const cpu = pool.cpu ?? '4';
    const memory = pool.memory ?? '16Gi';
    const capacity: Record<string, string> = { cpu, 'ephemeral-storage': pool.ephemeralStorage ?? '100Gi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory, pods: String(pool.pods ?? 110) };
    const allocatable = { ...capacity, cpu: minus(cpu, pool.reserved?.cpu, 'cpu'), memory: minus(memory, pool.reserved?.memory, 'mem') };
    const labels: Record<string, string> = {
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': name,
      'kubernetes.io/os': 'linux',
      [POOL_LABEL]: pool.name,
    };
    if (pool.instanceType) labels['node.kubernetes.io/instance-type'] = pool.instanceType;
    if (zones.length) {
      const zone = zones[(i - 1) % zones.length];
      labels['topology.kubernetes.io/zone'] = zone;
      labels['topology.kubernetes.io/region'] = pool.region ?? zone.replace(/-[a-z0-9]+$/, '');
    }
    Object.assign(labels, pool.labels ?? {});
    const spec: any = { podCIDR: `10.244.${index}.0/24`, podCIDRs: [`10.244.${index}.0/24`] };
    if (pool.taints?.length) spec.taints = pool.taints.map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect }));
    if (pool.unschedulable) {
      spec.unschedulable = true;
      spec.taints = [...(spec.taints ?? []), { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: ts }];
    }
    out.push({
      metadata: { name, labels, annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' } },
      spec,
      status: {
        capacity,
        allocatable,
        conditions: readyConditions(ts),
        addresses: [
          { type: 'InternalIP', address: `10.0.${(index >> 8) & 255}.${(index % 250) + 2}` },
          { type: 'Hostname', address: name },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          machineID: '',
          systemUUID: '',
          bootID: '',
          kernelVersion: '6.1.0-kube-sim',
          osImage: 'Debian GNU/Linux 12 (bookworm)',
          containerRuntimeVersion: 'containerd://1.7.20',
          kubeletVersion: pool.kubeletVersion ?? 'v1.31.0',
          kubeProxyVersion: pool.kubeletVersion ?? 'v1.31.0',
          operatingSystem: 'linux',
          architecture: 'amd64',
        },
      },
    });
  }
  return out;
}

/** Creates the nodes of every pool (in pool order) and returns their names. */
export function createNodePools(store: ObjectStore, pools: NodePool[], nowMs: number): string[] {
  const names: string[] = [];
  let index = 0;
  for (const p of pools) {
    for (const n of poolNodes(p, index, nowMs)) {
      store.create('', 'nodes', '', n);
      names.push(n.metadata.name);
    }
    index += p.count ?? 1;
  }
  return names;
}
