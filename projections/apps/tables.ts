import { defineTable } from '../rows';

export type AppStatusColumn = 'draft' | 'deploying' | 'deployed' | 'failed' | 'undeploying' | 'undeployed';

interface Amounts {
  cpuMillis: number;
  memoryBytes: number;
}

/** One row per application ever generated; a deleted one stays, marked `deleted`. */
export interface AppRow {
  app_id: string;
  cluster_id: string;
  namespace: string;
  workspace_id: string;
  name: string;
  description: string;
  template_id: string;
  /** Template version of the current revision. */
  template_version: number;
  /** The current revision. */
  revision: number;
  published: boolean;
  status: AppStatusColumn;
  /** Why the last deploy failed (status failed). */
  status_reason: string | null;
  deployed_revision: number | null;
  /** What the current revision reserves of the namespace quota. */
  requests: Amounts;
  limits: Amounts;
  created_by: string;
  created_at: string;
  updated_at: string;
  deleted: boolean;
  position: number;
}

export const appsTable = defineTable<AppRow>('apps', ['app_id'], {
  app_id: 'text',
  cluster_id: 'text',
  namespace: 'text',
  workspace_id: 'text',
  name: 'text',
  description: 'text',
  template_id: 'text',
  template_version: 'int4',
  revision: 'int4',
  published: 'bool',
  status: 'text',
  status_reason: 'text',
  deployed_revision: 'int4',
  requests: 'jsonb',
  limits: 'jsonb',
  created_by: 'text',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
  deleted: 'bool',
  position: 'int8',
});

export interface AppRevisionRow {
  app_id: string;
  revision: number;
  template_version: number;
  values: Record<string, string | number | boolean>;
  manifests: Array<Record<string, unknown> & { kind: string; apiVersion: string; metadata: { name: string; [k: string]: unknown } }>;
  requests: Amounts;
  limits: Amounts;
  reason: 'generate' | 'update' | 'rollback';
  from_revision: number | null;
  created_at: string;
  created_by: string;
  position: number;
}

export const appRevisionsTable = defineTable<AppRevisionRow>('app_revisions', ['app_id', 'revision'], {
  app_id: 'text',
  revision: 'int4',
  template_version: 'int4',
  values: 'jsonb',
  manifests: 'jsonb',
  requests: 'jsonb',
  limits: 'jsonb',
  reason: 'text',
  from_revision: 'int4',
  created_at: 'timestamptz',
  created_by: 'text',
  position: 'int8',
});
