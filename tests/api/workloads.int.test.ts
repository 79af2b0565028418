/**
 * Workloads over the API against kube-sim: the live list (watch cache), details, and every
 * operation as a command and an event applied to the cluster; who may operate; refusals named.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { until } from '../support/until';
import { refusalOf } from '../support/bosun-client';
import { CLUSTER, NS_A, NS_B, startTenants, type Tenants } from './support/tenants';

const id = () => randomUUID();

function deployment(name: string, image: string, replicas = 1) {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS_A, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'web', image, resources: { requests: { cpu: '20m', memory: '16Mi' }, limits: { cpu: '50m', memory: '32Mi' } } }] },
      },
    },
  };
}

describe('workloads API', () => {
  let t: Tenants;
  let ops: Tenants['admin']['client'];
  const ref = { clusterId: CLUSTER, namespace: NS_A, kind: 'Deployment' as const, name: 'web' };
  const stream = `workload-${CLUSTER}.${NS_A}.deployment.web`;
  const events = async () => (await t.bosun.services.store.readStream(stream)).map((e) => ({ type: e.type, data: e.data as any, metadata: e.metadata as any }));

  /** The pods of web that run, with their images. */
  const runningPods = async () => {
    const list = await ops.workloads.list.query({ clusterId: CLUSTER, namespace: NS_A, kind: 'Pod' });
    return list.items.filter((p) => p.name.startsWith('web-') && p.status === 'Running' && p.ready === '1/1');
  };

  beforeAll(async () => {
    t = await startTenants();
    ops = t.as['ops-engineer'].client;
    t.sim.store.create('apps', 'deployments', NS_A, deployment('web', 'nginx:1.27'));
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
  });

  it('lists the namespace\'s workloads as compact rows, live', async () => {
    const rows = await until('web listed and available', async () => {
      const list = await ops.workloads.list.query({ clusterId: CLUSTER, namespace: NS_A, kind: 'Deployment' });
      const web = list.items.find((r) => r.name === 'web');
      return web?.status === 'Available' ? list.items : undefined;
    });
    expect(rows.find((r) => r.name === 'web')).toMatchObject({ kind: 'Deployment', ready: '1/1', desired: 1, images: ['nginx:1.27'], health: 'healthy' });
    const all = await ops.workloads.list.query({ clusterId: CLUSTER, namespace: NS_A });
    expect(all.counts).toMatchObject({ Deployment: 1, Pod: 1 });
    const pod = all.items.find((r) => r.kind === 'Pod')!;
    expect(pod).toMatchObject({ status: 'Running', ready: '1/1', restarts: 0, images: ['nginx:1.27'] });
    expect(pod.node).toBeTruthy();
    expect(pod).not.toHaveProperty('labels');
    expect(JSON.stringify(pod).length).toBeLessThan(400);
  });

  it('scales to 3 → three pods Running, recorded as WorkloadScaled with who asked', async () => {
    const result = await ops.workloads.scale.mutate({ commandId: id(), ...ref, replicas: 3 });
    expect(result.applied).toBe(true);
    await until('3 pods running', async () => (await runningPods()).length === 3);
    const recorded = (await events()).find((e) => e.type === 'WorkloadScaled')!;
    expect(recorded.data).toMatchObject({ ...ref, replicas: 3, previousReplicas: 1 });
    expect(recorded.metadata.actor).toMatchObject({ kind: 'user', id: 'r-ops-engineer' });
    const detail = await ops.workloads.get.query(ref);
    expect(detail.pods.length).toBeGreaterThanOrEqual(3);
    expect(detail.conditions.map((c) => c.type)).toContain('Available');
    expect(detail.events.some((e) => e.reason === 'ScalingReplicaSet')).toBe(true);
  });

  it('updates the image: the rollout replaces every pod, and the revisions are listed', async () => {
    await ops.workloads.updateImage.mutate({ commandId: id(), ...ref, container: 'web', image: 'nginx:1.28' });
    const done = await until('rollout of nginx:1.28', async () => {
      const d = await ops.workloads.get.query(ref);
      const pods = await runningPods();
      return d.rollout?.complete && pods.length === 3 && pods.every((p) => p.images[0] === 'nginx:1.28') ? d : undefined;
    }, 30_000);
    expect(done.revisions.map((r) => r.revision).sort()).toEqual([1, 2]);
    expect(done.currentRevision).toBe(2);
    expect((await events()).find((e) => e.type === 'WorkloadImageUpdated')!.data).toMatchObject({ container: 'web', image: 'nginx:1.28', previousImage: 'nginx:1.27' });
  });

  it('rolls back to revision 1: the old image returns', async () => {
    await ops.workloads.rollback.mutate({ commandId: id(), ...ref, toRevision: 1 });
    await until('rollback to nginx:1.27', async () => {
      const d = await ops.workloads.get.query(ref);
      const pods = await runningPods();
      return d.rollout?.complete && d.containers[0].image === 'nginx:1.27' && pods.length === 3 && pods.every((p) => p.images[0] === 'nginx:1.27');
    }, 30_000);
    expect((await events()).find((e) => e.type === 'WorkloadRolledBack')!.data).toMatchObject({ toRevision: 1, fromRevision: 2, images: { web: 'nginx:1.27' } });
    const refused = await refusalOf(ops.workloads.rollback.mutate({ commandId: id(), ...ref, toRevision: 9 }));
    expect(refused.status).toBe(400);
    expect(refused.field).toBe('toRevision');
  });

  it('restarts: the pod template gets restartedAt, and new pods roll out', async () => {
    const before = new Set((await runningPods()).map((p) => p.name));
    await ops.workloads.restart.mutate({ commandId: id(), ...ref });
    const annotation = (t.sim.store.get('apps', 'deployments', NS_A, 'web') as any).spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'];
    expect(Date.parse(annotation)).not.toBeNaN();
    await until('new pods after restart', async () => {
      const pods = await runningPods();
      return pods.length === 3 && pods.every((p) => !before.has(p.name));
    }, 30_000);
    expect((await events()).find((e) => e.type === 'WorkloadRestarted')!.data.restartedAt).toBe(annotation);
  });

  it('sets an autoscaler with the values, shows it, and removes it', async () => {
    await ops.workloads.setAutoscaler.mutate({ commandId: id(), ...ref, cpuTargetPercent: 60, minReplicas: 2, maxReplicas: 5 });
    const hpa = t.sim.store.get('autoscaling', 'horizontalpodautoscalers', NS_A, 'web') as any;
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 2,
      maxReplicas: 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }],
    });
    expect((await ops.workloads.get.query(ref)).autoscaler).toMatchObject({ name: 'web', minReplicas: 2, maxReplicas: 5, cpuTargetPercent: 60 });
    const bad = await refusalOf(ops.workloads.setAutoscaler.mutate({ commandId: id(), ...ref, cpuTargetPercent: 60, minReplicas: 6, maxReplicas: 5 }));
    expect(bad).toMatchObject({ status: 400, field: 'minReplicas' });
    await ops.workloads.removeAutoscaler.mutate({ commandId: id(), ...ref });
    expect(t.sim.store.get('autoscaling', 'horizontalpodautoscalers', NS_A, 'web')).toBeFalsy();
    expect((await ops.workloads.get.query(ref)).autoscaler).toBeNull();
  });

  it('refuses a developer the scale, naming the permission, and audits the refusal', async () => {
    const dev = t.as.developer.client;
    const refused = await refusalOf(dev.workloads.scale.mutate({ commandId: id(), ...ref, replicas: 1 }));
    expect(refused.status).toBe(403);
    expect(refused.message).toContain('permission workloads:operate');
    // A developer still reads workloads.
    expect((await dev.workloads.list.query({ clusterId: CLUSTER, namespace: NS_A, kind: 'Deployment' })).items.map((r) => r.name)).toContain('web');
    await until('refusal audited', async () => {
      const rows = await t.bosun.services.db.selectFrom('audit_records').selectAll().where('actor_id', '=', 'r-developer').where('code', '=', 'forbidden').execute();
      return rows.some((r: any) => r.action === 'workloads.scale' && String(r.message).includes('workloads:operate'));
    });
    // Outside the caller's namespaces nothing is visible.
    expect((await refusalOf(ops.workloads.list.query({ clusterId: CLUSTER, namespace: NS_B }))).status).toBe(403);
  });

  it('refuses a bad replica count naming the field, and writes nothing', async () => {
    const before = (await events()).length;
    for (const replicas of [1001, -1, 1.5]) {
      const refused = await refusalOf(ops.workloads.scale.mutate({ commandId: id(), ...ref, replicas }));
      expect(refused.status).toBe(400);
      expect(refused.field).toBe('replicas');
      expect(refused.message).toMatch(/^replicas: /);
    }
    const image = await refusalOf(ops.workloads.updateImage.mutate({ commandId: id(), ...ref, container: 'web', image: 'NGINX:latest' }));
    expect(image).toMatchObject({ status: 400, field: 'image' });
    const container = await refusalOf(ops.workloads.updateImage.mutate({ commandId: id(), ...ref, container: 'nope', image: 'nginx:1' }));
    expect(container).toMatchObject({ status: 400, field: 'container' });
    expect((await events()).length).toBe(before);
    const missing = await refusalOf(ops.workloads.scale.mutate({ commandId: id(), ...ref, name: 'nothing-here', replicas: 1 }));
    expect(missing.status).toBe(404);
  });

  it('relays the cluster\'s refusal as a 4xx with its message, and records the failure', async () => {
    // (The autoscaler set above may have changed the count meanwhile: compare with what it is now.)
    const replicasBefore = (t.sim.store.get('apps', 'deployments', NS_A, 'web') as any).spec.replicas;
    t.sim.faults.set({
      route: { method: 'PATCH', path: `/apis/apps/v1/namespaces/${NS_A}/deployments/web` },
      error: { code: 422, message: 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: 7: exceeds the site limit' },
      times: 1,
    });
    const commandId = id();
    const refused = await refusalOf(ops.workloads.scale.mutate({ commandId, ...ref, replicas: 7 }));
    t.sim.faults.clear();
    expect(refused.status).toBe(400);
    expect(refused.message).toContain('exceeds the site limit');
    expect(refused.field).toBe('replicas');
    const failed = (await events()).find((e) => e.type === 'WorkloadOperationFailed')!;
    expect(failed.data).toMatchObject({ operation: 'ScaleWorkload', failedCommandId: commandId, httpStatus: 422 });
    expect(failed.metadata.causationId).toBe(commandId);
    expect((t.sim.store.get('apps', 'deployments', NS_A, 'web') as any).spec.replicas).toBe(replicasBefore);
  });

  it('rolls a StatefulSet back through its ControllerRevisions, and lists Jobs and CronJobs', async () => {
    const labels = { app: 'db' };
    const container = { name: 'db', image: 'redis:7.0', resources: { requests: { cpu: '20m', memory: '16Mi' }, limits: { cpu: '50m', memory: '32Mi' } } };
    t.sim.store.create('apps', 'statefulsets', NS_A, {
      metadata: { name: 'db', namespace: NS_A },
      spec: { replicas: 1, serviceName: 'db', selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [container] } } },
    });
    const db = { clusterId: CLUSTER, namespace: NS_A, kind: 'StatefulSet' as const, name: 'db' };
    await until('db ready', async () => (await ops.workloads.get.query(db)).rollout?.complete && (await ops.workloads.get.query(db)).pods.length === 1);
    await ops.workloads.updateImage.mutate({ commandId: id(), ...db, container: 'db', image: 'redis:7.2' });
    const updated = await until('db on redis:7.2', async () => {
      const d = await ops.workloads.get.query(db);
      return d.revisions.length === 2 && d.rollout?.complete && d.pods.every((p) => p.images[0] === 'redis:7.2' && p.status === 'Running') ? d : undefined;
    }, 30_000);
    const older = updated.revisions.find((r) => r.images.db === 'redis:7.0')!;
    await ops.workloads.rollback.mutate({ commandId: id(), ...db, toRevision: older.revision });
    await until('db back on redis:7.0', async () => {
      const d = await ops.workloads.get.query(db);
      return d.containers[0].image === 'redis:7.0' && d.rollout?.complete && d.pods.length === 1 && d.pods[0].images[0] === 'redis:7.0';
    }, 30_000);

    t.sim.store.create('batch', 'cronjobs', NS_A, {
      metadata: { name: 'nightly', namespace: NS_A },
      spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ ...container, name: 'job', image: 'busybox:1.36' }] } } } } },
    });
    const cron = await until('cronjob listed', async () => (await ops.workloads.list.query({ clusterId: CLUSTER, namespace: NS_A, kind: 'CronJob' })).items.find((r) => r.name === 'nightly'));
    expect(cron).toMatchObject({ schedule: '0 3 * * *', status: 'Scheduled', images: ['busybox:1.36'] });
    await ops.workloads.updateImage.mutate({ commandId: id(), clusterId: CLUSTER, namespace: NS_A, kind: 'CronJob', name: 'nightly', container: 'job', image: 'busybox:1.37' });
    expect((t.sim.store.get('batch', 'cronjobs', NS_A, 'nightly') as any).spec.jobTemplate.spec.template.spec.containers[0].image).toBe('busybox:1.37');
    const scaleJob = await refusalOf(ops.workloads.scale.mutate({ commandId: id(), clusterId: CLUSTER, namespace: NS_A, kind: 'CronJob', name: 'nightly', replicas: 2 }));
    expect(scaleJob).toMatchObject({ status: 400, field: 'kind' });
  }, 90_000);

  it('deletes a pod and the deployment', async () => {
    const pod = (await runningPods())[0];
    await ops.workloads.delete.mutate({ commandId: id(), clusterId: CLUSTER, namespace: NS_A, kind: 'Pod', name: pod.name });
    expect(t.sim.store.get('', 'pods', NS_A, pod.name)).toBeFalsy();
    const yaml = await ops.workloads.yaml.query(ref);
    expect(yaml.yaml).toContain('kind: Deployment');
    expect(yaml.yaml).not.toContain('managedFields');
    await ops.workloads.delete.mutate({ commandId: id(), ...ref });
    await until('deployment gone from the list', async () => {
      const list = await ops.workloads.list.query({ clusterId: CLUSTER, namespace: NS_A, kind: 'Deployment' });
      return !list.items.some((r) => r.name === 'web');
    });
    expect((await events()).map((e) => e.type)).toContain('WorkloadDeleted');
  });

  it('shows the events of a Deployment\'s ReplicaSets with its own: a quota refusal appears as FailedCreate', async () => {
    // A quota that admits no more pods: the ReplicaSet's pod creations are refused, and only it records that.
    t.sim.store.create('', 'resourcequotas', NS_A, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'no-more-pods', namespace: NS_A }, spec: { hard: { pods: '0' } } });
    t.sim.store.create('apps', 'deployments', NS_A, deployment('capped', 'nginx:1.27', 2));
    const capped = { clusterId: CLUSTER, namespace: NS_A, kind: 'Deployment' as const, name: 'capped' };
    const refused = await until('FailedCreate among the deployment\'s events', async () => {
      const d = await ops.workloads.get.query(capped);
      return d.events.find((e) => e.reason === 'FailedCreate');
    });
    expect(refused.object).toMatch(/^ReplicaSet\/capped-[a-z0-9]+$/);
    expect(refused.type).toBe('Warning');
    expect(refused.message).toContain('exceeded quota: no-more-pods');
    const detail = await ops.workloads.get.query(capped);
    // Its own events (the scaling of its ReplicaSet) carry no object: they are about the Deployment.
    expect(detail.events.find((e) => e.reason === 'ScalingReplicaSet')?.object).toBeNull();
    // Another Deployment's ReplicaSet events are not mixed in.
    expect(detail.events.every((e) => e.object === null || e.object.startsWith('ReplicaSet/capped-'))).toBe(true);
    t.sim.store.delete('apps', 'deployments', NS_A, 'capped');
    t.sim.store.delete('', 'resourcequotas', NS_A, 'no-more-pods');
  });
});
