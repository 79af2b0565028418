import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { router, platformProcedure } from '../trpc';
import { commandId, dnsLabel, readYourWrites } from './inputs';
import { caughtUp, runTenancyCommand, withInputField } from './run-command';
import { getCluster, listClusters } from '../../projections/clusters/queries';
import { commandContext } from '../context';
import { tenancyCommand } from '../../commands/tenancy';

const kubeconfig = z.string().min(1, 'is required').max(512 * 1024, 'must be at most 512 KiB');
const ratio = z.number().min(1, 'must be at least 1').max(10, 'must be at most 10');

export const clustersRouter = router({
  list: platformProcedure('clusters:read')
    .input(readYourWrites.extend({ includeRemoved: z.boolean().optional() }).optional())
    .query(async ({ ctx, input }) => {
      await caughtUp(ctx, input?.minPosition);
      return listClusters(ctx.services.db, { includeRemoved: input?.includeRemoved ?? false });
    }),

  get: platformProcedure('clusters:read')
    .input(readYourWrites.extend({ clusterId: dnsLabel }))
    .query(async ({ ctx, input }) => {
      await caughtUp(ctx, input.minPosition);
      const cluster = await getCluster(ctx.services.db, input.clusterId);
      if (!cluster) throw new DomainError('not_found', `clusterId: cluster "${input.clusterId}" does not exist`, { field: 'clusterId' });
      return cluster;
    }),

  /** Lists a pasted kubeconfig's contexts so the user can choose one; validates the document. */
  inspectKubeconfig: platformProcedure('clusters:manage')
    .input(z.object({ kubeconfig }))
    .mutation(({ ctx, input }) => ctx.services.clusterAccess.inspect(input.kubeconfig)),

  register: platformProcedure('clusters:manage')
    .input(
      z.object({
        commandId,
        name: dnsLabel,
        displayName: z.string().trim().max(128).optional(),
        kubeconfig,
        context: z.string().min(1).max(253).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const access = ctx.services.clusterAccess;
      const { resolved, inventory } = await access.prepare(input.kubeconfig, input.context);
      const credential = await access.storeCredentials(resolved);
      try {
        const result = await ctx.services.handle(
          tenancyCommand('RegisterCluster'),
          {
            type: 'RegisterCluster',
            clusterId: input.name,
            displayName: input.displayName || input.name,
            server: resolved.server,
            contextName: resolved.contextName,
            credentialRef: credential.ref,
            credentialFingerprint: credential.fingerprint,
            inventory,
          },
          commandContext(ctx, input.commandId),
        );
        // A repeated submission returns the first outcome; the credentials stored again are not needed.
        if (result.replayed) await access.destroyCredentials(credential.ref);
        return { position: result.position };
      } catch (error) {
        await access.destroyCredentials(credential.ref);
        throw withInputField(error, { clusterId: 'name' });
      }
    }),

  refresh: platformProcedure('clusters:manage')
    .input(z.object({ commandId, clusterId: dnsLabel }))
    .mutation(async ({ ctx, input }) => {
      const inventory = await ctx.services.clusterAccess.probe(input.clusterId);
      return runTenancyCommand(ctx, input.commandId, { type: 'RefreshClusterInventory', clusterId: input.clusterId, inventory });
    }),

  setOvercommit: platformProcedure('clusters:manage')
    .input(z.object({ commandId, clusterId: dnsLabel, cpuRatio: ratio, memoryRatio: ratio }))
    .mutation(({ ctx, input }) =>
      runTenancyCommand(ctx, input.commandId, {
        type: 'SetClusterOvercommit',
        clusterId: input.clusterId,
        cpuRatio: input.cpuRatio,
        memoryRatio: input.memoryRatio,
      }),
    ),

  remove: platformProcedure('clusters:manage')
    .input(z.object({ commandId, clusterId: dnsLabel }))
    .mutation(async ({ ctx, input }) => {
      const result = await ctx.services.handle(
        tenancyCommand('RemoveCluster'),
        { type: 'RemoveCluster', clusterId: input.clusterId },
        commandContext(ctx, input.commandId),
      );
      // Crypto-shredding: once removed, the cluster's key material is destroyed (a crash before
      // this line is covered by the orphan sweep at start-up).
      for (const event of result.events) {
        if (event.type === 'ClusterRemoved') await ctx.services.clusterAccess.destroyCredentials(String(event.data.credentialRef));
      }
      return { position: result.position };
    }),
});
