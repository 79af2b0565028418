import { z } from 'zod';
import { router, platformProcedure, selfProcedure } from '../trpc';
import { commandId } from './inputs';
import { permission, roleId } from './identity-inputs';
import { runCommand } from './run-domain-command';
import { builtInRoles } from '../../domain/permissions';
import { listCustomRoles } from '../../projections/identity/queries';

const roleFields = {
  commandId,
  roleId,
  displayName: z.string().trim().min(1, 'is required').max(100),
  description: z.string().max(1000).default(''),
  permissions: z.array(permission).min(1, 'choose at least one permission'),
  grantableAt: z.array(z.enum(['platform', 'workspace', 'namespace'])).min(1, 'choose at least one scope'),
};

export const rolesRouter = router({
  /** The role catalogue (built-in and custom) is no tenant's data: everyone signed in may read it. */
  list: selfProcedure.query(async ({ ctx }) => {
    const custom = await listCustomRoles(ctx.services.db);
    return [
      ...Object.entries(builtInRoles).map(([id, role]) => ({
        roleId: id,
        builtIn: true,
        displayName: role.displayName,
        description: '',
        permissions: [...role.permissions],
        grantableAt: [...role.grantableAt],
      })),
      ...custom.map((r) => ({
        roleId: r.role_id,
        builtIn: false,
        displayName: { en: r.display_name, 'zh-CN': r.display_name },
        description: r.description,
        permissions: r.permissions,
        grantableAt: r.grantable_at,
      })),
    ];
  }),

  define: platformProcedure('roles:manage')
    .input(z.object(roleFields))
    .mutation(({ ctx, input }) => runCommand(ctx, input.commandId, { type: 'DefineRole', ...input })),

  update: platformProcedure('roles:manage')
    .input(z.object(roleFields))
    .mutation(({ ctx, input }) => runCommand(ctx, input.commandId, { type: 'UpdateRole', ...input })),

  delete: platformProcedure('roles:manage')
    .input(z.object({ commandId, roleId }))
    .mutation(({ ctx, input }) => runCommand(ctx, input.commandId, { type: 'DeleteRole', roleId: input.roleId })),
});
