/** Capacity arithmetic on a registered cluster, and the refusals that quote its numbers. */
import { DomainError } from '../errors';
import { type Resources, resourceKinds, scaleByRatio, sumResources, zeroResources } from '../quantity';
import type { RegisteredCluster } from './state';

export function allocatable(cluster: RegisteredCluster): Resources {
  return {
    cpuMillis: cluster.inventory.allocatableCpuMillis,
    memoryBytes: cluster.inventory.allocatableMemoryBytes,
  };
}

export function ratios(cluster: Pick<RegisteredCluster, 'cpuRatio' | 'memoryRatio'>): Resources {
  return { cpuMillis: cluster.cpuRatio, memoryBytes: cluster.memoryRatio };
}

/** What can be bound: allocatable × over-commit ratio, per resource, rounded down. */
export function bindableCapacity(cluster: Pick<RegisteredCluster, 'inventory' | 'cpuRatio' | 'memoryRatio'>): Resources {
  return {
    cpuMillis: scaleByRatio(cluster.inventory.allocatableCpuMillis, cluster.cpuRatio),
    memoryBytes: scaleByRatio(cluster.inventory.allocatableMemoryBytes, cluster.memoryRatio),
  };
}

/** Sum of all bindings on the cluster, optionally leaving one workspace out. */
export function totalBound(cluster: RegisteredCluster, exceptWorkspaceId?: string): Resources {
  return sumResources([...cluster.bindings].filter(([id]) => id !== exceptWorkspaceId).map(([, r]) => r));
}

export interface NamedAllocation extends Resources {
  name: string;
}

/** A workspace's namespaces on this cluster, sorted by name, optionally leaving one out. */
export function namespacesOfWorkspace(cluster: RegisteredCluster, workspaceId: string, exceptName?: string): NamedAllocation[] {
  return [...cluster.namespaces]
    .filter(([name, a]) => a.workspaceId === workspaceId && name !== exceptName)
    .map(([name, a]) => ({ name, cpuMillis: a.cpuMillis, memoryBytes: a.memoryBytes }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Sum of the quotas of a workspace's namespaces on this cluster, optionally leaving one out (O(1): kept by evolve). */
export function heldByWorkspace(cluster: RegisteredCluster, workspaceId: string, exceptName?: string): Resources {
  const sum = cluster.allocatedByWorkspace.get(workspaceId) ?? zeroResources;
  const except = exceptName === undefined ? undefined : cluster.namespaces.get(exceptName);
  if (!except || except.workspaceId !== workspaceId) return sum;
  return { cpuMillis: sum.cpuMillis - except.cpuMillis, memoryBytes: sum.memoryBytes - except.memoryBytes };
}

/**
 * Refuses when `requested` does not fit in what the cluster can still bind for `workspaceId`
 * (bindable minus what other workspaces hold). A resource that does not grow beyond `current` is
 * never refused, so shrinking stays possible even on a cluster whose inventory shrank.
 */
export function assertClusterRoom(
  cluster: RegisteredCluster,
  workspaceId: string,
  requested: Resources,
  current: Resources = zeroResources,
): void {
  const bindable = bindableCapacity(cluster);
  const others = totalBound(cluster, workspaceId);
  const alloc = allocatable(cluster);
  const ratio = ratios(cluster);
  const change = cluster.bindings.has(workspaceId);
  for (const kind of resourceKinds) {
    const want = requested[kind.key];
    if (want <= current[kind.key]) continue;
    const left = bindable[kind.key] - others[kind.key];
    if (want <= left) continue;
    throw new DomainError(
      'insufficient_capacity',
      `${kind.label}: requested ${kind.describe(want)} but cluster "${cluster.clusterId}" has ` +
        `${kind.describe(Math.max(0, left))} bindable left (allocatable ${kind.bare(alloc[kind.key])} × over-commit ` +
        `${ratio[kind.key]} = ${kind.bare(bindable[kind.key])}, bound${change ? ' to other workspaces' : ''} ${kind.bare(others[kind.key])})`,
      {
        field: kind.key,
        details: {
          resource: kind.label,
          clusterId: cluster.clusterId,
          requested: want,
          available: Math.max(0, left),
          allocatable: alloc[kind.key],
          ratio: ratio[kind.key],
          bindable: bindable[kind.key],
          bound: others[kind.key],
        },
      },
    );
  }
}

/** Refuses a namespace quota larger than what the workspace's binding has left on this cluster. */
export function assertBindingRoom(
  cluster: RegisteredCluster,
  workspaceId: string,
  namespace: string,
  requested: Resources,
  current: Resources = zeroResources,
): void {
  const binding = cluster.bindings.get(workspaceId) ?? zeroResources;
  const held = heldByWorkspace(cluster, workspaceId, namespace);
  const change = cluster.namespaces.has(namespace);
  for (const kind of resourceKinds) {
    const want = requested[kind.key];
    if (want <= current[kind.key]) continue;
    const left = binding[kind.key] - held[kind.key];
    if (want <= left) continue;
    const field = kind.key === 'cpuMillis' ? 'quotaCpuMillis' : 'quotaMemoryBytes';
    throw new DomainError(
      'insufficient_capacity',
      `${kind.label}: requested quota ${kind.describe(want)} for namespace "${namespace}" but the binding of workspace ` +
        `"${workspaceId}" on cluster "${cluster.clusterId}" has ${kind.describe(Math.max(0, left))} left ` +
        `(binding ${kind.bare(binding[kind.key])}, allocated to ${change ? 'other ' : ''}namespaces ${kind.bare(held[kind.key])})`,
      {
        field,
        details: {
          resource: kind.label,
          clusterId: cluster.clusterId,
          workspaceId,
          namespace,
          requested: want,
          available: Math.max(0, left),
          binding: binding[kind.key],
          allocated: held[kind.key],
        },
      },
    );
  }
}
