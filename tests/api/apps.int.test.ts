/**
 * Applications over the API against kube-sim: generate → publish → objects with Bosun's labels and
 * pods Running; revise changes the image; roll back to revision 1; quota and bad values refused
 * before anything is written; who may deploy; unpublish removes exactly what the app created.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { CoreV1Api, AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { until } from '../support/until';
import { refusalOf } from '../support/bosun-client';
import { CLUSTER, NS_A, NS_A2, startTenants, type Tenants } from './support/tenants';

const id = () => randomUUID();

const DOCUMENTS = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  greeting: hello
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {{ .Release.Name }}
    spec:
      containers:
        - name: app
          image: {{ .Values.image }}
          envFrom:
            - configMapRef:
                name: {{ .Release.Name }}-config
          resources:
            requests:
              cpu: {{ .Values.cpu }}
              memory: 64Mi
            limits:
              cpu: {{ .Values.cpu }}
              memory: 128Mi
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  selector:
    app.kubernetes.io/name: {{ .Release.Name }}
  ports:
    - port: 80
      targetPort: 8080
`;

const PARAMETERS = [
  { name: 'image', type: 'image', required: true, description: 'image', default: 'nginx:1.27' },
  { name: 'replicas', type: 'int', required: true, description: 'pods', default: 1, validation: { min: 0, max: 20 } },
  { name: 'cpu', type: 'quantity', required: true, description: 'cpu', default: '100m', validation: { kind: 'cpu', min: '10m', max: '4' } },
];

describe('apps API', () => {
  let t: Tenants;
  let admin: Tenants['admin']['client'];
  let core: CoreV1Api;
  let appsApi: AppsV1Api;
  const appId = `${CLUSTER}.${NS_A}.shop`;

  /** App events and reservations written after `position`. */
  const writtenSince = async (position: number) =>
    (await t.bosun.services.store.readAll({ after: position, limit: 10_000 }))
      .filter((e) => e.streamId.startsWith('app-') || e.type.startsWith('NamespaceResources'))
      .map((e) => `${e.streamId} ${e.type}`);

  beforeAll(async () => {
    t = await startTenants();
    admin = t.admin.client;
    const kc = new KubeConfig();
    kc.loadFromString(t.sim.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    appsApi = kc.makeApiClient(AppsV1Api);
    await admin.templates.create.mutate({
      commandId: id(),
      templateId: 'shop',
      displayName: 'Shop',
      scope: { kind: 'platform', sharedWith: 'all' },
      documents: DOCUMENTS,
      parameters: PARAMETERS,
    });
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
  });

  it('previews without writing: manifests, quota and a diff that creates everything', async () => {
    const before = await t.bosun.services.store.headPosition();
    const preview = await admin.apps.preview.mutate({ clusterId: CLUSTER, namespace: NS_A, name: 'shop', templateId: 'shop', templateVersion: 1, values: { replicas: 2 } });
    expect(preview.manifests.map((m) => `${m.ref.kind}/${m.ref.name}`)).toEqual(['ConfigMap/shop-config', 'Deployment/shop', 'Service/shop']);
    expect(preview.quota.ok).toBe(true);
    expect(preview.requested.requests.cpuMillis).toBe(200);
    expect(preview.diff.map((d) => d.action)).toEqual(['create', 'create', 'create']);
    expect(preview.diff[1].diff).toMatch(/^\+ {2}replicas: 2$/m);
    expect(await writtenSince(before)).toEqual([]);
  });

  it('generates and publishes: objects appear with Bosun labels, pods Running, status healthy', async () => {
    const generated = await admin.apps.generate.mutate({ commandId: id(), clusterId: CLUSTER, namespace: NS_A, name: 'shop', templateId: 'shop', templateVersion: 1, values: { replicas: 2 } });
    expect(generated.appId).toBe(appId);
    const app = await admin.apps.get.query({ appId });
    expect(app).toMatchObject({ name: 'shop', status: 'draft', published: false, revision: 1, values: { replicas: 2, image: 'nginx:1.27', cpu: '100m' } });
    expect((await admin.apps.list.query({ namespace: NS_A })).map((a) => a.appId)).toContain(appId);

    await admin.apps.publish.mutate({ commandId: id(), appId });
    const deployment = await until('the Deployment', async () => (await appsApi.readNamespacedDeployment({ name: 'shop', namespace: NS_A }).catch(() => null)));
    expect(deployment.metadata?.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'bosun',
      'app.kubernetes.io/instance': 'shop',
      'bosun.io/app': 'shop',
      'bosun.io/app-revision': '1',
    });
    const cm = await core.readNamespacedConfigMap({ name: 'shop-config', namespace: NS_A });
    expect(cm.metadata?.labels?.['bosun.io/app']).toBe('shop');
    const svc = await core.readNamespacedService({ name: 'shop', namespace: NS_A });
    expect(svc.metadata?.labels?.['bosun.io/app-revision']).toBe('1');
    await until('two Running pods', async () => {
      const pods = await core.listNamespacedPod({ namespace: NS_A, labelSelector: 'bosun.io/app=shop' });
      return pods.items.filter((p) => p.status?.phase === 'Running').length === 2;
    });
    await until('deployed', async () => (await admin.apps.get.query({ appId })).status === 'deployed');
    const status = await until('healthy', async () => {
      const s = await admin.apps.status.query({ appId });
      return s.health === 'healthy' ? s : null;
    });
    expect(status.resources.map((r) => `${r.kind}/${r.name}:${r.health}`)).toEqual(['ConfigMap/shop-config:healthy', 'Deployment/shop:healthy', 'Service/shop:healthy']);
    expect(status.resources[1].phase).toBe('2/2 ready');
    expect(status.resources[1].pods).toHaveLength(2);
    const topology = await admin.apps.topology.query({ appId });
    expect(topology.edges).toEqual(
      expect.arrayContaining([
        { from: 'Service/shop', to: 'Deployment/shop', type: 'selects' },
        { from: 'Deployment/shop', to: 'ConfigMap/shop-config', type: 'uses' },
      ]),
    );
  });

  it('revise changes the image (revision 2); rollback to revision 1 restores it (revision 3)', async () => {
    const preview = await admin.apps.preview.mutate({ clusterId: CLUSTER, namespace: NS_A, name: 'shop', templateId: 'shop', templateVersion: 1, values: { replicas: 2, image: 'nginx:1.28' } });
    expect(preview.diff.map((d) => `${d.ref.kind}:${d.action}`)).toEqual(['ConfigMap:unchanged', 'Deployment:update', 'Service:unchanged']);
    expect(preview.diff[1].diff).toContain('-          image: nginx:1.27');
    expect(preview.diff[1].diff).toContain('+          image: nginx:1.28');

    const revised = await admin.apps.revise.mutate({ commandId: id(), appId, templateVersion: 1, values: { replicas: 2, image: 'nginx:1.28' } });
    expect(revised.revision).toBe(2);
    await until('image 1.28', async () => {
      const d = await appsApi.readNamespacedDeployment({ name: 'shop', namespace: NS_A });
      return d.spec?.template.spec?.containers[0].image === 'nginx:1.28' && d.metadata?.labels?.['bosun.io/app-revision'] === '2';
    });
    const rolled = await admin.apps.rollback.mutate({ commandId: id(), appId, toRevision: 1 });
    expect(rolled.revision).toBe(3);
    await until('image 1.27 again', async () => {
      const d = await appsApi.readNamespacedDeployment({ name: 'shop', namespace: NS_A });
      return d.spec?.template.spec?.containers[0].image === 'nginx:1.27';
    });
    const revisions = await admin.apps.revisions.query({ appId });
    expect(revisions.map((r) => [r.revision, r.reason, r.fromRevision])).toEqual([
      [3, 'rollback', 1],
      [2, 'update', null],
      [1, 'generate', null],
    ]);
    await until('deployed at 3', async () => {
      const a = await admin.apps.get.query({ appId });
      return a.status === 'deployed' && a.deployedRevision === 3;
    });
  });

  it('refuses what exceeds the quota, with the numbers, and writes nothing', async () => {
    const before = await t.bosun.services.store.headPosition();
    // NS_A has 1 core; shop holds 200m.
    const refusal = await refusalOf(
      admin.apps.generate.mutate({ commandId: id(), clusterId: CLUSTER, namespace: NS_A, name: 'big', templateId: 'shop', templateVersion: 1, values: { replicas: 5, cpu: '200m' } }),
    );
    expect(refusal.status).toBe(422);
    expect(refusal.message).toContain('requests.cpu: the application needs 1 core but namespace "a-dev" has 0.8 cores left in its quota (Deployment/big 5 × 0.2)');
    expect(await admin.apps.list.query({ namespace: NS_A }).then((l) => l.map((a) => a.name))).not.toContain('big');
    const preview = await admin.apps.preview.mutate({ clusterId: CLUSTER, namespace: NS_A, name: 'big', templateId: 'shop', templateVersion: 1, values: { replicas: 5, cpu: '200m' } });
    expect(preview.quota.ok).toBe(false);
    expect(preview.quota.message).toContain('0.8 cores left');
    // Only the refusal's audit record was written: no app, no reservation.
    expect(await writtenSince(before)).toEqual([]);
    // The namespace quota cannot shrink below what apps reserve.
    const shrink = await refusalOf(
      admin.namespaces.changeQuota.mutate({ commandId: id(), clusterId: CLUSTER, name: NS_A, quotaCpu: '100m', quotaMemory: '2Gi', defaultRequestCpu: '50m', defaultLimitCpu: '100m', defaultRequestMemory: '128Mi', defaultLimitMemory: '512Mi' }),
    );
    expect(shrink.status).toBe(409);
    expect(shrink.message).toMatch(/below the 0.2 cores reserved in namespace "a-dev" by app:shop/);
  });

  it('refuses bad values naming the parameter, and writes nothing', async () => {
    const wrong = await refusalOf(
      admin.apps.generate.mutate({ commandId: id(), clusterId: CLUSTER, namespace: NS_A, name: 'bad', templateId: 'shop', templateVersion: 1, values: { replicas: 'three' } }),
    );
    expect(wrong.status).toBe(400);
    expect(wrong.field).toBe('values.replicas');
    expect(wrong.message).toMatch(/^values\.replicas: must be an integer between 0 and 20, got "three"/);
    const image = await refusalOf(
      admin.apps.preview.mutate({ clusterId: CLUSTER, namespace: NS_A, name: 'bad', templateId: 'shop', templateVersion: 1, values: { image: 'Not An Image' } }),
    );
    expect(image.status).toBe(400);
    expect(image.field).toBe('values.image');
    const version = await refusalOf(
      admin.apps.generate.mutate({ commandId: id(), clusterId: CLUSTER, namespace: NS_A, name: 'bad', templateId: 'shop', templateVersion: 9, values: {} }),
    );
    expect(version.status).toBe(404);
    expect(version.field).toBe('templateVersion');
    expect((await admin.apps.list.query()).map((a) => a.name)).not.toContain('bad');
  });

  it('a developer may deploy apps in their namespace; a viewer may read but not deploy', async () => {
    const developer = t.as.developer.client;
    await developer.apps.generate.mutate({ commandId: id(), clusterId: CLUSTER, namespace: NS_A, name: 'dev-app', templateId: 'shop', templateVersion: 1, values: { cpu: '50m' } });
    await developer.apps.publish.mutate({ commandId: id(), appId: `${CLUSTER}.${NS_A}.dev-app` });
    const viewer = t.as.viewer.client;
    expect((await viewer.apps.list.query()).map((a) => a.name)).toEqual(expect.arrayContaining(['shop', 'dev-app']));
    const refused = await refusalOf(
      viewer.apps.generate.mutate({ commandId: id(), clusterId: CLUSTER, namespace: NS_A, name: 'viewer-app', templateId: 'shop', templateVersion: 1, values: {} }),
    );
    expect(refused.status).toBe(403);
    expect(refused.message).toContain('apps:deploy');
    expect((await refusalOf(viewer.apps.unpublish.mutate({ commandId: id(), appId }))).status).toBe(403);
    // Outside the developer's namespace.
    const outside = await refusalOf(
      developer.apps.generate.mutate({ commandId: id(), clusterId: CLUSTER, namespace: NS_A2, name: 'x', templateId: 'shop', templateVersion: 1, values: {} }),
    );
    expect(outside.status).toBe(403);
  });

  it('an image that crashes shows the workload degraded with CrashLoopBackOff, and the topology says so', async () => {
    const crashId = `${CLUSTER}.${NS_A2}.crashy`;
    await admin.apps.generate.mutate({ commandId: id(), clusterId: CLUSTER, namespace: NS_A2, name: 'crashy', templateId: 'shop', templateVersion: 1, values: { image: 'example.com/crash:1' } });
    await admin.apps.publish.mutate({ commandId: id(), appId: crashId });
    const status = await until('degraded', async () => {
      const s = await admin.apps.status.query({ appId: crashId });
      return s.health === 'degraded' ? s : null;
    });
    const deployment = status.resources.find((r) => r.kind === 'Deployment')!;
    expect(deployment.health).toBe('degraded');
    expect(deployment.message).toMatch(/^pod crashy-[a-z0-9-]+: CrashLoopBackOff$/);
    expect(deployment.pods[0].reason).toBe('CrashLoopBackOff');
    // Applying worked: the app is deployed, its workload is not healthy.
    await until('deployed', async () => (await admin.apps.get.query({ appId: crashId })).status === 'deployed');
    const topology = await admin.apps.topology.query({ appId: crashId });
    expect(topology.nodes.find((n) => n.id === 'Deployment/crashy')?.health).toBe('degraded');
  });

  it('unpublish removes exactly what the app created and leaves a hand-made object alone; then delete releases the quota', async () => {
    await core.createNamespacedConfigMap({ namespace: NS_A, body: { metadata: { name: 'hand-made', labels: { team: 'a' } }, data: { x: '1' } } });
    await admin.apps.unpublish.mutate({ commandId: id(), appId });
    await until('undeployed', async () => (await admin.apps.get.query({ appId })).status === 'undeployed');
    await until('the objects gone', async () => {
      const left = await Promise.all([
        appsApi.readNamespacedDeployment({ name: 'shop', namespace: NS_A }).catch(() => null),
        core.readNamespacedService({ name: 'shop', namespace: NS_A }).catch(() => null),
        core.readNamespacedConfigMap({ name: 'shop-config', namespace: NS_A }).catch(() => null),
      ]);
      return left.every((o) => o === null);
    });
    expect((await core.readNamespacedConfigMap({ name: 'hand-made', namespace: NS_A })).data).toEqual({ x: '1' });
    // The developer's app is untouched.
    expect(await appsApi.readNamespacedDeployment({ name: 'dev-app', namespace: NS_A })).toBeTruthy();
    const status = await admin.apps.status.query({ appId });
    expect(status.health).toBe('missing');

    await admin.apps.delete.mutate({ commandId: id(), appId });
    expect((await admin.apps.list.query()).map((a) => a.name)).not.toContain('shop');
    expect((await refusalOf(admin.apps.get.query({ appId }))).status).toBe(404);
    // The quota it held is free again: 5 × 180m fits beside dev-app's 50m.
    await admin.apps.generate.mutate({ commandId: id(), clusterId: CLUSTER, namespace: NS_A, name: 'big', templateId: 'shop', templateVersion: 1, values: { replicas: 5, cpu: '180m' } });
  });
});
