/**
 * Pods (容器组), read live from the cluster: one pod's detail (containers, status, conditions,
 * requests and limits), its events, and its CPU/memory usage from metrics.k8s.io. All need
 * `workloads:read` on the namespace. Logs and the terminal are plain HTTP / WebSocket routes
 * (api/containers/), since they stream.
 */
import { ApiException, ApisApi, CoreV1Api, CustomObjectsApi, type CoreV1Event, type V1Container, type V1ContainerStatus, type V1Pod } from '@kubernetes/client-node';
import { z } from 'zod';
import { router, namespaceProcedure } from '../trpc';
import type { ApiContext, ApiUser } from '../context';
import { DomainError } from '../../domain/errors';
import { getNamespace } from '../../projections/namespaces/queries';
import { classifyClusterError } from '../../kube/errors';
import type { ClusterClient } from '../../kube/client';
import { dnsLabel } from './inputs';

type Ctx = ApiContext & { user: ApiUser };

const podInput = z.object({
  clusterId: dnsLabel,
  namespace: dnsLabel,
  name: z.string().trim().min(1, 'is required').max(253, 'must be no more than 253 characters'),
});
type PodInput = z.infer<typeof podInput>;

/** A Kubernetes quantity as a number (cores or bytes), for display and charts (fractions kept). */
export function quantityNumber(value: string | number | undefined | null): number | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number') return value;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(value.trim());
  if (!m) return null;
  const factors: Record<string, number> = {
    n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6,
  };
  return Number(m[1]) * factors[m[2] ?? ''];
}

function statusBody(error: ApiException<unknown>): { message?: string; reason?: string } {
  const body = error.body;
  if (body && typeof body === 'object') return body as { message?: string };
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as { message?: string };
    } catch {
      return { message: body.slice(0, 500) };
    }
  }
  return {};
}

/** The cluster's refusal as a Bosun refusal: never a 500. */
export function clusterRefusal(error: unknown, clusterId: string, server: string): DomainError {
  if (error instanceof DomainError) return error;
  if (error instanceof ApiException) {
    const message = statusBody(error).message ?? `the cluster answered ${error.code}`;
    if (error.code === 404) return new DomainError('not_found', `name: ${message}`, { field: 'name' });
    if (error.code === 400 || error.code === 422) return new DomainError('invalid', `the cluster refused: ${message}`);
    if (error.code === 409) return new DomainError('conflict', message);
    if (error.code === 401 || error.code === 403) return new DomainError('precondition_failed', `cluster "${clusterId}" refused Bosun's credentials: ${message}`);
    return new DomainError('precondition_failed', `cluster "${clusterId}" answered ${error.code}: ${message}`);
  }
  const classified = classifyClusterError(error, { server, timeoutMs: 10_000 });
  return new DomainError('precondition_failed', `cluster "${clusterId}" is unreachable: ${classified.message}`, { field: 'clusterId' });
}

async function clusterCall<T>(ctx: Ctx, input: PodInput, work: (client: ClusterClient, workspaceId: string) => Promise<T>): Promise<T> {
  // The guard let the caller in; a namespace Bosun does not manage is still off limits (even to a platform grant).
  const ns = await getNamespace(ctx.services.db, input.clusterId, input.namespace);
  if (!ns || ns.status === 'deleted') throw new DomainError('not_found', `namespace: namespace "${input.namespace}" on cluster "${input.clusterId}" is not managed by Bosun`, { field: 'namespace' });
  let client: ClusterClient;
  try {
    client = await ctx.services.clusterAccess.clientFor(input.clusterId);
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw new DomainError('precondition_failed', `cluster "${input.clusterId}" cannot be reached with its stored credentials`, { field: 'clusterId' });
  }
  try {
    return await work(client, ns.workspaceId);
  } catch (error) {
    throw clusterRefusal(error, input.clusterId, client.kubeConfig.getCurrentCluster()?.server ?? '');
  }
}

interface Amounts {
  cpu: number | null;
  memory: number | null;
}

const amounts = (r: Record<string, string> | undefined): Amounts => ({ cpu: quantityNumber(r?.cpu), memory: quantityNumber(r?.memory) });

