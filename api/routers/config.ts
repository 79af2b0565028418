/**
 * Config and storage (配置与存储): ConfigMaps, Secrets, Services, Ingresses and
 * PersistentVolumeClaims of a namespace. Lists and objects are read live from the cluster
 * (`workloads:read`); creating, editing and deleting (`apps:deploy`) is a command and an event
 * first, then a server-side apply (field manager `bosun`) or a delete on the cluster, whose
 * refusal is relayed as a 4xx with the API server's message and recorded as a failure event.
 *
 * Secrets: the full value goes only to the cluster. The command, the event, the audit record,
 * read models and logs carry its keys, type and one keyed fingerprint per key (HMAC-SHA256
 * under a key derived from Bosun's master key). Reading values (`reveal`) needs `secrets:reveal`
 * and each reveal is audited (which keys, never the values).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { router, namespaceProcedure } from '../trpc';
import { commandContext, type ApiContext, type ApiUser } from '../context';
import { commandId } from './inputs';
import { runCommand } from './run-domain-command';
import { recordAttempt } from '../../commands/audit-attempt';
import { DomainError } from '../../domain/errors';
import type { Scope } from '../../domain/permissions';
import { APP_LABEL, CONFIG_KINDS, configKinds, type ConfigKind } from '../../domain/config/kinds';
import { checkConfigManifest, MAX_MANIFEST_LENGTH, secretValues, withoutSecretValues, type ConfigObject } from '../../domain/config/manifest';
import { configClient, describeFailure, onCluster, refusalOf, type ClusterClient } from '../config/cluster';
import { editableOf, rowOf, SECRET_MASK, yamlOf } from '../config/views';

type Ctx = ApiContext & { user: ApiUser; target?: Scope | null };

const kind = z.enum(configKinds as [ConfigKind, ...ConfigKind[]]);
const ns = { clusterId: z.string().trim().min(1, 'is required').max(63), namespace: z.string().trim().min(1, 'is required').max(63) };
const name = z.string().trim().min(1, 'is required').max(253);
const objectInput = z.object({ ...ns, kind, name });

const refOf = (k: ConfigKind, namespace: string, n: string) => ({ apiVersion: CONFIG_KINDS[k].apiVersion, kind: k, metadata: { name: n, namespace } });

const workspaceOf = (ctx: Ctx) => (ctx.target?.kind === 'namespace' && ctx.target.workspaceId ? ctx.target.workspaceId : undefined);

/** An object an application owns is changed through the application, or its reconciler would undo the change. */
function refuseAppOwned(live: Record<string, any> | undefined, k: ConfigKind, n: string): void {
  const app = live?.metadata?.labels?.[APP_LABEL];
  if (app) throw new DomainError('conflict', `name: ${k} "${n}" belongs to application "${app}"; change it through the application`, { field: 'name' });
}

async function liveObject(client: ClusterClient, clusterId: string, k: ConfigKind, namespace: string, n: string): Promise<Record<string, any>> {
  const live = await onCluster(clusterId, () => client.get(refOf(k, namespace, n)));
  if (!live) throw new DomainError('not_found', `name: ${k} "${n}" does not exist in namespace "${namespace}"`, { field: 'name' });
  return live as Record<string, any>;
}

function decodeBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/**
 * Splits a checked Secret into what may be recorded and what goes to the cluster: masked values
 * (an edit that left a value alone) are taken from the live Secret; each value is fingerprinted.
 */
