/**
 * The workload decider: given / when / then. Field checks name the field; live facts in the
 * command (containers, revisions, the autoscaler) decide what can be done.
 */
import { describe, expect, it } from 'vitest';
import { given } from '../spec';
import { checkWorkloadInput, type WorkloadCommand } from '../../../domain/workload/decide';
import { parseStreamId, streamIds } from '../../../domain/streams';
import { foldStream } from '../../../domain/commands';

const ref = { clusterId: 'prod', namespace: 'shop', kind: 'Deployment' as const, name: 'web.v2' };
const stream = 'workload-prod.shop.deployment.web.v2';

describe('workload stream ids', () => {
  it('join cluster, namespace, kind and a name that may hold dots', () => {
    expect(streamIds.workload('prod', 'shop', 'Deployment', 'web.v2')).toBe(stream);
    expect(parseStreamId(stream)).toEqual({ category: 'workload', clusterId: 'prod', namespace: 'shop', kind: 'deployment', name: 'web.v2' });
    expect(parseStreamId('workload-prod.shop')).toBeNull();
  });
});

describe('ScaleWorkload', () => {
  it('records the new and the previous replica count', () => {
    given().when({ type: 'ScaleWorkload', ...ref, replicas: 3, previousReplicas: 1 }).then({
      [stream]: [{ type: 'WorkloadScaled', data: { ...ref, replicas: 3, previousReplicas: 1 } }],
    });
  });

  it.each([[-1], [1001], [2.5], [Number.NaN]])('refuses %s replicas naming the field', (replicas) => {
    given().when({ type: 'ScaleWorkload', ...ref, replicas, previousReplicas: 1 }).thenError('invalid', /^replicas: /);
  });

  it('accepts 0 and 1000', () => {
    for (const replicas of [0, 1000]) given().when({ type: 'ScaleWorkload', ...ref, replicas, previousReplicas: null }).decision();
  });

  it('refuses kinds that do not scale', () => {
    given().when({ type: 'ScaleWorkload', ...ref, kind: 'DaemonSet', replicas: 2, previousReplicas: null }).thenError('invalid', /^kind: a DaemonSet cannot be scaled/);
  });

  it('refuses a name that is not a Kubernetes name', () => {
    given().when({ type: 'ScaleWorkload', ...ref, name: 'Web_1', replicas: 2, previousReplicas: null }).thenError('invalid', /^name: /);
  });
});

describe('SetWorkloadAutoscaler / RemoveWorkloadAutoscaler', () => {
  const set = { type: 'SetWorkloadAutoscaler' as const, ...ref, hpaName: 'web.v2', cpuTargetPercent: 70, minReplicas: 2, maxReplicas: 6 };

  it('records the values, and state remembers them until removed', () => {
    given().when(set).then({ [stream]: [{ type: 'WorkloadAutoscalerSet', data: { ...ref, hpaName: 'web.v2', cpuTargetPercent: 70, minReplicas: 2, maxReplicas: 6 } }] });
    const state = foldStream(stream, [{ type: 'WorkloadAutoscalerSet', data: { ...ref, hpaName: 'web.v2', cpuTargetPercent: 70, minReplicas: 2, maxReplicas: 6 } }]) as any;
    expect(state.autoscaler).toEqual({ hpaName: 'web.v2', cpuTargetPercent: 70, minReplicas: 2, maxReplicas: 6 });
    const removed = foldStream(stream, [
      { type: 'WorkloadAutoscalerSet', data: { ...ref, hpaName: 'web.v2', cpuTargetPercent: 70, minReplicas: 2, maxReplicas: 6 } },
      { type: 'WorkloadAutoscalerRemoved', data: { ...ref, hpaName: 'web.v2' } },
    ]) as any;
    expect(removed.autoscaler).toBeNull();
  });

  it('refuses min > max, a target outside 1..100 %, and replicas out of range, each naming its field', () => {
    given().when({ ...set, minReplicas: 7 }).thenError('invalid', /^minReplicas: must not be more than maxReplicas \(7 > 6\)/);
    given().when({ ...set, cpuTargetPercent: 0 }).thenError('invalid', /^cpuTargetPercent: /);
    given().when({ ...set, cpuTargetPercent: 101 }).thenError('invalid', /^cpuTargetPercent: /);
    given().when({ ...set, maxReplicas: 1001 }).thenError('invalid', /^maxReplicas: /);
    given().when({ ...set, minReplicas: 0 }).thenError('invalid', /^minReplicas: /);
  });

  it('refuses to remove an autoscaler that does not exist', () => {
    given().when({ type: 'RemoveWorkloadAutoscaler', ...ref, hpaName: null }).thenError('not_found', /has no autoscaler/);
  });
});