function containerDto(spec: V1Container, status: V1ContainerStatus | undefined, init: boolean) {
  const state = status?.state;
  const [stateName, detail] = state?.running
    ? (['running', { startedAt: state.running.startedAt ?? null }] as const)
    : state?.terminated
      ? (['terminated', { reason: state.terminated.reason ?? null, message: state.terminated.message ?? null, exitCode: state.terminated.exitCode }] as const)
      : state?.waiting
        ? (['waiting', { reason: state.waiting.reason ?? null, message: state.waiting.message ?? null }] as const)
        : (['unknown', {}] as const);
  const last = status?.lastState?.terminated;
  return {
    name: spec.name,
    init,
    image: spec.image ?? '',
    ready: status?.ready ?? false,
    restartCount: status?.restartCount ?? 0,
    state: stateName,
    reason: ('reason' in detail ? detail.reason : null) as string | null,
    message: ('message' in detail ? detail.message : null) as string | null,
    startedAt: ('startedAt' in detail && detail.startedAt ? new Date(detail.startedAt).toISOString() : null) as string | null,
    exitCode: ('exitCode' in detail ? detail.exitCode : null) as number | null,
    lastTermination: last ? { reason: last.reason ?? null, exitCode: last.exitCode, finishedAt: last.finishedAt ? new Date(last.finishedAt).toISOString() : null } : null,
    requests: amounts(spec.resources?.requests as Record<string, string> | undefined),
    limits: amounts(spec.resources?.limits as Record<string, string> | undefined),
    ports: (spec.ports ?? []).map((p) => ({ name: p.name ?? null, containerPort: p.containerPort, protocol: p.protocol ?? 'TCP' })),
  };
}

/** What `kubectl get pod` shows in STATUS: a waiting/terminated reason of a container beats the phase. */
export function podStatusText(pod: V1Pod): string {
  if (pod.metadata?.deletionTimestamp) return 'Terminating';
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const s of statuses) {
    if (s.state?.waiting?.reason && s.state.waiting.reason !== 'ContainerCreating' && s.state.waiting.reason !== 'PodInitializing') return s.state.waiting.reason;
  }
  for (const s of pod.status?.containerStatuses ?? []) {
    if (s.state?.terminated?.reason && pod.status?.phase === 'Running') return s.state.terminated.reason;
  }
  if (pod.status?.reason) return pod.status.reason;
  for (const s of statuses) if (s.state?.waiting?.reason) return s.state.waiting.reason;
  return pod.status?.phase ?? 'Unknown';
}

function podDto(clusterId: string, workspaceId: string, pod: V1Pod) {
  const statuses = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
  const initStatuses = new Map((pod.status?.initContainerStatuses ?? []).map((s) => [s.name, s]));
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller) ?? pod.metadata?.ownerReferences?.[0];
  return {
    clusterId,
    workspaceId,
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    uid: pod.metadata?.uid ?? '',
    phase: pod.status?.phase ?? 'Unknown',
    status: podStatusText(pod),
    reason: pod.status?.reason ?? null,
    message: pod.status?.message ?? null,
    nodeName: pod.spec?.nodeName ?? null,
    podIP: pod.status?.podIP ?? null,
    hostIP: pod.status?.hostIP ?? null,
    qosClass: pod.status?.qosClass ?? null,
    createdAt: pod.metadata?.creationTimestamp ? new Date(pod.metadata.creationTimestamp).toISOString() : null,
    startTime: pod.status?.startTime ? new Date(pod.status.startTime).toISOString() : null,
    labels: (pod.metadata?.labels ?? {}) as Record<string, string>,
    owner: owner ? { kind: owner.kind, name: owner.name } : null,
    restarts: (pod.status?.containerStatuses ?? []).reduce((n, s) => n + (s.restartCount ?? 0), 0),
    ready: `${(pod.status?.containerStatuses ?? []).filter((s) => s.ready).length}/${pod.spec?.containers.length ?? 0}`,
    conditions: (pod.status?.conditions ?? []).map((c) => ({
      type: c.type,
      status: c.status,
      reason: c.reason ?? null,
      message: c.message ?? null,
      lastTransitionTime: c.lastTransitionTime ? new Date(c.lastTransitionTime).toISOString() : null,
    })),
    containers: (pod.spec?.containers ?? []).map((c) => containerDto(c, statuses.get(c.name), false)),
    initContainers: (pod.spec?.initContainers ?? []).map((c) => containerDto(c, initStatuses.get(c.name), true)),
  };
}
export type PodDetailDto = ReturnType<typeof podDto>;

