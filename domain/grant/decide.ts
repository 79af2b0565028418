/**
 * Granting and revoking roles. The grant is written to the subject's stream; the decision also
 * reads the custom role's stream (it must exist and be grantable at the scope) and the scope's own
 * stream (the workspace or namespace must exist), so a grant can never race the deletion of either.
 */
import { DomainError } from '../errors';
import { streamIds } from '../streams';
import { stateOf, type CommandDecider, type StreamStates } from '../decider';
import { builtInRoles, type RoleDefinition, type Scope } from '../permissions';
import type { GrantEvent, Subject } from './events';
import { describeScope, sameGrant } from './state';
import { initialState as userInitial, userExists, type UserState } from '../user/state';
import { initialState as groupInitial, type GroupState } from '../group/state';
import { initialState as roleInitial, type RoleState } from '../role/state';
import { initialState as workspaceInitial, type WorkspaceState } from '../workspace/state';
import { initialState as namespaceInitial, isLive, type NamespaceState } from '../namespace/state';

export interface GrantRole {
  type: 'GrantRole';
  subject: Subject;
  roleId: string;
  scope: Scope;
  /** The acting user's id; nobody grants themselves a role. */
  by: string;
}
export interface RevokeRole {
  type: 'RevokeRole';
  subject: Subject;
  roleId: string;
  scope: Scope;
  by: string;
}
export type GrantCommand = GrantRole | RevokeRole;

const subjectStream = (subject: Subject) => (subject.kind === 'user' ? streamIds.user(subject.id) : streamIds.group(subject.id));
const isBuiltIn = (roleId: string) => Object.hasOwn(builtInRoles, roleId);

function scopeStream(scope: Scope): string | null {
  if (scope.kind === 'workspace') return streamIds.workspace(scope.workspaceId);
  if (scope.kind === 'namespace') return streamIds.namespace(scope.clusterId, scope.namespace);
  return null;
}

function roleDefinition(states: StreamStates, roleId: string): RoleDefinition {
  if (isBuiltIn(roleId)) return builtInRoles[roleId as keyof typeof builtInRoles];
  const role = stateOf<RoleState>(states, streamIds.role(roleId), roleInitial);
  if (role.status !== 'defined') throw new DomainError('not_found', `roleId: role "${roleId}" does not exist`, { field: 'roleId' });
  return { displayName: { en: role.displayName, 'zh-CN': role.displayName }, grantableAt: role.grantableAt, permissions: role.permissions };
}

function assertScopeExists(states: StreamStates, scope: Scope): void {
  if (scope.kind === 'workspace') {
    const ws = stateOf<WorkspaceState>(states, streamIds.workspace(scope.workspaceId), workspaceInitial);
    if (ws.status !== 'active') throw new DomainError('not_found', `scope.workspaceId: workspace "${scope.workspaceId}" does not exist`, { field: 'scope.workspaceId' });
  }
  if (scope.kind === 'namespace') {
    const ns = stateOf<NamespaceState>(states, streamIds.namespace(scope.clusterId, scope.namespace), namespaceInitial);
    if (!isLive(ns) || ns.workspaceId !== scope.workspaceId) {
      throw new DomainError('not_found', `scope.namespace: namespace "${scope.namespace}" does not exist on cluster "${scope.clusterId}" in workspace "${scope.workspaceId}"`, {
        field: 'scope.namespace',
      });
    }
  }
}

function currentGrants(states: StreamStates, subject: Subject) {
  const stream = subjectStream(subject);
  if (subject.kind === 'group') return stateOf<GroupState>(states, stream, groupInitial).grants;
  const user = stateOf<UserState>(states, stream, userInitial);
  if (!userExists(user)) throw new DomainError('not_found', `subject.id: user "${subject.id}" does not exist`, { field: 'subject.id' });
  return user.grants;
}

const who = (subject: Subject) => `${subject.kind} "${subject.id}"`;

export const grantDecider: CommandDecider<GrantCommand, GrantEvent> = {
  streams(cmd) {
    const ids = [subjectStream(cmd.subject)];
    if (!isBuiltIn(cmd.roleId)) ids.push(streamIds.role(cmd.roleId));
    const scoped = scopeStream(cmd.scope);
    if (scoped && cmd.type === 'GrantRole') ids.push(scoped);
    return ids;
  },
  decide(cmd, states) {
    const grants = currentGrants(states, cmd.subject);
    const held = grants.some((g) => sameGrant(g, { role: cmd.roleId, scope: cmd.scope }));
    const data = { subject: cmd.subject, roleId: cmd.roleId, scope: cmd.scope };
    const stream = subjectStream(cmd.subject);
    if (cmd.type === 'RevokeRole') {
      if (!held) throw new DomainError('not_found', `roleId: ${who(cmd.subject)} does not hold "${cmd.roleId}" on ${describeScope(cmd.scope)}`, { field: 'roleId' });
      if (cmd.subject.kind === 'user' && cmd.subject.id === cmd.by && cmd.roleId === 'platform-admin') {
        throw new DomainError('forbidden', 'roleId: you cannot revoke your own platform-admin role; ask another platform admin', { field: 'roleId' });
      }
      return { [stream]: [{ type: 'RoleRevoked', data }] };
    }
    if (cmd.subject.kind === 'user' && cmd.subject.id === cmd.by) {
      throw new DomainError('forbidden', 'subject.id: you cannot grant a role to yourself', { field: 'subject.id' });
    }
    const role = roleDefinition(states, cmd.roleId);
    if (!role.grantableAt.includes(cmd.scope.kind)) {
      throw new DomainError('invalid', `scope.kind: role "${cmd.roleId}" can be granted at ${role.grantableAt.join(' or ')} scope, not at ${cmd.scope.kind} scope`, {
        field: 'scope.kind',
      });
    }
    assertScopeExists(states, cmd.scope);
    if (held) throw new DomainError('already_exists', `roleId: ${who(cmd.subject)} already holds "${cmd.roleId}" on ${describeScope(cmd.scope)}`, { field: 'roleId' });
    return { [stream]: [{ type: 'RoleGranted', data }] };
  },
};
