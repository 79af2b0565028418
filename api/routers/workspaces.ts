import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { router, platformProcedure, listProcedure, workspaceProcedure } from '../trpc';
import { commandId, dnsLabel, quantity, readYourWrites } from './inputs';
import { caughtUp, runTenancyCommand } from './run-command';
import { getWorkspace, listWorkspaces } from '../../projections/workspaces/queries';
import { parseCpu, parseMemory } from '../../domain/quantity';

const binding = z.object({ commandId, workspaceId: dnsLabel, clusterId: dnsLabel, cpu: quantity, memory: quantity });

export const workspacesRouter = router({
  list: listProcedure('workspaces:read')
    .input(readYourWrites.optional())
    .query(async ({ ctx, input }) => {
      await caughtUp(ctx, input?.minPosition);
      const visible = ctx.visible!;
      return listWorkspaces(ctx.services.db, visible.everywhere ? {} : { workspaceIds: [...visible.workspaceIds] });
    }),

  get: workspaceProcedure('workspaces:read')
    .input(readYourWrites.extend({ workspaceId: dnsLabel }))
    .query(async ({ ctx, input }) => {
      await caughtUp(ctx, input.minPosition);
      const workspace = await getWorkspace(ctx.services.db, input.workspaceId);
      if (!workspace) throw new DomainError('not_found', `workspaceId: workspace "${input.workspaceId}" does not exist`, { field: 'workspaceId' });
      return workspace;
    }),

  create: platformProcedure('workspaces:manage')
    .input(
      z.object({
        commandId,
        name: dnsLabel,
        displayName: z.string().trim().max(128).optional(),
        description: z.string().trim().max(1024).optional(),
        ceilingCpu: quantity,
        ceilingMemory: quantity,
      }),
    )
    .mutation(({ ctx, input }) =>
      runTenancyCommand(ctx, input.commandId, {
        type: 'CreateWorkspace',
        workspaceId: input.name,
        displayName: input.displayName || input.name,
        description: input.description ?? '',
        ceilingCpuMillis: parseCpu(input.ceilingCpu, 'ceilingCpu'),
        ceilingMemoryBytes: parseMemory(input.ceilingMemory, 'ceilingMemory'),
      }, { workspaceId: 'name', displayName: 'displayName' }),
    ),

  changeCeiling: platformProcedure('workspaces:manage')
    .input(z.object({ commandId, workspaceId: dnsLabel, ceilingCpu: quantity, ceilingMemory: quantity }))
    .mutation(({ ctx, input }) =>
      runTenancyCommand(ctx, input.commandId, {
        type: 'ChangeWorkspaceCeiling',
        workspaceId: input.workspaceId,
        ceilingCpuMillis: parseCpu(input.ceilingCpu, 'ceilingCpu'),
        ceilingMemoryBytes: parseMemory(input.ceilingMemory, 'ceilingMemory'),
      }),
    ),

  delete: platformProcedure('workspaces:manage')
    .input(z.object({ commandId, workspaceId: dnsLabel }))
    .mutation(({ ctx, input }) => runTenancyCommand(ctx, input.commandId, { type: 'DeleteWorkspace', workspaceId: input.workspaceId })),

  bind: platformProcedure('workspaces:manage')
    .input(binding)
    .mutation(({ ctx, input }) =>
      runTenancyCommand(ctx, input.commandId, {
        type: 'BindClusterResources',
        workspaceId: input.workspaceId,
        clusterId: input.clusterId,
        cpuMillis: parseCpu(input.cpu, 'cpu'),
        memoryBytes: parseMemory(input.memory, 'memory'),
      }),
    ),

  changeBinding: platformProcedure('workspaces:manage')
    .input(binding)
    .mutation(({ ctx, input }) =>
      runTenancyCommand(ctx, input.commandId, {
        type: 'ChangeClusterBinding',
        workspaceId: input.workspaceId,
        clusterId: input.clusterId,
        cpuMillis: parseCpu(input.cpu, 'cpu'),
        memoryBytes: parseMemory(input.memory, 'memory'),
      }),
    ),

  unbind: platformProcedure('workspaces:manage')
    .input(z.object({ commandId, workspaceId: dnsLabel, clusterId: dnsLabel }))
    .mutation(({ ctx, input }) =>
      runTenancyCommand(ctx, input.commandId, { type: 'RemoveClusterBinding', workspaceId: input.workspaceId, clusterId: input.clusterId }),
    ),
});
