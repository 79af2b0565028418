import { z } from 'zod';
import { permissions } from '../../domain/permissions';
import { groupNameSchema, roleIdSchema, userIdSchema } from '../../domain/grant/events';
import { dnsLabel } from './inputs';

export const userId = userIdSchema;
export const roleId = roleIdSchema;
export const permission = z.enum(permissions);

export const scope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('platform') }),
  z.object({ kind: z.literal('workspace'), workspaceId: dnsLabel }),
  z.object({ kind: z.literal('namespace'), clusterId: dnsLabel, namespace: dnsLabel, workspaceId: dnsLabel }),
]);

export const subject = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('user'), id: userIdSchema }),
  z.object({ kind: z.literal('group'), id: groupNameSchema }),
]);
