import type { KubeConfig } from '@kubernetes/client-node';
import type { BackoffOptions } from './backoff';
import { clusterClient, type ClusterClient } from './kube';
import type { ReconcileObservation, RuntimeErrorEvent } from './runtime';

export type ClusterClientFactory = (kc: KubeConfig, opts: { fieldManager: string; timeoutMs: number }) => ClusterClient;

export interface ClusterClientsOptions {
  kubeConfigFor(clusterId: string): Promise<KubeConfig>;
  clientFactory?: ClusterClientFactory;
  fieldManager: string;
  timeoutMs: number;
}

/**
 * A reconciler's clients, one per cluster, made again when the cluster's KubeConfig changes
 * (a re-registered cluster gets new credentials).
 */
export function clusterClients(opts: ClusterClientsOptions): (clusterId: string) => Promise<ClusterClient> {
  const clients = new Map<string, { kc: KubeConfig; client: ClusterClient }>();
  return async (clusterId) => {
    const kc = await opts.kubeConfigFor(clusterId);
    const cached = clients.get(clusterId);
    if (cached && cached.kc === kc) return cached.client;
    const client = (opts.clientFactory ?? clusterClient)(kc, { fieldManager: opts.fieldManager, timeoutMs: opts.timeoutMs });
    clients.set(clusterId, { kc, client });
    return client;
  };
}

/** The options every reconciler takes besides its own source and outcomes. */
export interface ReconcilerBaseOptions {
  /** Credentials of a cluster. Return the same KubeConfig object while they are unchanged (clients are cached by it). */
  kubeConfigFor(clusterId: string): Promise<KubeConfig>;
  /** Builds the client for a cluster's KubeConfig (tests inject a fake). Default: server-side apply over client-node. */
  clientFactory?: ClusterClientFactory;
  /** Full resync period. Default 5 min. */
  resyncMs?: number;
  backoff?: Partial<BackoffOptions>;
  /** Deadline of each Kubernetes call. Default 10 s. */
  requestTimeoutMs?: number;
  workersPerCluster?: number;
  onError?: (event: RuntimeErrorEvent) => void;
  onReconcile?: (obs: ReconcileObservation) => void;
  random?: () => number;
}
