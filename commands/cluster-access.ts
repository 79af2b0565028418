import { randomUUID } from 'node:crypto';
import { DomainError } from '../domain/errors';
import type { Kysely } from 'kysely';
import { KubeconfigError, parseKubeconfig, resolveContext, type ResolvedKubeconfig } from '../kube/kubeconfig';
import { createClusterClient, type ClusterClient } from '../kube/client';
import { resolvedKubeconfigSchema } from '../kube/resolved-schema';
import { ClusterProbeError, probeCluster } from '../kube/probe';
import type { CredentialStore } from '../secrets/credential-store';

export interface ClusterInventory {
  kubernetesVersion: string;
  nodeCount: number;
  allocatableCpuMillis: number;
  allocatableMemoryBytes: number;
}

export interface PreparedCluster {
  resolved: ResolvedKubeconfig;
  inventory: ClusterInventory;
}

/**
 * The I/O around a cluster's credentials: validate a pasted kubeconfig, probe the API server,
 * keep the credentials encrypted, and build clients from them. The domain only ever sees the
 * credential's reference and fingerprint.
 */
export class ClusterAccess {
  private readonly clients = new Map<string, ClusterClient>();

  constructor(
    private readonly db: Kysely<any>,
    private readonly credentials: CredentialStore,
    private readonly timeoutMs = 10_000,
  ) {}

  inspect(kubeconfig: string): { contexts: { name: string; server: string | null }[]; currentContext: string | null } {
    const parsed = asRefusal(() => parseKubeconfig(kubeconfig));
    return {
      contexts: parsed.contexts.map((c) => {
        let server: string | null = null;
        try {
          server = resolveContext(kubeconfig, c.name).server;
        } catch {
          server = null;
        }
        return { name: c.name, server };
      }),
      currentContext: parsed.currentContext ?? null,
    };
  }

  /** Validates and probes; throws a DomainError naming the field on anything wrong. */
  async prepare(kubeconfig: string, contextName?: string): Promise<PreparedCluster> {
    const resolved = asRefusal(() => resolveContext(kubeconfig, contextName));
    try {
      const inventory = await probeCluster(resolved, { timeoutMs: this.timeoutMs });
      return { resolved, inventory };
    } catch (error) {
      if (error instanceof ClusterProbeError) throw new DomainError('invalid', `kubeconfig: ${error.message}`, { field: 'kubeconfig' });
      throw error;
    }
  }

  async storeCredentials(resolved: ResolvedKubeconfig): Promise<{ ref: string; fingerprint: string }> {
    return this.credentials.put(randomUUID(), resolved as unknown as Record<string, unknown>);
  }

  /** Keyed fingerprint of a secret value (a Secret's key) for events; see secrets/value-fingerprint.ts. */
  fingerprintSecretValue(value: Uint8Array | string): string {
    return this.credentials.valueFingerprint(value);
  }

  async destroyCredentials(ref: string): Promise<void> {
    await this.credentials.destroy(ref);
    this.clients.delete(ref);
  }

  async resolvedFor(clusterId: string): Promise<ResolvedKubeconfig> {
    const row = await this.db.selectFrom('clusters').select(['credential_ref']).where('cluster_id', '=', clusterId).where('status', '=', 'registered').executeTakeFirst();
    if (!row?.credential_ref) throw new DomainError('not_found', `cluster "${clusterId}" is not registered`, { field: 'clusterId' });
    return resolvedKubeconfigSchema.parse(await this.credentials.get(row.credential_ref)) as ResolvedKubeconfig;
  }

  /** A cached client per credential reference (a re-registered cluster gets a new reference). */
  async clientFor(clusterId: string): Promise<ClusterClient> {
    const row = await this.db.selectFrom('clusters').select(['credential_ref']).where('cluster_id', '=', clusterId).where('status', '=', 'registered').executeTakeFirst();
    if (!row?.credential_ref) throw new DomainError('not_found', `cluster "${clusterId}" is not registered`, { field: 'clusterId' });
    let client = this.clients.get(row.credential_ref);
    if (!client) {
      const resolved = resolvedKubeconfigSchema.parse(await this.credentials.get(row.credential_ref)) as ResolvedKubeconfig;
      client = createClusterClient(resolved, { timeoutMs: this.timeoutMs });
      this.clients.set(row.credential_ref, client);
    }
    return client;
  }

  /**
   * Destroys stored credentials no registered cluster refers to: left by a crash between storing
   * them and recording the registration, or between removing a cluster and shredding its key.
   * Only rows older than `graceMs` go, so a registration in flight keeps its credentials.
   */
  async sweepOrphanedCredentials(now = new Date(), graceMs = 10 * 60_000): Promise<number> {
    const referenced = this.db.selectFrom('clusters').select('credential_ref').where('status', '=', 'registered');
    const result = await this.db
      .deleteFrom('credentials')
      .where('id', 'not in', referenced)
      .where('created_at', '<', new Date(now.getTime() - graceMs))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async probe(clusterId: string): Promise<ClusterInventory> {
    try {
      return await probeCluster(await this.resolvedFor(clusterId), { timeoutMs: this.timeoutMs });
    } catch (error) {
      if (error instanceof ClusterProbeError) throw new DomainError('precondition_failed', `cluster "${clusterId}": ${error.message}`, { field: 'clusterId' });
      throw error;
    }
  }
}

function asRefusal<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof KubeconfigError) {
      const field = error.field ? `kubeconfig.${error.field}` : 'kubeconfig';
      throw new DomainError('invalid', `${field}: ${error.message}`, { field: field });
    }
    throw error;
  }
}
