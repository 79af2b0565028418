/** The grants a subject holds, as folded from its stream. */
import type { Grant, Scope } from '../permissions';
import type { GrantEvent } from './events';

export function sameScope(a: Scope, b: Scope): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'platform') return true;
  if (a.kind === 'workspace') return a.workspaceId === (b as typeof a).workspaceId;
  const c = b as typeof a;
  return a.clusterId === c.clusterId && a.namespace === c.namespace && a.workspaceId === c.workspaceId;
}

export const sameGrant = (a: Grant, b: Grant) => a.role === b.role && sameScope(a.scope, b.scope);

export function evolveGrants(grants: readonly Grant[], event: GrantEvent): readonly Grant[] {
  const grant: Grant = { role: event.data.roleId, scope: event.data.scope };
  const others = grants.filter((g) => !sameGrant(g, grant));
  return event.type === 'RoleGranted' ? [...others, grant] : others;
}

export function describeScope(scope: Scope): string {
  switch (scope.kind) {
    case 'platform':
      return 'the platform';
    case 'workspace':
      return `workspace "${scope.workspaceId}"`;
    case 'namespace':
      return `namespace "${scope.namespace}" on cluster "${scope.clusterId}"`;
  }
}
