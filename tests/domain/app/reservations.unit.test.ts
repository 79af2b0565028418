/** Namespace reservations: what is left of the quota, and a quota that may not shrink below them. */
import { describe, expect, it } from 'vitest';
import { quotaRemaining, reservedTotal } from '../../../domain/namespace/reservations';
import type { NamespaceEvent } from '../../../domain/namespace/events';
import type { LiveNamespace } from '../../../domain/namespace/state';
import { streamIds } from '../../../domain/streams';
import { fold, given, GiB, MiB } from '../spec';

const ns = streamIds.namespace('prod', 'web');
const created: NamespaceEvent = {
  type: 'NamespaceCreated',
  data: {
    clusterId: 'prod',
    name: 'web',
    workspaceId: 'team-a',
    quotaCpuMillis: 2000,
    quotaMemoryBytes: 4 * GiB,
    defaults: { requestCpuMillis: 100, requestMemoryBytes: 64 * MiB, limitCpuMillis: 200, limitMemoryBytes: 128 * MiB },
    generation: 1,
  },
};
const reserve = (holder: string, cpu: number, memory: number): NamespaceEvent => ({
  type: 'NamespaceResourcesReserved',
  data: { clusterId: 'prod', name: 'web', holder, requests: { cpuMillis: cpu / 2, memoryBytes: memory / 2 }, limits: { cpuMillis: cpu, memoryBytes: memory } },
});
const release = (holder: string): NamespaceEvent => ({ type: 'NamespaceResourcesReleased', data: { clusterId: 'prod', name: 'web', holder } });

describe('namespace reservations', () => {
  it('a new reservation of a holder replaces its old one; a release removes it', () => {
    const state = fold(ns, [created, reserve('app:a', 1000, GiB), reserve('devenv:b', 400, GiB), reserve('app:a', 600, GiB)]) as LiveNamespace;
    expect(reservedTotal(state).limits).toEqual({ cpuMillis: 1000, memoryBytes: 2 * GiB });
    expect(quotaRemaining(state)).toEqual({
      namespace: 'web',
      requests: { cpuMillis: 1500, memoryBytes: 3 * GiB },
      limits: { cpuMillis: 1000, memoryBytes: 2 * GiB },
    });
    expect(quotaRemaining(state, 'app:a').limits).toEqual({ cpuMillis: 1600, memoryBytes: 3 * GiB });
    const released = fold(ns, [created, reserve('app:a', 1000, GiB), release('app:a')]) as LiveNamespace;
    expect(released.reservations).toEqual({});
  });

  it('survive a quota change', () => {
    const state = fold(ns, [created, reserve('app:a', 1000, GiB), { type: 'NamespaceQuotaChanged', data: { ...created.data, quotaCpuMillis: 3000, generation: 2 } as any }]) as LiveNamespace;
    expect(Object.keys(state.reservations)).toEqual(['app:a']);
  });

  it('refuses a quota below what is reserved, with the numbers and holders', () => {
    given({ [ns]: [created, reserve('app:a', 1000, GiB), reserve('devenv:b', 500, GiB)] })
      .when({ type: 'ChangeNamespaceQuota', clusterId: 'prod', name: 'web', quotaCpuMillis: 1000, quotaMemoryBytes: 4 * GiB })
      .thenError('conflict', 'quotaCpuMillis: a cpu quota of 1 core is below the 1.5 cores reserved in namespace "web" by app:a, devenv:b');
    given({ [ns]: [created, reserve('app:a', 1000, 3 * GiB)] })
      .when({ type: 'ChangeNamespaceQuota', clusterId: 'prod', name: 'web', quotaCpuMillis: 2000, quotaMemoryBytes: 2 * GiB })
      .thenError('conflict', 'quotaMemoryBytes: a memory quota of 2Gi is below the 3Gi reserved in namespace "web" by app:a');
  });
});
