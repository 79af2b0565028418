/** Events of the workspace stream: its life, its ceiling, and its bindings to clusters. */
import { z } from 'zod';
import { dnsLabelSchema, nonEmptyStringSchema, quantitySchema } from '../schemas';

export const WorkspaceCreatedData = z.object({
  workspaceId: dnsLabelSchema,
  displayName: nonEmptyStringSchema,
  description: z.string(),
  ceilingCpuMillis: quantitySchema,
  ceilingMemoryBytes: quantitySchema,
});
export const WorkspaceCeilingChangedData = z.object({
  workspaceId: dnsLabelSchema,
  ceilingCpuMillis: quantitySchema,
  ceilingMemoryBytes: quantitySchema,
});
export const WorkspaceDeletedData = z.object({
  workspaceId: dnsLabelSchema,
});
export const WorkspaceResourcesBoundData = z.object({
  workspaceId: dnsLabelSchema,
  clusterId: dnsLabelSchema,
  cpuMillis: quantitySchema,
  memoryBytes: quantitySchema,
});
export const WorkspaceBindingChangedData = WorkspaceResourcesBoundData;
export const WorkspaceBindingRemovedData = z.object({
  workspaceId: dnsLabelSchema,
  clusterId: dnsLabelSchema,
});

export const workspaceEventDataSchemas = {
  WorkspaceCreated: WorkspaceCreatedData,
  WorkspaceCeilingChanged: WorkspaceCeilingChangedData,
  WorkspaceDeleted: WorkspaceDeletedData,
  WorkspaceResourcesBound: WorkspaceResourcesBoundData,
  WorkspaceBindingChanged: WorkspaceBindingChangedData,
  WorkspaceBindingRemoved: WorkspaceBindingRemovedData,
} as const;

export const workspaceEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('WorkspaceCreated'), data: WorkspaceCreatedData }),
  z.object({ type: z.literal('WorkspaceCeilingChanged'), data: WorkspaceCeilingChangedData }),
  z.object({ type: z.literal('WorkspaceDeleted'), data: WorkspaceDeletedData }),
  z.object({ type: z.literal('WorkspaceResourcesBound'), data: WorkspaceResourcesBoundData }),
  z.object({ type: z.literal('WorkspaceBindingChanged'), data: WorkspaceBindingChangedData }),
  z.object({ type: z.literal('WorkspaceBindingRemoved'), data: WorkspaceBindingRemovedData }),
]);

export type WorkspaceEvent = z.infer<typeof workspaceEventSchema>;
export type WorkspaceEventType = WorkspaceEvent['type'];
