import { selfProcedure, router } from '../trpc';

export const systemRouter = router({
  info: selfProcedure.query(async ({ ctx }) => ({
    version: process.env.npm_package_version ?? '0.1.0',
    eventStore: ctx.services.store.kind,
    lag: await ctx.services.readModels.lag(),
  })),
});
