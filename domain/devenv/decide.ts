/**
 * Dev environments (开发环境): a developer starts one container from an image in a namespace, with
 * CPU/memory requests = limits, stops (0 replicas), resumes and deletes it.
 *
 * Start and delete are decided together with the namespace stream: starting reserves the
 * environment's requests/limits on it (holder `devenv:<name>`) and is refused, with the numbers,
 * when the namespace quota has not that much left; deleting releases the reservation. So concurrent
 * starts (and app generates) can never over-commit a namespace. Outcomes, reported by the
 * reconciler, touch only the dev environment's stream.
 */
import { DomainError, invalid } from '../errors';
import { validateDnsLabel } from '../names';
import { describeCpu, formatMemory, parseCpu, parseMemory, resourceKinds, showValue, type Resources } from '../quantity';
import { streamIds } from '../streams';
import { assertNever, type CommandDecider, type Decision, stateOf, type StreamStates } from '../decider';
import type { NamespaceEvent } from '../namespace/events';
import { initialState as namespaceInitial, isLive as namespaceIsLive, type LiveNamespace, type NamespaceState } from '../namespace/state';
import { devenvHolder, quotaRemaining } from '../namespace/reservations';
import { checkQuota } from '../template/resources';
import { parseImageReference } from '../template/image';
import type { DevEnvEvent } from './events';
import { initialState, isLive, reachedStatus, type DevEnvState, type LiveDevEnv } from './state';

interface DevEnvKey {
  clusterId: string;
  namespace: string;
  name: string;
}

export interface StartDevEnv extends DevEnvKey {
  type: 'StartDevEnv';
  image: string;
  /** Kubernetes quantities (`500m`, `1`; `512Mi`, `1Gi`): requests and limits alike. */
  cpu: string | number;
  memory: string | number;
  /** The caller's user id: the environment's owner. */
  owner: string;
}

/** What the owner (or an operator of the namespace) does to an environment. */
interface ActOnDevEnv extends DevEnvKey {
  /** The caller's user id. */
  by: string;
  /** The caller holds workloads:operate on the namespace, so may act on anyone's environment. */
  operator: boolean;
}

export interface StopDevEnv extends ActOnDevEnv {
  type: 'StopDevEnv';
}
export interface ResumeDevEnv extends ActOnDevEnv {
  type: 'ResumeDevEnv';
}
export interface DeleteDevEnv extends ActOnDevEnv {
  type: 'DeleteDevEnv';
}

/** Issued by the reconciler (system actor): the desired state of `generation` was reached. */
export interface RecordDevEnvReady extends DevEnvKey {
  type: 'RecordDevEnvReady';
  generation: number;
}

/** Issued by the reconciler (system actor): applying failed, or the pod cannot run. */
export interface RecordDevEnvFailed extends DevEnvKey {
  type: 'RecordDevEnvFailed';
  generation: number;
  reason: string;
}

export type DevEnvCommand = StartDevEnv | StopDevEnv | ResumeDevEnv | DeleteDevEnv | RecordDevEnvReady | RecordDevEnvFailed;

/** A dev environment's name becomes its Deployment's name (`devenv-<name>`) and a label value. */
export const MAX_DEVENV_NAME_LENGTH = 40;
export const MAX_REASON_LENGTH = 1000;
/** The most one environment may ask for; the namespace quota is the real limit. */
const MAX_CPU_MILLIS = 64_000;
const MAX_MEMORY_BYTES = 256 * 2 ** 30;

export function devEnvStreamId(clusterId: string, namespace: string, name: string): string {
  return streamIds.devenv(clusterId, namespace, name);
}

export function validateDevEnvName(value: unknown, field = 'name'): string {
  const name = validateDnsLabel(value, field);
  if (name.length > MAX_DEVENV_NAME_LENGTH) throw invalid(field, `must be no more than ${MAX_DEVENV_NAME_LENGTH} characters`);
  return name;
}

export function validateImage(value: unknown, field = 'image'): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(field, 'Required value: the container image, e.g. ubuntu:24.04');
  const checked = parseImageReference(value.trim());
  if (!checked.ok) throw invalid(field, `Invalid value: ${JSON.stringify(value)}: ${checked.reason}`);
  return value.trim();
}

