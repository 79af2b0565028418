import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { openDatabase, type OpenedDatabase } from '../db/connect';
import { migrateToLatest } from '../db/migrate';
import { openEventStore } from '../eventstore';
import type { EventStore } from '../eventstore/types';
import { CredentialStore, loadMasterKey } from '../secrets';
import { createCommandHandler } from '../commands/handler';
import { tenancyCommand, tenancyModel, isDomainError } from '../commands/tenancy';
import { ClusterAccess } from '../commands/cluster-access';
import { systemActor } from '../commands/context';
import { ProjectionRunner, allProjections } from '../projections';
import { LocalAccounts } from '../identity/accounts';
import { SessionStore } from '../identity/sessions';
import { generatePassword } from '../identity/passwords';
import { LoginThrottle } from '../identity/login-throttle';
import { SignIn } from '../identity/sign-in';
import { OidcLogin } from '../identity/oidc';
import { LdapLogin } from '../identity/ldap';
import type { CommandHandler } from '../commands/handler';
import { buildServer } from '../api/server';
import { startNamespaceReconciler, type NamespaceReconciler } from '../reconcilers/namespace/reconciler';
import { namespaceDesiredState, removedKey } from './namespace-source';
import { nudgeRbac, rbacDesiredState, startRbacReconciler, type RbacReconciler } from '../reconcilers/rbac';
import { devEnvDesiredState, startDevEnvReconciler, type DevEnvReconciler } from '../reconcilers/devenv';
import { appsDesiredState, startAppsReconciler, type AppsReconciler } from '../reconcilers/apps';
import { parseAppId } from '../domain/app/ids';
import { configFromEnv, type BosunConfig } from './config';
import type { Services } from './services';

export interface StartOptions {
  config?: Partial<BosunConfig>;
  logger?: boolean | object;
  /** Serve the built UI from here (default ui/dist). */
  uiDir?: string;
  reconcilerBackoff?: { baseMs?: number; maxMs?: number };
  /** The time source (tests move it to expire keys and sessions). */
  clock?: () => Date;
}

export interface RunningBosun {
  url: string;
  /** The bootstrap admin's password when this start created the admin, else null. */
  adminPassword: string | null;
  services: Services;
  server: FastifyInstance;
  projections: ProjectionRunner;
  stop(): Promise<void>;
}