function splitSecret(ctx: Ctx, object: ConfigObject, live: Record<string, any> | undefined) {
  const values: Record<string, Uint8Array> = {};
  const stringData = (object.stringData ?? {}) as Record<string, string>;
  const given = secretValues(object);
  for (const [key, bytes] of Object.entries(given)) {
    if (stringData[key] === SECRET_MASK) {
      const current = live?.data?.[key];
      if (typeof current !== 'string') {
        throw new DomainError('invalid', `manifest.stringData.${key}: has no value to keep (the Secret has no key "${key}"): type the value`, { field: `manifest.stringData.${key}` });
      }
      values[key] = decodeBase64(current);
    } else {
      values[key] = bytes;
    }
  }
  const fingerprints = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, ctx.services.clusterAccess.fingerprintSecretValue(v)]));
  const recorded = withoutSecretValues(object);
  const applied: ConfigObject = { ...recorded, data: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) };
  return { recorded, applied, fingerprints, values: Object.values(values) };
}

/** After the event: the cluster call; a refusal is recorded as a failure event and relayed. */
async function onClusterAfterEvent<T>(
  ctx: Ctx,
  ref: { clusterId: string; namespace: string; kind: ConfigKind; name: string },
  operation: 'apply' | 'delete',
  secrets: readonly Uint8Array[],
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const failure = describeFailure(error, secrets);
    ctx.log.warn({ clusterId: ref.clusterId, namespace: ref.namespace, kind: ref.kind, name: ref.name, operation, status: failure.status, reason: failure.reason }, 'cluster refused a config object');
    await runCommand(ctx, randomUUID(), {
      type: 'RecordConfigObjectFailed',
      ...ref,
      workspaceId: workspaceOf(ctx),
      operation,
      reason: failure.reason,
      ...(failure.status !== undefined ? { status: failure.status } : {}),
    });
    throw refusalOf(failure, ref.clusterId);
  }
}

