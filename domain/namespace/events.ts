/** Events of a namespace's own stream: created, quota changed, provisioning outcome, deleted. */
import { z } from 'zod';
import { dnsLabelSchema, nonEmptyStringSchema, quantitySchema } from '../schemas';

/** The LimitRange defaults applied to containers that state no requests/limits. */
export const containerDefaultsSchema = z.object({
  requestCpuMillis: quantitySchema,
  requestMemoryBytes: quantitySchema,
  limitCpuMillis: quantitySchema,
  limitMemoryBytes: quantitySchema,
});
export type ContainerDefaults = z.infer<typeof containerDefaultsSchema>;

const generationSchema = z.int().min(1);

export const NamespaceCreatedData = z.object({
  clusterId: dnsLabelSchema,
  name: dnsLabelSchema,
  workspaceId: dnsLabelSchema,
  quotaCpuMillis: quantitySchema,
  quotaMemoryBytes: quantitySchema,
  defaults: containerDefaultsSchema,
  /** Bumped by every change of the desired state; provisioning outcomes name the generation they saw. */
  generation: generationSchema,
});
export const NamespaceQuotaChangedData = NamespaceCreatedData;
export const NamespaceProvisionedData = z.object({
  clusterId: dnsLabelSchema,
  name: dnsLabelSchema,
  generation: generationSchema,
});
export const NamespaceProvisioningFailedData = z.object({
  clusterId: dnsLabelSchema,
  name: dnsLabelSchema,
  generation: generationSchema,
  reason: nonEmptyStringSchema,
});
export const NamespaceDeletedData = z.object({
  clusterId: dnsLabelSchema,
  name: dnsLabelSchema,
  workspaceId: dnsLabelSchema,
});

const amountsSchema = z.object({ cpuMillis: quantitySchema, memoryBytes: quantitySchema });

/**
 * What something Bosun deploys into the namespace (an application, a dev environment) takes from
 * its quota. `holder` names it (`app:<name>`, `devenv:<name>`); a new reservation of the same
 * holder replaces the old one.
 */
export const NamespaceResourcesReservedData = z.object({
  clusterId: dnsLabelSchema,
  name: dnsLabelSchema,
  holder: z.string().min(1).max(200),
  requests: amountsSchema,
  limits: amountsSchema,
});
export const NamespaceResourcesReleasedData = z.object({
  clusterId: dnsLabelSchema,
  name: dnsLabelSchema,
  holder: z.string().min(1).max(200),
});

export const namespaceEventDataSchemas = {
  NamespaceCreated: NamespaceCreatedData,
  NamespaceQuotaChanged: NamespaceQuotaChangedData,
  NamespaceProvisioned: NamespaceProvisionedData,
  NamespaceProvisioningFailed: NamespaceProvisioningFailedData,
  NamespaceDeleted: NamespaceDeletedData,
  NamespaceResourcesReserved: NamespaceResourcesReservedData,
  NamespaceResourcesReleased: NamespaceResourcesReleasedData,
} as const;

export const namespaceEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('NamespaceCreated'), data: NamespaceCreatedData }),
  z.object({ type: z.literal('NamespaceQuotaChanged'), data: NamespaceQuotaChangedData }),
  z.object({ type: z.literal('NamespaceProvisioned'), data: NamespaceProvisionedData }),
  z.object({ type: z.literal('NamespaceProvisioningFailed'), data: NamespaceProvisioningFailedData }),
  z.object({ type: z.literal('NamespaceDeleted'), data: NamespaceDeletedData }),
  z.object({ type: z.literal('NamespaceResourcesReserved'), data: NamespaceResourcesReservedData }),
  z.object({ type: z.literal('NamespaceResourcesReleased'), data: NamespaceResourcesReleasedData }),
]);

export type NamespaceEvent = z.infer<typeof namespaceEventSchema>;
export type NamespaceEventType = NamespaceEvent['type'];
