/**
 * Workloads (工作负载): a live view of Deployments, StatefulSets, DaemonSets, Jobs, CronJobs and Pods
 * per namespace, and the operations on them. Reads need `workloads:read` on the namespace, operations
 * `workloads:operate`. Lists come from an in-process watch cache; details are read from the cluster.
 * An operation is a command and an event first (who asked for what), then applied to the cluster;
 * a refusal by the cluster is recorded (WorkloadOperationFailed) and answered as a 4xx with the
 * API server's message.
 */
import { randomUUID } from 'node:crypto';
import { stringify } from 'yaml';
import { z } from 'zod';
import { router, namespaceProcedure } from '../trpc';
import { commandContext, type ApiContext, type ApiUser } from '../context';
import { commandId } from './inputs';
import { withInputField } from './run-command';
import type { Scope } from '../../domain/permissions';
import { DomainError } from '../../domain/errors';
import { tenancyCommand } from '../../commands/tenancy';
import type { Command, CommandType } from '../../domain/commands';
import { checkWorkloadInput, type WorkloadCommand } from '../../domain/workload/decide';
import { WORKLOAD_KINDS, type WorkloadEvent, type WorkloadKind, type WorkloadOperation } from '../../domain/workload/events';
import type { ClusterClient } from '../../kube/client';
import { asRefusal, KubeRequestError, kubeJson, type KubeJson, type KubeObject } from '../workloads/kube';
import { WorkloadCache } from '../workloads/cache';
import { pathOf, selects, summarize, type WorkloadRow } from '../workloads/summaries';
import { applyOperation, autoscalerOf, containersOf, revisionsOf, type Revision } from '../workloads/operations';

type Ctx = ApiContext & { user: ApiUser; target?: Scope | null };

const caches = new WeakMap<object, WorkloadCache>();
const kubes = new WeakMap<ClusterClient, { key: string; kube: KubeJson }>();
let clientCounter = 0;

/** Ends the watches of a server's workload cache (made on first use, so it lives here); for the server's close. */
export function stopWorkloadCache(services: object): void {
  caches.get(services)?.stop();
  caches.delete(services);
}

function cacheOf(ctx: Ctx): WorkloadCache {
  let cache = caches.get(ctx.services);
  if (!cache) {
    cache = new WorkloadCache();
    caches.set(ctx.services, cache);
  }
  return cache;
}

/** The namespace must be one Bosun manages (the scope rule resolved its workspace). */
function managedNamespace(ctx: Ctx, clusterId: string, namespace: string): void {
  const target = ctx.target;
  if (!target || target.kind !== 'namespace' || target.workspaceId === '') {
    throw new DomainError('not_found', `namespace: "${namespace}" on cluster "${clusterId}" is not a namespace Bosun manages`, { field: 'namespace' });
  }
}

const CLIENT_TTL_MS = 5_000;
const recentClients = new WeakMap<object, Map<string, { client: ClusterClient; until: number }>>();

/**
 * The cluster's client, looked up at most every few seconds per cluster (a list is polled often;
 * a re-registered cluster's new credentials are picked up within CLIENT_TTL_MS).
 */
async function clientOf(ctx: Ctx, clusterId: string): Promise<ClusterClient> {
  let recent = recentClients.get(ctx.services);
  if (!recent) recentClients.set(ctx.services, (recent = new Map()));
  const hit = recent.get(clusterId);
  if (hit && hit.until > Date.now()) return hit.client;
  const client = await ctx.services.clusterAccess.clientFor(clusterId);
  recent.set(clusterId, { client, until: Date.now() + CLIENT_TTL_MS });
  return client;
}

async function clusterOf(ctx: Ctx, clusterId: string): Promise<{ key: string; kube: KubeJson }> {
  const client = await clientOf(ctx, clusterId);
  let entry = kubes.get(client);
  if (!entry) {
    entry = { key: `${clusterId}#${++clientCounter}`, kube: kubeJson(client.kubeConfig, client.timeoutMs) };
    kubes.set(client, entry);
  }
  return entry;
}

async function readObject(kube: KubeJson, clusterId: string, kind: WorkloadKind, namespace: string, name: string): Promise<KubeObject> {
  try {
    return await kube.request<KubeObject>('GET', pathOf(kind, namespace, name));
  } catch (error) {
    if (error instanceof KubeRequestError && error.status === 404) {
      throw new DomainError('not_found', `name: ${kind} "${name}" does not exist in namespace ${namespace}`, { field: 'name' });
    }
    throw asRefusal(error, clusterId);
  }
}

