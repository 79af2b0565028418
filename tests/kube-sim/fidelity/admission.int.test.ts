/**
 * LimitRanger and ResourceQuota admission over HTTP. Runs against kube-sim, or a real cluster with
 * TEST_KUBECONFIG (status.used is polled since the real quota controller is asynchronous).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as k8s from '@kubernetes/client-node';
import { apiError, eventually, setupCluster, type TestCluster } from './cluster';

let c: TestCluster;
beforeAll(async () => {
  c = await setupCluster('adm');
});
afterAll(async () => {
  await c?.stop();
});

const container = (name: string, resources?: k8s.V1ResourceRequirements): k8s.V1Container => ({ name, image: 'nginx:1.27', ...(resources ? { resources } : {}) });
const podBody = (name: string, containers: k8s.V1Container[]): k8s.V1Pod => ({ metadata: { name }, spec: { containers, terminationGracePeriodSeconds: 0 } });

async function quotaUsed(ns: string, name: string, expected: Record<string, string>) {
  return eventually(async () => {
    const q = await c.core.readNamespacedResourceQuota({ namespace: ns, name });
    const used = q.status?.used ?? {};
    return JSON.stringify(used) === JSON.stringify(expected) ? q : undefined;
  }, 20_000, 100);
}

describe('LimitRange', () => {
  let ns: string;
  beforeAll(async () => {
    ns = await c.extraNamespace('fid-adm-lr');
    await c.core.createNamespacedLimitRange({
      namespace: ns,
      body: {
        metadata: { name: 'limits' },
        spec: {
          limits: [
            // client-node models the `default` field as `_default`
            { type: 'Container', _default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m' }, min: { cpu: '50m' }, max: { cpu: '1', memory: '1Gi' } },
          ],
        },
      },
    });
  });

  it('is stored with defaulted items', async () => {
    const lr = await c.core.readNamespacedLimitRange({ namespace: ns, name: 'limits' });
    expect(lr.spec?.limits?.[0]).toMatchObject({
      type: 'Container',
      _default: { cpu: '500m', memory: '256Mi' },
      defaultRequest: { cpu: '100m', memory: '256Mi' },
      min: { cpu: '50m' },
      max: { cpu: '1', memory: '1Gi' },
    });
  });

  it('applies defaults and annotates the pod', async () => {
    const p = await c.core.createNamespacedPod({ namespace: ns, body: podBody('defaulted', [container('app'), container('side', { requests: { memory: '64Mi' } })]) });
    expect(p.spec?.containers[0].resources).toEqual({ limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '256Mi' } });
    expect(p.spec?.containers[1].resources).toEqual({ limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '64Mi' } });
    expect(p.metadata?.annotations?.['kubernetes.io/limit-ranger']).toBe(
      'LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app; cpu request for container side; cpu, memory limit for container side',
    );
    expect(p.status?.qosClass).toBe('Burstable');
  });

  it('refuses below min / above max with the LimitRanger message', async () => {
    const e = await apiError(c.core.createNamespacedPod({ namespace: ns, body: podBody('too-small', [container('app', { requests: { cpu: '10m' } })]) }));
    expect(e.code).toBe(403);
    expect(e.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "too-small" is forbidden: minimum cpu usage per Container is 50m, but request is 10m',
      reason: 'Forbidden',
      details: { name: 'too-small', kind: 'pods' },
      code: 403,
    });
    const e2 = await apiError(c.core.createNamespacedPod({ namespace: ns, body: podBody('too-big', [container('app', { limits: { cpu: '2', memory: '2Gi' } })]) }));
    expect(e2.code).toBe(403);
    const msg: string = e2.body.message;
    // Go map order decides the order of the two errors
    expect([
      'pods "too-big" is forbidden: [maximum cpu usage per Container is 1, but limit is 2, maximum memory usage per Container is 1Gi, but limit is 2Gi]',
      'pods "too-big" is forbidden: [maximum memory usage per Container is 1Gi, but limit is 2Gi, maximum cpu usage per Container is 1, but limit is 2]',
    ]).toContain(msg);
  });
});

describe('ResourceQuota', () => {
  let ns: string;
  beforeAll(async () => {
    ns = await c.extraNamespace('fid-adm-rq');
    await c.core.createNamespacedResourceQuota({
      namespace: ns,
      body: { metadata: { name: 'compute' }, spec: { hard: { pods: '2', 'limits.cpu': '1', 'requests.memory': '1Gi' } } },
    });
    await c.core.createNamespacedResourceQuota({
      namespace: ns,
      body: { metadata: { name: 'objects' }, spec: { hard: { 'count/secrets': '1', services: '1' } } },
    });
  });

  it('fills status.hard and status.used', async () => {
    const q = await quotaUsed(ns, 'compute', { 'limits.cpu': '0', pods: '0', 'requests.memory': '0' });
    expect(q!.status?.hard).toEqual({ 'limits.cpu': '1', pods: '2', 'requests.memory': '1Gi' });
  });

  it('requires the tracked compute resources', async () => {
    const e = await apiError(c.core.createNamespacedPod({ namespace: ns, body: podBody('bare', [container('app')]) }));
    expect(e.code).toBe(403);
    expect(e.body.message).toBe('pods "bare" is forbidden: failed quota: compute: must specify limits.cpu for: app; requests.memory for: app');
  });

  it('tracks usage, refuses the excess with the exact message, and frees on delete', async () => {
    const res = { requests: { memory: '256Mi' }, limits: { cpu: '400m' } };
    await c.core.createNamespacedPod({ namespace: ns, body: podBody('p1', [container('app', res)]) });
    await quotaUsed(ns, 'compute', { 'limits.cpu': '400m', pods: '1', 'requests.memory': '256Mi' });
    await c.core.createNamespacedPod({ namespace: ns, body: podBody('p2', [container('app', res)]) });
    await quotaUsed(ns, 'compute', { 'limits.cpu': '800m', pods: '2', 'requests.memory': '512Mi' });

    const e = await apiError(c.core.createNamespacedPod({ namespace: ns, body: podBody('p3', [container('app', res)]) }));
    expect(e.code).toBe(403);
    expect(e.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "p3" is forbidden: exceeded quota: compute, requested: limits.cpu=400m,pods=1, used: limits.cpu=800m,pods=2, limited: limits.cpu=1,pods=2',
      reason: 'Forbidden',
      details: { name: 'p3', kind: 'pods' },
      code: 403,
    });

    await c.core.deleteNamespacedPod({ namespace: ns, name: 'p1', gracePeriodSeconds: 0 });
    await quotaUsed(ns, 'compute', { 'limits.cpu': '400m', pods: '1', 'requests.memory': '256Mi' });
    await c.core.createNamespacedPod({ namespace: ns, body: podBody('p3', [container('app', { requests: { memory: '256Mi' }, limits: { cpu: '600m' } })]) });
    await quotaUsed(ns, 'compute', { 'limits.cpu': '1', pods: '2', 'requests.memory': '512Mi' });
  });

  it('counts objects', async () => {
    await quotaUsed(ns, 'objects', { 'count/secrets': '0', services: '0' });
    await c.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 's1' }, stringData: { a: 'b' } } });
    await quotaUsed(ns, 'objects', { 'count/secrets': '1', services: '0' });
    const e = await apiError(c.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 's2' }, stringData: { a: 'b' } } }));
    expect(e.code).toBe(403);
    expect(e.body.message).toBe('secrets "s2" is forbidden: exceeded quota: objects, requested: count/secrets=1, used: count/secrets=1, limited: count/secrets=1');
    await c.core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'svc1' }, spec: { ports: [{ port: 80 }] } } });
    const e2 = await apiError(c.core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'svc2' }, spec: { ports: [{ port: 80 }] } } }));
    expect(e2.body.message).toBe('services "svc2" is forbidden: exceeded quota: objects, requested: services=1, used: services=1, limited: services=1');
    await c.core.deleteNamespacedSecret({ namespace: ns, name: 's1' });
    await quotaUsed(ns, 'objects', { 'count/secrets': '0', services: '1' });
  });

  it('a quota created over existing objects computes its usage', async () => {
    await c.core.createNamespacedResourceQuota({ namespace: ns, body: { metadata: { name: 'late' }, spec: { hard: { 'count/pods': '10' } } } });
    await quotaUsed(ns, 'late', { 'count/pods': '2' });
  });
});
