/** Role grants and revocations. They live on the subject's stream: `user-<id>` or `group-<name>`. */
import { z } from 'zod';
import { dnsLabelSchema } from '../schemas';

export const userIdSchema = z
  .string()
  .max(64)
  .regex(/^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/, 'must be lower-case letters, digits, ".", "_" or "-", starting and ending with a letter or digit');

/** Group names come from identity providers (OIDC claims, LDAP cn), so they are freer than user ids. */
export const groupNameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._:@/-]*$/, 'must start with a letter or digit and hold only letters, digits, space and . _ : @ / -');

export const roleIdSchema = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be an RFC 1123 label');

export const scopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('platform') }),
  z.object({ kind: z.literal('workspace'), workspaceId: dnsLabelSchema }),
  z.object({ kind: z.literal('namespace'), clusterId: dnsLabelSchema, namespace: dnsLabelSchema, workspaceId: dnsLabelSchema }),
]);

export const subjectSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('user'), id: userIdSchema }),
  z.object({ kind: z.literal('group'), id: groupNameSchema }),
]);

export type Subject = z.infer<typeof subjectSchema>;

export const RoleGrantedData = z.object({ subject: subjectSchema, roleId: roleIdSchema, scope: scopeSchema });
export const RoleRevokedData = RoleGrantedData;

export const grantEventDataSchemas = {
  RoleGranted: RoleGrantedData,
  RoleRevoked: RoleRevokedData,
} as const;

export type GrantEvent =
  | { type: 'RoleGranted'; data: z.infer<typeof RoleGrantedData> }
  | { type: 'RoleRevoked'; data: z.infer<typeof RoleRevokedData> };
