/**
 * Roles reach Kubernetes: a grant made in Bosun is projected into the namespace's RBAC by the
 * reconciler, and a user's own kubeconfig (pointing at Bosun's proxy, which impersonates them) is
 * then allowed or refused by the cluster exactly as the Bosun role says. Revoking takes it away.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { AppsV1Api, AuthorizationV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { CLUSTER, NS_A, NS_B, scopes, startTenants, type Tenants } from './support/tenants';

async function kubeconfigOf(t: Tenants, role: string): Promise<KubeConfig> {
  const { yaml } = await t.as[role].client.kubeconfig.download.mutate({ commandId: randomUUID(), clusterId: CLUSTER, expiresInDays: 1 });
  const kc = new KubeConfig();
  kc.loadFromString(yaml);
  return kc;
}

async function may(kc: KubeConfig, attributes: { verb: string; resource: string; subresource?: string; group?: string; namespace: string }): Promise<boolean> {
  const review = await kc
    .makeApiClient(AuthorizationV1Api)
    .createSelfSubjectAccessReview({ body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: attributes } } })
    .catch((error) => {
      // Bosun's proxy refuses a caller who holds nothing on the cluster any more, before the cluster is asked.
      if (error.code === 403) return null;
      throw error;
    });
  return review?.status?.allowed === true;
}

describe('Bosun roles projected into Kubernetes RBAC, used through the proxy', () => {
  let t: Tenants;

  beforeAll(async () => {
    t = await startTenants();
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
  });

  it('a developer may exec and read pods in their namespace, not change workload controllers, not enter another tenant', async () => {
    const kc = await kubeconfigOf(t, 'developer');
    await expect.poll(() => may(kc, { verb: 'create', resource: 'pods', subresource: 'exec', namespace: NS_A }), { timeout: 20_000 }).toBe(true);
    expect(await may(kc, { verb: 'list', resource: 'pods', namespace: NS_A })).toBe(true);
    expect(await may(kc, { verb: 'patch', resource: 'deployments', group: 'apps', namespace: NS_A })).toBe(false);
    expect(await may(kc, { verb: 'list', resource: 'pods', namespace: NS_B })).toBe(false);
    // A real call, not only a review: the cluster refuses it with its own 403.
    const refused = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: NS_B }).catch((e) => e);
    expect(refused.code).toBe(403);
    expect((await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: NS_A })).items).toEqual([]);
  });

  it('an ops engineer may change workload controllers', async () => {
    const kc = await kubeconfigOf(t, 'ops-engineer');
    await expect.poll(() => may(kc, { verb: 'patch', resource: 'deployments', group: 'apps', namespace: NS_A }), { timeout: 20_000 }).toBe(true);
    const apps = kc.makeApiClient(AppsV1Api);
    const created = await apps.createNamespacedDeployment({
      namespace: NS_A,
      body: {
        metadata: { name: 'web' },
        spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } } }] } } },
      },
    });
    expect(created.metadata?.name).toBe('web');
  });

  it('revoking the role takes the access away on the cluster', async () => {
    const kc = await kubeconfigOf(t, 'tester');
    await expect.poll(() => may(kc, { verb: 'create', resource: 'pods', subresource: 'exec', namespace: NS_A }), { timeout: 20_000 }).toBe(true);
    await t.admin.client.members.revoke.mutate({ commandId: randomUUID(), subject: { kind: 'user', id: 'r-tester' }, roleId: 'tester', scope: scopes.nsA as any });
    await expect.poll(() => may(kc, { verb: 'create', resource: 'pods', subresource: 'exec', namespace: NS_A }), { timeout: 20_000 }).toBe(false);
    // And the cluster itself no longer binds the tester (not only Bosun's gate).
    const sim = new KubeConfig();
    sim.loadFromString(t.sim.kubeconfig);
    await expect
      .poll(async () => (await sim.makeApiClient(RbacAuthorizationV1Api).listNamespacedRoleBinding({ namespace: NS_A })).items.flatMap((b) => b.subjects ?? []).map((s) => s.name), { timeout: 20_000 })
      .not.toContain('bosun:r-tester');
  });
});
