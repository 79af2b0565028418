/**
 * Applications (应用): generated from a template version into a namespace, published (run) and
 * unpublished (undeploy), revised and rolled back. Writes need `apps:deploy`, reads
 * `workloads:read`, both on the app's namespace. `preview` renders, checks the quota and diffs
 * against the live objects without writing anything; `status` and `topology` read the cluster live.
 */
import type { KubeConfig, KubernetesObject as KubeObject } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { z } from 'zod';
import { router, listProcedure, namespaceProcedure, namespaceIdProcedure } from '../trpc';
import type { ApiContext, ApiUser } from '../context';
import { commandId } from './inputs';
import { runCommand } from './run-domain-command';
import { DomainError, isDomainError } from '../../domain/errors';
import { foldStream } from '../../domain/commands';
import { readEvent } from '../../domain/events';
import { streamIds } from '../../domain/streams';
import { appIdOf, requireAppId } from '../../domain/app/ids';
import { APP_REVISION_LABEL, appSelector, labelledForApply } from '../../domain/app/labels';
import { checkAppQuota, planRevision, templateSourceFor } from '../../domain/app/decide';
import { isLive, type NamespaceState } from '../../domain/namespace/state';
import { appHolder, quotaRemaining } from '../../domain/namespace/reservations';
import type { TemplateState } from '../../domain/template/state';
import { ALLOWED_KINDS, isAllowedKind, type KubernetesObject } from '../../domain/template/objects';
import { deleteOrder, relations } from '../../domain/template/order';
import type { Visibility } from '../../domain/permissions';
import { getApp, getAppRevision, listAppRevisions, listApps } from '../../projections/apps/queries';
import type { AppRow } from '../../projections/apps/tables';
import { clusterClient, KubeCallError, type ClusterClient } from '../../reconcilers/runtime/kube';
import { diffDeleted, diffObject, type DiffAction } from '../apps/diff';
import { overallHealth, resourceStatus, type Health, type ResourceStatus } from '../apps/health';

type Ctx = ApiContext & { user: ApiUser; visible?: Visibility | null };

const dnsLabel = z.string().trim().min(1, 'is required').max(63, 'must be no more than 63 characters');
const appId = z.string().trim().min(1, 'is required').max(200);
const values = z.record(z.string(), z.unknown()).default({});
const version = z.int().min(1);

// ---- reading ------------------------------------------------------------------------------------

function notFound(id: string): DomainError {
  return new DomainError('not_found', `appId: application "${id}" does not exist`, { field: 'appId' });
}

async function existingApp(ctx: Ctx, id: string): Promise<AppRow> {
  requireAppId(id);
  const row = await getApp(ctx.services.db, id);
  if (!row || row.deleted) throw notFound(id);
  return row;
}

