import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim } from '../kube-sim/index';
import { createClusterClient } from '../../kube/client';
import { resolveContext, type ResolvedKubeconfig } from '../../kube/kubeconfig';
import { ClusterProbeError, probeCluster, type ClusterProbe } from '../../kube/probe';
import { makeCertificates } from './support/fake-servers';

/** Probing over the wire against kube-sim: the path a pasted kubeconfig takes at registration. */

let sim: KubeSim;
let admin: ResolvedKubeconfig;

beforeAll(async () => {
  sim = await startKubeSim();
  admin = resolveContext(sim.kubeconfig);
});
afterAll(() => sim?.stop());

async function addNode(name: string, allocatable: { cpu: string; memory: string }, ready: boolean) {
  const core = createClusterClient(admin).core;
  const created = await core.createNode({ body: { apiVersion: 'v1', kind: 'Node', metadata: { name } } });
  await core.replaceNodeStatus({
    name,
    body: {
      ...created,
      status: {
        capacity: { ...allocatable, pods: '110' },
        allocatable: { ...allocatable, pods: '110' },
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', reason: ready ? 'KubeletReady' : 'KubeletNotReady', message: 'test' }],
      },
    },
  });
}

async function probeError(target: ResolvedKubeconfig, timeoutMs?: number): Promise<ClusterProbeError> {
  const error = await probeCluster(target, { timeoutMs }).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ClusterProbeError);
  const { credentials } = target;
  if (credentials.kind === 'token') expect((error as Error).message).not.toContain(credentials.token);
  return error as ClusterProbeError;
}

describe('probeCluster against kube-sim', () => {
  it('reports the version, node count and allocatable sums of Ready nodes', async () => {
    // The simulator may come with nodes of its own; measure what ours add.
    const before: ClusterProbe = await probeCluster(admin);
    expect(before.kubernetesVersion).toMatch(/^v1\.\d+\.\d+/);

    await addNode('probe-a', { cpu: '3920m', memory: '15Gi' }, true);
    await addNode('probe-b', { cpu: '8', memory: '32617428Ki' }, true);
    await addNode('probe-c', { cpu: '16', memory: '64Gi' }, false);

    const after = await probeCluster(admin);
    expect(after.kubernetesVersion).toBe(before.kubernetesVersion);
    expect(after.nodeCount - before.nodeCount).toBe(3);
    expect(after.readyNodeCount - before.readyNodeCount).toBe(2);
    expect(after.allocatableCpuMillis - before.allocatableCpuMillis).toBe(3920 + 8000);
    expect(after.allocatableMemoryBytes - before.allocatableMemoryBytes).toBe(15 * 2 ** 30 + 32617428 * 1024);
  });

  it('wrong CA → tls', async () => {
    const other = await makeCertificates();
    const error = await probeError({ ...admin, caData: other.serverCert });
    expect(error.kind).toBe('tls');
    expect(error.message).toMatch(/^TLS verification failed: .+ — paste the cluster's certificate-authority-data$/);
  });

  it('bad token → unauthorized', async () => {
    const error = await probeError({ ...admin, credentials: { kind: 'token', token: 'not-a-valid-token' } });
    expect(error.kind).toBe('unauthorized');
    expect(error.message).toBe('the API server rejected the credentials (401 Unauthorized)');
  });

  it('a user without rights on nodes → forbidden', async () => {
    const error = await probeError(resolveContext(sim.kubeconfigFor('alice')));
    expect(error.kind).toBe('forbidden');
    expect(error.message).toMatch(/403 Forbidden.*alice.*nodes/);
  });

  it('stopped server → unreachable', async () => {
    const gone = await startKubeSim();
    const target = resolveContext(gone.kubeconfig);
    await gone.stop();
    const error = await probeError(target);
    expect(error.kind).toBe('unreachable');
    expect(error.message).toBe(`cannot reach ${gone.url}: connection refused`);
  });

  it('server slower than the deadline → timeout', async () => {
    const slow = await startKubeSim({ faults: { latencyMs: 2_000 } });
    try {
      const error = await probeError(resolveContext(slow.kubeconfig), 200);
      expect(error.kind).toBe('timeout');
      expect(error.message).toBe(`no answer from ${slow.url} within 200 ms`);
    } finally {
      await slow.stop();
    }
  });
});

describe.runIf(process.env.TEST_KUBECONFIG)('probeCluster against TEST_KUBECONFIG', () => {
  it('probes the real cluster', async () => {
    const probe = await probeCluster(resolveContext(readFileSync(process.env.TEST_KUBECONFIG!, 'utf8')));
    expect(probe.kubernetesVersion).toMatch(/^v\d+\.\d+/);
    expect(probe.nodeCount).toBeGreaterThan(0);
    expect(probe.allocatableCpuMillis).toBeGreaterThan(0);
  });
});
