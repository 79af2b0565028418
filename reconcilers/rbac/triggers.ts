/**
 * Which namespaces an event can change the RBAC of, so the app nudges the reconciler as narrowly
 * as it can: a grant on one namespace → that namespace; on a workspace → its namespaces; anything
 * wider → every namespace. Call it after the read models have reached the event's position.
 */
import type { RbacReconciler } from './reconciler';

export type RbacNudge =
  | { kind: 'namespace'; clusterId: string; namespace: string }
  | { kind: 'workspace'; workspaceId: string }
  | { kind: 'all' }
  | null;

const everyNamespace = new Set(['RoleDefined', 'RoleUpdated', 'RoleDeleted', 'UserDisabled', 'UserEnabled']);
const oneNamespace = new Set(['NamespaceCreated', 'NamespaceProvisioned']);

export function rbacNudgeFor(event: { type: string; data: unknown }): RbacNudge {
  const data = (event.data ?? {}) as { scope?: { kind?: string; clusterId?: string; namespace?: string; workspaceId?: string }; clusterId?: string; name?: string };
  if (event.type === 'RoleGranted' || event.type === 'RoleRevoked') {
    const scope = data.scope;
    if (scope?.kind === 'namespace' && scope.clusterId && scope.namespace) return { kind: 'namespace', clusterId: scope.clusterId, namespace: scope.namespace };
    if (scope?.kind === 'workspace' && scope.workspaceId) return { kind: 'workspace', workspaceId: scope.workspaceId };
    return { kind: 'all' };
  }
  if (everyNamespace.has(event.type)) return { kind: 'all' };
  // The Namespace exists on the cluster once provisioned: project its RBAC now rather than at the next retry.
  if (oneNamespace.has(event.type) && data.clusterId && data.name) return { kind: 'namespace', clusterId: data.clusterId, namespace: data.name };
  return null;
}

export function nudgeRbac(reconciler: Pick<RbacReconciler, 'enqueue' | 'enqueueWorkspace' | 'enqueueAll'>, event: { type: string; data: unknown }): void {
  const nudge = rbacNudgeFor(event);
  if (nudge?.kind === 'namespace') reconciler.enqueue(nudge.clusterId, nudge.namespace);
  else if (nudge?.kind === 'workspace') void reconciler.enqueueWorkspace(nudge.workspaceId);
  else if (nudge?.kind === 'all') void reconciler.enqueueAll();
}
