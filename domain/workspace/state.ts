/** The workspace stream is the consistency boundary for the ceiling: sum of its bindings ≤ ceiling. */
import type { Resources } from '../quantity';
import type { WorkspaceEvent } from './events';

export interface ActiveWorkspace {
  status: 'active';
  workspaceId: string;
  displayName: string;
  description: string;
  ceiling: Resources;
  /** Bound resources by cluster id. */
  bindings: ReadonlyMap<string, Resources>;
}

export interface DeletedWorkspace {
  status: 'deleted';
  workspaceId: string;
}

export type WorkspaceState = { status: 'absent' } | ActiveWorkspace | DeletedWorkspace;

export const initialState: WorkspaceState = { status: 'absent' };

/** Events that do not apply to the current state leave it unchanged (decide never emits them). */
export function evolve(state: WorkspaceState, event: WorkspaceEvent): WorkspaceState {
  switch (event.type) {
    case 'WorkspaceCreated': {
      const d = event.data;
      return {
        status: 'active',
        workspaceId: d.workspaceId,
        displayName: d.displayName,
        description: d.description,
        ceiling: { cpuMillis: d.ceilingCpuMillis, memoryBytes: d.ceilingMemoryBytes },
        bindings: new Map(),
      };
    }
    case 'WorkspaceDeleted':
      return { status: 'deleted', workspaceId: event.data.workspaceId };
    default:
      break;
  }
  if (state.status !== 'active') return state;
  switch (event.type) {
    case 'WorkspaceCeilingChanged':
      return { ...state, ceiling: { cpuMillis: event.data.ceilingCpuMillis, memoryBytes: event.data.ceilingMemoryBytes } };
    case 'WorkspaceResourcesBound':
    case 'WorkspaceBindingChanged': {
      const bindings = new Map(state.bindings);
      bindings.set(event.data.clusterId, { cpuMillis: event.data.cpuMillis, memoryBytes: event.data.memoryBytes });
      return { ...state, bindings };
    }
    case 'WorkspaceBindingRemoved': {
      const bindings = new Map(state.bindings);
      bindings.delete(event.data.clusterId);
      return { ...state, bindings };
    }
    default:
      return state;
  }
}
