import type { KubeConfig } from '@kubernetes/client-node';
import { clusterClient, type ClusterClient } from './kube';

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
