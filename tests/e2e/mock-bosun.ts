/**
 * An in-memory stand-in for Bosun's API that follows the UI contract (tRPC at /trpc, session cookie,
 * SSE subscription) and serves ui/dist. It lets the UI be developed and looked at without the event
 * store, projections and reconcilers; the end-to-end test uses the real Bosun when it is available.
 *
 *   npx tsx tests/e2e/mock-bosun.ts        # http://127.0.0.1:5174, admin / admin
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initTRPC, TRPCError } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { z } from 'zod';
import { KubeconfigError, parseKubeconfig, resolveContext } from '../../kube/kubeconfig';

// ------------------------------------------------------------------ quantities

function parseCpu(q: string, field: string): number {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(q.trim());
  if (!m) throw fieldError(field, `"${q}" is not a CPU quantity (examples: 2, 0.5, 500m)`);
  return m[2] ? Number(m[1]) : Math.round(Number(m[1]) * 1000);
}
const MEM_UNITS: Record<string, number> = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
function parseMemory(q: string, field: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q.trim());
  if (!m) throw fieldError(field, `"${q}" is not a memory quantity (examples: 512Mi, 4Gi)`);
  return Math.round(Number(m[1]) * MEM_UNITS[m[2] ?? '']);
}
const cores = (m: number) => `${m / 1000} cores`;
const gib = (b: number) => `${(b / 2 ** 30).toFixed(2).replace(/\.?0+$/, '')} GiB`;

class FieldError extends TRPCError {
  constructor(
    readonly field: string | undefined,
    message: string,
    readonly domainCode = 'invalid',
    code: 'BAD_REQUEST' | 'CONFLICT' | 'NOT_FOUND' | 'FORBIDDEN' = 'BAD_REQUEST',
  ) {
    super({ code, message });
  }
}
const fieldError = (field: string | undefined, message: string, code?: string, http?: 'BAD_REQUEST' | 'CONFLICT' | 'NOT_FOUND') =>
  new FieldError(field, message, code, http);

// ------------------------------------------------------------------ state

interface Cluster {
  id: string;
  displayName: string;
  server: string;
  contextName: string;
  kubernetesVersion: string;
  nodeCount: number;
  allocatableCpuMillis: number;
  allocatableMemoryBytes: number;
  cpuRatio: number;
  memoryRatio: number;
  status: 'registered' | 'removed';
  registeredAt: string;
}
interface Binding { clusterId: string; cpuMillis: number; memoryBytes: number }
interface Workspace {
  id: string;
  displayName: string;
  description: string;
  ceilingCpuMillis: number;
  ceilingMemoryBytes: number;
  status: 'active' | 'deleted';
  createdAt: string;
  bindings: Binding[];
}
interface Namespace {
  clusterId: string;
  name: string;
  workspaceId: string;
  quotaCpuMillis: number;
  quotaMemoryBytes: number;
  defaults: { requestCpuMillis: number; requestMemoryBytes: number; limitCpuMillis: number; limitMemoryBytes: number };
  status: 'pending' | 'ready' | 'failed' | 'deleted';
  reason: string | null;
  createdAt: string;
  updatedAt: string;
}
interface AuditRecord {
  commandId: string;
  occurredAt: string;
  actor: { kind: 'user' | 'apiKey' | 'system'; id: string; name: string };
  clientIp: string;
  module: string;
  action: string;
  target: { kind: string; id: string };
  outcome: 'accepted' | 'rejected';
  code: string | null;
  message: string | null;
  command: Record<string, unknown>;
  events: { position: number; streamId: string; type: string; data: unknown; occurredAt: string }[];
}

export interface MockState {
  clusters: Map<string, Cluster>;
  workspaces: Map<string, Workspace>;
  namespaces: Namespace[];
  audit: AuditRecord[];
  position: number;
  sessions: Map<string, { id: string; name: string }>;
  listeners: Set<(p: number) => void>;
}

// ------------------------------------------------------------------ tRPC

interface Ctx {
  state: MockState;
  user: { id: string; name: string } | null;
  clientIp: string;
  setCookie(value: string): void;
}
const t = initTRPC.context<Ctx>().create({
  errorFormatter({ shape, error }) {
    const cause = error instanceof FieldError ? error : error.cause instanceof FieldError ? error.cause : null;
    return { ...shape, data: { ...shape.data, reason: cause?.domainCode ?? null, field: cause?.field ?? null } };
  },
});
const authed = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in first' });
  return next({ ctx: { ...ctx, user: ctx.user } });
});
const query = authed.input(z.object({ minPosition: z.number().optional() }).optional());

function record(
  ctx: Ctx & { user: { id: string; name: string } },
  commandId: string,
  module: string,
  action: string,
  target: { kind: string; id: string },
  command: Record<string, unknown>,
  run: () => { streamId: string; type: string; data: unknown }[],
): { position: number } {
  const existing = ctx.state.audit.find((a) => a.commandId === commandId);
  if (existing) return { position: existing.events.at(-1)?.position ?? ctx.state.position };
  const base = {
    commandId,
    occurredAt: new Date().toISOString(),
    actor: { kind: 'user' as const, id: ctx.user.id, name: ctx.user.name },
    clientIp: ctx.clientIp,
    module,
    action,
    target,
    command: { type: action, ...command },
  };
  try {
    const events = run().map((e) => ({ ...e, position: ++ctx.state.position, occurredAt: base.occurredAt }));
    ctx.state.audit.unshift({ ...base, outcome: 'accepted', code: null, message: null, events });
    bump(ctx.state);
    return { position: ctx.state.position };
  } catch (e) {
    if (e instanceof FieldError) {
      ctx.state.audit.unshift({ ...base, outcome: 'rejected', code: e.domainCode, message: e.message, events: [] });
      ctx.state.position++;
      bump(ctx.state);
    }
    throw e;
  }
}
function bump(state: MockState) {
  for (const l of state.listeners) l(state.position);
}

function clusterDto(state: MockState, c: Cluster) {
  const bound = [...state.workspaces.values()].flatMap((w) => (w.status === 'active' ? w.bindings : [])).filter((b) => b.clusterId === c.id);
  return {
    ...c,
    bindableCpuMillis: Math.floor(c.allocatableCpuMillis * c.cpuRatio),
    bindableMemoryBytes: Math.floor(c.allocatableMemoryBytes * c.memoryRatio),
    boundCpuMillis: bound.reduce((s, b) => s + b.cpuMillis, 0),
    boundMemoryBytes: bound.reduce((s, b) => s + b.memoryBytes, 0),
  };
}
function workspaceDto(w: Workspace) {
  const { bindings: _b, ...rest } = w;
  return {
    ...rest,
    boundCpuMillis: w.bindings.reduce((s, b) => s + b.cpuMillis, 0),
    boundMemoryBytes: w.bindings.reduce((s, b) => s + b.memoryBytes, 0),
  };
}
function getCluster(state: MockState, id: string) {
  const c = state.clusters.get(id);
  if (!c || c.status === 'removed') throw fieldError('clusterId', `cluster "${id}" does not exist`, 'not_found', 'NOT_FOUND');
  return c;
}
function getWorkspace(state: MockState, id: string) {
  const w = state.workspaces.get(id);
  if (!w || w.status === 'deleted') throw fieldError('workspaceId', `workspace "${id}" does not exist`, 'not_found', 'NOT_FOUND');
  return w;
}
const liveNamespaces = (s: MockState) => s.namespaces.filter((n) => n.status !== 'deleted');
const dns1123 = (v: string, field: string) => {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v))
    throw fieldError(field, `"${v}" must be a DNS-1123 label: lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters`);
};

function setBinding(state: MockState, input: { workspaceId: string; clusterId: string; cpu: string; memory: string }, change: boolean) {
  const w = getWorkspace(state, input.workspaceId);
  const c = getCluster(state, input.clusterId);
  const cpu = parseCpu(input.cpu, 'cpu');
  const memory = parseMemory(input.memory, 'memory');
  const existing = w.bindings.find((b) => b.clusterId === c.id);
  if (change && !existing) throw fieldError('clusterId', `workspace "${w.id}" has no binding on cluster "${c.id}"`);
  if (!change && existing) throw fieldError('clusterId', `workspace "${w.id}" is already bound to cluster "${c.id}"`, 'conflict', 'CONFLICT');
  const dto = clusterDto(state, c);
  const clusterLeft = dto.bindableCpuMillis - dto.boundCpuMillis + (existing?.cpuMillis ?? 0);
  if (cpu > clusterLeft)
    throw fieldError('cpu', `asks ${cores(cpu)} of CPU but cluster "${c.id}" has ${cores(clusterLeft)} left of ${cores(dto.bindableCpuMillis)} bindable`, 'insufficient', 'CONFLICT');
  const clusterMemLeft = dto.bindableMemoryBytes - dto.boundMemoryBytes + (existing?.memoryBytes ?? 0);
  if (memory > clusterMemLeft)
    throw fieldError('memory', `asks ${gib(memory)} of memory but cluster "${c.id}" has ${gib(clusterMemLeft)} left of ${gib(dto.bindableMemoryBytes)} bindable`, 'insufficient', 'CONFLICT');
  const wd = workspaceDto(w);
  const ceilingLeft = w.ceilingCpuMillis - wd.boundCpuMillis + (existing?.cpuMillis ?? 0);
  if (cpu > ceilingLeft) throw fieldError('cpu', `asks ${cores(cpu)} of CPU but workspace "${w.id}" has ${cores(ceilingLeft)} left under its ceiling of ${cores(w.ceilingCpuMillis)}`, 'insufficient', 'CONFLICT');
  const ceilingMemLeft = w.ceilingMemoryBytes - wd.boundMemoryBytes + (existing?.memoryBytes ?? 0);
  if (memory > ceilingMemLeft)
    throw fieldError('memory', `asks ${gib(memory)} of memory but workspace "${w.id}" has ${gib(ceilingMemLeft)} left under its ceiling of ${gib(w.ceilingMemoryBytes)}`, 'insufficient', 'CONFLICT');
  if (existing) {
    existing.cpuMillis = cpu;
    existing.memoryBytes = memory;
  } else w.bindings.push({ clusterId: c.id, cpuMillis: cpu, memoryBytes: memory });
  return [{ streamId: `cluster-${c.id}`, type: change ? 'ClusterBindingChanged' : 'ClusterResourcesBound', data: { workspaceId: w.id, cpuMillis: cpu, memoryBytes: memory } }];
}

const cmd = z.object({ commandId: z.string().min(1) });

export const mockRouter = t.router({
  auth: t.router({
    login: t.procedure.input(z.object({ username: z.string(), password: z.string() })).mutation(({ ctx, input }) => {
      if (input.username !== 'admin' || input.password !== (process.env.MOCK_ADMIN_PASSWORD ?? 'admin'))
        throw fieldError('password', 'wrong user name or password', 'unauthenticated', 'BAD_REQUEST');
      const sid = randomUUID();
      const user = { id: 'user-admin', name: 'admin' };
      ctx.state.sessions.set(sid, user);
      ctx.setCookie(`bosun_session=${sid}; HttpOnly; Path=/; SameSite=Lax`);
      return { user };
    }),
    logout: t.procedure.mutation(({ ctx }) => {
      ctx.setCookie('bosun_session=; HttpOnly; Path=/; Max-Age=0');
      return { ok: true };
    }),
    me: t.procedure.query(({ ctx }) => ({
      user: ctx.user ? { ...ctx.user, permissions: ['clusters:manage', 'workspaces:manage', 'audit:read'] } : null,
    })),
  }),
  clusters: t.router({
    list: query.query(({ ctx }) => [...ctx.state.clusters.values()].filter((c) => c.status === 'registered').map((c) => clusterDto(ctx.state, c))),
    get: authed.input(z.object({ id: z.string(), minPosition: z.number().optional() })).query(({ ctx, input }) => clusterDto(ctx.state, getCluster(ctx.state, input.id))),
    inspectKubeconfig: authed.input(z.object({ kubeconfig: z.string() })).mutation(({ input }) => {
      try {
        const parsed = parseKubeconfig(input.kubeconfig);
        return {
          contexts: parsed.contexts.map((c) => ({ name: c.name, server: resolveContext(input.kubeconfig, c.name).server })),
          currentContext: parsed.currentContext ?? null,
        };
      } catch (e) {
        if (e instanceof KubeconfigError) throw fieldError(`kubeconfig${e.field ? '.' + e.field : ''}`, e.message);
        throw e;
      }
    }),
    register: authed
      .input(cmd.extend({ name: z.string(), displayName: z.string().optional(), kubeconfig: z.string(), context: z.string().optional() }))
      .mutation(({ ctx, input }) =>
        record(ctx, input.commandId, 'clusters', 'RegisterCluster', { kind: 'cluster', id: input.name }, { name: input.name, context: input.context, credentialsRef: 'secret://…' }, () => {
          dns1123(input.name, 'name');
          if (ctx.state.clusters.get(input.name)?.status === 'registered') throw fieldError('name', `cluster "${input.name}" already exists`, 'conflict', 'CONFLICT');
          let resolved;
          try {
            resolved = resolveContext(input.kubeconfig, input.context);
          } catch (e) {
            if (e instanceof KubeconfigError) throw fieldError(`kubeconfig${e.field ? '.' + e.field : ''}`, e.message);
            throw e;
          }
          const c: Cluster = {
            id: input.name,
            displayName: input.displayName || input.name,
            server: resolved.server,
            contextName: resolved.contextName,
            kubernetesVersion: 'v1.31.0',
            nodeCount: 3,
            allocatableCpuMillis: 24000,
            allocatableMemoryBytes: 96 * 2 ** 30,
            cpuRatio: 1,
            memoryRatio: 1,
            status: 'registered',
            registeredAt: new Date().toISOString(),
          };
          ctx.state.clusters.set(c.id, c);
          return [{ streamId: `cluster-${c.id}`, type: 'ClusterRegistered', data: { ...c } }];
        }),
      ),
    setOvercommit: authed.input(cmd.extend({ clusterId: z.string(), cpuRatio: z.number(), memoryRatio: z.number() })).mutation(({ ctx, input }) =>
      record(ctx, input.commandId, 'clusters', 'SetOvercommit', { kind: 'cluster', id: input.clusterId }, { cpuRatio: input.cpuRatio, memoryRatio: input.memoryRatio }, () => {
        const c = getCluster(ctx.state, input.clusterId);
        if (input.cpuRatio < 1 || input.cpuRatio > 10) throw fieldError('cpuRatio', 'the CPU over-commit ratio must be between 1 and 10');
        if (input.memoryRatio < 1 || input.memoryRatio > 10) throw fieldError('memoryRatio', 'the memory over-commit ratio must be between 1 and 10');
        const dto = clusterDto(ctx.state, c);
        if (dto.boundCpuMillis > c.allocatableCpuMillis * input.cpuRatio)
          throw fieldError('cpuRatio', `workspaces hold ${cores(dto.boundCpuMillis)}, more than ${cores(c.allocatableCpuMillis * input.cpuRatio)} at ratio ${input.cpuRatio}`, 'insufficient', 'CONFLICT');
        c.cpuRatio = input.cpuRatio;
        c.memoryRatio = input.memoryRatio;
        return [{ streamId: `cluster-${c.id}`, type: 'ClusterOvercommitSet', data: { cpuRatio: c.cpuRatio, memoryRatio: c.memoryRatio } }];
      }),
    ),
    refresh: authed.input(cmd.extend({ clusterId: z.string() })).mutation(({ ctx, input }) =>
      record(ctx, input.commandId, 'clusters', 'RefreshInventory', { kind: 'cluster', id: input.clusterId }, {}, () => {
        const c = getCluster(ctx.state, input.clusterId);
        return [{ streamId: `cluster-${c.id}`, type: 'ClusterInventoryRefreshed', data: { nodeCount: c.nodeCount } }];
      }),
    ),
    remove: authed.input(cmd.extend({ clusterId: z.string() })).mutation(({ ctx, input }) =>
      record(ctx, input.commandId, 'clusters', 'RemoveCluster', { kind: 'cluster', id: input.clusterId }, {}, () => {
        const c = getCluster(ctx.state, input.clusterId);
        const users = [...ctx.state.workspaces.values()].filter((w) => w.status === 'active' && w.bindings.some((b) => b.clusterId === c.id));
        if (users.length) throw fieldError('clusterId', `cluster "${c.id}" is still bound to workspaces: ${users.map((w) => w.id).join(', ')}`, 'in_use', 'CONFLICT');
        c.status = 'removed';
        return [{ streamId: `cluster-${c.id}`, type: 'ClusterRemoved', data: {} }];
      }),
    ),
  }),
  workspaces: t.router({
    list: query.query(({ ctx }) => [...ctx.state.workspaces.values()].filter((w) => w.status === 'active').map(workspaceDto)),
    get: authed.input(z.object({ id: z.string(), minPosition: z.number().optional() })).query(({ ctx, input }) => {
      const w = getWorkspace(ctx.state, input.id);
      return {
        ...workspaceDto(w),
        bindings: w.bindings.map((b) => {
          const ns = liveNamespaces(ctx.state).filter((n) => n.workspaceId === w.id && n.clusterId === b.clusterId);
          return { ...b, allocatedCpuMillis: ns.reduce((s, n) => s + n.quotaCpuMillis, 0), allocatedMemoryBytes: ns.reduce((s, n) => s + n.quotaMemoryBytes, 0) };
        }),
      };
    }),
    create: authed
      .input(cmd.extend({ name: z.string(), displayName: z.string().optional(), description: z.string().optional(), ceilingCpu: z.string(), ceilingMemory: z.string() }))
      .mutation(({ ctx, input }) =>
        record(ctx, input.commandId, 'workspaces', 'CreateWorkspace', { kind: 'workspace', id: input.name }, { ...input, commandId: undefined }, () => {
          dns1123(input.name, 'name');
          if (ctx.state.workspaces.get(input.name)?.status === 'active') throw fieldError('name', `workspace "${input.name}" already exists`, 'conflict', 'CONFLICT');
          const w: Workspace = {
            id: input.name,
            displayName: input.displayName || input.name,
            description: input.description ?? '',
            ceilingCpuMillis: parseCpu(input.ceilingCpu, 'ceilingCpu'),
            ceilingMemoryBytes: parseMemory(input.ceilingMemory, 'ceilingMemory'),
            status: 'active',
            createdAt: new Date().toISOString(),
            bindings: [],
          };
          ctx.state.workspaces.set(w.id, w);
          return [{ streamId: `workspace-${w.id}`, type: 'WorkspaceCreated', data: workspaceDto(w) }];
        }),
      ),
    changeCeiling: authed.input(cmd.extend({ workspaceId: z.string(), ceilingCpu: z.string(), ceilingMemory: z.string() })).mutation(({ ctx, input }) =>
      record(ctx, input.commandId, 'workspaces', 'ChangeCeiling', { kind: 'workspace', id: input.workspaceId }, { ceilingCpu: input.ceilingCpu, ceilingMemory: input.ceilingMemory }, () => {
        const w = getWorkspace(ctx.state, input.workspaceId);
        const cpu = parseCpu(input.ceilingCpu, 'ceilingCpu');
        const mem = parseMemory(input.ceilingMemory, 'ceilingMemory');
        const d = workspaceDto(w);
        if (cpu < d.boundCpuMillis) throw fieldError('ceilingCpu', `bindings hold ${cores(d.boundCpuMillis)}, more than the new ceiling ${cores(cpu)}`, 'insufficient', 'CONFLICT');
        if (mem < d.boundMemoryBytes) throw fieldError('ceilingMemory', `bindings hold ${gib(d.boundMemoryBytes)}, more than the new ceiling ${gib(mem)}`, 'insufficient', 'CONFLICT');
        w.ceilingCpuMillis = cpu;
        w.ceilingMemoryBytes = mem;
        return [{ streamId: `workspace-${w.id}`, type: 'WorkspaceCeilingChanged', data: { cpu, mem } }];
      }),
    ),
    delete: authed.input(cmd.extend({ workspaceId: z.string() })).mutation(({ ctx, input }) =>
      record(ctx, input.commandId, 'workspaces', 'DeleteWorkspace', { kind: 'workspace', id: input.workspaceId }, {}, () => {
        const w = getWorkspace(ctx.state, input.workspaceId);
        if (w.bindings.length) throw fieldError('workspaceId', `workspace "${w.id}" still has cluster bindings`, 'in_use', 'CONFLICT');
        w.status = 'deleted';
        return [{ streamId: `workspace-${w.id}`, type: 'WorkspaceDeleted', data: {} }];
      }),
    ),
    bind: authed.input(cmd.extend({ workspaceId: z.string(), clusterId: z.string(), cpu: z.string(), memory: z.string() })).mutation(({ ctx, input }) =>
      record(ctx, input.commandId, 'workspaces', 'BindClusterResources', { kind: 'binding', id: `${input.workspaceId}/${input.clusterId}` }, { clusterId: input.clusterId, cpu: input.cpu, memory: input.memory }, () =>
        setBinding(ctx.state, input, false),
      ),
    ),
    changeBinding: authed.input(cmd.extend({ workspaceId: z.string(), clusterId: z.string(), cpu: z.string(), memory: z.string() })).mutation(({ ctx, input }) =>
      record(ctx, input.commandId, 'workspaces', 'ChangeBinding', { kind: 'binding', id: `${input.workspaceId}/${input.clusterId}` }, { clusterId: input.clusterId, cpu: input.cpu, memory: input.memory }, () =>
        setBinding(ctx.state, input, true),
      ),
    ),
    unbind: authed.input(cmd.extend({ workspaceId: z.string(), clusterId: z.string() })).mutation(({ ctx, input }) =>
      record(ctx, input.commandId, 'workspaces', 'UnbindClusterResources', { kind: 'binding', id: `${input.workspaceId}/${input.clusterId}` }, { clusterId: input.clusterId }, () => {
        const w = getWorkspace(ctx.state, input.workspaceId);
        if (liveNamespaces(ctx.state).some((n) => n.workspaceId === w.id && n.clusterId === input.clusterId))
          throw fieldError('clusterId', 'namespaces still use this binding; delete them first', 'in_use', 'CONFLICT');
        w.bindings = w.bindings.filter((b) => b.clusterId !== input.clusterId);
        return [{ streamId: `cluster-${input.clusterId}`, type: 'ClusterResourcesUnbound', data: { workspaceId: w.id } }];
      }),
    ),
  }),
  namespaces: t.router({
    list: authed
      .input(z.object({ workspaceId: z.string().optional(), clusterId: z.string().optional(), minPosition: z.number().optional() }).optional())
      .query(({ ctx, input }) =>
        liveNamespaces(ctx.state).filter((n) => (!input?.workspaceId || n.workspaceId === input.workspaceId) && (!input?.clusterId || n.clusterId === input.clusterId)),
      ),
    create: authed
      .input(
        cmd.extend({
          clusterId: z.string(),
          workspaceId: z.string(),
          name: z.string(),
          quotaCpu: z.string(),
          quotaMemory: z.string(),
          defaultRequestCpu: z.string(),
          defaultRequestMemory: z.string(),
          defaultLimitCpu: z.string(),
          defaultLimitMemory: z.string(),
        }),
      )
      .mutation(({ ctx, input }) =>
        record(ctx, input.commandId, 'namespaces', 'CreateNamespace', { kind: 'namespace', id: `${input.clusterId}/${input.name}` }, { ...input, commandId: undefined }, () => {
          dns1123(input.name, 'name');
          const w = getWorkspace(ctx.state, input.workspaceId);
          const b = w.bindings.find((x) => x.clusterId === input.clusterId);
          if (!b) throw fieldError('clusterId', `workspace "${w.id}" has no binding on cluster "${input.clusterId}"`);
          if (liveNamespaces(ctx.state).some((n) => n.clusterId === input.clusterId && n.name === input.name))
            throw fieldError('name', `namespace "${input.name}" already exists on cluster "${input.clusterId}"`, 'conflict', 'CONFLICT');
          const cpu = parseCpu(input.quotaCpu, 'quotaCpu');
          const mem = parseMemory(input.quotaMemory, 'quotaMemory');
          const used = liveNamespaces(ctx.state).filter((n) => n.workspaceId === w.id && n.clusterId === b.clusterId);
          const usedCpu = used.reduce((s, n) => s + n.quotaCpuMillis, 0);
          if (usedCpu + cpu > b.cpuMillis)
            throw fieldError('quotaCpu', `asks ${cores(cpu)} but the binding has ${cores(b.cpuMillis - usedCpu)} left of ${cores(b.cpuMillis)}`, 'insufficient', 'CONFLICT');
          const now = new Date().toISOString();
          const n: Namespace = {
            clusterId: input.clusterId,
            name: input.name,
            workspaceId: w.id,
            quotaCpuMillis: cpu,
            quotaMemoryBytes: mem,
            defaults: {
              requestCpuMillis: parseCpu(input.defaultRequestCpu, 'defaultRequestCpu'),
              requestMemoryBytes: parseMemory(input.defaultRequestMemory, 'defaultRequestMemory'),
              limitCpuMillis: parseCpu(input.defaultLimitCpu, 'defaultLimitCpu'),
              limitMemoryBytes: parseMemory(input.defaultLimitMemory, 'defaultLimitMemory'),
            },
            status: 'pending',
            reason: null,
            createdAt: now,
            updatedAt: now,
          };
          ctx.state.namespaces.push(n);
          setTimeout(() => {
            n.status = 'ready';
            n.updatedAt = new Date().toISOString();
            ctx.state.position++;
            bump(ctx.state);
          }, 2500);
          return [{ streamId: `namespace-${n.clusterId}-${n.name}`, type: 'NamespaceCreated', data: { ...n } }];
        }),
      ),
    changeQuota: authed.input(cmd.extend({ clusterId: z.string(), name: z.string(), quotaCpu: z.string(), quotaMemory: z.string() })).mutation(({ ctx, input }) =>
      record(ctx, input.commandId, 'namespaces', 'ChangeQuota', { kind: 'namespace', id: `${input.clusterId}/${input.name}` }, { quotaCpu: input.quotaCpu, quotaMemory: input.quotaMemory }, () => {
        const n = liveNamespaces(ctx.state).find((x) => x.clusterId === input.clusterId && x.name === input.name);
        if (!n) throw fieldError('name', 'no such namespace', 'not_found', 'NOT_FOUND');
        n.quotaCpuMillis = parseCpu(input.quotaCpu, 'quotaCpu');
        n.quotaMemoryBytes = parseMemory(input.quotaMemory, 'quotaMemory');
        return [{ streamId: `namespace-${n.clusterId}-${n.name}`, type: 'NamespaceQuotaChanged', data: { cpu: n.quotaCpuMillis } }];
      }),
    ),
    delete: authed.input(cmd.extend({ clusterId: z.string(), name: z.string() })).mutation(({ ctx, input }) =>
      record(ctx, input.commandId, 'namespaces', 'DeleteNamespace', { kind: 'namespace', id: `${input.clusterId}/${input.name}` }, {}, () => {
        const n = liveNamespaces(ctx.state).find((x) => x.clusterId === input.clusterId && x.name === input.name);
        if (!n) throw fieldError('name', 'no such namespace', 'not_found', 'NOT_FOUND');
        n.status = 'deleted';
        return [{ streamId: `namespace-${n.clusterId}-${n.name}`, type: 'NamespaceDeleted', data: {} }];
      }),
    ),
  }),
  audit: t.router({
    list: authed
      .input(
        z
          .object({
            from: z.string().optional(),
            to: z.string().optional(),
            module: z.string().optional(),
            user: z.string().optional(),
            outcome: z.enum(['accepted', 'rejected']).optional(),
            target: z.string().optional(),
            cursor: z.string().optional(),
            limit: z.number().optional(),
          })
          .optional(),
      )
      .query(({ ctx, input }) => {
        const all = ctx.state.audit.filter(
          (a) =>
            (!input?.from || a.occurredAt >= input.from) &&
            (!input?.to || a.occurredAt <= input.to) &&
            (!input?.module || a.module === input.module) &&
            (!input?.user || a.actor.name.includes(input.user)) &&
            (!input?.outcome || a.outcome === input.outcome) &&
            (!input?.target || a.target.id.includes(input.target)),
        );
        const start = input?.cursor ? Number(input.cursor) : 0;
        const limit = input?.limit ?? 50;
        const items = all.slice(start, start + limit).map(({ command: _c, events: _e, ...rest }) => rest);
        return { items, nextCursor: start + limit < all.length ? String(start + limit) : null };
      }),
    get: authed.input(z.object({ commandId: z.string() })).query(({ ctx, input }) => {
      const a = ctx.state.audit.find((x) => x.commandId === input.commandId);
      if (!a) throw fieldError('commandId', 'no such audit record', 'not_found', 'NOT_FOUND');
      return a;
    }),
  }),
  live: t.router({
    changes: authed.subscription(async function* ({ ctx, signal }) {
      const queue: number[] = [];
      let wake: (() => void) | null = null;
      const listener = (p: number) => {
        queue.push(p);
        wake?.();
      };
      ctx.state.listeners.add(listener);
      try {
        while (!signal?.aborted) {
          if (!queue.length) await new Promise<void>((r) => ((wake = r), signal?.addEventListener('abort', () => r(), { once: true })));
          wake = null;
          const p = queue.splice(0).at(-1);
          if (p !== undefined) yield { position: p };
        }
      } finally {
        ctx.state.listeners.delete(listener);
      }
    }),
  }),
});
export type MockRouter = typeof mockRouter;
export type AppRouter = MockRouter;

// ------------------------------------------------------------------ server

const MIME: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

export async function startMockBosun(opts: { port?: number } = {}): Promise<{ url: string; stop(): Promise<void>; state: MockState }> {
  const state: MockState = { clusters: new Map(), workspaces: new Map(), namespaces: [], audit: [], position: 0, sessions: new Map(), listeners: new Set() };
  const dist = fileURLToPath(new URL('../../ui/dist/', import.meta.url));
  const trpc = createHTTPHandler({
    router: mockRouter,
    basePath: '/trpc/',
    createContext: ({ req, res }) => {
      const sid = /bosun_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
      return {
        state,
        user: (sid && state.sessions.get(sid)) || null,
        clientIp: req.socket.remoteAddress ?? '',
        setCookie: (v: string) => res.setHeader('set-cookie', v),
      };
    },
  });
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/trpc/')) return trpc(req, res);
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0])).replace(/^(\.\.[/\\])+/, '');
    const file = join(dist, path === '/' ? 'index.html' : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(200, { 'content-type': MIME['.html'] }).end(await readFile(join(dist, 'index.html')));
    }
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    stop: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { url } = await startMockBosun({ port: Number(process.env.PORT ?? 5174) });
  console.log(`mock bosun at ${url} (admin / admin)`);
}
