/**
 * Cluster calls of the config and storage pages: a plain-JSON client (server-side apply with
 * field manager `bosun`) built from the cluster's stored credentials, and the one translation of a
 * failed call into a refusal the user can act on. A refusal never carries a Secret's value.
 */
import { ApiException } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { DomainError } from '../../domain/errors';
import type { ClusterAccess } from '../../commands/cluster-access';
import { makeKubeConfig } from '../../kube/client';
import { clusterClient, KubeCallError, type ClusterClient } from '../../reconcilers/runtime/kube';

export const FIELD_MANAGER = 'bosun';
const TIMEOUT_MS = 10_000;

export async function configClient(access: ClusterAccess, clusterId: string): Promise<ClusterClient> {
  const resolved = await access.resolvedFor(clusterId);
  return clusterClient(makeKubeConfig(resolved), { fieldManager: FIELD_MANAGER, timeoutMs: TIMEOUT_MS });
}

/** Replaces every occurrence of a secret (as text and as base64) with [redacted]. */
export function scrub(text: string, secrets: readonly Uint8Array[]): string {
  let out = text;
  for (const bytes of secrets) {
    if (bytes.length < 3) continue; // too short to tell apart from ordinary text
    for (const form of [Buffer.from(bytes).toString('utf8'), Buffer.from(bytes).toString('base64')]) {
      if (form.length >= 3) out = out.split(form).join('[redacted]');
    }
  }
  return out;
}

export interface ClusterFailure {
  /** HTTP status when the API server answered. */
  status?: number;
  /** Scrubbed: fit for an event, a log line and the caller. */
  reason: string;
  /** The field the API server named (first cause), as `manifest.<path>`. */
  field?: string;
}

export function describeFailure(error: unknown, secrets: readonly Uint8Array[] = []): ClusterFailure {
  const status = error instanceof KubeCallError ? error.code : error instanceof ApiException ? error.code : undefined;
  const reason = scrub(error instanceof Error ? error.message || error.name : String(error), secrets);
  const cause = error instanceof KubeCallError ? error.cause : error;
  let field: string | undefined;
  if (cause instanceof ApiException) {
    try {
      const body = typeof cause.body === 'string' ? JSON.parse(cause.body) : cause.body;
      const first = body?.details?.causes?.find((c: { field?: unknown }) => typeof c.field === 'string' && c.field !== '');
      if (first) field = `manifest.${first.field}`;
    } catch {
      // not a Status object
    }
  }
  return { status, reason, field };
}

/** The refusal for a failed cluster call: the API server's own answer relayed as a 4xx, else "cannot reach it". */
export function refusalOf(failure: ClusterFailure, clusterId: string): DomainError {
  const options = failure.field ? { field: failure.field } : {};
  switch (failure.status) {
    case 400:
    case 422:
      return new DomainError('invalid', failure.reason, { ...options, field: failure.field ?? 'manifest' });
    case 404:
      return new DomainError('not_found', failure.reason, options);
    case 409:
      return new DomainError('conflict', failure.reason, options);
    case 403:
      return new DomainError('precondition_failed', `cluster "${clusterId}" refused Bosun's own credentials: ${failure.reason}`, options);
    default:
      if (failure.status !== undefined && failure.status >= 400 && failure.status < 500) return new DomainError('invalid', failure.reason, options);
      return new DomainError('precondition_failed', `cluster "${clusterId}" could not do it: ${failure.reason}`, { field: 'clusterId' });
  }
}

/** Runs a cluster call; a failure becomes the refusal (for calls made before anything is written). */
export async function onCluster<T>(clusterId: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw refusalOf(describeFailure(error), clusterId);
  }
}

export type { KubernetesObject, ClusterClient };