/** Opens storage, migrates, starts projections, reconcilers and the HTTP server. */
export async function startBosun(options: StartOptions = {}): Promise<RunningBosun> {
  const config = { ...configFromEnv(), ...options.config };
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const clock = options.clock ?? (() => new Date());

  const database: OpenedDatabase = config.databaseUrl
    ? await openDatabase({ kind: 'postgres', url: config.databaseUrl, poolSize: 20 })
    : await openDatabase({ kind: 'pglite', dataDir: join(config.dataDir, 'pglite') });
  await migrateToLatest(database.db);
  const store: EventStore = config.eventStoreUrl
    ? await openEventStore({ kind: 'eventstoredb', url: config.eventStoreUrl })
    : await openEventStore(
        database.kind === 'postgres' ? { kind: 'postgres', url: config.databaseUrl!, migrate: false } : { kind: 'pglite', migrate: false },
        database,
      );

  const credentials = new CredentialStore(database.db, loadMasterKey({ dataDir: config.dataDir }).key);
  const handle = createCommandHandler({ store, model: tenancyModel, isDomainError });
  const projections = new ProjectionRunner({ store, db: database.db, dbKind: database.kind, projections: allProjections });
  await projections.start();
  const clusterAccess = new ClusterAccess(database.db, credentials);
  const accounts = new LocalAccounts(database.db);
  const sessions = new SessionStore(database.db);
  const waitForPosition = async (position: number, timeoutMs = 5_000) => {
    try {
      await projections.waitForPosition(position, timeoutMs);
    } catch (error) {
      if ((error as { code?: string }).code !== 'PROJECTION_TIMEOUT') throw error;
      // Serve what the read models have; the caller's view may still lack its last write.
    }
  };
  const signIn = new SignIn({
    db: database.db,
    store,
    handle,
    accounts,
    throttle: new LoginThrottle(database.db),
    ldap: config.ldap ? new LdapLogin(config.ldap) : null,
    clock,
    waitForPosition: (position) => waitForPosition(position),
  });

  let reconciler: NamespaceReconciler | null = null;
  let rbac: RbacReconciler | null = null;
  let devenvs: DevEnvReconciler | null = null;
  let apps: AppsReconciler | null = null;
  const services: Services = {
    db: database.db,
    store,
    handle,
    readModels: {
      waitForPosition,
      changes: projections.position$,
      async lag() {
        const lag = await projections.lag();
        return { events: lag.eventsBehind, ms: lag.msBehind };
      },
    },
    clusterAccess,
    accounts,
    sessions,
    signIn,
    oidc: config.oidc ? new OidcLogin(config.oidc) : null,
    clock,
    nudge(event, position) {
      // Reconcilers read the read models, so each waits until they hold the event.
      const afterProjections = (then: () => void) =>
        services.readModels
          .waitForPosition(position, 10_000)
          .then(then)
          .catch(() => {
            // Shutting down: the runner stopped before it reached the position; the next start resyncs.
          });
      if (rbac) {
        const target = rbac;
        void afterProjections(() => nudgeRbac(target, event));
      }
      // A dev environment's own changes (not the outcomes the reconciler reports) reconcile it.
      if (devenvs && event.type.startsWith('DevEnv') && event.type !== 'DevEnvReconciled' && event.type !== 'DevEnvFailed') {
        const target = devenvs;
        const d = event.data as { clusterId: string; namespace: string; name: string };
        void afterProjections(() => target.enqueue(d.clusterId, d.namespace, d.name));
      }
      // An application's own changes (not the outcomes the reconciler reports) reconcile it.
      if (apps && event.type.startsWith('App') && !['AppDeployed', 'AppDeployFailed', 'AppUndeployed'].includes(event.type)) {
        const target = apps;
        const key = parseAppId((event.data as { appId?: unknown }).appId);
        if (key) void afterProjections(() => target.enqueue(key.clusterId, key.namespace, key.name));
      }
      const data = event.data as { clusterId?: string; name?: string };
      if (!reconciler || !event.type.startsWith('Namespace') || !data.clusterId || !data.name) return;
      if (event.type === 'NamespaceProvisioned' || event.type === 'NamespaceProvisioningFailed') return;
      const target = reconciler;
      void afterProjections(() => target.enqueue(data.clusterId!, data.name!));
    },
  };

  const adminPassword = await bootstrapAdmin({ accounts, handle, configured: config.adminPassword, now: clock(), waitForPosition });
  await clusterAccess.sweepOrphanedCredentials();

  const removedNamespaces = new Set<string>();
  reconciler = startNamespaceReconciler({
    source: namespaceDesiredState(database.db, removedNamespaces),
    recordRemoved: ({ clusterId, name, generation }) => void removedNamespaces.add(removedKey(clusterId, name, generation)),
    kubeConfigFor: async (clusterId) => (await clusterAccess.clientFor(clusterId)).kubeConfig,
    recordOutcome: async (report) => {
      const context = { actor: systemActor, commandId: randomUUID(), correlationId: randomUUID(), causationId: null, clientIp: null, now: clock() };
      const command =
        report.outcome === 'provisioned'
          ? ({ type: 'RecordNamespaceProvisioned', clusterId: report.clusterId, name: report.name, generation: report.generation } as const)
          : ({ type: 'RecordNamespaceProvisioningFailed', clusterId: report.clusterId, name: report.name, generation: report.generation, reason: report.outcome.failed } as const);
      try {
        const result = await handle(tenancyCommand(command.type), command as any, context);
        // A namespace that just appeared on the cluster can now receive its RoleBindings.
        for (const event of result.events) services.nudge(event, result.position);
      } catch (error) {
        // A namespace deleted meanwhile has no outcome to record.
        if (!isDomainError(error)) throw error;
      }
    },
    resyncMs: config.resyncSeconds * 1000,
    backoff: options.reconcilerBackoff,
  });
  rbac = startRbacReconciler({
    source: rbacDesiredState(database.db),
    kubeConfigFor: async (clusterId) => (await clusterAccess.clientFor(clusterId)).kubeConfig,
    resyncMs: config.resyncSeconds * 1000,
    backoff: options.reconcilerBackoff,
  });

  devenvs = startDevEnvReconciler({
    source: devEnvDesiredState(database.db),
    kubeConfigFor: async (clusterId) => (await clusterAccess.clientFor(clusterId)).kubeConfig,
    recordOutcome: async (report) => {
      const context = { actor: systemActor, commandId: randomUUID(), correlationId: randomUUID(), causationId: null, clientIp: null, now: clock() };
      const key = { clusterId: report.clusterId, namespace: report.namespace, name: report.name, generation: report.generation };
      const command =
        report.outcome === 'provisioned'
          ? ({ type: 'RecordDevEnvReady', ...key } as const)
          : ({ type: 'RecordDevEnvFailed', ...key, reason: report.outcome.failed } as const);
      try {
        await handle(tenancyCommand(command.type), command as any, context);
      } catch (error) {
        // An environment deleted meanwhile has no outcome to record.
        if (!isDomainError(error)) throw error;
      }
    },
    resyncMs: config.resyncSeconds * 1000,
    backoff: options.reconcilerBackoff,
  });

  apps = startAppsReconciler({
    source: appsDesiredState(database.db),
    kubeConfigFor: async (clusterId) => (await clusterAccess.clientFor(clusterId)).kubeConfig,
    recordOutcome: async ({ clusterId, namespace, name, outcome }) => {
      const context = { actor: systemActor, commandId: randomUUID(), correlationId: randomUUID(), causationId: null, clientIp: null, now: clock() };
      const appId = `${clusterId}.${namespace}.${name}`;
      const command =
        outcome.kind === 'deployed'
          ? ({ type: 'RecordAppDeployed', appId, revision: outcome.revision } as const)
          : outcome.kind === 'failed'
            ? ({ type: 'RecordAppDeployFailed', appId, revision: outcome.revision, reason: outcome.reason } as const)
            : ({ type: 'RecordAppUndeployed', appId } as const);
      try {
        await handle(tenancyCommand(command.type), command as any, context);
      } catch (error) {
        // An application deleted meanwhile has no outcome to record.
        if (!isDomainError(error)) throw error;
      }
    },
    resyncMs: config.resyncSeconds * 1000,
    backoff: options.reconcilerBackoff,
  });

  let ready = false;
  const server = await buildServer({ services, uiDir: options.uiDir, logger: options.logger, ready: () => ready });
  const address = await server.listen({ host: config.host, port: config.port });
  ready = true;

  return {
    url: address.replace('[::1]', 'localhost'),
    adminPassword,
    services,
    server,
    projections,
    async stop() {
      ready = false;
      await server.close();
      await reconciler?.stop();
      await rbac?.stop();
      await devenvs?.stop();
      await apps?.stop();
      await projections.stop();
      await store.close();
      await database.close();
    },
  };
}

