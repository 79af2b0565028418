import type { WorkloadEvent } from './events';

/**
 * What a workload's stream knows. The workload itself lives in the cluster (it may be created and
 * deleted there without Bosun), so the stream only counts what was asked of it and what failed;
 * decisions rest on the observed facts each command carries.
 */
export interface WorkloadState {
  /** Always 'tracked': the stream has no lifecycle of its own (every aggregate state has a status). */
  status: 'tracked';
  operations: number;
  failures: number;
  /** The last HPA Bosun set for it, if any (cleared when removed). */
  autoscaler: { hpaName: string; cpuTargetPercent: number; minReplicas: number; maxReplicas: number } | null;
}

export const initialState: WorkloadState = { status: 'tracked', operations: 0, failures: 0, autoscaler: null };

export function evolve(state: WorkloadState, event: WorkloadEvent): WorkloadState {
  switch (event.type) {
    case 'WorkloadOperationFailed':
      return { ...state, failures: state.failures + 1 };
    case 'WorkloadAutoscalerSet': {
      const { hpaName, cpuTargetPercent, minReplicas, maxReplicas } = event.data;
      return { ...state, operations: state.operations + 1, autoscaler: { hpaName, cpuTargetPercent, minReplicas, maxReplicas } };
    }
    case 'WorkloadAutoscalerRemoved':
    case 'WorkloadDeleted':
      return { ...state, operations: state.operations + 1, autoscaler: null };
    case 'WorkloadScaled':
    case 'WorkloadImageUpdated':
    case 'WorkloadRestarted':
    case 'WorkloadRolledBack':
      return { ...state, operations: state.operations + 1 };
  }
}