const iso = (d: Date | string | undefined | null) => (d ? new Date(d).toISOString() : null);

function eventDto(e: CoreV1Event) {
  return {
    type: e.type ?? 'Normal',
    reason: e.reason ?? '',
    message: e.message ?? '',
    count: e.count ?? 1,
    firstTimestamp: iso(e.firstTimestamp) ?? iso(e.eventTime as unknown as string) ?? iso(e.metadata?.creationTimestamp),
    lastTimestamp: iso(e.lastTimestamp) ?? iso(e.eventTime as unknown as string) ?? iso(e.metadata?.creationTimestamp),
    source: [e.source?.component ?? e.reportingComponent, e.source?.host].filter(Boolean).join(', '),
    fieldPath: e.involvedObject?.fieldPath ?? null,
  };
}

interface PodMetricsObject {
  timestamp?: string;
  window?: string;
  containers?: { name: string; usage?: { cpu?: string; memory?: string } }[];
}

export const podsRouter = router({
  get: namespaceProcedure('workloads:read', 'clusterId', 'namespace')
    .input(podInput)
    .query(({ ctx, input }) =>
      clusterCall(ctx, input, async (client, workspaceId) => podDto(input.clusterId, workspaceId, await client.core.readNamespacedPod({ name: input.name, namespace: input.namespace }))),
    ),

  events: namespaceProcedure('workloads:read', 'clusterId', 'namespace')
    .input(podInput)
    .query(({ ctx, input }) =>
      clusterCall(ctx, input, async (client) => {
        const list = await client.api(CoreV1Api).listNamespacedEvent({
          namespace: input.namespace,
          fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${input.name}`,
        });
        return list.items.map(eventDto).sort((a, b) => (b.lastTimestamp ?? '').localeCompare(a.lastTimestamp ?? ''));
      }),
    ),

  /**
   * The pod's current usage per container (CPU in cores, memory in bytes) with the containers'
   * requests and limits. `available: false` says why there is nothing to show: the cluster has no
   * metrics-server, or the pod has no sample yet (not running, just started).
   */
  metrics: namespaceProcedure('workloads:read', 'clusterId', 'namespace')
    .input(podInput)
    .query(({ ctx, input }) =>
      clusterCall(ctx, input, async (client) => {
        const pod = await client.core.readNamespacedPod({ name: input.name, namespace: input.namespace });
        const specs = (pod.spec?.containers ?? []).map((c) => ({ name: c.name, requests: amounts(c.resources?.requests as Record<string, string>), limits: amounts(c.resources?.limits as Record<string, string>) }));
        let sample: PodMetricsObject;
        try {
          sample = (await client.api(CustomObjectsApi).getNamespacedCustomObject({
            group: 'metrics.k8s.io',
            version: 'v1beta1',
            namespace: input.namespace,
            plural: 'pods',
            name: input.name,
          })) as PodMetricsObject;
        } catch (error) {
          if (!(error instanceof ApiException) || error.code !== 404) throw error;
          const groups = await client.api(ApisApi).getAPIVersions();
          const served = groups.groups.some((g) => g.name === 'metrics.k8s.io');
          return { available: false as const, reason: served ? ('no-sample' as const) : ('no-metrics-server' as const), containers: specs.map((s) => ({ ...s, cpu: null, memory: null })) };
        }
        const usage = new Map((sample.containers ?? []).map((c) => [c.name, c.usage ?? {}]));
        return {
          available: true as const,
          reason: null,
          timestamp: sample.timestamp ?? null,
          window: sample.window ?? null,
          containers: specs.map((s) => ({ ...s, cpu: quantityNumber(usage.get(s.name)?.cpu), memory: quantityNumber(usage.get(s.name)?.memory) })),
        };
      }),
    ),
});
