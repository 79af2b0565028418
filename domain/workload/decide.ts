/**
 * Operations on workloads (工作负载): scale, autoscaler, image, restart, rollback, delete. Each is a
 * command decided here (pure: the live facts it rests on — current replicas, containers, revisions —
 * come in the command, read from the cluster by the caller) and an event on the workload's stream;
 * the API then applies it to the cluster and, when the cluster refuses, records
 * RecordWorkloadOperationFailed. Every refusal names the field at fault.
 */
import { DomainError, invalid } from '../errors';
import { streamIds } from '../streams';
import { stateOf, type CommandDecider } from '../decider';
import { validateDnsLabel } from '../names';
import { parseImageReference } from '../template/image';
import { WORKLOAD_KINDS, WORKLOAD_OPERATIONS, type WorkloadEvent, type WorkloadKind, type WorkloadOperation } from './events';
import { initialState, type WorkloadState } from './state';

export const MAX_REPLICAS = 1000;

export interface WorkloadRef {
  clusterId: string;
  namespace: string;
  kind: WorkloadKind;
  name: string;
}

export interface ScaleWorkload extends WorkloadRef {
  type: 'ScaleWorkload';
  replicas: number;
  /** spec.replicas as read from the cluster. */
  previousReplicas: number | null;
}
export interface SetWorkloadAutoscaler extends WorkloadRef {
  type: 'SetWorkloadAutoscaler';
  cpuTargetPercent: number;
  minReplicas: number;
  maxReplicas: number;
  /** The HPA to write: the one already targeting the workload, else one named after it. */
  hpaName: string;
}
export interface RemoveWorkloadAutoscaler extends WorkloadRef {
  type: 'RemoveWorkloadAutoscaler';
  /** The HPA targeting the workload, as found in the cluster (null: there is none). */
  hpaName: string | null;
}
export interface UpdateWorkloadImage extends WorkloadRef {
  type: 'UpdateWorkloadImage';
  container: string;
  image: string;
  /** The pod template's containers as read from the cluster. */
  containers: { name: string; image: string }[];
}
export interface RestartWorkload extends WorkloadRef {
  type: 'RestartWorkload';
  /** The command's time (the API's clock), written to the pod template's restartedAt annotation. */
  restartedAt: string;
}
export interface RollbackWorkload extends WorkloadRef {
  type: 'RollbackWorkload';
  toRevision: number;
  /** The revision running now, and every revision the cluster still keeps, as read from it. */
  currentRevision: number | null;
  revisions: { revision: number; images: Record<string, string> }[];
}
export interface DeleteWorkload extends WorkloadRef {
  type: 'DeleteWorkload';
}
export interface RecordWorkloadOperationFailed extends WorkloadRef {
  type: 'RecordWorkloadOperationFailed';
  operation: WorkloadOperation;
  failedCommandId: string;
  reason: string;
  httpStatus: number | null;
}

export type WorkloadCommand =
  | ScaleWorkload
  | SetWorkloadAutoscaler
  | RemoveWorkloadAutoscaler
  | UpdateWorkloadImage
  | RestartWorkload
  | RollbackWorkload
  | DeleteWorkload
  | RecordWorkloadOperationFailed;

/** Which kinds each operation applies to. */
export const OPERATION_KINDS: Record<WorkloadOperation, readonly WorkloadKind[]> = {
  ScaleWorkload: ['Deployment', 'StatefulSet'],
  SetWorkloadAutoscaler: ['Deployment', 'StatefulSet'],
  RemoveWorkloadAutoscaler: ['Deployment', 'StatefulSet'],
  UpdateWorkloadImage: ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob'],
  RestartWorkload: ['Deployment', 'StatefulSet', 'DaemonSet'],
  RollbackWorkload: ['Deployment', 'StatefulSet', 'DaemonSet'],
  DeleteWorkload: WORKLOAD_KINDS,
};

const OBJECT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function validateObjectName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw invalid(field, 'is required');
  if (value.length > 253) throw invalid(field, 'must be no more than 253 characters');
  if (!OBJECT_NAME.test(value)) throw invalid(field, `"${value}" must consist of lower case alphanumeric characters, '-' or '.', and start and end with an alphanumeric character`);
  return value;
}

function integerIn(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid(field, `must be a whole number from ${min} to ${max}`);
  if (value < min || value > max) throw invalid(field, `must be from ${min} to ${max}, got ${value}`);
  return value;
}

function checkRef(cmd: WorkloadRef): WorkloadRef {
  const clusterId = validateDnsLabel(cmd.clusterId, 'clusterId');
  const namespace = validateDnsLabel(cmd.namespace, 'namespace');
  if (!(WORKLOAD_KINDS as readonly string[]).includes(cmd.kind)) throw invalid('kind', `must be one of ${WORKLOAD_KINDS.join(', ')}`);
  const name = validateObjectName(cmd.name, 'name');
  return { clusterId, namespace, kind: cmd.kind, name };
}

function checkKind(operation: WorkloadOperation, kind: WorkloadKind): void {
  const kinds = OPERATION_KINDS[operation];
  if (!kinds.includes(kind)) throw invalid('kind', `a ${kind} cannot be ${verbs[operation]}; only ${kinds.join(', ')}`);
}

const verbs: Record<WorkloadOperation, string> = {
  ScaleWorkload: 'scaled',
  SetWorkloadAutoscaler: 'autoscaled',
  RemoveWorkloadAutoscaler: 'autoscaled',
  UpdateWorkloadImage: 'given a new image',
  RestartWorkload: 'restarted',
  RollbackWorkload: 'rolled back',
  DeleteWorkload: 'deleted',
};

