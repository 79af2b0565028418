import { defineTable } from '../rows';

export type NamespaceStatus = 'pending' | 'ready' | 'failed' | 'deleted';

export interface NamespaceQuota {
  cpuMillis: number;
  memoryBytes: number;
}

export interface NamespaceDefaults {
  requestCpuMillis: number;
  requestMemoryBytes: number;
  limitCpuMillis: number;
  limitMemoryBytes: number;
}

export interface NamespaceRow {
  cluster_id: string;
  name: string;
  workspace_id: string;
  quota_cpu_millis: number;
  quota_memory_bytes: number;
  quota: NamespaceQuota;
  defaults: NamespaceDefaults;
  /** The desired state as last decided (the event data, without ids). */
  spec: Record<string, unknown>;
  status: NamespaceStatus;
  /** Why provisioning failed; null otherwise. */
  reason: string | null;
  generation: number;
  /** The generation the last provisioning outcome was about (0 before any). */
  observed_generation: number;
  created_at: string;
  updated_at: string;
  provisioned_at: string | null;
  deleted_at: string | null;
  position: number;
}

export const namespacesTable = defineTable<NamespaceRow>('namespaces', ['cluster_id', 'name'], {
  cluster_id: 'text',
  name: 'text',
  workspace_id: 'text',
  quota_cpu_millis: 'int8',
  quota_memory_bytes: 'int8',
  quota: 'jsonb',
  defaults: 'jsonb',
  spec: 'jsonb',
  status: 'text',
  reason: 'text',
  generation: 'int4',
  observed_generation: 'int4',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
  provisioned_at: 'timestamptz',
  deleted_at: 'timestamptz',
  position: 'int8',
});
