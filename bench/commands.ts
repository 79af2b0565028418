/**
 * Commands through the real command handler: create-namespace commands (two streams, a namespace and
 * its cluster, plus the audit record), each caller in its own workspace on its own cluster.
 */
import { randomUUID } from 'node:crypto';
import type { EventStore } from '../eventstore/types';
import { createCommandHandler, type CommandHandler } from '../commands/handler';
import { tenancyCommand, tenancyModel, isDomainError } from '../commands/tenancy';
import type { CommandContext } from '../commands/context';
import { ProjectionRunner, allProjections } from '../projections';
import type { OpenedDatabase } from '../db/connect';

const GiB = 2 ** 30;

const context = (): CommandContext => ({
  actor: { kind: 'user', id: 'bench', name: 'bench' },
  commandId: randomUUID(),
  correlationId: randomUUID(),
  causationId: null,
  clientIp: '127.0.0.1',
  now: new Date(),
});

/** One cluster and one bound workspace per caller, big enough for any number of namespaces. */
export async function prepareTenancy(handle: CommandHandler, callers: number, tag: string): Promise<void> {
  for (let c = 0; c < callers; c++) {
    const clusterId = `bench-${tag}-c${c}`;
    const workspaceId = `bench-${tag}-w${c}`;
    await handle(tenancyCommand('RegisterCluster'), {
      type: 'RegisterCluster', clusterId, displayName: clusterId, server: 'https://bench.invalid:6443', contextName: 'bench',
      credentialRef: randomUUID(), credentialFingerprint: 'sha256:bench',
      inventory: { kubernetesVersion: 'v1.31.0', nodeCount: 1000, allocatableCpuMillis: 1e9, allocatableMemoryBytes: 1e6 * GiB },
    }, context());
    await handle(tenancyCommand('CreateWorkspace'), {
      type: 'CreateWorkspace', workspaceId, displayName: workspaceId, description: '', ceilingCpuMillis: 1e9, ceilingMemoryBytes: 1e6 * GiB,
    }, context());
    await handle(tenancyCommand('BindClusterResources'), {
      type: 'BindClusterResources', workspaceId, clusterId, cpuMillis: 1e9, memoryBytes: 1e6 * GiB,
    }, context());
  }
}

const createNamespace = (tag: string, caller: number, i: number) =>
  ({
    type: 'CreateNamespace',
    clusterId: `bench-${tag}-c${caller}`,
    workspaceId: `bench-${tag}-w${caller}`,
    name: `ns-${i}`,
    quotaCpuMillis: 500,
    quotaMemoryBytes: GiB,
    defaults: { requestCpuMillis: 100, requestMemoryBytes: 128 * 2 ** 20, limitCpuMillis: 500, limitMemoryBytes: 512 * 2 ** 20 },
  }) as const;

export interface CommandRateResult {
  perSecond: number;
  commands: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Commands/s over `seconds`, after `warmupSeconds` whose commands are not counted (the JIT compiles
 * the handler, domain and driver code during the first thousands of commands; main.ts gives the
 * raw reference the same warm-up).
 */
export async function measureCommandRate(store: EventStore, { callers = 8, seconds = 5, warmupSeconds = 0 } = {}): Promise<CommandRateResult> {
  const handle = createCommandHandler({ store, model: tenancyModel, isDomainError });
  const tag = randomUUID().slice(0, 6);
  await prepareTenancy(handle, callers, tag);
  const latencies: number[] = [];
  const start = performance.now() + warmupSeconds * 1000;
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const t0 = performance.now();
        await handle(tenancyCommand('CreateNamespace'), createNamespace(tag, caller, i), context());
        const t1 = performance.now();
        if (t1 >= start) latencies.push(t1 - t0);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  return { perSecond: latencies.length / elapsed, commands: latencies.length, seconds: elapsed, ...percentiles(latencies) };
}

export interface CommandLagResult {
  ratePerSec: number;
  achievedPerSec: number;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Projection lag under a steady command rate: commands are issued on a fixed schedule (not as fast
 * as possible) and each sample is the time from the command's completion until every projection
 * has applied its position — what a user waits for before their list shows what they did.
 */
export async function measureCommandLag(
  store: EventStore,
  database: OpenedDatabase,
  { ratePerSec = 500, seconds = 15, callers = 8 } = {},
): Promise<CommandLagResult> {
  const handle = createCommandHandler({ store, model: tenancyModel, isDomainError });
  const tag = randomUUID().slice(0, 6);
  await prepareTenancy(handle, callers, tag);
  const runner = new ProjectionRunner({ store, db: database.db, dbKind: database.kind, projections: allProjections, onError: () => {} });
  await runner.start();
  await runner.waitForPosition(await store.headPosition(), 600_000);
  const lags: number[] = [];
  const pending: Promise<void>[] = [];
  const total = ratePerSec * seconds;
  const start = performance.now();
  let issuedSeconds = seconds;
  try {
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / ratePerSec;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const caller = i % callers;
      pending.push(
        handle(tenancyCommand('CreateNamespace'), createNamespace(tag, caller, Math.floor(i / callers)), context()).then(async (result) => {
          const t0 = performance.now();
          await runner.waitForPosition(result.position, 60_000);
          lags.push(performance.now() - t0);
        }),
      );
    }
    issuedSeconds = (performance.now() - start) / 1000;
    await Promise.all(pending);
  } finally {
    await runner.stop();
  }
  const p = percentiles(lags);
  // The rate commands were issued at (the schedule's own drift shows here), not counting the drain at the end.
  return { ratePerSec, achievedPerSec: total / issuedSeconds, samples: lags.length, p50Ms: p.p50Ms, p99Ms: p.p99Ms, maxMs: Math.max(...lags) };
}

function percentiles(values: number[]): { p50Ms: number; p99Ms: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50Ms: at(0.5), p99Ms: at(0.99) };
}