/**
 * The first start creates user `admin` with the platform-admin role. Fixed command ids make it
 * idempotent: a start that crashed half-way finishes the job the next time.
 */
const BOOTSTRAP_COMMANDS = { user: '00000000-0000-4000-8000-000000000001', grant: '00000000-0000-4000-8000-000000000002' };

async function bootstrapAdmin(options: {
  accounts: LocalAccounts;
  handle: CommandHandler;
  configured: string | null;
  now: Date;
  waitForPosition(position: number): Promise<void>;
}): Promise<string | null> {
  const { accounts, handle, now } = options;
  const context = (commandId: string) => ({ actor: systemActor, commandId, correlationId: commandId, causationId: null, clientIp: null, now });
  const created = await handle(
    tenancyCommand('CreateUser'),
    { type: 'CreateUser', userId: 'admin', displayName: 'admin', email: null, source: 'local', externalSubject: null },
    context(BOOTSTRAP_COMMANDS.user),
  ).catch((error) => {
    // An installation from before users were events has the account but no user stream yet.
    if (isDomainError(error) && error.code === 'already_exists') return null;
    throw error;
  });
  const granted = await handle(
    tenancyCommand('GrantRole'),
    { type: 'GrantRole', subject: { kind: 'user', id: 'admin' }, roleId: 'platform-admin', scope: { kind: 'platform' }, by: 'system' },
    context(BOOTSTRAP_COMMANDS.grant),
  ).catch((error) => {
    if (isDomainError(error) && error.code === 'already_exists') return null;
    throw error;
  });
  await options.waitForPosition(Math.max(created?.position ?? 0, granted?.position ?? 0));
  if ((await accounts.count()) > 0) return null;
  const password = options.configured ?? generatePassword();
  await accounts.setPassword('admin', password, now);
  return password;
}