describe('UpdateWorkloadImage', () => {
  const containers = [{ name: 'app', image: 'nginx:1.27' }, { name: 'sidecar', image: 'envoy:1' }];

  it('records the container, the new and the previous image', () => {
    given().when({ type: 'UpdateWorkloadImage', ...ref, container: 'app', image: 'registry.example.com/team/nginx:1.28', containers }).then({
      [stream]: [{ type: 'WorkloadImageUpdated', data: { ...ref, container: 'app', image: 'registry.example.com/team/nginx:1.28', previousImage: 'nginx:1.27' } }],
    });
  });

  it('refuses an invalid image reference and an unknown container, naming them', () => {
    given().when({ type: 'UpdateWorkloadImage', ...ref, container: 'app', image: 'Nginx:1', containers }).thenError('invalid', /^image: repository "Nginx" must be lower-case/);
    given().when({ type: 'UpdateWorkloadImage', ...ref, container: 'app', image: 'nginx: 1', containers }).thenError('invalid', /^image: /);
    given().when({ type: 'UpdateWorkloadImage', ...ref, container: 'db', image: 'nginx:1', containers }).thenError('invalid', /^container: .*has no container "db" \(it has: app, sidecar\)/);
  });

  it('refuses a Job (its template cannot change)', () => {
    given().when({ type: 'UpdateWorkloadImage', ...ref, kind: 'Job', container: 'app', image: 'nginx:1', containers }).thenError('invalid', /^kind: /);
  });
});

describe('RestartWorkload / RollbackWorkload / DeleteWorkload', () => {
  it('restarts at the command time', () => {
    given().when({ type: 'RestartWorkload', ...ref, restartedAt: '2026-11-22T08:00:00.000Z' }).then({
      [stream]: [{ type: 'WorkloadRestarted', data: { ...ref, restartedAt: '2026-11-22T08:00:00.000Z' } }],
    });
  });

  const revisions = [{ revision: 1, images: { app: 'nginx:1.27' } }, { revision: 2, images: { app: 'nginx:1.28' } }];

  it('rolls back to a kept revision, recording the images it brings back', () => {
    given().when({ type: 'RollbackWorkload', ...ref, toRevision: 1, currentRevision: 2, revisions }).then({
      [stream]: [{ type: 'WorkloadRolledBack', data: { ...ref, toRevision: 1, fromRevision: 2, images: { app: 'nginx:1.27' } } }],
    });
  });

  it('refuses a revision not kept, or the one running', () => {
    given().when({ type: 'RollbackWorkload', ...ref, toRevision: 5, currentRevision: 2, revisions }).thenError('invalid', /^toRevision: .*no revision 5 \(kept: 1, 2\)/);
    given().when({ type: 'RollbackWorkload', ...ref, toRevision: 2, currentRevision: 2, revisions }).thenError('invalid', /^toRevision: revision 2 is the one running now/);
    given().when({ type: 'RollbackWorkload', ...ref, toRevision: 0, currentRevision: 2, revisions }).thenError('invalid', /^toRevision: /);
  });

  it('deletes any kind, a Pod too', () => {
    given().when({ type: 'DeleteWorkload', ...ref, kind: 'Pod', name: 'web-abc' }).then({
      'workload-prod.shop.pod.web-abc': [{ type: 'WorkloadDeleted', data: { ...ref, kind: 'Pod', name: 'web-abc' } }],
    });
  });

  it('records a failure the cluster reported, counted in state', () => {
    const cmd: WorkloadCommand = {
      type: 'RecordWorkloadOperationFailed',
      ...ref,
      operation: 'ScaleWorkload',
      failedCommandId: 'c-1',
      reason: 'Deployment.apps "web" is invalid',
      httpStatus: 422,
    };
    const decision = given().when(cmd).decision();
    expect(decision[stream][0]).toEqual({ type: 'WorkloadOperationFailed', data: { ...ref, operation: 'ScaleWorkload', failedCommandId: 'c-1', reason: 'Deployment.apps "web" is invalid', httpStatus: 422 } });
    expect((foldStream(stream, decision[stream]) as any).failures).toBe(1);
  });

  it('checks input without live facts (what the API runs before reading the cluster)', () => {
    expect(() => checkWorkloadInput({ type: 'ScaleWorkload', ...ref, replicas: 5000, previousReplicas: null })).toThrow(/^replicas: must be from 0 to 1000, got 5000/);
    expect(() => checkWorkloadInput({ type: 'ScaleWorkload', ...ref, replicas: 5, previousReplicas: null })).not.toThrow();
  });
});
