import type { ConfigEvent, SecretSummary } from './events';

/**
 * What Bosun last asked of one object and how the cluster answered. The object may also exist
 * without Bosun having applied it (created with kubectl or by an application), so this state is a
 * history, not the truth about the cluster: lists are read live.
 */
export type ConfigState =
  | { status: 'absent'; applied: number }
  | { status: 'applied' | 'deleted'; applied: number; outcome: 'ok' | 'failed'; secret?: SecretSummary; reason?: string };

export const initialState: ConfigState = { status: 'absent', applied: 0 };

export function evolve(state: ConfigState, event: ConfigEvent): ConfigState {
  switch (event.type) {
    case 'ConfigObjectApplied':
      return { status: 'applied', applied: state.applied + 1, outcome: 'ok', ...(event.data.secret ? { secret: event.data.secret } : {}) };
    case 'ConfigObjectDeleted':
      return { status: 'deleted', applied: state.applied, outcome: 'ok' };
    case 'ConfigObjectApplyFailed':
    case 'ConfigObjectDeleteFailed':
      if (state.status === 'absent') return state;
      return { ...state, outcome: 'failed', reason: event.data.reason };
  }
}
