/**
 * Fixtures for the RBAC reconciler tests and bench: read-model rows written as the projections
 * write them, Bosun namespaces on a cluster, and access reviews sent the way Bosun's proxy sends
 * calls (Bosun's own credential + Impersonate-User / Impersonate-Group).
 */
import https from 'node:https';
import http from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { sql, type Kysely } from 'kysely';
import type { Scope } from '../../../domain/permissions';
import { KUBE_ALL_USERS_GROUP, kubeGroupName, kubeUserName } from '../../../kube/identities';
import { scopeKey } from '../../../projections/identity/tables';
import type { ClusterClient } from '../../../reconcilers/runtime/kube';
import type { KubeSim } from '../../kube-sim/index';

export type Subject = { kind: 'user' | 'group'; id: string };

let position = 1000;
/** Read-model rows carry the global position of the event that wrote them; also moves the identity checkpoint. */
export async function bumpPosition(db: Kysely<any>): Promise<number> {
  position++;
  await sql`INSERT INTO projection_checkpoints (name, version, position, updated_at) VALUES ('identity', 1, ${position}, now())
            ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = now()`.execute(db);
  return position;
}

export async function insertCluster(db: Kysely<any>, clusterId: string, status: 'registered' | 'removed' = 'registered'): Promise<void> {
  const now = new Date().toISOString();
  await db
    .insertInto('clusters')
    .values({
      cluster_id: clusterId,
      display_name: clusterId,
      server: 'https://127.0.0.1',
      context_name: 'ctx',
      credential_ref: `cred-${clusterId}`,
      credential_fingerprint: 'sha256:0',
      kubernetes_version: 'v1.31.0',
      node_count: 1,
      allocatable_cpu_millis: 4000,
      allocatable_memory_bytes: 2 ** 34,
      cpu_ratio: 1,
      memory_ratio: 1,
      bindable_cpu_millis: 4000,
      bindable_memory_bytes: 2 ** 34,
      bound_cpu_millis: 0,
      bound_memory_bytes: 0,
      workspace_count: 0,
      bindings: JSON.stringify([]),
      status,
      registered_at: now,
      updated_at: now,
      removed_at: null,
      position: await bumpPosition(db),
    })
    .execute();
}

export async function insertNamespace(db: Kysely<any>, clusterId: string, name: string, workspaceId: string, status = 'ready'): Promise<void> {
  const now = new Date().toISOString();
  const quota = { cpuMillis: 1000, memoryBytes: 2 ** 30 };
  const defaults = { requestCpuMillis: 100, requestMemoryBytes: 2 ** 27, limitCpuMillis: 500, limitMemoryBytes: 2 ** 29 };
  await db
    .insertInto('namespaces')
    .values({
      cluster_id: clusterId,
      name,
      workspace_id: workspaceId,
      quota_cpu_millis: quota.cpuMillis,
      quota_memory_bytes: quota.memoryBytes,
      quota: JSON.stringify(quota),
      defaults: JSON.stringify(defaults),
      spec: JSON.stringify({}),
      status,
      reason: null,
      generation: 1,
      observed_generation: 1,
      created_at: now,
      updated_at: now,
      provisioned_at: now,
      deleted_at: null,
      position: await bumpPosition(db),
    })
    .execute();
}

export async function insertUser(db: Kysely<any>, userId: string, status: 'active' | 'disabled' = 'active', groups: string[] = []): Promise<void> {
  const now = new Date().toISOString();
  await db
    .insertInto('users')
    .values({
      user_id: userId,
      display_name: userId,
      email: null,
      source: 'local',
      external_subject: null,
      status,
      groups: JSON.stringify(groups),
      created_at: now,
      updated_at: now,
      position: await bumpPosition(db),
    })
    .execute();
}

export async function setUserStatus(db: Kysely<any>, userId: string, status: 'active' | 'disabled'): Promise<void> {
  await db.updateTable('users').set({ status, position: await bumpPosition(db) }).where('user_id', '=', userId).execute();
}

export async function defineRole(db: Kysely<any>, roleId: string, permissions: string[], grantableAt: string[] = ['namespace', 'workspace']): Promise<void> {
  const row = {
    role_id: roleId,
    display_name: roleId,
    description: '',
    permissions: JSON.stringify(permissions),
    grantable_at: JSON.stringify(grantableAt),
    deleted: false,
    updated_at: new Date().toISOString(),
    position: await bumpPosition(db),
  };
  await db
    .insertInto('role_definitions')
    .values(row)
    .onConflict((oc) => oc.column('role_id').doUpdateSet({ permissions: row.permissions, grantable_at: row.grantable_at, position: row.position }))
    .execute();
}

