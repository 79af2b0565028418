/**
 * Dev environments (开发环境): a developer's own container from an image, in a namespace where they
 * hold `devenv:manage`. Each user lists their own (a platform admin may list everyone's). Only the
 * owner, or someone who also holds `workloads:operate` on the namespace, may see, stop, resume or
 * delete an environment (the domain decides that for the commands; reads check it here).
 */
import { z } from 'zod';
import { router, listProcedure, namespaceProcedure } from '../trpc';
import type { ApiContext, ApiUser } from '../context';
import { commandId, dnsLabel, quantity, readYourWrites } from './inputs';
import { caughtUp } from './run-command';
import { runCommand } from './run-domain-command';
import { authorize, canSeeNamespace, type Scope, type Visibility } from '../../domain/permissions';
import { DomainError } from '../../domain/errors';
import { streamIds } from '../../domain/streams';
import { isLive as namespaceIsLive, type NamespaceState } from '../../domain/namespace/state';
import { quotaRemaining, reservedTotal } from '../../domain/namespace/reservations';
import { tenancyModel } from '../../commands/tenancy';
import { getNamespace, listNamespaces } from '../../projections/namespaces/queries';
import { getDevEnv, listDevEnvs, type DevEnvDto } from '../../projections/devenvs/queries';
import { clusterClient, KubeCallError } from '../../reconcilers/runtime/kube';
import { CONTAINER_NAME, devEnvSelector, deploymentName, FIELD_MANAGER } from '../../reconcilers/devenv/desired';

type Ctx = ApiContext & { user: ApiUser; target?: Scope | null; visible?: Visibility | null };

const key = z.object({ clusterId: dnsLabel, namespace: dnsLabel, name: dnsLabel });

function scopeOf(env: Pick<DevEnvDto, 'clusterId' | 'namespace' | 'workspaceId'>): Scope {
  return { kind: 'namespace', clusterId: env.clusterId, namespace: env.namespace, workspaceId: env.workspaceId };
}

/** The owner, a platform admin, or an operator of the namespace may look at (and act on) an environment. */
function mayManage(ctx: Ctx, env: DevEnvDto): boolean {
  return (
    env.ownerId === ctx.user.id ||
    authorize(ctx.user.access, 'devenv:manage', { kind: 'platform' }) ||
    authorize(ctx.user.access, 'workloads:operate', scopeOf(env))
  );
}

function notFound(input: { name: string; namespace: string }): DomainError {
  return new DomainError('not_found', `name: dev environment "${input.name}" does not exist in namespace "${input.namespace}"`, { field: 'name' });
}

/** The environment, when the caller may see it; someone else's is "not found". */
async function visibleDevEnv(ctx: Ctx, input: { clusterId: string; namespace: string; name: string }): Promise<DevEnvDto> {
  const env = await getDevEnv(ctx.services.db, input.clusterId, input.namespace, input.name);
  if (!env || env.status === 'deleted' || !mayManage(ctx, env)) throw notFound(input);
  return env;
}

function summary(ctx: Ctx, env: DevEnvDto) {
  return { ...env, mine: env.ownerId === ctx.user.id };
}

/** The namespace's quota and what Bosun's reservations leave of it, folded from its stream (current, not the read model). */
async function quotaOf(ctx: Ctx, clusterId: string, namespace: string) {
  const stream = streamIds.namespace(clusterId, namespace);
  const events = await ctx.services.store.readStream(stream);
  let state = tenancyModel.initialStateFor(stream) as NamespaceState;
  for (const event of events) state = tenancyModel.evolve(stream, state, event);
  if (!namespaceIsLive(state)) {
    throw new DomainError('not_found', `namespace: namespace "${namespace}" does not exist on cluster "${clusterId}"`, { field: 'namespace' });
  }
  const remaining = quotaRemaining(state);
  const reserved = reservedTotal(state);
  return {
    clusterId,
    namespace,
    workspaceId: state.workspaceId,
    quota: state.quota,
    reserved: reserved.requests,
    /** CPU/memory a new environment may still take (requests = limits, so the smaller of both). */
    remaining: {
      cpuMillis: Math.min(remaining.requests.cpuMillis, remaining.limits.cpuMillis),
      memoryBytes: Math.min(remaining.requests.memoryBytes, remaining.limits.memoryBytes),
    },
  };
}

/** The cluster's refusal or silence as a Bosun refusal (never a 500). */
function clusterRefusal(error: unknown, clusterId: string): unknown {
  if (error instanceof DomainError) return error;
  if (error instanceof KubeCallError) {
    if (error.code === 404) return new DomainError('not_found', `name: ${error.message}`, { field: 'name' });
    if (error.code === 400 || error.code === 422) return new DomainError('invalid', `the cluster refused: ${error.message}`);
    if (error.code === 409) return new DomainError('conflict', error.message);
    if (error.code !== undefined) return new DomainError('precondition_failed', `cluster "${clusterId}" answered ${error.code}: ${error.message}`, { field: 'clusterId' });
    return new DomainError('precondition_failed', `cluster "${clusterId}" is unreachable: ${error.message}`, { field: 'clusterId' });
  }
  return error;
}

