/** Custom roles: named sets of permissions, grantable at chosen scope kinds. Built-in roles have no stream. */
import { z } from 'zod';
import { permissions } from '../permissions';
import { nonEmptyStringSchema } from '../schemas';
import { roleIdSchema } from '../grant/events';

export const permissionSchema = z.enum(permissions);
const scopeKindSchema = z.enum(['platform', 'workspace', 'namespace']);

export const RoleDefinedData = z.object({
  roleId: roleIdSchema,
  displayName: nonEmptyStringSchema.max(100),
  description: z.string().max(1000),
  permissions: z.array(permissionSchema).min(1),
  grantableAt: z.array(scopeKindSchema).min(1),
});
export const RoleUpdatedData = RoleDefinedData;
export const RoleDeletedData = z.object({ roleId: roleIdSchema });

export const roleEventDataSchemas = {
  RoleDefined: RoleDefinedData,
  RoleUpdated: RoleUpdatedData,
  RoleDeleted: RoleDeletedData,
} as const;

export type RoleEvent =
  | { type: 'RoleDefined'; data: z.infer<typeof RoleDefinedData> }
  | { type: 'RoleUpdated'; data: z.infer<typeof RoleUpdatedData> }
  | { type: 'RoleDeleted'; data: z.infer<typeof RoleDeletedData> };
