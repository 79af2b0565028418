/** The pure row folds: given events, then rows. No database. */
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../eventstore/types';
import { evolveAllocation, evolveCluster } from '../../projections/clusters/handlers';
import { evolveNamespace } from '../../projections/namespaces/handlers';
import { evolveBinding, evolveBindingAllocation, evolveWorkspace, workspaceUpdates } from '../../projections/workspaces/handlers';
import { auditUpdates } from '../../projections/audit/handlers';

const GiB = 1024 ** 3;

function foldAll<R>(evolve: (row: R | undefined, e: StoredEvent) => R | null | undefined, events: StoredEvent[]): R | null | undefined {
  let row: R | null | undefined;
  for (const e of events) {
    const next = evolve(row ?? undefined, e);
    row = next === undefined ? row : next;
  }
  return row;
}

describe('clusters', () => {
  it('bindable is allocatable × ratio rounded down; bound sums the bindings', () => {
    const row = foldAll(evolveCluster, [
      event('ClusterRegistered', { clusterId: 'c', displayName: 'C', server: 's', contextName: 'x', credentialRef: 'r', credentialFingerprint: 'f', inventory: { kubernetesVersion: 'v1', nodeCount: 1, allocatableCpuMillis: 3333, allocatableMemoryBytes: 10 * GiB }, cpuRatio: 1, memoryRatio: 1 }),
      event('ClusterOvercommitSet', { clusterId: 'c', cpuRatio: 1.5, memoryRatio: 1.25 }),
      event('ClusterResourcesBound', { clusterId: 'c', workspaceId: 'a', cpuMillis: 1000, memoryBytes: GiB }),
      event('ClusterResourcesBound', { clusterId: 'c', workspaceId: 'b', cpuMillis: 2000, memoryBytes: 2 * GiB }),
      event('ClusterBindingChanged', { clusterId: 'c', workspaceId: 'a', cpuMillis: 500, memoryBytes: GiB }),
      event('ClusterBindingRemoved', { clusterId: 'c', workspaceId: 'b' }),
    ]);
    expect(row).toMatchObject({ bindable_cpu_millis: 4999, bindable_memory_bytes: 12.5 * GiB, bound_cpu_millis: 500, bound_memory_bytes: GiB, workspace_count: 1, status: 'registered' });
  });

  it('an event for a cluster never registered changes nothing', () => {
    expect(evolveCluster(undefined, event('ClusterOvercommitSet', { clusterId: 'c', cpuRatio: 2, memoryRatio: 2 }))).toBeUndefined();
    expect(evolveAllocation(undefined, event('ClusterNamespaceReleased', { clusterId: 'c', namespace: 'n', workspaceId: 'w' }))).toBeUndefined();
  });
});

describe('workspaces', () => {
  it('binding rows follow the bind events; each namespace quota is a row of its own', () => {
    const binding = foldAll(evolveBinding, [
      event('WorkspaceResourcesBound', { workspaceId: 'w', clusterId: 'c', cpuMillis: 8000, memoryBytes: 8 * GiB }),
      event('WorkspaceBindingChanged', { workspaceId: 'w', clusterId: 'c', cpuMillis: 9000, memoryBytes: 8 * GiB }),
    ]);
    expect(binding).toMatchObject({ cpu_millis: 9000, memory_bytes: 8 * GiB, bound: true, bound_at: expect.any(String) });
    expect(evolveBinding(binding!, event('WorkspaceBindingRemoved', { workspaceId: 'w', clusterId: 'c' }))).toBeNull();

    const a = foldAll(evolveBindingAllocation, [
      event('ClusterNamespaceAllocated', { clusterId: 'c', namespace: 'a', workspaceId: 'w', cpuMillis: 1000, memoryBytes: GiB }),
      event('ClusterNamespaceAllocationChanged', { clusterId: 'c', namespace: 'a', workspaceId: 'w', cpuMillis: 3000, memoryBytes: GiB }),
    ]);
    expect(a).toMatchObject({ cluster_id: 'c', namespace: 'a', workspace_id: 'w', cpu_millis: 3000, memory_bytes: GiB });
    expect(evolveBindingAllocation(a!, event('ClusterNamespaceReleased', { clusterId: 'c', namespace: 'a', workspaceId: 'w' }))).toBeNull();
    expect(evolveBindingAllocation(undefined, event('ClusterNamespaceReleased', { clusterId: 'c', namespace: 'a', workspaceId: 'w' }))).toBeUndefined();
  });

  it('an allocation event touches its own row only (no per-binding map to rewrite)', () => {
    const updates = workspaceUpdates(event('ClusterNamespaceAllocated', { clusterId: 'c', namespace: 'a', workspaceId: 'w', cpuMillis: 1, memoryBytes: 1 }));
    expect(updates.map((u) => [u.kind, u.table.name, u.kind === 'fold' ? u.key : null])).toEqual([['fold', 'workspace_binding_allocations', { cluster_id: 'c', namespace: 'a' }]]);
  });

  it('a deleted workspace keeps its row as a tombstone', () => {
    const row = foldAll(evolveWorkspace, [
      event('WorkspaceCreated', { workspaceId: 'w', displayName: 'W', description: '', ceilingCpuMillis: 1, ceilingMemoryBytes: 1 }),
      event('WorkspaceDeleted', { workspaceId: 'w' }),
    ]);
    expect(row).toMatchObject({ status: 'deleted', deleted_at: expect.any(String) });
  });
});

