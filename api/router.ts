import { router } from './trpc';
import { authRouter } from './routers/auth';
import { clustersRouter } from './routers/clusters';
import { workspacesRouter } from './routers/workspaces';
import { namespacesRouter } from './routers/namespaces';
import { auditRouter } from './routers/audit';
import { liveRouter } from './routers/live';
import { systemRouter } from './routers/system';

export const appRouter = router({
  auth: authRouter,
  clusters: clustersRouter,
  workspaces: workspacesRouter,
  namespaces: namespacesRouter,
  audit: auditRouter,
  live: liveRouter,
  system: systemRouter,
});

export type AppRouter = typeof appRouter;
