import type { V1Node } from '@kubernetes/client-node';
import { parseCpu, parseMemory } from '../domain/quantity';
import { DEFAULT_TIMEOUT_MS, createClusterClient } from './client';
import { ClusterProbeError, classifyClusterError } from './errors';
import type { ResolvedKubeconfig } from './kubeconfig';

export { ClusterProbeError, type ClusterErrorKind } from './errors';

export interface ClusterProbe {
  /** e.g. `v1.31.2` */
  kubernetesVersion: string;
  /** All nodes, ready or not. */
  nodeCount: number;
  readyNodeCount: number;
  /** Sums over Ready nodes only: a NotReady node's capacity cannot be bound. */
  allocatableCpuMillis: number;
  allocatableMemoryBytes: number;
}

export interface ProbeOptions {
  /** Deadline for each API call. Default 10 s. */
  timeoutMs?: number;
}

const NODE_PAGE_SIZE = 500;

/** Checks that Bosun can reach and authenticate to a cluster, and measures what its nodes offer. */
export async function probeCluster(resolved: ResolvedKubeconfig, options: ProbeOptions = {}): Promise<ClusterProbe> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const client = createClusterClient(resolved, { timeoutMs });
  const fail = (operation: string) => (error: unknown): never => {
    throw classifyClusterError(error, { server: resolved.server, timeoutMs, operation, credentials: resolved.credentials });
  };

  const version = await client.version.getCode().catch(fail('GET /version'));
  if (!version?.gitVersion) {
    throw new ClusterProbeError('bad_response', `${resolved.server}/version did not return a Kubernetes version — is this a Kubernetes API server?`);
  }

  const nodes: V1Node[] = [];
  let continueToken: string | undefined;
  do {
    const page = await client.core
      .listNode({ limit: NODE_PAGE_SIZE, ...(continueToken ? { _continue: continueToken } : {}) })
      .catch(fail('list nodes'));
    nodes.push(...(page.items ?? []));
    continueToken = page.metadata?._continue || undefined;
  } while (continueToken);

  const ready = nodes.filter(isReady);
  let allocatableCpuMillis = 0;
  let allocatableMemoryBytes = 0;
  for (const node of ready) {
    const name = node.metadata?.name ?? '(unnamed)';
    const allocatable = node.status?.allocatable ?? {};
    try {
      if (allocatable.cpu !== undefined) allocatableCpuMillis += parseCpu(allocatable.cpu, `node ${name} allocatable cpu`);
      if (allocatable.memory !== undefined) allocatableMemoryBytes += parseMemory(allocatable.memory, `node ${name} allocatable memory`);
    } catch (error) {
      throw new ClusterProbeError('bad_response', `node "${name}" reports an invalid allocatable quantity: ${(error as Error).message}`);
    }
  }

  return {
    kubernetesVersion: version.gitVersion,
    nodeCount: nodes.length,
    readyNodeCount: ready.length,
    allocatableCpuMillis,
    allocatableMemoryBytes,
  };
}

function isReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
