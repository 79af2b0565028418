import { describe, expect, it } from 'vitest';
import { evolve, initialState, type ClusterState, type RegisteredCluster } from '../../../domain/cluster/state';
import type { ClusterEvent } from '../../../domain/cluster/events';

/** The per-workspace sums the cluster state keeps must always equal the sums of its namespaces. */
function recomputed(cluster: RegisteredCluster): Record<string, { cpuMillis: number; memoryBytes: number }> {
  const sums: Record<string, { cpuMillis: number; memoryBytes: number }> = {};
  for (const a of cluster.namespaces.values()) {
    const s = (sums[a.workspaceId] ??= { cpuMillis: 0, memoryBytes: 0 });
    s.cpuMillis += a.cpuMillis;
    s.memoryBytes += a.memoryBytes;
  }
  return sums;
}

describe('cluster state: allocated sums per workspace', () => {
  it('stay equal to the namespaces they sum over allocations, changes, moves and releases', () => {
    let state: ClusterState = evolve(initialState, registered());
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let i = 0; i < 2000; i++) {
      const namespace = `ns-${random(60)}`;
      const workspaceId = `ws-${random(4)}`;
      const event: ClusterEvent =
        random(4) === 0
          ? { type: 'ClusterNamespaceReleased', data: { clusterId: 'c1', namespace, workspaceId } }
          : {
              type: random(2) === 0 ? 'ClusterNamespaceAllocated' : 'ClusterNamespaceAllocationChanged',
              data: { clusterId: 'c1', namespace, workspaceId, cpuMillis: 100 * random(20), memoryBytes: 2 ** 20 * random(20) },
            };
      state = evolve(state, event);
      const cluster = state as RegisteredCluster;
      const kept = Object.fromEntries(cluster.allocatedByWorkspace);
      const expected = Object.fromEntries(Object.entries(recomputed(cluster)).filter(([, s]) => s.cpuMillis !== 0 || s.memoryBytes !== 0));
      expect(kept).toEqual(expected);
    }
  });
});

function registered(): ClusterEvent {
  return {
    type: 'ClusterRegistered',
    data: {
      clusterId: 'c1', displayName: 'c1', server: 'https://c1:6443', contextName: 'c1', credentialRef: 'r', credentialFingerprint: 'sha256:0',
      inventory: { kubernetesVersion: 'v1.31.0', nodeCount: 1, allocatableCpuMillis: 8000, allocatableMemoryBytes: 2 ** 34 },
      cpuRatio: 1, memoryRatio: 1,
    },
  };
}