/**
 * The checks that need no live facts (field ranges, image syntax): the API runs them before it reads
 * the cluster, so bad input is refused the same way whether or not the workload exists.
 */
export function checkWorkloadInput(cmd: WorkloadCommand): void {
  const ref = checkRef(cmd);
  if (cmd.type !== 'RecordWorkloadOperationFailed') checkKind(cmd.type, ref.kind);
  switch (cmd.type) {
    case 'ScaleWorkload':
      integerIn(cmd.replicas, 'replicas', 0, MAX_REPLICAS);
      return;
    case 'SetWorkloadAutoscaler': {
      integerIn(cmd.cpuTargetPercent, 'cpuTargetPercent', 1, 100);
      const min = integerIn(cmd.minReplicas, 'minReplicas', 1, MAX_REPLICAS);
      const max = integerIn(cmd.maxReplicas, 'maxReplicas', 1, MAX_REPLICAS);
      if (min > max) throw invalid('minReplicas', `must not be more than maxReplicas (${min} > ${max})`);
      return;
    }
    case 'UpdateWorkloadImage': {
      if (typeof cmd.container !== 'string' || cmd.container === '') throw invalid('container', 'is required');
      if (typeof cmd.image !== 'string') throw invalid('image', 'is required');
      const image = parseImageReference(cmd.image);
      if (!image.ok) throw invalid('image', image.reason);
      return;
    }
    case 'RollbackWorkload':
      integerIn(cmd.toRevision, 'toRevision', 1, Number.MAX_SAFE_INTEGER);
      return;
    case 'RecordWorkloadOperationFailed':
      if (!(WORKLOAD_OPERATIONS as readonly string[]).includes(cmd.operation)) throw invalid('operation', `must be one of ${WORKLOAD_OPERATIONS.join(', ')}`);
      if (typeof cmd.reason !== 'string' || cmd.reason.trim() === '') throw invalid('reason', 'is required');
      return;
    case 'RemoveWorkloadAutoscaler':
    case 'RestartWorkload':
    case 'DeleteWorkload':
      return;
  }
}

const describe = (ref: WorkloadRef) => `${ref.kind} ${ref.namespace}/${ref.name}`;

function decideOperation(cmd: WorkloadCommand, ref: WorkloadRef, _state: WorkloadState): WorkloadEvent {
  switch (cmd.type) {
    case 'ScaleWorkload':
      return { type: 'WorkloadScaled', data: { ...ref, replicas: cmd.replicas, previousReplicas: cmd.previousReplicas ?? null } };
    case 'SetWorkloadAutoscaler': {
      const hpaName = validateObjectName(cmd.hpaName, 'hpaName');
      const { cpuTargetPercent, minReplicas, maxReplicas } = cmd;
      return { type: 'WorkloadAutoscalerSet', data: { ...ref, hpaName, cpuTargetPercent, minReplicas, maxReplicas } };
    }
    case 'RemoveWorkloadAutoscaler':
      if (!cmd.hpaName) throw new DomainError('not_found', `name: ${describe(ref)} has no autoscaler`, { field: 'name' });
      return { type: 'WorkloadAutoscalerRemoved', data: { ...ref, hpaName: cmd.hpaName } };
    case 'UpdateWorkloadImage': {
      const container = (cmd.containers ?? []).find((c) => c.name === cmd.container);
      if (!container) {
        const names = (cmd.containers ?? []).map((c) => c.name);
        throw invalid('container', `${describe(ref)} has no container "${cmd.container}" (it has: ${names.join(', ') || 'none'})`);
      }
      return { type: 'WorkloadImageUpdated', data: { ...ref, container: cmd.container, image: cmd.image, previousImage: container.image ?? null } };
    }
    case 'RestartWorkload': {
      if (typeof cmd.restartedAt !== 'string' || Number.isNaN(Date.parse(cmd.restartedAt))) throw invalid('restartedAt', 'must be a time');
      return { type: 'WorkloadRestarted', data: { ...ref, restartedAt: new Date(cmd.restartedAt).toISOString() } };
    }
    case 'RollbackWorkload': {
      const target = (cmd.revisions ?? []).find((r) => r.revision === cmd.toRevision);
      if (!target) {
        const kept = (cmd.revisions ?? []).map((r) => r.revision).sort((a, b) => a - b);
        throw invalid('toRevision', `${describe(ref)} has no revision ${cmd.toRevision} (kept: ${kept.join(', ') || 'none'})`);
      }
      if (cmd.currentRevision === cmd.toRevision) throw invalid('toRevision', `revision ${cmd.toRevision} is the one running now`);
      return { type: 'WorkloadRolledBack', data: { ...ref, toRevision: cmd.toRevision, fromRevision: cmd.currentRevision ?? null, images: { ...target.images } } };
    }
    case 'DeleteWorkload':
      return { type: 'WorkloadDeleted', data: { ...ref } };
    case 'RecordWorkloadOperationFailed':
      return {
        type: 'WorkloadOperationFailed',
        data: { ...ref, operation: cmd.operation, failedCommandId: cmd.failedCommandId, reason: cmd.reason.slice(0, 2000), httpStatus: cmd.httpStatus ?? null },
      };
  }
}

export const workloadDecider: CommandDecider<WorkloadCommand, WorkloadEvent> = {
  streams: (cmd) => [streamIds.workload(cmd.clusterId, cmd.namespace, cmd.kind, cmd.name)],
  decide(cmd, states) {
    checkWorkloadInput(cmd);
    const ref = checkRef(cmd);
    const stream = streamIds.workload(ref.clusterId, ref.namespace, ref.kind, ref.name);
    const state = stateOf<WorkloadState>(states, stream, initialState);
    return { [stream]: [decideOperation(cmd, ref, state)] };
  },
};
