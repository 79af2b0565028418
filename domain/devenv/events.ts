/**
 * Events of a dev environment's stream (`devenv-<clusterId>.<namespace>.<name>`). A dev
 * environment is one container from an image, owned by the user who started it. `generation`
 * counts changes of its desired state (start, stop, resume) and keeps counting across a deletion
 * and re-creation, so an outcome the reconciler reports for an old state is never taken for the current one.
 */
import { z } from 'zod';
import { dnsLabelSchema, nonEmptyStringSchema, quantitySchema } from '../schemas';

const generationSchema = z.int().min(1);
const key = { clusterId: dnsLabelSchema, namespace: dnsLabelSchema, name: dnsLabelSchema };

export const DevEnvStartedData = z.object({
  ...key,
  workspaceId: dnsLabelSchema,
  image: nonEmptyStringSchema.max(512),
  /** Requests = limits, in millicores and bytes. */
  cpuMillis: quantitySchema,
  memoryBytes: quantitySchema,
  /** The user who started it (and may stop, resume and delete it). */
  owner: nonEmptyStringSchema,
  generation: generationSchema,
});
export const DevEnvStoppedData = z.object({ ...key, generation: generationSchema });
export const DevEnvResumedData = z.object({ ...key, generation: generationSchema });
export const DevEnvReconciledData = z.object({ ...key, generation: generationSchema });
export const DevEnvFailedData = z.object({ ...key, generation: generationSchema, reason: nonEmptyStringSchema });
export const DevEnvDeletedData = z.object({ ...key, workspaceId: dnsLabelSchema, owner: nonEmptyStringSchema });

export const devEnvEventDataSchemas = {
  DevEnvStarted: DevEnvStartedData,
  DevEnvStopped: DevEnvStoppedData,
  DevEnvResumed: DevEnvResumedData,
  DevEnvReconciled: DevEnvReconciledData,
  DevEnvFailed: DevEnvFailedData,
  DevEnvDeleted: DevEnvDeletedData,
} as const;

type Of<T extends keyof typeof devEnvEventDataSchemas> = { type: T; data: z.infer<(typeof devEnvEventDataSchemas)[T]> };

export type DevEnvEvent = Of<'DevEnvStarted'> | Of<'DevEnvStopped'> | Of<'DevEnvResumed'> | Of<'DevEnvReconciled'> | Of<'DevEnvFailed'> | Of<'DevEnvDeleted'>;
export type DevEnvEventType = DevEnvEvent['type'];