/** The environment's CPU and memory (requests = limits), positive and bounded. */
export function validateSize(cpu: unknown, memory: unknown): Resources {
  const parse = (value: unknown, field: 'cpu' | 'memory'): number => {
    if (value === undefined || value === null || value === '') throw invalid(field, 'Required value');
    if (typeof value !== 'string' && typeof value !== 'number') throw invalid(field, `expected a quantity, got ${showValue(value)}`);
    return field === 'cpu' ? parseCpu(value, field) : parseMemory(value, field);
  };
  const cpuMillis = parse(cpu, 'cpu');
  const memoryBytes = parse(memory, 'memory');
  if (cpuMillis === 0) throw invalid('cpu', 'must be greater than 0');
  if (memoryBytes === 0) throw invalid('memory', 'must be greater than 0');
  if (cpuMillis > MAX_CPU_MILLIS) throw invalid('cpu', `must be no more than ${describeCpu(MAX_CPU_MILLIS)}`);
  if (memoryBytes > MAX_MEMORY_BYTES) throw invalid('memory', `must be no more than ${formatMemory(MAX_MEMORY_BYTES)}`);
  return { cpuMillis, memoryBytes };
}

function validateReason(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid('reason', 'Required value');
  const chars = [...value];
  return chars.length > MAX_REASON_LENGTH ? `${chars.slice(0, MAX_REASON_LENGTH - 1).join('')}…` : value;
}

function validateGeneration(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw invalid('generation', `must be a positive integer, got ${showValue(value)}`);
  }
  return value;
}

function liveNamespace(state: NamespaceState, clusterId: string, namespace: string): LiveNamespace {
  if (!namespaceIsLive(state)) {
    throw new DomainError('not_found', `namespace: namespace "${namespace}" does not exist on cluster "${clusterId}"`, {
      field: 'namespace',
      details: { clusterId, namespace },
    });
  }
  return state;
}

function liveDevEnv(state: DevEnvState, key: DevEnvKey): LiveDevEnv {
  if (!isLive(state)) {
    throw new DomainError('not_found', `name: dev environment "${key.name}" does not exist in namespace "${key.namespace}"`, {
      field: 'name',
      details: { ...key },
    });
  }
  return state;
}

/** Only the owner, or someone who operates the namespace's workloads, acts on an environment. */
function mayAct(env: LiveDevEnv, cmd: ActOnDevEnv): void {
  if (env.owner === cmd.by || cmd.operator === true) return;
  throw new DomainError(
    'forbidden',
    `name: dev environment "${env.name}" belongs to "${env.owner}"; only its owner or someone with workloads:operate on namespace "${env.namespace}" may change it`,
    { field: 'name', details: { owner: env.owner } },
  );
}

/**
 * The quota refusal of checkQuota, worded for a dev environment: its requests equal its limits, so
 * each resource short is named once, by its input field (cpu, memory), with the numbers.
 */
function checkRoom(ns: LiveNamespace, holder: string, size: Resources): void {
  try {
    checkQuota({ requests: size, limits: size }, quotaRemaining(ns, holder));
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== 'insufficient_capacity') throw error;
    const shortages = (error.details?.shortages ?? []) as Array<{ resource: string; requested: number; available: number }>;
    const byResource = new Map<string, { requested: number; available: number }>();
    for (const s of shortages) {
      const seen = byResource.get(s.resource);
      if (!seen || s.available < seen.available) byResource.set(s.resource, s);
    }
    const messages = [...byResource].map(([resource, s]) => {
      const kind = resourceKinds.find((k) => k.label === resource)!;
      return `${resource}: the dev environment needs ${kind.describe(s.requested)} but namespace "${ns.name}" has ${kind.describe(s.available)} left in its quota`;
    });
    const [field] = byResource.keys();
    throw new DomainError('insufficient_capacity', messages.length > 0 ? messages.join('; ') : error.message, {
      field: field ?? 'cpu',
      details: { ...error.details, namespace: ns.name },
    });
  }
}

type Outcome = Decision<DevEnvEvent | NamespaceEvent>;

