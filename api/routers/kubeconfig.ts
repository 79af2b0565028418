/**
 * Kubeconfig download: a kubeconfig whose only cluster is Bosun's Kubernetes proxy for one cluster,
 * authenticated by a new API key of the caller's. kubectl then reaches the cluster only through
 * Bosun, as the caller, under the RBAC Bosun projects from their grants.
 */
import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import { stringify } from 'yaml';
import { router, selfProcedure } from '../trpc';
import { commandContext, type ApiContext, type ApiUser } from '../context';
import { commandId, dnsLabel } from './inputs';
import { DomainError } from '../../domain/errors';
import { canSeeNamespace, visibility } from '../../domain/permissions';
import { MAX_API_KEY_DAYS } from '../../domain/user/decide';
import { tenancyCommand } from '../../commands/tenancy';
import { recordAttempt } from '../../commands/audit-attempt';
import { generateApiKey } from '../../identity/api-keys';
import { getCluster } from '../../projections/clusters/queries';
import { listNamespaces, type NamespaceDto } from '../../projections/namespaces/queries';
import { listApiKeys } from '../../projections/identity/queries';
import { clusterRefusal, permissionsHeldAnywhere, reachOf, reachesCluster } from '../k8s-proxy/access';
import { K8S_PROXY_PREFIX } from '../k8s-proxy/plugin';

export const kubeconfigRouter = router({
  download: selfProcedure
    .input(
      z.object({
        commandId,
        clusterId: dnsLabel,
        expiresInDays: z.number().int().min(1).max(MAX_API_KEY_DAYS).default(90),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { services, user } = ctx;
      if (user.kind !== 'user') {
        throw new DomainError('forbidden', 'an API key cannot make API keys, so it cannot download a kubeconfig; log in to Bosun', { field: 'clusterId' });
      }
      const cluster = await getCluster(services.db, input.clusterId);
      const reaches = cluster !== null && cluster.status === 'registered' && (await reachesCluster(services.db, user.access, input.clusterId));
      if (!reaches) {
        const message = clusterRefusal(input.clusterId);
        await recordAttempt(
          services.store,
          {
            module: 'kubernetes',
            action: 'DownloadKubeconfig',
            target: { kind: 'cluster', id: input.clusterId, clusterId: input.clusterId },
            details: { clusterId: input.clusterId },
            refusal: { code: 'forbidden', message, field: 'clusterId' },
          },
          commandContext(ctx, randomUUID()),
        ).catch((error) => ctx.log.warn({ err: error }, 'could not record a refused kubeconfig download'));
        throw new DomainError('forbidden', `clusterId: ${message}`, { field: 'clusterId' });
      }

      const now = services.clock();
      const generated = generateApiKey();
      const keyId = randomUUID();
      const expiresAt = new Date(now.getTime() + input.expiresInDays * 86_400_000).toISOString();
      const result = await services.handle(
        tenancyCommand('CreateApiKey'),
        {
          type: 'CreateApiKey',
          userId: user.id,
          keyId,
          name: await freeKeyName(ctx, `kubeconfig-${input.clusterId}-${now.toISOString().slice(0, 10)}`),
          prefix: generated.prefix,
          secretSha256: generated.secretSha256,
          // What the user holds anywhere; the key never does more than its user holds at the time it is used.
          permissions: permissionsHeldAnywhere(user.access),
          scopes: null,
          expiresAt,
          now: now.toISOString(),
        },
        commandContext(ctx, input.commandId),
      );
      if (result.replayed) {
        // The key made under this commandId was shown once, and Bosun keeps only its hash.
        throw new DomainError('conflict', 'commandId: this download was already made and its key cannot be shown again; download anew', { field: 'commandId' });
      }
      await services.readModels.waitForPosition(result.position, 5_000);

      const namespace = await defaultNamespace(ctx, input.clusterId);
      const server = `${requestOrigin(ctx)}${K8S_PROXY_PREFIX}${input.clusterId}`;
      const name = `bosun-${input.clusterId}`;
      const userName = `${user.id}@${name}`;
      const config = {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name,
            cluster: {
              server,
              // Plain http has no TLS to verify; client-node refuses http:// servers without this flag (kubectl ignores it).
              // An https origin is Bosun behind a TLS front whose certificate clients already trust, so no CA is embedded.
              ...(server.startsWith('http:') ? { 'insecure-skip-tls-verify': true } : {}),
            },
          },
        ],
        users: [{ name: userName, user: { token: generated.key } }],
        contexts: [{ name, context: { cluster: name, user: userName, ...(namespace ? { namespace } : {}) } }],
        'current-context': name,
        preferences: {},
      };
      return { yaml: stringify(config), keyId, expiresAt, position: result.position };
    }),
});

/** `base`, or `base-2`, `base-3`… when the user already has a live key of that name (a second download the same day). */
async function freeKeyName(ctx: ApiContext & { user: ApiUser }, base: string): Promise<string> {
  const taken = new Set((await listApiKeys(ctx.services.db, ctx.user.id)).filter((k) => !k.revoked_at).map((k) => k.name));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

/** The first namespace on the cluster the caller can see (ready ones first), for the context's default. */
async function defaultNamespace(ctx: ApiContext & { user: ApiUser }, clusterId: string): Promise<string | null> {
  const namespaces = await listNamespaces(ctx.services.db, { clusterId });
  const readable = visibility(ctx.user.access, 'namespaces:read');
  const reach = reachOf(ctx.user.access);
  const pick = (visible: (ns: NamespaceDto) => boolean) =>
    namespaces.find((ns) => ns.status === 'ready' && visible(ns)) ?? namespaces.find((ns) => visible(ns));
  const chosen = pick((ns) => canSeeNamespace(readable, ns)) ?? pick((ns) => canSeeNamespace(reach, ns));
  return chosen?.name ?? null;
}

/** Where the caller reached Bosun: the browser's Origin (right behind a reverse proxy too), else this server's own address. */
function requestOrigin(ctx: ApiContext): string {
  const origin = ctx.req.headers.origin;
  if (typeof origin === 'string') {
    try {
      const url = new URL(origin);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
    } catch {
      // not a URL: fall back to the request's own host
    }
  }
  return `${ctx.req.protocol}://${ctx.req.host}`;
}