const clusterId = z.string().trim().min(1, 'is required').max(63);
const namespace = z.string().trim().min(1, 'is required').max(63);
const kind = z.enum(WORKLOAD_KINDS);
const name = z.string().trim().min(1, 'is required').max(253);
const ref = { clusterId, namespace, kind, name };
const readProcedure = namespaceProcedure('workloads:read', 'clusterId', 'namespace');
const operateProcedure = namespaceProcedure('workloads:operate', 'clusterId', 'namespace');

function withoutManagedFields(object: KubeObject): KubeObject {
  const copy = structuredClone(object);
  delete copy.metadata.managedFields;
  return copy;
}

interface EventRow {
  type: string;
  reason: string;
  message: string;
  count: number;
  source: string;
  lastSeen: string | null;
  /** `Kind/name` of the object the event is about when it is not the workload itself (its ReplicaSet, its Job). */
  object: string | null;
}

const MAX_EVENTS = 200;

function eventRow(e: any, object: string | null): EventRow {
  return {
    type: String(e.type ?? 'Normal'),
    reason: String(e.reason ?? ''),
    message: String(e.message ?? ''),
    count: Number(e.count ?? e.series?.count ?? 1),
    source: String(e.source?.component ?? e.reportingComponent ?? ''),
    lastSeen: (e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? null) as string | null,
    object,
  };
}

/** Core/v1 events of a namespace about objects of one kind (all names, or one). */
async function eventsAbout(kube: KubeJson, namespace: string, kind: string, name?: string): Promise<any[]> {
  const fieldSelector = `involvedObject.kind=${kind}${name ? `,involvedObject.name=${name}` : ''}`;
  const list = await kube.request<{ items: any[] }>('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, { query: { fieldSelector } });
  return list.items;
}

/**
 * Events about a workload, newest first, with those of the controllers it runs through: a
 * Deployment's ReplicaSets (where a quota refusal shows, as FailedCreate) and a CronJob's Jobs.
 */
async function eventsOf(kube: KubeJson, kind: WorkloadKind, object: KubeObject, owned: { kind: 'ReplicaSet' | 'Job'; names: Set<string> } | null): Promise<EventRow[]> {
  const namespace = object.metadata.namespace!;
  const [own, theirs] = await Promise.all([
    eventsAbout(kube, namespace, kind, object.metadata.name),
    owned && owned.names.size > 0 ? eventsAbout(kube, namespace, owned.kind) : Promise.resolve([]),
  ]);
  const rows = [
    ...own.filter((e) => !e.involvedObject?.uid || !object.metadata.uid || e.involvedObject.uid === object.metadata.uid).map((e) => eventRow(e, null)),
    ...theirs.filter((e) => owned!.names.has(e.involvedObject?.name)).map((e) => eventRow(e, `${owned!.kind}/${e.involvedObject.name}`)),
  ];
  return rows.sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? '')).slice(0, MAX_EVENTS);
}

/** The names of a CronJob's Jobs (named after it), from the workload cache. */
async function jobsOf(ctx: Ctx, cluster: { key: string; kube: KubeJson }, cronJob: KubeObject): Promise<Set<string>> {
  const jobs = (await cacheOf(ctx).list(cluster.key, cluster.kube, 'Job', cronJob.metadata.namespace!)).rows;
  const prefix = `${cronJob.metadata.name}-`;
  return new Set(jobs.filter((j) => j.name.startsWith(prefix)).map((j) => j.name));
}

