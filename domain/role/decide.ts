/** Custom roles. Their ids never shadow a built-in role; a deleted role's grants grant nothing. */
import { DomainError, invalid } from '../errors';
import { streamIds } from '../streams';
import { stateOf, type CommandDecider } from '../decider';
import { builtInRoles, type Permission, type ScopeKind } from '../permissions';
import type { RoleEvent } from './events';
import { initialState, type RoleState } from './state';

interface RoleFields {
  roleId: string;
  displayName: string;
  description: string;
  permissions: Permission[];
  grantableAt: ScopeKind[];
}
export interface DefineRole extends RoleFields {
  type: 'DefineRole';
}
export interface UpdateRole extends RoleFields {
  type: 'UpdateRole';
}
export interface DeleteRole {
  type: 'DeleteRole';
  roleId: string;
}
export type RoleCommand = DefineRole | UpdateRole | DeleteRole;

function fields(cmd: RoleFields): RoleFields {
  if (cmd.permissions.length === 0) throw invalid('permissions', 'choose at least one permission');
  if (cmd.grantableAt.length === 0) throw invalid('grantableAt', 'choose at least one scope the role can be granted at');
  const order: ScopeKind[] = ['platform', 'workspace', 'namespace'];
  return {
    roleId: cmd.roleId,
    displayName: cmd.displayName.trim(),
    description: cmd.description,
    permissions: [...new Set(cmd.permissions)].sort(),
    grantableAt: order.filter((k) => cmd.grantableAt.includes(k)),
  };
}

export const roleDecider: CommandDecider<RoleCommand, RoleEvent> = {
  streams: (cmd) => [streamIds.role(cmd.roleId)],
  decide(cmd, states) {
    const stream = streamIds.role(cmd.roleId);
    const state = stateOf<RoleState>(states, stream, initialState);
    if (Object.hasOwn(builtInRoles, cmd.roleId)) {
      throw new DomainError('conflict', `roleId: "${cmd.roleId}" is a built-in role and cannot be changed`, { field: 'roleId' });
    }
    switch (cmd.type) {
      case 'DefineRole':
        if (state.status === 'defined') throw new DomainError('already_exists', `roleId: role "${cmd.roleId}" already exists`, { field: 'roleId' });
        return { [stream]: [{ type: 'RoleDefined', data: fields(cmd) }] };
      case 'UpdateRole':
        if (state.status !== 'defined') throw new DomainError('not_found', `roleId: role "${cmd.roleId}" does not exist`, { field: 'roleId' });
        return { [stream]: [{ type: 'RoleUpdated', data: fields(cmd) }] };
      case 'DeleteRole':
        if (state.status !== 'defined') throw new DomainError('not_found', `roleId: role "${cmd.roleId}" does not exist`, { field: 'roleId' });
        return { [stream]: [{ type: 'RoleDeleted', data: { roleId: cmd.roleId } }] };
    }
  },
};
