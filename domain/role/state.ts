import type { Permission, ScopeKind } from '../permissions';
import type { RoleEvent } from './events';

export interface DefinedRole {
  status: 'defined';
  roleId: string;
  displayName: string;
  description: string;
  permissions: readonly Permission[];
  grantableAt: readonly ScopeKind[];
}

export type RoleState = { status: 'absent' } | DefinedRole | { status: 'deleted'; roleId: string };

export const initialState: RoleState = { status: 'absent' };

export function evolve(state: RoleState, event: RoleEvent): RoleState {
  switch (event.type) {
    case 'RoleDefined':
    case 'RoleUpdated':
      return { status: 'defined', ...event.data };
    case 'RoleDeleted':
      return { status: 'deleted', roleId: event.data.roleId };
  }
}