function start(cmd: StartDevEnv, stream: string, state: DevEnvState, states: StreamStates): Outcome {
  const image = validateImage(cmd.image);
  const size = validateSize(cmd.cpu, cmd.memory);
  if (typeof cmd.owner !== 'string' || cmd.owner === '') throw invalid('owner', 'Required value');
  const nsStream = streamIds.namespace(cmd.clusterId, cmd.namespace);
  const ns = liveNamespace(stateOf<NamespaceState>(states, nsStream, namespaceInitial), cmd.clusterId, cmd.namespace);
  if (isLive(state)) {
    throw new DomainError('already_exists', `name: dev environment "${cmd.name}" already exists in namespace "${cmd.namespace}" (owner "${state.owner}")`, {
      field: 'name',
      details: { owner: state.owner },
    });
  }
  const holder = devenvHolder(cmd.name);
  checkRoom(ns, holder, size);
  const { clusterId, namespace, name } = cmd;
  return {
    [stream]: [
      {
        type: 'DevEnvStarted',
        data: { clusterId, namespace, name, workspaceId: ns.workspaceId, image, ...size, owner: cmd.owner, generation: state.generation + 1 },
      },
    ],
    [nsStream]: [{ type: 'NamespaceResourcesReserved', data: { clusterId, name: namespace, holder, requests: size, limits: size } }],
  };
}

export const devEnvDecider: CommandDecider<DevEnvCommand, DevEnvEvent | NamespaceEvent> = {
  streams(cmd) {
    const own = devEnvStreamId(cmd.clusterId, cmd.namespace, cmd.name);
    // Start and delete change the namespace's reservations; the rest is the environment's own.
    return cmd.type === 'StartDevEnv' || cmd.type === 'DeleteDevEnv' ? [own, streamIds.namespace(cmd.clusterId, cmd.namespace)] : [own];
  },
  decide(cmd, states) {
    const clusterId = validateDnsLabel(cmd.clusterId, 'clusterId');
    const namespace = validateDnsLabel(cmd.namespace, 'namespace');
    const name = validateDevEnvName(cmd.name);
    const key = { clusterId, namespace, name };
    const stream = devEnvStreamId(clusterId, namespace, name);
    const state = stateOf<DevEnvState>(states, stream, initialState);
    switch (cmd.type) {
      case 'StartDevEnv':
        return start({ ...cmd, ...key }, stream, state, states);
      case 'StopDevEnv': {
        const env = liveDevEnv(state, key);
        mayAct(env, cmd);
        if (env.desired === 'stopped') return {};
        return { [stream]: [{ type: 'DevEnvStopped', data: { ...key, generation: env.generation + 1 } }] };
      }
      case 'ResumeDevEnv': {
        const env = liveDevEnv(state, key);
        mayAct(env, cmd);
        // Resuming a running (or starting) environment changes nothing; a failed one is tried again.
        if (env.desired === 'running' && env.status !== 'failed') return {};
        return { [stream]: [{ type: 'DevEnvResumed', data: { ...key, generation: env.generation + 1 } }] };
      }
      case 'DeleteDevEnv': {
        const env = liveDevEnv(state, key);
        mayAct(env, cmd);
        const nsStream = streamIds.namespace(clusterId, namespace);
        const ns = stateOf<NamespaceState>(states, nsStream, namespaceInitial);
        const events: Outcome = {
          [stream]: [{ type: 'DevEnvDeleted', data: { ...key, workspaceId: env.workspaceId, owner: env.owner } }],
        };
        // A deleted namespace took its reservations with it.
        if (namespaceIsLive(ns)) {
          events[nsStream] = [{ type: 'NamespaceResourcesReleased', data: { clusterId, name: namespace, holder: devenvHolder(name) } }];
        }
        return events;
      }
      case 'RecordDevEnvReady': {
        const generation = validateGeneration(cmd.generation);
        // An environment deleted or changed meanwhile has no use for this outcome.
        if (!isLive(state) || state.generation !== generation) return {};
        if (state.status === reachedStatus(state.desired)) return {};
        return { [stream]: [{ type: 'DevEnvReconciled', data: { ...key, generation } }] };
      }
      case 'RecordDevEnvFailed': {
        const generation = validateGeneration(cmd.generation);
        const reason = validateReason(cmd.reason);
        if (!isLive(state) || state.generation !== generation) return {};
        if (state.status === 'failed' && state.reason === reason) return {};
        return { [stream]: [{ type: 'DevEnvFailed', data: { ...key, generation, reason } }] };
      }
      default:
        return assertNever(cmd);
    }
  },
};
