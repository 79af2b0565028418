/**
 * Pure handlers of the namespaces read model. Status follows the generations: a change of the
 * desired state makes the namespace pending until an outcome for that generation arrives; an
 * outcome about an older generation is history and moves nothing but observed_generation.
 */
import type { StoredEvent } from '../../eventstore/types';
import { fold, type RowUpdate } from '../rows';
import { namespacesTable, type NamespaceRow } from './tables';

export const namespaceEventTypes = [
  'NamespaceCreated',
  'NamespaceQuotaChanged',
  'NamespaceProvisioned',
  'NamespaceProvisioningFailed',
  'NamespaceDeleted',
] as const;

function spec(d: any): Record<string, unknown> {
  const { clusterId: _c, name: _n, generation: _g, ...rest } = d;
  return rest;
}

export function evolveNamespace(current: NamespaceRow | undefined, event: StoredEvent): NamespaceRow | undefined {
  const d = event.data as any;
  const at = event.metadata.occurredAt;
  switch (event.type) {
    case 'NamespaceCreated':
      // A namespace re-created after deletion continues its stream and starts from a clean row.
      return {
        cluster_id: d.clusterId,
        name: d.name,
        workspace_id: d.workspaceId,
        quota_cpu_millis: d.quotaCpuMillis,
        quota_memory_bytes: d.quotaMemoryBytes,
        quota: { cpuMillis: d.quotaCpuMillis, memoryBytes: d.quotaMemoryBytes },
        defaults: d.defaults,
        spec: spec(d),
        status: 'pending',
        reason: null,
        generation: d.generation,
        observed_generation: 0,
        created_at: at,
        updated_at: at,
        provisioned_at: null,
        deleted_at: null,
        position: event.position,
      };
    case 'NamespaceQuotaChanged':
      if (!current) return current;
      return {
        ...current,
        workspace_id: d.workspaceId ?? current.workspace_id,
        quota_cpu_millis: d.quotaCpuMillis,
        quota_memory_bytes: d.quotaMemoryBytes,
        quota: { cpuMillis: d.quotaCpuMillis, memoryBytes: d.quotaMemoryBytes },
        defaults: d.defaults ?? current.defaults,
        spec: spec(d),
        generation: d.generation,
        status: current.status === 'deleted' ? 'deleted' : 'pending',
        reason: null,
        updated_at: at,
      };
    case 'NamespaceProvisioned':
    case 'NamespaceProvisioningFailed': {
      if (!current) return current;
      const observed = Math.max(current.observed_generation, d.generation);
      const latest = d.generation >= current.generation && current.status !== 'deleted';
      if (!latest) return { ...current, observed_generation: observed };
      return event.type === 'NamespaceProvisioned'
        ? { ...current, observed_generation: observed, status: 'ready', reason: null, provisioned_at: at, updated_at: at }
        : { ...current, observed_generation: observed, status: 'failed', reason: d.reason, updated_at: at };
    }
    case 'NamespaceDeleted':
      if (!current) return current;
      return { ...current, status: 'deleted', reason: null, deleted_at: at, updated_at: at };
    default:
      return current;
  }
}

export function namespaceUpdates(event: StoredEvent): RowUpdate[] {
  const d = event.data as { clusterId?: string; name?: string };
  if (!d.clusterId || !d.name) return [];
  return [fold(namespacesTable, { cluster_id: d.clusterId, name: d.name }, (current) => evolveNamespace(current, event))];
}
