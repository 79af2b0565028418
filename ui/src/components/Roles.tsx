/** Roles as the UI names them: the catalogue query, a role's name in the current language, a role cell. */
import { Show } from 'solid-js';
import { locale, t, type MessageKey } from '../i18n';
import { api, type RouterOutputs } from '../lib/api';
import { createQuery } from '../lib/query';

export type RoleDto = RouterOutputs['roles']['list'][number];

/** The role catalogue (built-in and custom); everyone signed in may read it. */
export const createRolesQuery = () => createQuery(() => ({}), () => api.roles.list.query());

export function roleName(roles: readonly RoleDto[] | undefined, roleId: string): string {
  const role = roles?.find((r) => r.roleId === roleId);
  if (!role) return roleId;
  return role.displayName[locale()] || role.displayName.en || roleId;
}

/** What a built-in role is for (custom roles carry their own description). */
export function roleDescription(role: RoleDto): string {
  if (role.description) return role.description;
  if (!role.builtIn) return '';
  const text = t(`role.desc.${role.roleId}` as MessageKey);
  return typeof text === 'string' ? text : '';
}

/** A role as a table cell: its name, its id below. */
export function RoleCell(props: { roles: readonly RoleDto[] | undefined; roleId: string }) {
  const name = () => roleName(props.roles, props.roleId);
  return (
    <div class="two-line">
      <span class="strong" data-testid="role-name">
        {name()}
      </span>
      <Show when={name() !== props.roleId}>
        <span class="sub mono">{props.roleId}</span>
      </Show>
    </div>
  );
}