/** The pods a controller owns, from the pod cache (a CronJob's through its Jobs' label). */
async function podsOf(ctx: Ctx, cluster: { key: string; kube: KubeJson }, kind: WorkloadKind, object: KubeObject): Promise<WorkloadRow[]> {
  if (kind === 'Pod') return [];
  const ns = object.metadata.namespace!;
  if (kind === 'CronJob') {
    const names = await jobsOf(ctx, cluster, object);
    return cacheOf(ctx).pods(cluster.key, cluster.kube, ns, (labels) => names.has(labels['job-name'] ?? labels['batch.kubernetes.io/job-name'] ?? ''));
  }
  const selector = object.spec?.selector;
  if (!selector) return [];
  const rows = await cacheOf(ctx).pods(cluster.key, cluster.kube, ns, (labels) => selects(selector, labels));
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

function rolloutOf(kind: WorkloadKind, object: KubeObject) {
  const s = object.status ?? {};
  if (kind === 'Deployment' || kind === 'StatefulSet') {
    const desired = object.spec?.replicas ?? 1;
    const updated = s.updatedReplicas ?? 0;
    const ready = s.readyReplicas ?? 0;
    const available = s.availableReplicas ?? ready;
    const observed = (s.observedGeneration ?? 0) >= (object.metadata.generation ?? 0);
    const total = s.replicas ?? 0;
    return { desired, updated, ready, available, total, complete: observed && updated === desired && ready === desired && total === desired };
  }
  if (kind === 'DaemonSet') {
    const desired = s.desiredNumberScheduled ?? 0;
    const updated = s.updatedNumberScheduled ?? 0;
    const ready = s.numberReady ?? 0;
    const observed = (s.observedGeneration ?? 0) >= (object.metadata.generation ?? 0);
    return { desired, updated, ready, available: s.numberAvailable ?? 0, total: s.currentNumberScheduled ?? 0, complete: observed && updated === desired && ready === desired };
  }
  return null;
}

const publicRevision = (r: Revision) => ({ revision: r.revision, name: r.name, images: r.images, createdAt: r.createdAt, replicas: r.replicas });

interface Operation<I> {
  type: WorkloadOperation;
  /** The command with its input fields only (live facts still empty), checked before the cluster is read. */
  draft(input: I): WorkloadCommand;
  /** The full command, with the live facts read from the cluster. */
  complete(input: I, live: { kube: KubeJson; object: KubeObject; ctx: Ctx }): Promise<{ command: WorkloadCommand; revisions?: Revision[] }>;
  /** The input field a cluster's refusal is about, if any. */
  field?: string;
}

/**
 * Runs a workload operation: check input → read the live object → command and event → apply to
 * the cluster → on a refusal, record it and answer with the API server's message.
 */
async function operate<I extends { commandId: string; clusterId: string; namespace: string; kind: WorkloadKind; name: string }>(ctx: Ctx, input: I, op: Operation<I>) {
  checkWorkloadInput(op.draft(input));
  managedNamespace(ctx, input.clusterId, input.namespace);
  const cluster = await clusterOf(ctx, input.clusterId).catch((error) => {
    throw asRefusal(error, input.clusterId);
  });
  const object = await readObject(cluster.kube, input.clusterId, input.kind, input.namespace, input.name);
  let completed: Awaited<ReturnType<Operation<I>['complete']>>;
  try {
    completed = await op.complete(input, { kube: cluster.kube, object, ctx });
  } catch (error) {
    throw asRefusal(error, input.clusterId);
  }
  const context = commandContext(ctx, input.commandId);
  let result;
  try {
    result = await ctx.services.handle(tenancyCommand(completed.command.type as CommandType), completed.command as Command as any, context);
  } catch (error) {
    throw withInputField(error);
  }
  await ctx.services.readModels.waitForPosition(result.position, 5_000);
  if (result.replayed) return { position: result.position, applied: false };
  const event = result.events.find((e) => e.type.startsWith('Workload')) as unknown as WorkloadEvent | undefined;
  if (!event) return { position: result.position, applied: false };
  try {
    await applyOperation(cluster.kube, event, { object, revisions: completed.revisions });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const status = error instanceof KubeRequestError ? (error.status ?? null) : null;
    const failure: WorkloadCommand = {
      type: 'RecordWorkloadOperationFailed',
      clusterId: input.clusterId,
      namespace: input.namespace,
      kind: input.kind,
      name: input.name,
      operation: op.type,
      failedCommandId: input.commandId,
      reason: reason || 'the cluster refused the operation',
      httpStatus: status,
    };
    try {
      const recorded = await ctx.services.handle(tenancyCommand('RecordWorkloadOperationFailed'), failure as any, {
        ...commandContext(ctx, randomUUID()),
        causationId: input.commandId,
        correlationId: context.correlationId,
      });
      await ctx.services.readModels.waitForPosition(recorded.position, 5_000).catch(() => {});
    } catch (recordError) {
      ctx.log.error({ err: recordError }, 'could not record a failed workload operation');
    }
    throw asRefusal(error, input.clusterId, op.field);
  }
  return { position: result.position, applied: true };
}

const base = (input: { clusterId: string; namespace: string; kind: WorkloadKind; name: string }) => ({
  clusterId: input.clusterId,
  namespace: input.namespace,
  kind: input.kind,
  name: input.name,
});

export const workloadsRouter = router({
  /** Compact rows of one kind (or every kind) in a namespace, from the watch cache. */
  list: readProcedure
    .input(z.object({ clusterId, namespace, kind: kind.optional() }))
    .query(async ({ ctx, input }) => {
      managedNamespace(ctx, input.clusterId, input.namespace);
      const cluster = await clusterOf(ctx, input.clusterId);
      const kinds = input.kind ? [input.kind] : [...WORKLOAD_KINDS];
      try {
        const lists = await Promise.all(kinds.map((k) => cacheOf(ctx).list(cluster.key, cluster.kube, k, input.namespace)));
        const items = lists.length === 1 ? lists[0].rows : lists.flatMap((l) => l.rows);
        return { items, stale: lists.some((l) => l.stale), counts: Object.fromEntries(kinds.map((k, i) => [k, lists[i].rows.length])) as Partial<Record<WorkloadKind, number>> };
      } catch (error) {
        throw asRefusal(error, input.clusterId);
      }
    }),

  /** One workload: the object, status, conditions, events, its pods, revisions and autoscaler. */
  get: readProcedure.input(z.object(ref)).query(async ({ ctx, input }) => {
    managedNamespace(ctx, input.clusterId, input.namespace);
    const cluster = await clusterOf(ctx, input.clusterId);
    const object = await readObject(cluster.kube, input.clusterId, input.kind, input.namespace, input.name);
    try {
      const [pods, history, autoscaler, jobs] = await Promise.all([
        podsOf(ctx, cluster, input.kind, object),
        revisionsOf(cluster.kube, input.kind, object),
        autoscalerOf(cluster.kube, input.kind, object),
        input.kind === 'CronJob' ? jobsOf(ctx, cluster, object) : Promise.resolve(new Set<string>()),
      ]);
      const owned =
        input.kind === 'Deployment'
          ? { kind: 'ReplicaSet' as const, names: new Set(history.revisions.map((r) => r.name)) }
          : input.kind === 'CronJob'
            ? { kind: 'Job' as const, names: jobs }
            : null;
      const events = await eventsOf(cluster.kube, input.kind, object, owned);
      return {
        kind: input.kind,
        name: object.metadata.name,
        namespace: input.namespace,
        clusterId: input.clusterId,
        summary: summarize(input.kind, object),
        object: withoutManagedFields(object),
        conditions: ((object.status?.conditions ?? []) as any[]).map((c) => ({
          type: String(c.type),
          status: String(c.status),
          reason: c.reason ? String(c.reason) : null,
          message: c.message ? String(c.message) : null,
          lastTransitionTime: (c.lastTransitionTime ?? c.lastUpdateTime ?? null) as string | null,
        })),
        containers: containersOf(input.kind, object),
        rollout: rolloutOf(input.kind, object),
        events,
        pods,
        revisions: history.revisions.map(publicRevision),
        currentRevision: history.current,
        autoscaler,
      };
    } catch (error) {
      throw asRefusal(error, input.clusterId);
    }
  }),

  /** The object as YAML (read-only view), without managedFields. */
  yaml: readProcedure.input(z.object(ref)).query(async ({ ctx, input }) => {
    managedNamespace(ctx, input.clusterId, input.namespace);
    const cluster = await clusterOf(ctx, input.clusterId);
    const object = await readObject(cluster.kube, input.clusterId, input.kind, input.namespace, input.name);
    const full = withoutManagedFields(object);
    const k = input.kind;
    return { yaml: stringify({ apiVersion: full.apiVersion ?? (k === 'Pod' ? 'v1' : k === 'Job' || k === 'CronJob' ? 'batch/v1' : 'apps/v1'), kind: full.kind ?? k, ...full }) };
  }),

  scale: operateProcedure
    .input(z.object({ commandId, ...ref, replicas: z.number() }))
    .mutation(({ ctx, input }) =>
      operate(ctx, input, {
        type: 'ScaleWorkload',
        field: 'replicas',
        draft: (i) => ({ type: 'ScaleWorkload', ...base(i), replicas: i.replicas, previousReplicas: null }),
        complete: async (i, live) => ({
          command: { type: 'ScaleWorkload', ...base(i), replicas: i.replicas, previousReplicas: typeof live.object.spec?.replicas === 'number' ? live.object.spec.replicas : null },
        }),
      }),
    ),

  setAutoscaler: operateProcedure
    .input(z.object({ commandId, ...ref, cpuTargetPercent: z.number(), minReplicas: z.number(), maxReplicas: z.number() }))
    .mutation(({ ctx, input }) =>
      operate(ctx, input, {
        type: 'SetWorkloadAutoscaler',
        draft: (i) => ({ type: 'SetWorkloadAutoscaler', ...base(i), cpuTargetPercent: i.cpuTargetPercent, minReplicas: i.minReplicas, maxReplicas: i.maxReplicas, hpaName: i.name }),
        complete: async (i, live) => {
          const existing = await autoscalerOf(live.kube, i.kind, live.object);
          return {
            command: {
              type: 'SetWorkloadAutoscaler',
              ...base(i),
              cpuTargetPercent: i.cpuTargetPercent,
              minReplicas: i.minReplicas,
              maxReplicas: i.maxReplicas,
              hpaName: existing?.name ?? i.name,
            },
          };
        },
      }),
    ),

  removeAutoscaler: operateProcedure
    .input(z.object({ commandId, ...ref }))
    .mutation(({ ctx, input }) =>
      operate(ctx, input, {
        type: 'RemoveWorkloadAutoscaler',
        draft: (i) => ({ type: 'RemoveWorkloadAutoscaler', ...base(i), hpaName: null }),
        complete: async (i, live) => ({ command: { type: 'RemoveWorkloadAutoscaler', ...base(i), hpaName: (await autoscalerOf(live.kube, i.kind, live.object))?.name ?? null } }),
      }),
    ),

  updateImage: operateProcedure
    .input(z.object({ commandId, ...ref, container: z.string().trim().max(63), image: z.string().trim().max(512) }))
    .mutation(({ ctx, input }) =>
      operate(ctx, input, {
        type: 'UpdateWorkloadImage',
        field: 'image',
        draft: (i) => ({ type: 'UpdateWorkloadImage', ...base(i), container: i.container, image: i.image, containers: [] }),
        complete: async (i, live) => ({
          command: { type: 'UpdateWorkloadImage', ...base(i), container: i.container, image: i.image, containers: containersOf(i.kind, live.object) },
        }),
      }),
    ),

  restart: operateProcedure
    .input(z.object({ commandId, ...ref }))
    .mutation(({ ctx, input }) => {
      const restartedAt = ctx.services.clock().toISOString();
      return operate(ctx, input, {
        type: 'RestartWorkload',
        draft: (i) => ({ type: 'RestartWorkload', ...base(i), restartedAt }),
        complete: async (i) => ({ command: { type: 'RestartWorkload', ...base(i), restartedAt } }),
      });
    }),

  rollback: operateProcedure
    .input(z.object({ commandId, ...ref, toRevision: z.number() }))
    .mutation(({ ctx, input }) =>
      operate(ctx, input, {
        type: 'RollbackWorkload',
        field: 'toRevision',
        draft: (i) => ({ type: 'RollbackWorkload', ...base(i), toRevision: i.toRevision, currentRevision: null, revisions: [] }),
        complete: async (i, live) => {
          const history = await revisionsOf(live.kube, i.kind, live.object);
          return {
            command: {
              type: 'RollbackWorkload',
              ...base(i),
              toRevision: i.toRevision,
              currentRevision: history.current,
              revisions: history.revisions.map((r) => ({ revision: r.revision, images: r.images })),
            },
            revisions: history.revisions,
          };
        },
      }),
    ),

  delete: operateProcedure
    .input(z.object({ commandId, ...ref }))
    .mutation(({ ctx, input }) =>
      operate(ctx, input, {
        type: 'DeleteWorkload',
        draft: (i) => ({ type: 'DeleteWorkload', ...base(i) }),
        complete: async (i) => ({ command: { type: 'DeleteWorkload', ...base(i) } }),
      }),
    ),
});
