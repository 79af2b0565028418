/**
 * How a procedure's target scope is found in its input. Every guarded procedure declares one rule
 * with its permission (in tRPC meta), so the authorization middleware, the matrix test and the docs
 * all read the same declaration.
 */
import type { Kysely } from 'kysely';
import { DomainError } from '../domain/errors';
import type { Permission, Scope } from '../domain/permissions';
import { getNamespace } from '../projections/namespaces/queries';

export type ScopeRule =
  | { kind: 'public' }
  /** Any logged-in caller, acting on their own account or on nothing tenant-owned. */
  | { kind: 'self' }
  | { kind: 'platform' }
  | { kind: 'workspace'; field: string }
  | { kind: 'namespace'; clusterField: string; nameField: string }
  /** An id of something in a namespace, `<clusterId>.<namespace>.<…>` (an appId): the namespace is its first two segments. */
  | { kind: 'namespaceId'; field: string }
  /** The target scope is itself an input (a grant's scope). */
  | { kind: 'scopeInput'; field: string }
  /** A list: allowed where the caller holds the permission somewhere; results are filtered to where. */
  | { kind: 'list' };

export interface ProcedureMeta {
  permission: Permission | null;
  scope: ScopeRule;
}

function inputString(input: Record<string, unknown> | undefined, field: string): string {
  const value = input?.[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new DomainError('invalid', `${field}: required`, { field });
  }
  return value;
}

/** A namespace's scope with the workspace it really belongs to (never the one the caller claims). */
export async function namespaceScope(db: Kysely<any>, clusterId: string, namespace: string): Promise<Scope> {
  const row = await getNamespace(db, clusterId, namespace);
  // An unknown namespace belongs to no workspace: only platform-wide grants reach it, so a refusal
  // does not reveal whether it exists.
  return { kind: 'namespace', clusterId, namespace, workspaceId: row && row.status !== 'deleted' ? row.workspaceId : '' };
}

export async function resolveScope(db: Kysely<any>, rule: ScopeRule, input: Record<string, unknown> | undefined): Promise<Scope | null> {
  switch (rule.kind) {
    case 'public':
    case 'self':
    case 'list':
      return null;
    case 'platform':
      return { kind: 'platform' };
    case 'workspace':
      return { kind: 'workspace', workspaceId: inputString(input, rule.field) };
    case 'namespace':
      return namespaceScope(db, inputString(input, rule.clusterField), inputString(input, rule.nameField));
    case 'namespaceId': {
      const [clusterId, namespace, rest] = inputString(input, rule.field).split('.');
      if (!clusterId || !namespace || !rest) {
        throw new DomainError('invalid', `${rule.field}: must be <clusterId>.<namespace>.<name>`, { field: rule.field });
      }
      return namespaceScope(db, clusterId, namespace);
    }
    case 'scopeInput': {
      const scope = input?.[rule.field] as Partial<Scope> | undefined;
      if (!scope || typeof scope !== 'object') throw new DomainError('invalid', `${rule.field}: required`, { field: rule.field });
      if (scope.kind === 'platform') return { kind: 'platform' };
      if (scope.kind === 'workspace') return { kind: 'workspace', workspaceId: inputString(scope as Record<string, unknown>, 'workspaceId') };
      if (scope.kind === 'namespace') {
        const s = scope as Record<string, unknown>;
        return namespaceScope(db, inputString(s, 'clusterId'), inputString(s, 'namespace'));
      }
      throw new DomainError('invalid', `${rule.field}.kind: must be platform, workspace or namespace`, { field: `${rule.field}.kind` });
    }
  }
}
