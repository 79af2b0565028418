/** Health of an app's live objects and the preview's diff: pure functions, no cluster. */
import { describe, expect, it } from 'vitest';
import { overallHealth, resourceStatus } from '../../api/apps/health';
import { diffObject, projectOnto, unifiedDiff } from '../../api/apps/diff';

const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } } } };
const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  metadata: { name, labels: { app: 'web' } },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ restartCount: 0, state: { running: {} } }], ...extra },
});

describe('resource health', () => {
  it('a Deployment is healthy when all replicas are ready and updated, progressing before', () => {
    const live = { ...deployment, metadata: { name: 'web', generation: 2 }, status: { observedGeneration: 2, readyReplicas: 2, updatedReplicas: 2 } };
    expect(resourceStatus(deployment, live, [pod('a'), pod('b')])).toMatchObject({ phase: '2/2 ready', health: 'healthy' });
    expect(resourceStatus(deployment, { ...live, status: { observedGeneration: 2, readyReplicas: 1, updatedReplicas: 2 } }, [pod('a')])).toMatchObject({ phase: '1/2 ready', health: 'progressing' });
  });

  it('a pod in CrashLoopBackOff makes its workload degraded, naming the pod', () => {
    const crashing = pod('b', { phase: 'Running', containerStatuses: [{ restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }] });
    const status = resourceStatus(deployment, { ...deployment, status: { readyReplicas: 1 } }, [pod('a'), crashing]);
    expect(status).toMatchObject({ health: 'degraded', message: 'pod b: CrashLoopBackOff' });
    expect(status.pods.find((p) => p.name === 'b')).toMatchObject({ restarts: 4, reason: 'CrashLoopBackOff' });
  });

  it('Jobs, claims, plain objects and missing ones', () => {
    const job = { kind: 'Job', metadata: { name: 'j' } };
    expect(resourceStatus(job, { ...job, status: { conditions: [{ type: 'Complete', status: 'True' }] } }, []).health).toBe('healthy');
    expect(resourceStatus(job, { ...job, status: { conditions: [{ type: 'Failed', status: 'True', message: 'BackoffLimitExceeded' }] } }, [])).toMatchObject({ health: 'degraded', message: 'BackoffLimitExceeded' });
    const pvc = { kind: 'PersistentVolumeClaim', metadata: { name: 'd' } };
    expect(resourceStatus(pvc, { ...pvc, status: { phase: 'Bound' } }, []).health).toBe('healthy');
    expect(resourceStatus(pvc, { ...pvc, status: { phase: 'Pending' } }, []).health).toBe('progressing');
    expect(resourceStatus({ kind: 'Service', metadata: { name: 's' } }, { kind: 'Service' }, []).health).toBe('healthy');
    expect(resourceStatus({ kind: 'Service', metadata: { name: 's' } }, undefined, [])).toMatchObject({ health: 'missing', phase: 'missing' });
  });

  it('overall: degraded wins, all missing is missing, anything not healthy is progressing', () => {
    expect(overallHealth([{ health: 'healthy' }, { health: 'degraded' }])).toBe('degraded');
    expect(overallHealth([{ health: 'missing' }, { health: 'missing' }])).toBe('missing');
    expect(overallHealth([{ health: 'healthy' }, { health: 'missing' }])).toBe('progressing');
    expect(overallHealth([{ health: 'healthy' }])).toBe('healthy');
  });
});

describe('preview diff', () => {
  it('compares only the fields the manifest sets', () => {
    const desired = { kind: 'ConfigMap', metadata: { name: 'c', labels: { a: '1' } }, data: { x: '1' } };
    const live = { kind: 'ConfigMap', metadata: { name: 'c', uid: 'u', resourceVersion: '5', labels: { a: '1' } }, data: { x: '1' } };
    expect(projectOnto(desired, live)).toEqual(desired);
    expect(diffObject(desired, live)).toEqual({ action: 'unchanged', diff: '' });
    expect(diffObject(desired, undefined).action).toBe('create');
    const changed = diffObject(desired, { ...live, data: { x: '2' } });
    expect(changed.action).toBe('update');
    expect(changed.diff).toBe('--- live\n+++ desired\n@@ -4,4 +4,4 @@\n   labels:\n     a: "1"\n data:\n-  x: "2"\n+  x: "1"\n');
  });

  it('a unified diff keeps 3 lines of context around each change', () => {
    const before = Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n');
    const after = before.replace('l10', 'L10');
    expect(unifiedDiff(before, after)).toBe('--- live\n+++ desired\n@@ -8,7 +8,7 @@\n l7\n l8\n l9\n-l10\n+L10\n l11\n l12\n l13\n');
  });
});
