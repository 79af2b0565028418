import { defineTable } from '../rows';

export type DevEnvStatus = 'starting' | 'running' | 'stopped' | 'failed' | 'deleted';

/**
 * One row per dev environment ever started (`id` = `<clusterId>.<namespace>.<name>`); a deleted
 * one stays, marked `deleted`, until the name is started again.
 */
export interface DevEnvRow {
  id: string;
  cluster_id: string;
  namespace: string;
  workspace_id: string;
  name: string;
  owner_id: string;
  image: string;
  cpu_millis: number;
  memory_bytes: number;
  /** What the owner asked for: a running container or none. */
  desired: 'running' | 'stopped';
  status: DevEnvStatus;
  status_reason: string | null;
  /** The desired state's generation; the reconciler reports outcomes for it. */
  generation: number;
  created_at: string;
  updated_at: string;
  position: number;
}

export const devEnvsTable = defineTable<DevEnvRow>('devenvs', ['id'], {
  id: 'text',
  cluster_id: 'text',
  namespace: 'text',
  workspace_id: 'text',
  name: 'text',
  owner_id: 'text',
  image: 'text',
  cpu_millis: 'int8',
  memory_bytes: 'int8',
  desired: 'text',
  status: 'text',
  status_reason: 'text',
  generation: 'int4',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
  position: 'int8',
});
