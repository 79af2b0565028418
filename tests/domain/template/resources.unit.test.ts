import { describe, expect, it } from 'vitest';
import type { ContainerDefaults } from '../../../domain/namespace/events';
import type { KubernetesObject } from '../../../domain/template/objects';
import { renderTemplate } from '../../../domain/template/render';
import { checkQuota, requestedResources } from '../../../domain/template/resources';
import { GiB, MiB, refusal } from './support';

function objects(yaml: string): KubernetesObject[] {
  return renderTemplate({ documents: yaml, parameters: [] }, {}, { namespace: 'team-a', appName: 'shop' }).objects;
}

const defaults: ContainerDefaults = {
  requestCpuMillis: 100,
  requestMemoryBytes: 128 * MiB,
  limitCpuMillis: 200,
  limitMemoryBytes: 256 * MiB,
};

function deployment(name: string, spec: string, podSpec: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  ${spec}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
${podSpec}
`;
}

const twoContainers = `      containers:
        - {name: a, image: a, resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {cpu: "1", memory: 512Mi}}}
        - {name: b, image: b, resources: {requests: {cpu: 0.5, memory: 1Gi}, limits: {cpu: 1, memory: 1Gi}}}`;

describe('requestedResources', () => {
  it('multiplies the containers of a pod by the replicas', () => {
    const result = requestedResources(objects(deployment('web', 'replicas: 3', twoContainers)), defaults);
    expect(result.requests).toEqual({ cpuMillis: 3 * 750, memoryBytes: 3 * (256 * MiB + GiB) });
    expect(result.limits).toEqual({ cpuMillis: 3 * 2000, memoryBytes: 3 * (512 * MiB + GiB) });
    expect(result.workloads).toEqual([
      {
        ref: { kind: 'Deployment', name: 'web' },
        pods: 3,
        perPod: { requests: { cpuMillis: 750, memoryBytes: 256 * MiB + GiB }, limits: { cpuMillis: 2000, memoryBytes: 512 * MiB + GiB } },
      },
    ]);
  });

  it('gives containers without requests or limits the namespace defaults; a stated limit is also the request', () => {
    const pod = `      containers:
        - {name: bare, image: a}
        - {name: limited, image: b, resources: {limits: {cpu: 300m}}}
        - {name: requested, image: c, resources: {requests: {memory: 64Mi}}}`;
    const result = requestedResources(objects(deployment('web', 'replicas: 1', pod)), defaults);
    expect(result.requests).toEqual({ cpuMillis: 100 + 300 + 100, memoryBytes: 128 * MiB + 128 * MiB + 64 * MiB });
    expect(result.limits).toEqual({ cpuMillis: 200 + 300 + 200, memoryBytes: 3 * 256 * MiB });
  });

  it('counts one replica when replicas is left out, none when it is 0', () => {
    expect(requestedResources(objects(deployment('web', 'minReadySeconds: 0', twoContainers)), defaults).requests.cpuMillis).toBe(750);
    expect(requestedResources(objects(deployment('web', 'replicas: 0', twoContainers)), defaults).requests.cpuMillis).toBe(0);
  });

  it('counts init containers at their peak, not on top of the app containers', () => {
    const pod = `      initContainers:
        - {name: big, image: i, resources: {requests: {cpu: "2", memory: 64Mi}, limits: {cpu: "2", memory: 64Mi}}}
        - {name: small, image: i, resources: {requests: {cpu: 100m, memory: 4Gi}, limits: {cpu: 100m, memory: 4Gi}}}
${twoContainers}`;
    const result = requestedResources(objects(deployment('web', 'replicas: 2', pod)), defaults);
    expect(result.workloads[0].perPod.requests).toEqual({ cpuMillis: 2000, memoryBytes: 4 * GiB });
    expect(result.requests).toEqual({ cpuMillis: 4000, memoryBytes: 8 * GiB });
  });

  it('adds sidecars (init containers that keep running) to the app containers and to later init containers', () => {
    const pod = `      initContainers:
        - {name: proxy, image: p, restartPolicy: Always, resources: {requests: {cpu: 100m, memory: 64Mi}}}
        - {name: setup, image: s, resources: {requests: {cpu: 900m, memory: 64Mi}}}
${twoContainers}`;
    const result = requestedResources(objects(deployment('web', 'replicas: 1', pod)), defaults);
    expect(result.requests).toEqual({ cpuMillis: 1000, memoryBytes: 64 * MiB + 256 * MiB + GiB });
  });

  it('lifts replicas to the minReplicas of an HPA that scales the workload', () => {
    const hpa = `---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, minReplicas: 4, maxReplicas: 10}
