import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { openEventStore } from '../../eventstore';
import type { EventStore } from '../../eventstore/types';
import { createCommandHandler, type CommandHandler } from '../../commands/handler';
import { tenancyCommand, tenancyModel, isDomainError } from '../../commands/tenancy';
import type { CommandContext } from '../../commands/context';
import { foldStream } from '../../domain/commands';
import { readEvent } from '../../domain/events';
import { streamIds } from '../../domain/streams';
import { createTestDatabase } from '../support/postgres';

const GiB = 2 ** 30;

const ctx = (): CommandContext => ({
  actor: { kind: 'user', id: 'admin', name: 'admin' },
  commandId: randomUUID(),
  correlationId: randomUUID(),
  causationId: null,
  clientIp: '127.0.0.1',
  now: new Date(),
});

const backends: { name: string; open: () => Promise<{ stores: EventStore[]; close: () => Promise<void> }> }[] = [
  {
    name: 'PostgreSQL',
    async open() {
      const db = await createTestDatabase('bosun_concurrency');
      // Four stores = four "API processes", each with its own pool.
      const stores = [await openEventStore({ kind: 'postgres', url: db.url })];
      for (let i = 0; i < 3; i++) stores.push(await openEventStore({ kind: 'postgres', url: db.url, migrate: false }));
      return { stores, close: async () => { for (const s of stores) await s.close(); await db.drop(); } };
    },
  },
  {
    name: 'PGlite',
    async open() {
      const store = await openEventStore({ kind: 'pglite' });
      return { stores: [store], close: () => store.close() };
    },
  },
];

for (const backend of backends) {
  describe(`concurrent commands at the last free capacity (${backend.name})`, () => {
    let stores: EventStore[];
    let close: () => Promise<void>;
    let handlers: CommandHandler[];

    beforeAll(async () => {
      ({ stores, close } = await backend.open());
      // Separate handlers (separate state caches) over separate connections, like separate API processes.
      handlers = Array.from({ length: 8 }, (_, i) =>
        createCommandHandler({ store: stores[i % stores.length], model: tenancyModel, isDomainError }),
      );
      const h = handlers[0];
      await h(tenancyCommand('RegisterCluster'), {
        type: 'RegisterCluster',
        clusterId: 'c1',
        displayName: 'c1',
        server: 'https://c1.example:6443',
        contextName: 'c1',
        credentialRef: 'ref-1',
        credentialFingerprint: 'sha256:0000',
        inventory: { kubernetesVersion: 'v1.31.0', nodeCount: 2, allocatableCpuMillis: 10_000, allocatableMemoryBytes: 10 * GiB },
      }, ctx());
      for (let i = 0; i < 24; i++) {
        await h(tenancyCommand('CreateWorkspace'), {
          type: 'CreateWorkspace', workspaceId: `ws-${i}`, displayName: `ws-${i}`, description: '',
          ceilingCpuMillis: 100_000, ceilingMemoryBytes: 100 * GiB,
        }, ctx());
      }
    });

    afterAll(async () => close?.());

    it('never binds more than the cluster can give, and refuses the rest with the numbers', async () => {
      // 24 workspaces each ask for 1 core / 1 GiB of a cluster that has 10 of each.
      const outcomes = await Promise.allSettled(
        Array.from({ length: 24 }, (_, i) =>
          handlers[i % handlers.length](tenancyCommand('BindClusterResources'), {
            type: 'BindClusterResources', workspaceId: `ws-${i}`, clusterId: 'c1', cpuMillis: 1_000, memoryBytes: GiB,
          }, ctx()),
        ),
      );
      const accepted = outcomes.filter((o) => o.status === 'fulfilled');
      const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(accepted).toHaveLength(10);
      expect(refused).toHaveLength(14);
      for (const r of refused) {
        expect(r.reason.code).toBe('insufficient_capacity');
        expect(r.reason.message).toMatch(/cluster "c1" has 0 cores bindable left/);
      }
      const state = await replayCluster(stores[0], 'c1');
      expect(sumBindings(state)).toEqual({ cpuMillis: 10_000, memoryBytes: 10 * GiB });
    });

    it('never allocates more namespace quota than a binding has left, under mixed concurrent commands', async () => {
      const bound = [...(await replayCluster(stores[0], 'c1')).bindings.keys()];
      const ws = bound[0];
      // The binding of `ws` holds 1 core / 1 GiB: 30 namespaces of 100m/100Mi race for it,
      // while the binding is concurrently asked to shrink to 500m (allowed only if namespaces fit).
      const creates = Array.from({ length: 30 }, (_, i) =>
        handlers[i % handlers.length](tenancyCommand('CreateNamespace'), {
          type: 'CreateNamespace', clusterId: 'c1', workspaceId: ws, name: `ns-${i}`,
          quotaCpuMillis: 100, quotaMemoryBytes: 100 * 2 ** 20,
          defaults: { requestCpuMillis: 10, requestMemoryBytes: 2 ** 20, limitCpuMillis: 50, limitMemoryBytes: 2 ** 20 },
        }, ctx()),
      );
      const shrink = handlers[3](tenancyCommand('ChangeClusterBinding'), {
        type: 'ChangeClusterBinding', workspaceId: ws, clusterId: 'c1', cpuMillis: 500, memoryBytes: GiB,
      }, ctx());
      const outcomes = await Promise.allSettled([...creates, shrink]);
      const shrinkOutcome = outcomes[30];
      const acceptedCreates = outcomes.slice(0, 30).filter((o) => o.status === 'fulfilled').length;
      const limit = shrinkOutcome.status === 'fulfilled' ? 5 : 10;
      expect(acceptedCreates).toBeLessThanOrEqual(limit);
      expect(acceptedCreates).toBeGreaterThanOrEqual(5);
      for (const o of outcomes.slice(0, 30)) {
        if (o.status === 'rejected') expect(o.reason.message).toMatch(/left|binding/);
      }

      // Replaying every event from the store gives the same totals: nothing over-committed.
      const cluster = await replayCluster(stores[0], 'c1');
      const allocated = [...cluster.namespaces.values()].filter((n) => n.workspaceId === ws);
      expect(allocated).toHaveLength(acceptedCreates);
      const binding = cluster.bindings.get(ws)!;
      expect(allocated.reduce((s, n) => s + n.cpuMillis, 0)).toBeLessThanOrEqual(binding.cpuMillis);
      expect(sumBindings(cluster).cpuMillis).toBeLessThanOrEqual(10_000);
    });
  });
}

async function replayCluster(store: EventStore, clusterId: string): Promise<any> {
  const events = await store.readStream(streamIds.cluster(clusterId));
  return foldStream(
    streamIds.cluster(clusterId),
    events.map((e) => readEvent(e.type, e.data, e.metadata.schemaVersion)),
  );
}

function sumBindings(cluster: { bindings: Map<string, { cpuMillis: number; memoryBytes: number }> }) {
  let cpuMillis = 0;
  let memoryBytes = 0;
  for (const b of cluster.bindings.values()) {
    cpuMillis += b.cpuMillis;
    memoryBytes += b.memoryBytes;
  }
  return { cpuMillis, memoryBytes };
}
