/**
 * A dev environment's life: starting → running (the reconciler saw its pod Running) or failed;
 * stopped (0 replicas) and resumed; deleted. `generation` survives deletion, so a re-created
 * environment continues counting and old outcomes stay recognisable.
 */
import type { DevEnvEvent } from './events';

export interface DevEnvSpec {
  clusterId: string;
  namespace: string;
  name: string;
  workspaceId: string;
  image: string;
  cpuMillis: number;
  memoryBytes: number;
  owner: string;
  generation: number;
  /** What the owner asked for: a running container, or none (0 replicas) while keeping the environment. */
  desired: 'running' | 'stopped';
}

export type LiveDevEnv =
  | (DevEnvSpec & { status: 'starting'; reason: null })
  | (DevEnvSpec & { status: 'running'; reason: null })
  | (DevEnvSpec & { status: 'stopped'; reason: null })
  | (DevEnvSpec & { status: 'failed'; reason: string });

export type DevEnvState = { status: 'absent'; generation: number } | LiveDevEnv | { status: 'deleted'; generation: number };

export const initialState: DevEnvState = { status: 'absent', generation: 0 };

export function isLive(state: DevEnvState): state is LiveDevEnv {
  return state.status !== 'absent' && state.status !== 'deleted';
}

/** The status a dev environment has once its desired state is reached on the cluster. */
export function reachedStatus(desired: DevEnvSpec['desired']): 'running' | 'stopped' {
  return desired === 'running' ? 'running' : 'stopped';
}

/** Events that do not apply to the current state leave it unchanged (decide never emits them). */
export function evolve(state: DevEnvState, event: DevEnvEvent): DevEnvState {
  switch (event.type) {
    case 'DevEnvStarted': {
      const d = event.data;
      return { ...d, desired: 'running', status: 'starting', reason: null };
    }
    case 'DevEnvStopped':
      if (!isLive(state)) return state;
      return { ...state, desired: 'stopped', status: 'stopped', reason: null, generation: event.data.generation };
    case 'DevEnvResumed':
      if (!isLive(state)) return state;
      return { ...state, desired: 'running', status: 'starting', reason: null, generation: event.data.generation };
    case 'DevEnvReconciled':
      // The desired state was reached: a Running pod, or none at all while stopped.
      if (!isLive(state) || state.generation !== event.data.generation) return state;
      return { ...state, status: reachedStatus(state.desired), reason: null };
    case 'DevEnvFailed':
      if (!isLive(state) || state.generation !== event.data.generation) return state;
      return { ...state, status: 'failed', reason: event.data.reason };
    case 'DevEnvDeleted':
      return { status: 'deleted', generation: state.generation };
  }
}