`;
    const result = requestedResources(objects(deployment('web', 'replicas: 2', twoContainers) + hpa), defaults);
    expect(result.workloads[0].pods).toBe(4);
    expect(result.requests.cpuMillis).toBe(4 * 750);
  });

  it('counts StatefulSet replicas and the pods a Job or CronJob runs at once', () => {
    const yaml = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 3
  serviceName: db
  template: {spec: {containers: [{name: db, image: postgres, resources: {requests: {cpu: "1", memory: 2Gi}}}]}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: batch}
spec:
  parallelism: 5
  completions: 2
  template: {spec: {restartPolicy: Never, containers: [{name: j, image: j, resources: {requests: {cpu: 100m, memory: 100Mi}}}]}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: wide}
spec:
  parallelism: 4
  template: {spec: {restartPolicy: Never, containers: [{name: j, image: j, resources: {requests: {cpu: 100m, memory: 100Mi}}}]}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      parallelism: 3
      template: {spec: {restartPolicy: Never, containers: [{name: j, image: j, resources: {requests: {cpu: 10m, memory: 10Mi}}}]}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: not-a-workload}
`;
    const result = requestedResources(objects(yaml), defaults);
    expect(result.workloads.map((w) => [w.ref.name, w.pods])).toEqual([
      ['db', 3],
      ['batch', 2],
      ['wide', 4],
      ['nightly', 3],
    ]);
    expect(result.requests).toEqual({ cpuMillis: 3000 + 200 + 400 + 30, memoryBytes: 6 * GiB + 600 * MiB + 30 * MiB });
  });

  it('refuses a malformed quantity or replica count, naming where it is', () => {
    const badCpu = `      containers: [{name: a, image: a, resources: {requests: {cpu: lots}}}]`;
    expect(refusal(() => requestedResources(objects(deployment('web', 'replicas: 1', badCpu)), defaults)).message).toBe(
      'Deployment/web.spec.template.spec.containers[0].resources.requests.cpu: "lots" is not a valid CPU quantity (e.g. 500m, 2, 0.5)',
    );
    expect(refusal(() => requestedResources(objects(deployment('web', 'replicas: "3"', twoContainers)), defaults)).message).toBe(
      'Deployment/web.spec.replicas: must be a non-negative integer, got "3"',
    );
  });
});

describe('checkQuota', () => {
  const web = requestedResources(objects(deployment('web', 'replicas: 3', twoContainers)), defaults);
  const plenty = { requests: { cpuMillis: 10_000, memoryBytes: 16 * GiB }, limits: { cpuMillis: 10_000, memoryBytes: 16 * GiB } };

  it('accepts what fits, up to the last millicore and byte', () => {
    expect(() => checkQuota(web, plenty)).not.toThrow();
    expect(() => checkQuota(web, { requests: web.requests, limits: web.limits })).not.toThrow();
  });

  it('refuses what does not fit, with the numbers and where they come from', () => {
    const error = refusal(
      () => checkQuota(web, { ...plenty, namespace: 'team-a', requests: { cpuMillis: 2000, memoryBytes: 16 * GiB } }),
      'insufficient_capacity',
    );
    expect(error.message).toBe(
      'requests.cpu: the application needs 2.25 cores but namespace "team-a" has 2 cores left in its quota (Deployment/web 3 × 0.75)',
    );
    expect(error.field).toBe('requests.cpu');
    expect(error.details).toMatchObject({ resource: 'cpu', scope: 'requests', requested: 2250, available: 2000, namespace: 'team-a' });
  });

  it('names every shortage, limits and memory included', () => {
    const error = refusal(
      () => checkQuota(web, { requests: { cpuMillis: 0, memoryBytes: GiB }, limits: { cpuMillis: 10_000, memoryBytes: 2 * GiB } }),
      'insufficient_capacity',
    );
    expect(error.message).toBe(
      'requests.cpu: the application needs 2.25 cores but the namespace has 0 cores left in its quota (Deployment/web 3 × 0.75); ' +
        'requests.memory: the application needs 3840Mi but the namespace has 1Gi left in its quota (Deployment/web 3 × 1280Mi); ' +
        'limits.memory: the application needs 4608Mi but the namespace has 2Gi left in its quota (Deployment/web 3 × 1536Mi)',
    );
    expect((error.details?.shortages as unknown[]).length).toBe(3);
  });

  it('treats a negative remainder as nothing left', () => {
    const error = refusal(() => checkQuota(web, { ...plenty, limits: { cpuMillis: -500, memoryBytes: 16 * GiB } }), 'insufficient_capacity');
    expect(error.message).toMatch(/^limits\.cpu: the application needs 6 cores but the namespace has 0 cores left/);
  });
});
