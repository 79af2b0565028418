/**
 * What the containers routes (logs, terminal) share: the caller's permission on the namespace,
 * checked as the tRPC guard does, and the cluster's answer turned into a refusal a person can read.
 * An unknown namespace and one of another tenant are refused with the very same message, so a
 * refusal never tells whether a namespace exists.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { authorize, type Permission, type Scope } from '../../domain/permissions';
import { describeScope } from '../../domain/grant/state';
import { getNamespace } from '../../projections/namespaces/queries';
import { namespaceScope } from '../scope-rules';
import type { Principal } from '../../identity/principal';
import { dnsLabelSchema } from '../../domain/schemas';
import { podNameSchema } from '../../domain/terminal/events';

export class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const podRefSchema = z.object({
  clusterId: dnsLabelSchema,
  namespace: dnsLabelSchema,
  pod: podNameSchema,
});
export type PodRef = z.infer<typeof podRefSchema>;

export interface NamespaceAccess {
  scope: Scope & { kind: 'namespace' };
  workspaceId: string;
}

/** Refuses (403) unless the caller holds `permission` on the namespace; 404 when it is not one Bosun manages. */
export async function requireOnNamespace(db: Kysely<any>, user: Principal, permission: Permission, clusterId: string, namespace: string): Promise<NamespaceAccess> {
  const scope = (await namespaceScope(db, clusterId, namespace)) as Scope & { kind: 'namespace' };
  if (!authorize(user.access, permission, scope)) {
    throw new Refusal(403, `forbidden: you lack the permission ${permission} on ${describeScope(scope)}`);
  }
  const row = await getNamespace(db, clusterId, namespace);
  // Only a platform-wide grant gets here for a namespace Bosun does not manage.
  if (!row || row.status === 'deleted') throw new Refusal(404, `namespace: namespace "${namespace}" on cluster "${clusterId}" is not managed by Bosun`, 'namespace');
  return { scope, workspaceId: row.workspaceId };
}

/** A Kubernetes Status body, or the text the cluster answered. */
export function statusMessage(body: Buffer | string): string {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  try {
    const parsed = JSON.parse(text) as { kind?: string; message?: unknown };
    if (parsed && typeof parsed.message === 'string') return parsed.message;
  } catch {
    // plain text
  }
  return text.trim().slice(0, 1000) || 'no message';
}

/**
 * How the cluster's refusal reaches the caller: a bad request stays 400 (its message, e.g. "previous
 * terminated container … not found"), a missing pod 404, and anything on the cluster's side 502.
 */
export function relayClusterRefusal(status: number, body: Buffer | string): Refusal {
  const message = statusMessage(body);
  if (status === 400 || status === 422) return new Refusal(400, `the cluster refused: ${message}`);
  if (status === 404) return new Refusal(404, message);
  if (status === 409) return new Refusal(409, message);
  if (status === 401 || status === 403) return new Refusal(502, `the cluster refused Bosun's credentials: ${message}`);
  if (status === 429 || status === 503) return new Refusal(503, `the cluster is busy: ${message}`);
  return new Refusal(502, `the cluster answered ${status}: ${message}`);
}

export function unreachable(clusterId: string, error: unknown): Refusal {
  const code = (error as NodeJS.ErrnoException)?.code;
  return new Refusal(503, `cluster "${clusterId}" is unreachable: ${code ?? (error as Error)?.message ?? 'no answer'}`);
}