describe('namespaces', () => {
  const created = event('NamespaceCreated', { clusterId: 'c', name: 'n', workspaceId: 'w', quotaCpuMillis: 1000, quotaMemoryBytes: GiB, defaults: {}, generation: 1 });
  it('ready only when the outcome is about the latest generation', () => {
    const changed = event('NamespaceQuotaChanged', { clusterId: 'c', name: 'n', workspaceId: 'w', quotaCpuMillis: 2000, quotaMemoryBytes: GiB, defaults: {}, generation: 2 });
    expect(foldAll(evolveNamespace, [created, changed, event('NamespaceProvisioned', { clusterId: 'c', name: 'n', generation: 1 })])).toMatchObject({ status: 'pending', observed_generation: 1, generation: 2 });
    expect(foldAll(evolveNamespace, [created, changed, event('NamespaceProvisioned', { clusterId: 'c', name: 'n', generation: 2 })])).toMatchObject({ status: 'ready', observed_generation: 2 });
    expect(foldAll(evolveNamespace, [created, event('NamespaceProvisioningFailed', { clusterId: 'c', name: 'n', generation: 1, reason: 'boom' })])).toMatchObject({ status: 'failed', reason: 'boom' });
  });
});

describe('audit', () => {
  it('records a command from its first event\'s metadata.audit or from its command stream, and nothing for other events', () => {
    const audit = { command: { type: 'RemoveCluster', clusterId: 'c' }, module: 'clusters', target: { kind: 'cluster', id: 'c' }, eventIds: ['e1', 'e2'] };
    const first = event('ClusterRemoved', { clusterId: 'c', credentialRef: 'r' });
    first.metadata = { ...first.metadata, audit } as StoredEvent['metadata'];
    expect(auditUpdates(first)).toEqual([
      expect.objectContaining({ kind: 'insert', row: expect.objectContaining({ command_id: 'cmd', outcome: 'accepted', action: 'RemoveCluster', target_id: 'c', event_ids: ['e1', 'e2'], position: first.position }) }),
    ]);
    expect(auditUpdates(event('ClusterRemoved', { clusterId: 'c', credentialRef: 'r' }))).toEqual([]);
    // As earlier versions recorded every command, and as refusals still are.
    const accepted = { ...event('CommandAccepted', { command: { type: 'X' }, module: 'clusters', target: { kind: 'cluster', id: 'c' }, eventIds: ['e1'] }), streamId: 'command-1' };
    expect(auditUpdates(accepted)).toEqual([expect.objectContaining({ kind: 'insert', row: expect.objectContaining({ outcome: 'accepted', action: 'X', target_id: 'c', event_ids: ['e1'] }) })]);
    const rejected = { ...event('CommandRejected', { command: { type: 'X' }, module: 'clusters', target: { kind: 'cluster', id: 'c' }, code: 'conflict', message: 'no' }), streamId: 'command-2' };
    expect(auditUpdates(rejected)).toEqual([expect.objectContaining({ kind: 'insert', row: expect.objectContaining({ outcome: 'rejected', code: 'conflict', message: 'no', event_ids: [] }) })]);
  });
});

// ---------------------------------------------------------------- event factory

let position = 0;
function event(type: string, data: Record<string, unknown>): StoredEvent {
  position += 1;
  const at = new Date(Date.UTC(2026, 2, 1, 0, 0, position)).toISOString();
  return {
    id: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    type,
    data,
    metadata: { actor: { kind: 'user', id: 'u', name: 'u' }, commandId: 'cmd', correlationId: 'cmd', causationId: null, occurredAt: at, clientIp: null, schemaVersion: 1 },
    streamId: `x-${type}`,
    revision: 0,
    position,
    recordedAt: at,
  };
}