export const configRouter = router({
  /** The objects of one kind in a namespace, live; a Secret's row shows its keys and type, never a value. */
  list: namespaceProcedure('workloads:read', 'clusterId', 'namespace')
    .input(z.object({ ...ns, kind }))
    .query(async ({ ctx, input }) => {
      const client = await configClient(ctx.services.clusterAccess, input.clusterId);
      const items = await onCluster(input.clusterId, () => client.list(CONFIG_KINDS[input.kind].apiVersion, input.kind, { namespace: input.namespace }));
      return items
        .map((o) => rowOf(input.kind, o as Record<string, any>))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    }),

  /** One object for viewing and editing, as an object and as YAML; a Secret's values are masked. */
  get: namespaceProcedure('workloads:read', 'clusterId', 'namespace')
    .input(objectInput)
    .query(async ({ ctx, input }) => {
      const client = await configClient(ctx.services.clusterAccess, input.clusterId);
      const live = await liveObject(client, input.clusterId, input.kind, input.namespace, input.name);
      const object = editableOf(input.kind, live);
      return { row: rowOf(input.kind, live), object, yaml: yamlOf(object), status: live.status ?? null, mask: SECRET_MASK };
    }),

  /** A Secret's values (one key, or all), for who holds `secrets:reveal`; each reveal is audited without the values. */
  reveal: namespaceProcedure('secrets:reveal', 'clusterId', 'namespace')
    .input(z.object({ ...ns, name, key: z.string().min(1).max(253).optional() }))
    .mutation(async ({ ctx, input }) => {
      const client = await configClient(ctx.services.clusterAccess, input.clusterId);
      const live = await liveObject(client, input.clusterId, 'Secret', input.namespace, input.name);
      const data = (live.data ?? {}) as Record<string, string>;
      if (input.key !== undefined && !(input.key in data)) {
        throw new DomainError('not_found', `key: Secret "${input.name}" has no key "${input.key}"`, { field: 'key' });
      }
      const keys = input.key !== undefined ? [input.key] : Object.keys(data).sort();
      await recordAttempt(
        ctx.services.store,
        {
          module: 'config',
          action: 'RevealSecret',
          target: { kind: 'namespace', id: `${input.clusterId}/${input.namespace}`, clusterId: input.clusterId, namespace: input.namespace, workspaceId: workspaceOf(ctx) },
          details: { kind: 'Secret', clusterId: input.clusterId, namespace: input.namespace, name: input.name, keys },
        },
        commandContext(ctx, randomUUID()),
      );
      const decoder = new TextDecoder('utf-8', { fatal: true });
      return {
        values: keys.map((key) => {
          const bytes = decodeBase64(data[key]);
          try {
            return { key, value: decoder.decode(bytes), encoding: 'utf8' as const };
          } catch {
            return { key, value: data[key], encoding: 'base64' as const };
          }
        }),
      };
    }),

  /**
   * Creates (`mode: create`, refused when the object exists) or edits (`mode: update`) an object
   * from a form-built object or YAML text. Refused before anything is written when the manifest is
   * wrong (400 naming the field and, for YAML, the line).
   */
  save: namespaceProcedure('apps:deploy', 'clusterId', 'namespace')
    .input(
      z.object({
        commandId,
        ...ns,
        mode: z.enum(['create', 'update']),
        kind: kind.optional(),
        name: name.optional(),
        manifest: z.union([z.string().max(MAX_MANIFEST_LENGTH), z.record(z.string(), z.unknown())]),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      if (input.mode === 'update' && (input.kind === undefined || input.name === undefined)) {
        throw new DomainError('invalid', `${input.kind === undefined ? 'kind' : 'name'}: Required value (the object being edited)`, { field: input.kind === undefined ? 'kind' : 'name' });
      }
      const object = checkConfigManifest(input.manifest, { namespace: input.namespace, kind: input.kind, name: input.name });
      const ref = { clusterId: input.clusterId, namespace: input.namespace, kind: object.kind, name: object.metadata.name };
      const client = await configClient(ctx.services.clusterAccess, input.clusterId);
      const live = (await onCluster(input.clusterId, () => client.get(refOf(ref.kind, ref.namespace, ref.name)))) as Record<string, any> | undefined;
      if (input.mode === 'create' && live) {
        throw new DomainError('already_exists', `manifest.metadata.name: ${ref.kind} "${ref.name}" already exists in namespace "${ref.namespace}"`, { field: 'manifest.metadata.name' });
      }
      if (input.mode === 'update' && !live) throw new DomainError('not_found', `name: ${ref.kind} "${ref.name}" does not exist in namespace "${ref.namespace}"`, { field: 'name' });
      refuseAppOwned(live, ref.kind, ref.name);

      let recorded: ConfigObject = object;
      let applied: ConfigObject = object;
      let fingerprints: Record<string, string> | undefined;
      let secrets: Uint8Array[] = [];
      if (ref.kind === 'Secret') ({ recorded, applied, fingerprints, values: secrets } = splitSecret(ctx, object, live));

      const { position } = await runCommand(ctx, input.commandId, {
        type: 'ApplyConfigObject',
        ...ref,
        workspaceId: workspaceOf(ctx),
        manifest: recorded,
        ...(fingerprints ? { secretFingerprints: fingerprints } : {}),
      });
      await onClusterAfterEvent(ctx, ref, 'apply', secrets, () => client.apply(applied));
      return { position, kind: ref.kind, name: ref.name, created: !live };
    }),

  /** Deletes an object (not one an application owns). */
  delete: namespaceProcedure('apps:deploy', 'clusterId', 'namespace')
    .input(z.object({ commandId, ...ns, kind, name }))
    .mutation(async ({ ctx, input }) => {
      const client = await configClient(ctx.services.clusterAccess, input.clusterId);
      const live = await liveObject(client, input.clusterId, input.kind, input.namespace, input.name);
      refuseAppOwned(live, input.kind, input.name);
      const ref = { clusterId: input.clusterId, namespace: input.namespace, kind: input.kind, name: input.name };
      const { position } = await runCommand(ctx, input.commandId, { type: 'DeleteConfigObject', ...ref, workspaceId: workspaceOf(ctx) });
      await onClusterAfterEvent(ctx, ref, 'delete', [], () => client.delete(refOf(input.kind, input.namespace, input.name)));
      return { position };
    }),
});
