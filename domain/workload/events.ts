/**
 * Events of a workload's stream (`workload-<clusterId>.<namespace>.<kind>.<name>`): what a person
 * asked Bosun to do to a workload controller or a pod, and, when the cluster refused it, the
 * failure. The live object stays in the cluster; these record who asked for what (never a secret).
 */
import { z } from 'zod';
import { dnsLabelSchema } from '../schemas';

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];
export const workloadKindSchema = z.enum(WORKLOAD_KINDS);

/** A Kubernetes object name (DNS-1123 subdomain: may contain dots). */
export const objectNameSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/);

const ref = {
  clusterId: dnsLabelSchema,
  namespace: dnsLabelSchema,
  kind: workloadKindSchema,
  name: objectNameSchema,
};

export const WORKLOAD_OPERATIONS = [
  'ScaleWorkload',
  'SetWorkloadAutoscaler',
  'RemoveWorkloadAutoscaler',
  'UpdateWorkloadImage',
  'RestartWorkload',
  'RollbackWorkload',
  'DeleteWorkload',
] as const;
export type WorkloadOperation = (typeof WORKLOAD_OPERATIONS)[number];

export const WorkloadScaledData = z.object({ ...ref, replicas: z.int().min(0).max(1000), previousReplicas: z.int().min(0).nullable() });
export const WorkloadAutoscalerSetData = z.object({
  ...ref,
  hpaName: objectNameSchema,
  cpuTargetPercent: z.int().min(1).max(100),
  minReplicas: z.int().min(1).max(1000),
  maxReplicas: z.int().min(1).max(1000),
});
export const WorkloadAutoscalerRemovedData = z.object({ ...ref, hpaName: objectNameSchema });
export const WorkloadImageUpdatedData = z.object({
  ...ref,
  container: z.string().min(1).max(63),
  image: z.string().min(1).max(512),
  previousImage: z.string().max(512).nullable(),
});
export const WorkloadRestartedData = z.object({ ...ref, restartedAt: z.iso.datetime() });
export const WorkloadRolledBackData = z.object({
  ...ref,
  toRevision: z.int().min(1),
  fromRevision: z.int().min(0).nullable(),
  /** The images of the revision rolled back to, per container: what the rollback brings back. */
  images: z.record(z.string(), z.string()),
});
export const WorkloadDeletedData = z.object({ ...ref });
export const WorkloadOperationFailedData = z.object({
  ...ref,
  operation: z.enum(WORKLOAD_OPERATIONS),
  /** The commandId of the operation the cluster refused. */
  failedCommandId: z.string().min(1).max(100),
  /** The API server's message (or why it could not be reached). */
  reason: z.string().min(1).max(2000),
  httpStatus: z.int().nullable(),
});

export const workloadEventDataSchemas = {
  WorkloadScaled: WorkloadScaledData,
  WorkloadAutoscalerSet: WorkloadAutoscalerSetData,
  WorkloadAutoscalerRemoved: WorkloadAutoscalerRemovedData,
  WorkloadImageUpdated: WorkloadImageUpdatedData,
  WorkloadRestarted: WorkloadRestartedData,
  WorkloadRolledBack: WorkloadRolledBackData,
  WorkloadDeleted: WorkloadDeletedData,
  WorkloadOperationFailed: WorkloadOperationFailedData,
} as const;

type Of<T extends keyof typeof workloadEventDataSchemas> = { type: T; data: z.infer<(typeof workloadEventDataSchemas)[T]> };

export type WorkloadEvent =
  | Of<'WorkloadScaled'>
  | Of<'WorkloadAutoscalerSet'>
  | Of<'WorkloadAutoscalerRemoved'>
  | Of<'WorkloadImageUpdated'>
  | Of<'WorkloadRestarted'>
  | Of<'WorkloadRolledBack'>
  | Of<'WorkloadDeleted'>
  | Of<'WorkloadOperationFailed'>;
