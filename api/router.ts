import { router } from './trpc';
import { authRouter } from './routers/auth';
import { clustersRouter } from './routers/clusters';
import { workspacesRouter } from './routers/workspaces';
import { namespacesRouter } from './routers/namespaces';
import { auditRouter } from './routers/audit';
import { liveRouter } from './routers/live';
import { systemRouter } from './routers/system';
import { usersRouter } from './routers/users';
import { rolesRouter } from './routers/roles';
import { membersRouter } from './routers/members';
import { apiKeysRouter } from './routers/api-keys';
import { accessRouter } from './routers/access';
import { kubeconfigRouter } from './routers/kubeconfig';
import { templatesRouter } from './routers/templates';
import { appsRouter } from './routers/apps';
import { workloadsRouter } from './routers/workloads';
import { devEnvsRouter } from './routers/devenvs';
import { configRouter } from './routers/config';
import { podsRouter } from './routers/pods';

export const appRouter = router({
  auth: authRouter,
  clusters: clustersRouter,
  workspaces: workspacesRouter,
  namespaces: namespacesRouter,
  audit: auditRouter,
  live: liveRouter,
  system: systemRouter,
  users: usersRouter,
  roles: rolesRouter,
  members: membersRouter,
  apiKeys: apiKeysRouter,
  access: accessRouter,
  kubeconfig: kubeconfigRouter,
  templates: templatesRouter,
  apps: appsRouter,
  workloads: workloadsRouter,
  devenvs: devEnvsRouter,
  config: configRouter,
  pods: podsRouter,
});

export type AppRouter = typeof appRouter;
