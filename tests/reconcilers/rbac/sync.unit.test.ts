/** The cluster side of one namespace against an in-memory client: writes only what differs, prunes only its own. */
import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { desiredRbac, type DesiredObject } from '../../../reconcilers/rbac/desired';
import { syncNamespace } from '../../../reconcilers/rbac/sync';
import { rbacNudgeFor } from '../../../reconcilers/rbac/triggers';
import type { ClusterClient, ObjectRef } from '../../../reconcilers/runtime/kube';

class MemoryClient implements ClusterClient {
  readonly objects = new Map<string, any>();
  readonly calls: string[] = [];
  private key = (ref: ObjectRef) => `${ref.kind}/${ref.metadata.namespace ?? ''}/${ref.metadata.name}`;

  async apply<T extends KubernetesObject>(object: T): Promise<T> {
    this.calls.push(`apply ${this.key(object as ObjectRef)}`);
    this.objects.set(this.key(object as ObjectRef), structuredClone(object));
    return object;
  }
  async get(ref: ObjectRef) {
    return this.objects.get(this.key(ref));
  }
  async delete(ref: ObjectRef) {
    this.calls.push(`delete ${this.key(ref)}`);
    this.objects.delete(this.key(ref));
  }
  async list(_apiVersion: string, kind: string, opts: { namespace?: string; labelSelector?: string } = {}) {
    const wanted = (opts.labelSelector ?? '').split(',').filter(Boolean).map((p) => p.split('='));
    return [...this.objects.values()].filter(
      (o) => o.kind === kind && o.metadata.namespace === opts.namespace && wanted.every(([k, v]) => o.metadata.labels?.[k] === v),
    );
  }
}

const namespaceObject = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const bosunNamespace = (name: string) => namespaceObject(name, { 'app.kubernetes.io/managed-by': 'bosun', 'bosun.io/cluster': 'c1' });

function desired(grants: Array<[string, string]>): DesiredObject[] {
  return desiredRbac({
    clusterId: 'c1',
    grants: grants.map(([id, roleId]) => ({ subject: { kind: 'user', id }, roleId, scope: { kind: 'namespace', clusterId: 'c1', namespace: 'ns', workspaceId: 'ws' } })),
    customRoles: [],
    namespaces: [{ name: 'ns', workspaceId: 'ws' }],
    disabledUsers: new Set(),
  }).get('ns')!;
}

describe('syncNamespace', () => {
  it('applies Roles before RoleBindings, then does nothing while nothing changes', async () => {
    const client = new MemoryClient();
    await client.apply(bosunNamespace('ns'));
    client.calls.length = 0;
    await syncNamespace(client, 'c1', 'ns', desired([['alice', 'developer'], ['bob', 'viewer']]));
    expect(client.calls).toEqual([
      'apply Role/ns/bosun-developer',
      'apply Role/ns/bosun-viewer',
      'apply RoleBinding/ns/bosun-developer',
      'apply RoleBinding/ns/bosun-viewer',
    ]);
    client.calls.length = 0;
    await syncNamespace(client, 'c1', 'ns', desired([['bob', 'viewer'], ['alice', 'developer']]));
    expect(client.calls).toEqual([]);
  });

  it('rewrites only the binding whose subjects changed; on revocation deletes the binding before the role', async () => {
    const client = new MemoryClient();
    await client.apply(bosunNamespace('ns'));
    await syncNamespace(client, 'c1', 'ns', desired([['alice', 'developer'], ['bob', 'viewer']]));
    client.calls.length = 0;
    await syncNamespace(client, 'c1', 'ns', desired([['alice', 'developer'], ['carol', 'developer'], ['bob', 'viewer']]));
    expect(client.calls).toEqual(['apply RoleBinding/ns/bosun-developer']);
    client.calls.length = 0;
    await syncNamespace(client, 'c1', 'ns', desired([['bob', 'viewer']]));
    expect(client.calls).toEqual(['delete RoleBinding/ns/bosun-developer', 'delete Role/ns/bosun-developer']);
  });

  it('leaves Roles and RoleBindings without its labels alone, and replaces a binding whose roleRef differs', async () => {
    const client = new MemoryClient();
    await client.apply(bosunNamespace('ns'));
    await client.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'mine', namespace: 'ns' }, roleRef: { kind: 'ClusterRole', name: 'admin' } } as any);
    const want = desired([['alice', 'developer']]);
    await client.apply({ ...want[1], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' } } as any);
    client.calls.length = 0;
    await syncNamespace(client, 'c1', 'ns', want);
    expect(client.calls).toEqual(['apply Role/ns/bosun-developer', 'delete RoleBinding/ns/bosun-developer', 'apply RoleBinding/ns/bosun-developer']);
    expect(await client.get({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'mine', namespace: 'ns' } })).toBeDefined();
  });

  it('refuses a namespace that is missing or not Bosun\'s for this cluster, and skips one being deleted', async () => {
    const client = new MemoryClient();
    const want = desired([['alice', 'developer']]);
    await expect(syncNamespace(client, 'c1', 'ns', want)).rejects.toThrow('namespace "ns" does not exist on the cluster yet');
    await client.apply(namespaceObject('ns', {}));
    await expect(syncNamespace(client, 'c1', 'ns', want)).rejects.toThrow('not managed by Bosun');
    await client.apply(namespaceObject('ns', { 'app.kubernetes.io/managed-by': 'bosun', 'bosun.io/cluster': 'c2' }));
    await expect(syncNamespace(client, 'c1', 'ns', want)).rejects.toThrow('not managed by Bosun for cluster "c1"');
    await client.apply({ ...bosunNamespace('ns'), metadata: { ...bosunNamespace('ns').metadata, deletionTimestamp: new Date() } });
    client.calls.length = 0;
    expect(await syncNamespace(client, 'c1', 'ns', want)).toBe('terminating');
    expect(client.calls).toEqual([]);
  });
});

describe('rbacNudgeFor', () => {
  const ns = { kind: 'namespace', clusterId: 'c1', namespace: 'ns', workspaceId: 'ws' };
  it.each([
    [{ type: 'RoleGranted', data: { scope: ns } }, { kind: 'namespace', clusterId: 'c1', namespace: 'ns' }],
    [{ type: 'RoleRevoked', data: { scope: ns } }, { kind: 'namespace', clusterId: 'c1', namespace: 'ns' }],
    [{ type: 'RoleGranted', data: { scope: { kind: 'workspace', workspaceId: 'ws' } } }, { kind: 'workspace', workspaceId: 'ws' }],
    [{ type: 'RoleRevoked', data: { scope: { kind: 'platform' } } }, { kind: 'all' }],
    [{ type: 'RoleUpdated', data: { roleId: 'r' } }, { kind: 'all' }],
    [{ type: 'RoleDeleted', data: { roleId: 'r' } }, { kind: 'all' }],
    [{ type: 'UserDisabled', data: { userId: 'u' } }, { kind: 'all' }],
    [{ type: 'UserEnabled', data: { userId: 'u' } }, { kind: 'all' }],
    [{ type: 'NamespaceProvisioned', data: { clusterId: 'c1', name: 'ns', generation: 1 } }, { kind: 'namespace', clusterId: 'c1', namespace: 'ns' }],
    [{ type: 'UserProfileSynced', data: { userId: 'u', groups: ['g'] } }, null],
    [{ type: 'NamespaceDeleted', data: { clusterId: 'c1', name: 'ns' } }, null],
  ])('%o → %o', (event, nudge) => {
    expect(rbacNudgeFor(event)).toEqual(nudge);
  });
});
