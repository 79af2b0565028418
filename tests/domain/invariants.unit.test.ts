/**
 * Random command sequences against an in-memory event log: whatever the deciders accept, the
 * tenancy invariants hold after every decision (cluster bindings ≤ bindable capacity, workspace
 * bindings ≤ ceiling, namespace quotas ≤ their binding, and the two views of each binding and
 * allocation agree).
 */
import { describe, expect, it } from 'vitest';
import { bindableCapacity } from '../../domain/cluster/capacity';
import type { ClusterState } from '../../domain/cluster/state';
import { type AggregateState, type Command, decide, foldStream, streamsFor } from '../../domain/commands';
import { DomainError } from '../../domain/errors';
import type { DomainEvent } from '../../domain/events';
import type { NamespaceState } from '../../domain/namespace/state';
import { sumResources } from '../../domain/quantity';
import { streamIds } from '../../domain/streams';
import type { WorkspaceState } from '../../domain/workspace/state';
import { GiB } from './spec';

const clusters = ['c1', 'c2'];
const workspaces = ['w1', 'w2', 'w3'];
const names = ['n1', 'n2', 'n3', 'n4'];

function random(seed: number) {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  return {
    int: (max: number) => Math.floor(next() * max),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
  };
}

function randomCommand(r: ReturnType<typeof random>): Command {
  const clusterId = r.pick(clusters);
  const workspaceId = r.pick(workspaces);
  const name = r.pick(names);
  const cpu = () => r.int(9) * 1000;
  const mem = () => r.int(9) * GiB;
  const quota = { quotaCpuMillis: r.int(5) * 500 + 500, quotaMemoryBytes: (r.int(4) + 1) * GiB };
  const defaults = { requestCpuMillis: 100, requestMemoryBytes: GiB / 4, limitCpuMillis: 500, limitMemoryBytes: GiB / 2 };
  const inventory = { kubernetesVersion: 'v1.31.2', nodeCount: 3, allocatableCpuMillis: 8000, allocatableMemoryBytes: 16 * GiB };
  const commands: Command[] = [
    { type: 'RegisterCluster', clusterId, displayName: clusterId, server: 'https://k.example.com', contextName: 'x', credentialRef: 'r', credentialFingerprint: 'f', inventory },
    { type: 'SetClusterOvercommit', clusterId, cpuRatio: r.pick([1, 1.25, 1.5, 2]), memoryRatio: r.pick([1, 1.5]) },
    { type: 'RemoveCluster', clusterId },
    { type: 'CreateWorkspace', workspaceId, displayName: workspaceId, description: '', ceilingCpuMillis: cpu() * 2, ceilingMemoryBytes: mem() * 2 },
    { type: 'ChangeWorkspaceCeiling', workspaceId, ceilingCpuMillis: cpu() * 2, ceilingMemoryBytes: mem() * 2 },
    { type: 'DeleteWorkspace', workspaceId },
    { type: 'BindClusterResources', workspaceId, clusterId, cpuMillis: cpu(), memoryBytes: mem() },
    { type: 'ChangeClusterBinding', workspaceId, clusterId, cpuMillis: cpu(), memoryBytes: mem() },
    { type: 'RemoveClusterBinding', workspaceId, clusterId },
    { type: 'CreateNamespace', clusterId, name, workspaceId, ...quota, defaults },
    { type: 'ChangeNamespaceQuota', clusterId, name, ...quota },
    { type: 'DeleteNamespace', clusterId, name },
  ];
  return r.pick(commands);
}

function checkInvariants(log: Map<string, DomainEvent[]>): void {
  const state = <S extends AggregateState>(id: string) => foldStream(id, log.get(id) ?? []) as S;
  for (const clusterId of clusters) {
    const cluster = state<ClusterState>(streamIds.cluster(clusterId));
    if (cluster.status !== 'registered') continue;
    const bound = sumResources(cluster.bindings.values());
    const bindable = bindableCapacity(cluster);
    expect(bound.cpuMillis).toBeLessThanOrEqual(bindable.cpuMillis);
    expect(bound.memoryBytes).toBeLessThanOrEqual(bindable.memoryBytes);
    for (const [workspaceId, binding] of cluster.bindings) {
      const ws = state<WorkspaceState>(streamIds.workspace(workspaceId));
      expect(ws.status).toBe('active');
      if (ws.status === 'active') expect(ws.bindings.get(clusterId)).toEqual(binding);
      const held = sumResources([...cluster.namespaces.values()].filter((a) => a.workspaceId === workspaceId));
      expect(held.cpuMillis).toBeLessThanOrEqual(binding.cpuMillis);
      expect(held.memoryBytes).toBeLessThanOrEqual(binding.memoryBytes);
    }
    for (const [name, allocation] of cluster.namespaces) {
      expect(cluster.bindings.has(allocation.workspaceId)).toBe(true);
      const ns = state<NamespaceState>(streamIds.namespace(clusterId, name));
      expect(ns).toMatchObject({ workspaceId: allocation.workspaceId, quota: { cpuMillis: allocation.cpuMillis, memoryBytes: allocation.memoryBytes } });
      expect(['pending', 'ready', 'failed']).toContain(ns.status);
    }
    for (const name of names) {
      const ns = state<NamespaceState>(streamIds.namespace(clusterId, name));
      if (ns.status === 'pending') expect(cluster.namespaces.has(name)).toBe(true);
    }
  }
  for (const workspaceId of workspaces) {
    const ws = state<WorkspaceState>(streamIds.workspace(workspaceId));
    if (ws.status !== 'active') continue;
    const bound = sumResources(ws.bindings.values());
    expect(bound.cpuMillis).toBeLessThanOrEqual(ws.ceiling.cpuMillis);
    expect(bound.memoryBytes).toBeLessThanOrEqual(ws.ceiling.memoryBytes);
  }
}

describe('tenancy invariants under random command sequences', () => {
  it.each([1, 2, 3, 4, 5])('hold after every accepted command (seed %i)', (seed) => {
    const r = random(seed);
    const log = new Map<string, DomainEvent[]>();
    let accepted = 0;
    for (let step = 0; step < 1500; step++) {
      const cmd = randomCommand(r);
      const states = Object.fromEntries(streamsFor(cmd).map((id) => [id, foldStream(id, log.get(id) ?? [])]));
      let decision: Record<string, DomainEvent[]>;
      try {
        decision = decide(cmd, states);
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        continue;
      }
      for (const [id, events] of Object.entries(decision)) log.set(id, [...(log.get(id) ?? []), ...events]);
      if (Object.keys(decision).length > 0) accepted++;
      checkInvariants(log);
    }
    expect(accepted).toBeGreaterThan(100);
  });
});
