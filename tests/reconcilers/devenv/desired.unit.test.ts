/** The dev environment's desired Deployment (pure) and what its pods say about the outcome. */
import { describe, expect, it } from 'vitest';
import { buildDeployment, observe, ownerLabelValue, type DevEnvSpec } from '../../../reconcilers/devenv/desired';

const spec: DevEnvSpec = {
  clusterId: 'sim',
  namespace: 'a-dev',
  name: 'box',
  ownerId: 'r-developer',
  image: 'ubuntu:24.04',
  cpuMillis: 500,
  memoryBytes: 512 * 2 ** 20,
  desired: 'running',
  generation: 1,
};

describe('buildDeployment', () => {
  it('is one idle container with requests = limits, labelled, 1 replica while running and 0 while stopped', () => {
    const d = buildDeployment(spec);
    expect(d.metadata).toEqual({
      name: 'devenv-box',
      namespace: 'a-dev',
      labels: { 'app.kubernetes.io/managed-by': 'bosun', 'bosun.io/devenv': 'box', 'bosun.io/owner': 'r-developer' },
      annotations: { 'bosun.io/owner': 'r-developer' },
    });
    expect(d.spec.replicas).toBe(1);
    const template = d.spec.template as any;
    expect(template.metadata.labels).toEqual(d.metadata.labels);
    expect(template.spec.containers).toEqual([
      { name: 'dev', image: 'ubuntu:24.04', command: ['sleep', 'infinity'], resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '500m', memory: '512Mi' } } },
    ]);
    expect(buildDeployment({ ...spec, desired: 'stopped' }).spec.replicas).toBe(0);
  });

  it('is the same object every time (no timestamps: re-applying never rolls the pod)', () => {
    expect(JSON.stringify(buildDeployment(spec))).toBe(JSON.stringify(buildDeployment({ ...spec })));
  });

  it('turns any user id into a valid label value', () => {
    expect(ownerLabelValue('alice@example.com')).toBe('alice-example.com');
    expect(ownerLabelValue('-x-')).toBe('x');
    expect(ownerLabelValue('a'.repeat(80))).toHaveLength(63);
    expect(ownerLabelValue('@@')).toBe('unknown');
  });
});

describe('observe', () => {
  const pod = (status: Record<string, unknown>) => ({ metadata: { name: 'devenv-box-abc' }, status });
  it('running: a pod Running with its container running', () => {
    expect(observe('running', undefined, [pod({ phase: 'Running', containerStatuses: [{ name: 'dev', state: { running: {} } }] })])).toEqual({ kind: 'reached' });
    expect(observe('running', undefined, [pod({ phase: 'Pending' })])).toEqual({ kind: 'progressing' });
    expect(observe('running', undefined, [])).toEqual({ kind: 'progressing' });
  });

  it('failed: image pull, crash loop, unschedulable, or a Deployment that cannot create its pod', () => {
    const waiting = (reason: string, message?: string) => pod({ phase: 'Pending', containerStatuses: [{ name: 'dev', state: { waiting: { reason, message } } }] });
    expect(observe('running', undefined, [waiting('ImagePullBackOff', 'Back-off pulling image "x"')])).toEqual({ kind: 'failed', reason: 'ImagePullBackOff: Back-off pulling image "x"' });
    expect(observe('running', undefined, [waiting('CrashLoopBackOff')])).toEqual({ kind: 'failed', reason: 'CrashLoopBackOff' });
    expect(observe('running', undefined, [waiting('ContainerCreating')])).toEqual({ kind: 'progressing' });
    expect(observe('running', undefined, [pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/2 nodes are available: 2 Insufficient cpu.' }] })])).toEqual({
      kind: 'failed',
      reason: 'Unschedulable: 0/2 nodes are available: 2 Insufficient cpu.',
    });
    const deployment: any = { status: { conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'exceeded quota: bosun-quota' }] } };
    expect(observe('running', deployment, [])).toEqual({ kind: 'failed', reason: 'FailedCreate: exceeded quota: bosun-quota' });
  });

  it('stopped: no pod left', () => {
    expect(observe('stopped', undefined, [])).toEqual({ kind: 'reached' });
    expect(observe('stopped', undefined, [pod({ phase: 'Running' })])).toEqual({ kind: 'progressing' });
    expect(observe('stopped', undefined, [{ metadata: { name: 'p', deletionTimestamp: '2026-01-01T00:00:00Z' } } as any])).toEqual({ kind: 'reached' });
  });
});
