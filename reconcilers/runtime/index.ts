export { startRuntime, type Runtime, type RuntimeOptions, type ReconcileRequest, type ReconcileResult, type ClusterMetrics, type RuntimeErrorEvent, type ReconcileObservation } from './runtime';
export { WorkQueue } from './queue';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
export { clusterClient, failureReason, isNotFound, statusCode, KubeCallError, type ClusterClient, type ClusterClientOptions, type ObjectRef, type ListOptions } from './kube';
export { OutcomeMemo, outcomeKey, type Outcome } from './outcomes';
export { clusterClients, type ClusterClientFactory, type ClusterClientsOptions, type ReconcilerBaseOptions } from './clients';