function summary(row: AppRow) {
  return {
    appId: row.app_id,
    clusterId: row.cluster_id,
    namespace: row.namespace,
    workspaceId: row.workspace_id,
    name: row.name,
    description: row.description,
    templateId: row.template_id,
    templateVersion: row.template_version,
    revision: row.revision,
    published: row.published,
    status: row.status,
    statusReason: row.status_reason,
    deployedRevision: row.deployed_revision,
    requests: row.requests,
    limits: row.limits,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function refOf(object: { kind: string; metadata: { name: string } }) {
  return { kind: object.kind, name: object.metadata.name };
}

function yamlOf(object: unknown): string {
  return stringify(object, { lineWidth: 0 });
}

/** A stream's state folded from the store (the same state the command handler decides on). */
async function folded<S>(ctx: Ctx, streamId: string): Promise<S> {
  const events = await ctx.services.store.readStream(streamId);
  return foldStream(
    streamId,
    events.map((e) => readEvent(e.type, e.data, (e.metadata as { schemaVersion?: number }).schemaVersion ?? 1)),
  ) as S;
}

// ---- the cluster --------------------------------------------------------------------------------

const clients = new WeakMap<KubeConfig, ClusterClient>();

async function clusterOf(ctx: Ctx, clusterId: string): Promise<ClusterClient> {
  const { kubeConfig, timeoutMs } = await ctx.services.clusterAccess.clientFor(clusterId);
  let client = clients.get(kubeConfig);
  if (!client) {
    client = clusterClient(kubeConfig, { fieldManager: 'bosun', timeoutMs });
    clients.set(kubeConfig, client);
  }
  return client;
}

/** A cluster refusal or outage as a refusal the caller can read (never a 500). */
function clusterError(clusterId: string, error: unknown): Error {
  if (error instanceof KubeCallError) {
    if (error.code === 422 || error.code === 400) return new DomainError('invalid', error.message);
    if (error.code === 409) return new DomainError('conflict', error.message);
    return new DomainError('precondition_failed', `cluster "${clusterId}": ${error.message}`, { field: 'clusterId' });
  }
  return error as Error;
}

async function onCluster<T>(clusterId: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw clusterError(clusterId, error);
  }
}

const objectRef = (object: { apiVersion: string; kind: string; metadata: { name: string } }, namespace: string) => ({
  apiVersion: object.apiVersion,
  kind: object.kind,
  metadata: { name: object.metadata.name, namespace },
});

/** Objects labelled as the app's in its namespace, of every kind an app may hold. */
async function labelledObjects(client: ClusterClient, namespace: string, appName: string): Promise<KubeObject[]> {
  const lists = await Promise.all(
    Object.entries(ALLOWED_KINDS).map(([kind, apiVersion]) => client.list(apiVersion, kind, { namespace, labelSelector: appSelector(appName) })),
  );
  return lists.flat();
}

async function liveStatus(ctx: Ctx, row: AppRow, manifests: KubernetesObject[]): Promise<ResourceStatus[]> {
  const client = await clusterOf(ctx, row.cluster_id);
  return onCluster(row.cluster_id, async () => {
    const [lives, pods] = await Promise.all([
      Promise.all(manifests.map((m) => client.get(objectRef(m, row.namespace)))),
      client.list('v1', 'Pod', { namespace: row.namespace, labelSelector: `app.kubernetes.io/instance=${row.name}` }),
    ]);
    return manifests.map((m, i) => resourceStatus(m as Record<string, any>, lives[i] as Record<string, any> | undefined, pods as Record<string, any>[]));
  });
}

async function currentManifests(ctx: Ctx, row: AppRow): Promise<KubernetesObject[]> {
  const revision = await getAppRevision(ctx.services.db, row.app_id, row.revision);
  return (revision?.manifests ?? []) as unknown as KubernetesObject[];
}

// ---- the router ---------------------------------------------------------------------------------

const generateInput = z.object({
  commandId,
  clusterId: dnsLabel,
  namespace: dnsLabel,
  name: dnsLabel,
  templateId: dnsLabel,
  templateVersion: version,
  values,
  description: z.string().max(1000).default(''),
});

export const appsRouter = router({
  /** Applications in the namespaces the caller may read workloads of. */
  list: listProcedure('workloads:read')
    .input(z.object({ clusterId: z.string().optional(), namespace: z.string().optional() }).optional())
    .query(async ({ ctx, input }) => {
      const visible = ctx.visible!;
      const rows = await listApps(ctx.services.db, { clusterId: input?.clusterId, namespace: input?.namespace });
      return rows
        .filter((r) => visible.everywhere || visible.workspaceIds.has(r.workspace_id) || visible.namespaces.has(`${r.cluster_id}/${r.namespace}`))
        .map(summary);
    }),

  /** An application with its current revision's values and manifests (in apply order). */
  get: namespaceIdProcedure('workloads:read')
    .input(z.object({ appId }))
    .query(async ({ ctx, input }) => {
      const row = await existingApp(ctx, input.appId);
      const revision = await getAppRevision(ctx.services.db, row.app_id, row.revision);
      const manifests = (revision?.manifests ?? []) as unknown as KubernetesObject[];
      return {
        ...summary(row),
        values: revision?.values ?? {},
        manifests: manifests.map((m) => ({ ref: refOf(m), yaml: yamlOf(m) })),
        yaml: manifests.map(yamlOf).join('---\n'),
      };
    }),

  /** Every revision, newest first, with the YAML of each when `withManifests`. */
  revisions: namespaceIdProcedure('workloads:read')
    .input(z.object({ appId, withManifests: z.boolean().default(false) }))
    .query(async ({ ctx, input }) => {
      const row = await existingApp(ctx, input.appId);
      const revisions = await listAppRevisions(ctx.services.db, row.app_id);
      return Promise.all(
        revisions.map(async (r) => {
          const manifests = input.withManifests ? (((await getAppRevision(ctx.services.db, row.app_id, r.revision))?.manifests ?? []) as unknown as KubernetesObject[]) : null;
          return {
            revision: r.revision,
            templateVersion: r.template_version,
            values: r.values,
            requests: r.requests,
            limits: r.limits,
            reason: r.reason,
            fromRevision: r.from_revision,
            current: r.revision === row.revision,
            deployed: r.revision === row.deployed_revision,
            createdAt: new Date(r.created_at).toISOString(),
            createdBy: r.created_by,
            yaml: manifests ? manifests.map(yamlOf).join('---\n') : null,
          };
        }),
      );
    }),

  /**
   * What generating (or revising, when the app exists) would do, without writing anything: the
   * rendered manifests, the quota check with the numbers, and per object what applying would change
   * on the cluster (create / update / unchanged, and delete for what the app has there and would no
   * longer have), each with a unified diff of the YAML. Bad values refuse with 400 naming `values.<name>`.
   */
  preview: namespaceProcedure('apps:deploy', 'clusterId', 'namespace')
    .input(z.object({ clusterId: dnsLabel, namespace: dnsLabel, name: dnsLabel, templateId: dnsLabel, templateVersion: version, values }))
    .mutation(async ({ ctx, input }) => {
      const namespace = await folded<NamespaceState>(ctx, streamIds.namespace(input.clusterId, input.namespace));
      if (!isLive(namespace)) {
        throw new DomainError('not_found', `namespace: namespace "${input.namespace}" does not exist on cluster "${input.clusterId}"`, { field: 'namespace' });
      }
      const template = await folded<TemplateState>(ctx, streamIds.template(input.templateId));
      const source = templateSourceFor(template, input.templateId, input.templateVersion, namespace.workspaceId);
      const plan = planRevision(source, input.values, namespace, input.name);
      const remaining = quotaRemaining(namespace, appHolder(input.name));
      let quota: { ok: boolean; message: string | null; shortages: unknown[] } = { ok: true, message: null, shortages: [] };
      try {
        checkAppQuota(plan.requested, namespace, input.name);
      } catch (error) {
        if (!isDomainError(error) || error.code !== 'insufficient_capacity') throw error;
        quota = { ok: false, message: error.message, shortages: (error.details?.shortages as unknown[]) ?? [] };
      }
      const existing = await getApp(ctx.services.db, appIdOf({ clusterId: input.clusterId, namespace: input.namespace, name: input.name }));
      const revision = existing && !existing.deleted ? existing.revision + 1 : 1;
      const desired = plan.manifests.map((m) => labelledForApply(m, input.name, revision));

      let lives: Array<KubeObject | undefined>;
      let labelled: KubeObject[];
      let diffError: string | null = null;
      try {
        const client = await clusterOf(ctx, input.clusterId);
        [lives, labelled] = await onCluster(input.clusterId, () =>
          Promise.all([Promise.all(desired.map((d) => client.get(objectRef(d, input.namespace)))), labelledObjects(client, input.namespace, input.name)]),
        );
      } catch (error) {
        // The render and the quota check stand without the cluster; only the diff needs it.
        if (!isDomainError(error) || error.code !== 'precondition_failed') throw error;
        diffError = error.message;
        lives = desired.map(() => undefined);
        labelled = [];
      }
      const compare = (object: Record<string, any>) => {
        const copy = structuredClone(object);
        if (copy.metadata?.labels) delete copy.metadata.labels[APP_REVISION_LABEL];
        return copy;
      };
      const diff: Array<{ ref: { kind: string; name: string }; action: DiffAction; diff: string }> = desired.map((d, i) => {
        const live = lives[i] as Record<string, any> | undefined;
        const result = diffObject(compare(d), live ? compare(live) : undefined);
        return { ref: refOf(d), ...result };
      });
      const wanted = new Set(desired.map((d) => `${d.kind}/${d.metadata.name}`));
      const stale = labelled.filter((o) => o.kind && o.metadata?.name && !wanted.has(`${o.kind}/${o.metadata.name}`));
      for (const live of deleteOrder(stale.filter((o) => isAllowedKind(String(o.kind))) as unknown as KubernetesObject[])) {
        diff.push({ ref: refOf(live), ...diffDeleted(live as unknown as Record<string, unknown>) });
      }
      return {
        manifests: plan.manifests.map((m) => ({ ref: refOf(m), yaml: yamlOf(m) })),
        yaml: plan.manifests.map(yamlOf).join('---\n'),
        values: plan.values,
        requested: { requests: plan.requested.requests, limits: plan.requested.limits, workloads: plan.requested.workloads },
        quota: { ...quota, remaining: { requests: remaining.requests, limits: remaining.limits } },
        revision,
        diff: diffError === null ? diff : [],
        /** Why the live objects could not be read (the diff is then empty). */
        diffError,
      };
    }),

  /** Renders and records revision 1, reserving its quota; refused with the numbers when it does not fit. */
  generate: namespaceProcedure('apps:deploy', 'clusterId', 'namespace')
    .input(generateInput)
    .mutation(async ({ ctx, input }) => {
      const { commandId: id, ...command } = input;
      const { position } = await runCommand(ctx, id, { type: 'GenerateApp', ...command });
      return { position, appId: appIdOf({ clusterId: input.clusterId, namespace: input.namespace, name: input.name }) };
    }),

  /** Run: the reconciler applies the current revision in dependency order. */
  publish: namespaceIdProcedure('apps:deploy')
    .input(z.object({ commandId, appId }))
    .mutation(async ({ ctx, input }) => {
      await existingApp(ctx, input.appId);
      return runCommand(ctx, input.commandId, { type: 'PublishApp', appId: input.appId });
    }),

  /** A new revision from a template version and values. */
  revise: namespaceIdProcedure('apps:deploy')
    .input(z.object({ commandId, appId, templateVersion: version, values }))
    .mutation(async ({ ctx, input }) => {
      const row = await existingApp(ctx, input.appId);
      const { position } = await runCommand(ctx, input.commandId, {
        type: 'ReviseApp',
        appId: input.appId,
        templateId: row.template_id,
        templateVersion: input.templateVersion,
        values: input.values,
      });
      return { position, revision: (await getApp(ctx.services.db, input.appId))?.revision ?? row.revision + 1 };
    }),

  /** A new revision restoring revision `toRevision`. */
  rollback: namespaceIdProcedure('apps:deploy')
    .input(z.object({ commandId, appId, toRevision: version }))
    .mutation(async ({ ctx, input }) => {
      const row = await existingApp(ctx, input.appId);
      const { position } = await runCommand(ctx, input.commandId, { type: 'RollbackApp', appId: input.appId, toRevision: input.toRevision });
      return { position, revision: (await getApp(ctx.services.db, input.appId))?.revision ?? row.revision + 1 };
    }),

  /** Undeploy: the reconciler deletes everything the app created, in reverse dependency order. */
  unpublish: namespaceIdProcedure('apps:deploy')
    .input(z.object({ commandId, appId }))
    .mutation(async ({ ctx, input }) => {
      await existingApp(ctx, input.appId);
      return runCommand(ctx, input.commandId, { type: 'UnpublishApp', appId: input.appId });
    }),

  /** Removes an unpublished, undeployed app and releases its quota reservation. */
  delete: namespaceIdProcedure('apps:deploy')
    .input(z.object({ commandId, appId }))
    .mutation(async ({ ctx, input }) => {
      await existingApp(ctx, input.appId);
      return runCommand(ctx, input.commandId, { type: 'DeleteApp', appId: input.appId });
    }),

  /** The live state of every object of the current revision, with the pods behind each workload, and the overall health. */
  status: namespaceIdProcedure('workloads:read')
    .input(z.object({ appId }))
    .query(async ({ ctx, input }) => {
      const row = await existingApp(ctx, input.appId);
      const resources = await liveStatus(ctx, row, await currentManifests(ctx, row));
      return {
        appId: row.app_id,
        revision: row.revision,
        status: row.status,
        statusReason: row.status_reason,
        health: overallHealth(resources) as Health,
        resources,
      };
    }),

  /** Resources of the current revision and how they relate (selects, routes, uses, scales), each with its live health. */
  topology: namespaceIdProcedure('workloads:read')
    .input(z.object({ appId }))
    .query(async ({ ctx, input }) => {
      const row = await existingApp(ctx, input.appId);
      const manifests = await currentManifests(ctx, row);
      let health = new Map<string, Health>();
      try {
        const resources = await liveStatus(ctx, row, manifests);
        health = new Map(resources.map((r) => [`${r.kind}/${r.name}`, r.health]));
      } catch (error) {
        // The drawing does not need the cluster; health is unknown while it cannot be read.
        if (!isDomainError(error)) throw error;
      }
      const id = (ref: { kind: string; name: string }) => `${ref.kind}/${ref.name}`;
      return {
        nodes: manifests.map((m) => ({ id: id(refOf(m)), kind: m.kind, name: m.metadata.name, health: health.get(id(refOf(m))) ?? ('missing' as Health) })),
        edges: relations(manifests).map((r) => ({ from: id(r.from), to: id(r.to), type: r.type })),
      };
    }),
});