async function podOf(ctx: Ctx, env: DevEnvDto) {
  let kubeConfig;
  try {
    kubeConfig = (await ctx.services.clusterAccess.clientFor(env.clusterId)).kubeConfig;
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw new DomainError('precondition_failed', `cluster "${env.clusterId}" cannot be reached with its stored credentials`, { field: 'clusterId' });
  }
  const client = clusterClient(kubeConfig, { fieldManager: FIELD_MANAGER, timeoutMs: 10_000 });
  try {
    const pods = await client.list('v1', 'Pod', { namespace: env.namespace, labelSelector: devEnvSelector(env.name) });
    const live = pods.filter((p) => !p.metadata?.deletionTimestamp);
    const running = live.find((p) => (p as { status?: { phase?: string } }).status?.phase === 'Running') ?? live[0];
    if (!running) return null;
    const status = (running as { status?: any }).status ?? {};
    const container = (status.containerStatuses ?? []).find((c: any) => c.name === CONTAINER_NAME);
    return {
      clusterId: env.clusterId,
      namespace: env.namespace,
      pod: running.metadata!.name!,
      container: CONTAINER_NAME,
      phase: String(status.phase ?? 'Pending'),
      ready: Boolean(container?.state?.running),
      deployment: deploymentName(env.name),
    };
  } catch (error) {
    throw clusterRefusal(error, env.clusterId);
  }
}

const startInput = z.object({
  commandId,
  clusterId: dnsLabel,
  namespace: dnsLabel,
  name: dnsLabel,
  image: z.string().trim().min(1, 'is required').max(512, 'must be no more than 512 characters'),
  cpu: quantity,
  memory: quantity,
});

const actInput = z.object({ commandId, clusterId: dnsLabel, namespace: dnsLabel, name: dnsLabel });

/** Stop, resume, delete: the domain lets the owner or an operator of the namespace act. */
function act(type: 'StopDevEnv' | 'ResumeDevEnv' | 'DeleteDevEnv') {
  return namespaceProcedure('devenv:manage', 'clusterId', 'namespace')
    .input(actInput)
    .mutation(async ({ ctx, input }) => {
      const c = ctx as Ctx;
      // Someone else's environment the caller may not manage is not revealed.
      const env = await getDevEnv(c.services.db, input.clusterId, input.namespace, input.name);
      if (env && env.status !== 'deleted' && !mayManage(c, env)) throw notFound(input);
      const operator = authorize(c.user.access, 'devenv:manage', { kind: 'platform' }) || (c.target ? authorize(c.user.access, 'workloads:operate', c.target) : false);
      return runCommand(c, input.commandId, { type, clusterId: input.clusterId, namespace: input.namespace, name: input.name, by: c.user.id, operator });
    });
}

export const devEnvsRouter = router({
  /** My dev environments; a platform admin may ask for everyone's (`all`). */
  list: listProcedure('devenv:manage')
    .input(readYourWrites.extend({ all: z.boolean().optional(), clusterId: dnsLabel.optional(), namespace: dnsLabel.optional() }).optional())
    .query(async ({ ctx, input }) => {
      const c = ctx as Ctx;
      await caughtUp(c, input?.minPosition);
      const everyone = input?.all === true && authorize(c.user.access, 'devenv:manage', { kind: 'platform' });
      const rows = await listDevEnvs(c.services.db, {
        ownerId: everyone ? undefined : c.user.id,
        clusterId: input?.clusterId,
        namespace: input?.namespace,
      });
      return rows.map((row) => summary(c, row));
    }),

  get: namespaceProcedure('devenv:manage', 'clusterId', 'namespace')
    .input(key.extend(readYourWrites.shape))
    .query(async ({ ctx, input }) => {
      await caughtUp(ctx, input.minPosition);
      return summary(ctx as Ctx, await visibleDevEnv(ctx as Ctx, input));
    }),

  /** Namespaces where the caller may start an environment, with the quota each has left. */
  namespaces: listProcedure('devenv:manage').query(async ({ ctx }) => {
    const c = ctx as Ctx;
    const visible = c.visible!;
    const rows = (await listNamespaces(c.services.db)).filter((ns) => canSeeNamespace(visible, ns));
    const result = [];
    for (const ns of rows) result.push(await quotaOf(c, ns.clusterId, ns.name).catch(() => null));
    return result.filter((r) => r !== null);
  }),

  /** The quota of one namespace and what is left of it for a new environment. */
  quota: namespaceProcedure('devenv:manage', 'clusterId', 'namespace')
    .input(z.object({ clusterId: dnsLabel, namespace: dnsLabel }))
    .query(({ ctx, input }) => quotaOf(ctx as Ctx, input.clusterId, input.namespace)),

  start: namespaceProcedure('devenv:manage', 'clusterId', 'namespace')
    .input(startInput)
    .mutation(async ({ ctx, input }) => {
      const ns = await getNamespace(ctx.services.db, input.clusterId, input.namespace);
      if (!ns || ns.status === 'deleted') {
        throw new DomainError('not_found', `namespace: namespace "${input.namespace}" does not exist on cluster "${input.clusterId}"`, { field: 'namespace' });
      }
      return runCommand(ctx, input.commandId, {
        type: 'StartDevEnv',
        clusterId: input.clusterId,
        namespace: input.namespace,
        name: input.name,
        image: input.image,
        cpu: input.cpu,
        memory: input.memory,
        owner: ctx.user.id,
      });
    }),

  stop: act('StopDevEnv'),
  resume: act('ResumeDevEnv'),
  delete: act('DeleteDevEnv'),

  /** The environment's pod and container, for the terminal; null while there is none (stopped, or not yet created). */
  pod: namespaceProcedure('devenv:manage', 'clusterId', 'namespace')
    .input(key)
    .query(async ({ ctx, input }) => podOf(ctx as Ctx, await visibleDevEnv(ctx as Ctx, input))),
});
