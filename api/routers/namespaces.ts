import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { router, listProcedure, namespaceProcedure, workspaceProcedure } from '../trpc';
import { canSeeNamespace } from '../../domain/permissions';
import { commandId, dnsLabel, quantity, readYourWrites } from './inputs';
import { caughtUp, runTenancyCommand } from './run-command';
import { getNamespace, listNamespaces } from '../../projections/namespaces/queries';
import { parseCpu, parseMemory } from '../../domain/quantity';

const defaults = {
  defaultRequestCpu: quantity,
  defaultRequestMemory: quantity,
  defaultLimitCpu: quantity,
  defaultLimitMemory: quantity,
};

function parseDefaults(input: { defaultRequestCpu: string | number; defaultRequestMemory: string | number; defaultLimitCpu: string | number; defaultLimitMemory: string | number }) {
  return {
    requestCpuMillis: parseCpu(input.defaultRequestCpu, 'defaultRequestCpu'),
    requestMemoryBytes: parseMemory(input.defaultRequestMemory, 'defaultRequestMemory'),
    limitCpuMillis: parseCpu(input.defaultLimitCpu, 'defaultLimitCpu'),
    limitMemoryBytes: parseMemory(input.defaultLimitMemory, 'defaultLimitMemory'),
  };
}

export const namespacesRouter = router({
  list: listProcedure('namespaces:read')
    .input(readYourWrites.extend({ workspaceId: dnsLabel.optional(), clusterId: dnsLabel.optional(), includeDeleted: z.boolean().optional() }).optional())
    .query(async ({ ctx, input }) => {
      await caughtUp(ctx, input?.minPosition);
      const all = await listNamespaces(ctx.services.db, {
        workspaceId: input?.workspaceId,
        clusterId: input?.clusterId,
        includeDeleted: input?.includeDeleted,
      });
      const visible = ctx.visible!;
      return visible.everywhere ? all : all.filter((ns) => canSeeNamespace(visible, { clusterId: ns.clusterId, name: ns.name, workspaceId: ns.workspaceId }));
    }),

  get: namespaceProcedure('namespaces:read')
    .input(readYourWrites.extend({ clusterId: dnsLabel, name: dnsLabel }))
    .query(async ({ ctx, input }) => {
      await caughtUp(ctx, input.minPosition);
      const namespace = await getNamespace(ctx.services.db, input.clusterId, input.name);
      if (!namespace) throw new DomainError('not_found', `name: namespace "${input.name}" does not exist on cluster "${input.clusterId}"`, { field: 'name' });
      return namespace;
    }),

  create: workspaceProcedure('namespaces:manage')
    .input(z.object({ commandId, clusterId: dnsLabel, workspaceId: dnsLabel, name: dnsLabel, quotaCpu: quantity, quotaMemory: quantity, ...defaults }))
    .mutation(({ ctx, input }) =>
      runTenancyCommand(ctx, input.commandId, {
        type: 'CreateNamespace',
        clusterId: input.clusterId,
        workspaceId: input.workspaceId,
        name: input.name,
        quotaCpuMillis: parseCpu(input.quotaCpu, 'quotaCpu'),
        quotaMemoryBytes: parseMemory(input.quotaMemory, 'quotaMemory'),
        defaults: parseDefaults(input),
      }),
    ),

  changeQuota: namespaceProcedure('namespaces:manage')
    .input(
      z.object({
        commandId,
        clusterId: dnsLabel,
        name: dnsLabel,
        quotaCpu: quantity,
        quotaMemory: quantity,
        defaultRequestCpu: quantity.optional(),
        defaultRequestMemory: quantity.optional(),
        defaultLimitCpu: quantity.optional(),
        defaultLimitMemory: quantity.optional(),
      }),
    )
    .mutation(({ ctx, input }) => {
      const { defaultRequestCpu, defaultRequestMemory, defaultLimitCpu, defaultLimitMemory } = input;
      const all = [defaultRequestCpu, defaultRequestMemory, defaultLimitCpu, defaultLimitMemory];
      if (all.some((v) => v !== undefined) && all.some((v) => v === undefined)) {
        throw new DomainError('invalid', 'defaults: give all four default requests/limits, or none to keep the current ones', { field: 'defaultRequestCpu' });
      }
      return runTenancyCommand(ctx, input.commandId, {
        type: 'ChangeNamespaceQuota',
        clusterId: input.clusterId,
        name: input.name,
        quotaCpuMillis: parseCpu(input.quotaCpu, 'quotaCpu'),
        quotaMemoryBytes: parseMemory(input.quotaMemory, 'quotaMemory'),
        defaults: defaultRequestCpu === undefined ? undefined : parseDefaults(input as Required<typeof input>),
      });
    }),

  delete: namespaceProcedure('namespaces:manage')
    .input(z.object({ commandId, clusterId: dnsLabel, name: dnsLabel }))
    .mutation(({ ctx, input }) => runTenancyCommand(ctx, input.commandId, { type: 'DeleteNamespace', clusterId: input.clusterId, name: input.name })),
});
