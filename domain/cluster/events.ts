/** Events of the cluster stream: registration, inventory, over-commit, bindings, namespace allocations. */
import { z } from 'zod';
import { dnsLabelSchema, nonEmptyStringSchema, overcommitRatioSchema, quantitySchema } from '../schemas';

export const clusterInventorySchema = z.object({
  kubernetesVersion: nonEmptyStringSchema,
  nodeCount: z.int().min(0),
  allocatableCpuMillis: quantitySchema,
  allocatableMemoryBytes: quantitySchema,
});
export type ClusterInventory = z.infer<typeof clusterInventorySchema>;

export const ClusterRegisteredData = z.object({
  clusterId: dnsLabelSchema,
  displayName: nonEmptyStringSchema,
  server: nonEmptyStringSchema,
  contextName: nonEmptyStringSchema,
  /** Where the credentials live in the secret store; never the credentials themselves. */
  credentialRef: nonEmptyStringSchema,
  credentialFingerprint: nonEmptyStringSchema,
  inventory: clusterInventorySchema,
  cpuRatio: overcommitRatioSchema,
  memoryRatio: overcommitRatioSchema,
});
export const ClusterInventoryRefreshedData = z.object({
  clusterId: dnsLabelSchema,
  inventory: clusterInventorySchema,
});
export const ClusterOvercommitSetData = z.object({
  clusterId: dnsLabelSchema,
  cpuRatio: overcommitRatioSchema,
  memoryRatio: overcommitRatioSchema,
});
export const ClusterRemovedData = z.object({
  clusterId: dnsLabelSchema,
  /** The key material to destroy (crypto-shredding). */
  credentialRef: nonEmptyStringSchema,
});
export const ClusterResourcesBoundData = z.object({
  clusterId: dnsLabelSchema,
  workspaceId: dnsLabelSchema,
  cpuMillis: quantitySchema,
  memoryBytes: quantitySchema,
});
export const ClusterBindingChangedData = ClusterResourcesBoundData;
export const ClusterBindingRemovedData = z.object({
  clusterId: dnsLabelSchema,
  workspaceId: dnsLabelSchema,
});
export const ClusterNamespaceAllocatedData = z.object({
  clusterId: dnsLabelSchema,
  namespace: dnsLabelSchema,
  workspaceId: dnsLabelSchema,
  cpuMillis: quantitySchema,
  memoryBytes: quantitySchema,
});
export const ClusterNamespaceAllocationChangedData = ClusterNamespaceAllocatedData;
export const ClusterNamespaceReleasedData = z.object({
  clusterId: dnsLabelSchema,
  namespace: dnsLabelSchema,
  workspaceId: dnsLabelSchema,
});

/** Data schema per event type (feeds the registry in domain/events.ts). */
export const clusterEventDataSchemas = {
  ClusterRegistered: ClusterRegisteredData,
  ClusterInventoryRefreshed: ClusterInventoryRefreshedData,
  ClusterOvercommitSet: ClusterOvercommitSetData,
  ClusterRemoved: ClusterRemovedData,
  ClusterResourcesBound: ClusterResourcesBoundData,
  ClusterBindingChanged: ClusterBindingChangedData,
  ClusterBindingRemoved: ClusterBindingRemovedData,
  ClusterNamespaceAllocated: ClusterNamespaceAllocatedData,
  ClusterNamespaceAllocationChanged: ClusterNamespaceAllocationChangedData,
  ClusterNamespaceReleased: ClusterNamespaceReleasedData,
} as const;

export const clusterEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ClusterRegistered'), data: ClusterRegisteredData }),
  z.object({ type: z.literal('ClusterInventoryRefreshed'), data: ClusterInventoryRefreshedData }),
  z.object({ type: z.literal('ClusterOvercommitSet'), data: ClusterOvercommitSetData }),
  z.object({ type: z.literal('ClusterRemoved'), data: ClusterRemovedData }),
  z.object({ type: z.literal('ClusterResourcesBound'), data: ClusterResourcesBoundData }),
  z.object({ type: z.literal('ClusterBindingChanged'), data: ClusterBindingChangedData }),
  z.object({ type: z.literal('ClusterBindingRemoved'), data: ClusterBindingRemovedData }),
  z.object({ type: z.literal('ClusterNamespaceAllocated'), data: ClusterNamespaceAllocatedData }),
  z.object({ type: z.literal('ClusterNamespaceAllocationChanged'), data: ClusterNamespaceAllocationChangedData }),
  z.object({ type: z.literal('ClusterNamespaceReleased'), data: ClusterNamespaceReleasedData }),
]);

export type ClusterEvent = z.infer<typeof clusterEventSchema>;
export type ClusterEventType = ClusterEvent['type'];