/** What the identity projection writes for RoleGranted. */
export async function grant(db: Kysely<any>, subject: Subject, roleId: string, scope: Scope): Promise<void> {
  await db
    .insertInto('grants')
    .values({
      subject_kind: subject.kind,
      subject_id: subject.id,
      role_id: roleId,
      scope_key: scopeKey(scope),
      scope_kind: scope.kind,
      workspace_id: scope.kind === 'platform' ? null : scope.workspaceId,
      cluster_id: scope.kind === 'namespace' ? scope.clusterId : null,
      namespace: scope.kind === 'namespace' ? scope.namespace : null,
      granted_at: new Date().toISOString(),
      granted_by: 'admin',
      position: await bumpPosition(db),
    })
    .onConflict((oc) => oc.columns(['subject_kind', 'subject_id', 'role_id', 'scope_key']).doNothing())
    .execute();
}

/** What the identity projection does for RoleRevoked. */
export async function revoke(db: Kysely<any>, subject: Subject, roleId: string, scope: Scope): Promise<void> {
  await db
    .deleteFrom('grants')
    .where('subject_kind', '=', subject.kind)
    .where('subject_id', '=', subject.id)
    .where('role_id', '=', roleId)
    .where('scope_key', '=', scopeKey(scope))
    .execute();
  await bumpPosition(db);
}

export async function clearReadModels(db: Kysely<any>): Promise<void> {
  for (const table of ['grants', 'users', 'role_definitions', 'namespaces', 'clusters']) await db.deleteFrom(table).execute();
}

/** A Bosun namespace on the cluster, as the namespace reconciler leaves it. */
export async function bosunNamespaceOnCluster(client: ClusterClient, clusterId: string, name: string, workspaceId: string): Promise<void> {
  await client.apply({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'bosun', 'bosun.io/workspace': workspaceId, 'bosun.io/cluster': clusterId } },
  });
}

export interface AccessQuestion {
  namespace: string;
  verb: string;
  resource: string;
  group?: string;
  subresource?: string;
  name?: string;
}

/** The headers Bosun's proxy forwards a user's call with. */
export function impersonationHeaders(userId: string, groups: readonly string[] = []): Record<string, string | string[]> {
  return { 'Impersonate-User': kubeUserName(userId), 'Impersonate-Group': [...groups.map(kubeGroupName), KUBE_ALL_USERS_GROUP] };
}

/**
 * Asks the cluster whether the impersonated Bosun user may do something: a SelfSubjectAccessReview
 * sent with Bosun's own (admin) credential and the proxy's impersonation headers.
 */
export class AccessReviewer {
  private readonly agent: http.Agent;

  constructor(private readonly target: { url: string; caPem?: string; token: string }) {
    const secure = target.url.startsWith('https:');
    this.agent = secure ? new https.Agent({ keepAlive: true, ca: target.caPem }) : new http.Agent({ keepAlive: true });
  }

  /** Bosun's credential on a kube-sim: its system:masters user. */
  static forSim(sim: Pick<KubeSim, 'url' | 'caPem' | 'users'>): AccessReviewer {
    return new AccessReviewer({ url: sim.url, caPem: sim.caPem, token: sim.users.find((u) => u.groups.includes('system:masters'))!.token });
  }

  /** From a kubeconfig with a bearer token (the one kube-sim's CLI writes). */
  static fromKubeConfig(kc: KubeConfig): AccessReviewer {
    const cluster = kc.getCurrentCluster();
    const token = kc.getCurrentUser()?.token;
    if (!cluster || !token) throw new Error('AccessReviewer: the kubeconfig needs a current cluster and a bearer token');
    const caPem = cluster.caData ? Buffer.from(cluster.caData, 'base64').toString('utf8') : undefined;
    return new AccessReviewer({ url: cluster.server, caPem, token });
  }

  async allowed(userId: string, q: AccessQuestion, groups: readonly string[] = []): Promise<boolean> {
    const body = JSON.stringify({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { namespace: q.namespace, verb: q.verb, group: q.group ?? '', resource: q.resource, subresource: q.subresource, name: q.name } },
    });
    const url = new URL('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', this.target.url);
    const mod = url.protocol === 'https:' ? https : http;
    const response = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = mod.request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          timeout: 5000,
          headers: {
            Authorization: `Bearer ${this.target.token}`,
            'Content-Type': 'application/json',
            Accept: 'application/json',
            ...impersonationHeaders(userId, groups),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('access review timed out')));
      req.on('error', reject);
      req.end(body);
    });
    if (response.status !== 201 && response.status !== 200) throw new Error(`access review: HTTP ${response.status}: ${response.text}`);
    return JSON.parse(response.text).status?.allowed === true;
  }

  close(): void {
    this.agent.destroy();
  }
}
