/** Pure handlers of the dev environments read model: one row per environment, its status as the events tell it. */
import type { StoredEvent } from '../../eventstore/types';
import { fold, type RowUpdate } from '../rows';
import { devEnvsTable, type DevEnvRow } from './tables';

export const devEnvEventTypes = ['DevEnvStarted', 'DevEnvStopped', 'DevEnvResumed', 'DevEnvReconciled', 'DevEnvFailed', 'DevEnvDeleted'] as const;

export const devEnvId = (clusterId: string, namespace: string, name: string) => `${clusterId}.${namespace}.${name}`;

interface Key {
  clusterId: string;
  namespace: string;
  name: string;
  generation?: number;
}

/** Changes an existing, not deleted row; an outcome of another generation changes nothing. */
function change(event: StoredEvent, next: (current: DevEnvRow) => Partial<DevEnvRow> | null): RowUpdate {
  const d = event.data as unknown as Key;
  return fold(devEnvsTable, { id: devEnvId(d.clusterId, d.namespace, d.name) }, (current) => {
    if (!current || current.status === 'deleted') return current;
    const changed = next(current);
    if (changed === null) return current;
    return { ...current, ...changed, updated_at: event.metadata.occurredAt, position: event.position };
  });
}

export function devEnvUpdates(event: StoredEvent): RowUpdate[] {
  const d = event.data as any;
  const at = event.metadata.occurredAt;
  switch (event.type) {
    case 'DevEnvStarted':
      return [
        fold(devEnvsTable, { id: devEnvId(d.clusterId, d.namespace, d.name) }, () => ({
          id: devEnvId(d.clusterId, d.namespace, d.name),
          cluster_id: d.clusterId,
          namespace: d.namespace,
          workspace_id: d.workspaceId,
          name: d.name,
          owner_id: d.owner,
          image: d.image,
          cpu_millis: d.cpuMillis,
          memory_bytes: d.memoryBytes,
          desired: 'running' as const,
          status: 'starting' as const,
          status_reason: null,
          generation: d.generation,
          created_at: at,
          updated_at: at,
          position: event.position,
        })),
      ];
    case 'DevEnvStopped':
      return [change(event, () => ({ desired: 'stopped', status: 'stopped', status_reason: null, generation: d.generation }))];
    case 'DevEnvResumed':
      return [change(event, () => ({ desired: 'running', status: 'starting', status_reason: null, generation: d.generation }))];
    case 'DevEnvReconciled':
      return [change(event, (row) => (row.generation !== d.generation ? null : { status: row.desired === 'running' ? 'running' : 'stopped', status_reason: null }))];
    case 'DevEnvFailed':
      return [change(event, (row) => (row.generation !== d.generation ? null : { status: 'failed', status_reason: d.reason }))];
    case 'DevEnvDeleted':
      return [change(event, () => ({ status: 'deleted', status_reason: null }))];
    default:
      return [];
  }
}
