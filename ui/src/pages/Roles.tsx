/**
 * 角色管理: the built-in roles (read-only) and custom roles, each a set of permissions grantable at
 * some scope kinds. Custom roles are created, edited and deleted by holders of roles:manage.
 */
import { createSignal, For, Show } from 'solid-js';
import { Badge } from '../components/Badge';
import { ConfirmDialog } from '../components/Confirm';
import { Drawer } from '../components/Dialog';
import { Field } from '../components/Field';
import { FormDialog } from '../components/FormDialog';
import { AddButton, PageHead } from '../components/PageHead';
import { byModule, moduleLabel, PermChip, PermissionPicker, permissions, permLabel, platformOnly, scopeKindLabel, scopeKinds, type Permission, type ScopeKind } from '../components/Permissions';
import { QueryView } from '../components/QueryView';
import { createRolesQuery, roleDescription, roleName, type RoleDto } from '../components/Roles';
import { Empty } from '../components/States';
import { Table } from '../components/Table';
import { t } from '../i18n';
import { createAction } from '../lib/action';
import { api, command } from '../lib/api';
import { canOnPlatform } from '../lib/session';

function ScopeKinds(props: { kinds: readonly string[] }) {
  return (
    <span class="chips">
      <For each={props.kinds}>{(k) => <span class={`scope-kind scope-kind-${k}`}>{scopeKindLabel(k as ScopeKind)}</span>}</For>
    </span>
  );
}

export function RolesPage() {
  const roles = createRolesQuery();
  const [filter, setFilter] = createSignal<'all' | 'builtIn' | 'custom'>('all');
  const [viewing, setViewing] = createSignal<string | null>(null);
  const [editing, setEditing] = createSignal<{ mode: 'create' } | { mode: 'edit'; role: RoleDto } | null>(null);
  const [deleting, setDeleting] = createSignal<RoleDto | null>(null);
  const canManage = () => canOnPlatform('roles:manage');
  const rows = () => (roles.data() ?? []).filter((r) => filter() === 'all' || (filter() === 'builtIn') === r.builtIn);
  const viewed = () => roles.data()?.find((r) => r.roleId === viewing());
  const remove = createAction(() => command((commandId) => api.roles.delete.mutate({ commandId, roleId: deleting()!.roleId })), {
    success: () => t('roles.deleted', { name: deleting()!.roleId }),
  });
  const createButton = () => (
    <Show when={canManage()}>
      <AddButton label={t('roles.create')} testid="create-role" onClick={() => setEditing({ mode: 'create' })} />
    </Show>
  );

  return (
    <div class="page">
      <PageHead title={t('roles.title')} subtitle={t('roles.subtitle')} actions={createButton()} />
      <div class="toolbar">
        <div class="segmented" role="group">
          <For each={['all', 'builtIn', 'custom'] as const}>
            {(f) => (
              <button type="button" classList={{ active: filter() === f }} onClick={() => setFilter(f)} data-testid={`roles-filter-${f}`}>
                {t(`roles.filter.${f}`)}
              </button>
            )}
          </For>
        </div>
      </div>
      <QueryView query={roles} isEmpty={() => rows().length === 0} empty={<Empty title={t('roles.emptyCustom')} hint={t('roles.emptyCustomHint')} action={createButton()} testid="roles-empty" />}>
        {() => (
          <Table
            testid="roles-table"
            columns={[
              { label: t('roles.col.role') },
              { label: t('roles.col.type') },
              { label: t('roles.col.grantableAt') },
              { label: t('roles.col.permissions') },
              { label: t('common.description') },
              { label: t('common.actions'), class: 'actions' },
            ]}
          >
            <For each={rows()}>
              {(r) => (
                <tr class="clickable" data-testid={`role-row-${r.roleId}`} onClick={(e) => !(e.target as HTMLElement).closest('button') && setViewing(r.roleId)}>
                  <td>
                    <div class="two-line">
                      <span class="strong">{roleName(roles.data(), r.roleId)}</span>
                      <span class="sub mono">{r.roleId}</span>
                    </div>
                  </td>
                  <td>
                    <Badge tone={r.builtIn ? 'muted' : 'info'}>{r.builtIn ? t('roles.builtIn') : t('roles.custom')}</Badge>
                  </td>
                  <td>
                    <ScopeKinds kinds={r.grantableAt} />
                  </td>
                  <td class="role-perms">
                    <span class="strong">{t('roles.nPermissions', { n: r.permissions.length })}</span>
                    <span class="sub"> · {byModule(r.permissions).map((g) => moduleLabel(g.module)).join(' / ')}</span>
                  </td>
                  <td class="muted small role-desc">{roleDescription(r)}</td>
                  <td class="actions">
                    <button type="button" class="link-btn" onClick={() => setViewing(r.roleId)} data-testid="role-view">
                      {t('roles.view')}
                    </button>
                    <Show when={canManage() && !r.builtIn}>
                      <button type="button" class="link-btn" onClick={() => setEditing({ mode: 'edit', role: r })} data-testid="role-edit">
                        {t('common.change')}
                      </button>
                      <button type="button" class="link-btn danger" onClick={() => (remove.clear(), setDeleting(r))} data-testid="role-delete">
                        {t('common.delete')}
                      </button>
                    </Show>
                  </td>
                </tr>
              )}
            </For>
          </Table>
        )}
      </QueryView>

      <Show when={viewed()}>
        {(r) => (
          <Drawer title={roleName(roles.data(), r().roleId)} onClose={() => setViewing(null)} testid="role-drawer">
            <dl class="props props-wide">
              <dt>{t('roles.roleId')}</dt>
              <dd class="mono">{r().roleId}</dd>
              <dt>{t('roles.col.type')}</dt>
              <dd>{r().builtIn ? t('roles.builtInLong') : t('roles.custom')}</dd>
              <dt>{t('roles.col.grantableAt')}</dt>
              <dd>
                <ScopeKinds kinds={r().grantableAt} />
              </dd>
              <Show when={roleDescription(r())}>
                <dt>{t('common.description')}</dt>
                <dd>{roleDescription(r())}</dd>
              </Show>
            </dl>
            <h3 class="drawer-h">{t('roles.matrix')}</h3>
            <div class="perm-matrix" data-testid="role-matrix">
              <For each={byModule(permissions)}>
                {(g) => (
                  <div class="perm-module-line">
                    <span class="perm-module-name">{moduleLabel(g.module)}</span>
                    <span class="chips">
                      <For each={g.permissions}>{(p) => <PermChip permission={p} tone={(r().permissions as string[]).includes(p) ? 'on' : 'off'} />}</For>
                    </span>
                  </div>
                )}
              </For>
            </div>
            <p class="muted small">{t('roles.matrixHint')}</p>
            <Show when={canManage() && !r().builtIn}>
              <div class="drawer-actions">
                <button type="button" class="btn" onClick={() => (setViewing(null), setEditing({ mode: 'edit', role: r() }))}>
                  {t('common.change')}
                </button>
              </div>
            </Show>
          </Drawer>
        )}
      </Show>
      <Show when={editing()}>{(mode) => <RoleDialog mode={mode()} roles={roles.data() ?? []} onClose={() => setEditing(null)} />}</Show>
      <Show when={deleting()}>
        {(r) => (
          <ConfirmDialog
            title={t('roles.deleteTitle', { name: roleName(roles.data(), r().roleId) })}
            body={t('roles.deleteBody')}
            confirmLabel={t('common.delete')}
            action={remove}
            onClose={() => setDeleting(null)}
            onDone={() => setDeleting(null)}
          />
        )}
      </Show>
    </div>
  );
}

function RoleDialog(props: { mode: { mode: 'create' } | { mode: 'edit'; role: RoleDto }; roles: readonly RoleDto[]; onClose: () => void }) {
  const existing = () => (props.mode.mode === 'edit' ? props.mode.role : null);
  const [roleId, setRoleId] = createSignal(existing()?.roleId ?? '');
  const [displayName, setDisplayName] = createSignal(existing()?.displayName.en ?? '');
  const [description, setDescription] = createSignal(existing()?.description ?? '');
  const [grantableAt, setGrantableAt] = createSignal<ScopeKind[]>((existing()?.grantableAt as ScopeKind[]) ?? ['namespace']);
  const [chosen, setChosen] = createSignal<Permission[]>((existing()?.permissions as Permission[]) ?? []);
  const platformOnlyChosen = () => chosen().filter((p) => platformOnly.has(p));
  const toggleKind = (k: ScopeKind, on: boolean) => setGrantableAt(scopeKinds.filter((x) => (x === k ? on : grantableAt().includes(x))));
  const action = createAction(
    () =>
      command((commandId) => {
        const input = { commandId, roleId: roleId().trim(), displayName: displayName().trim(), description: description().trim(), permissions: chosen(), grantableAt: grantableAt() };
        return props.mode.mode === 'edit' ? api.roles.update.mutate(input) : api.roles.define.mutate(input);
      }),
    {
      success: () => (props.mode.mode === 'edit' ? t('roles.updated', { name: roleId().trim() }) : t('roles.created', { name: roleId().trim() })),
      fields: ['roleId', 'displayName', 'description', 'permissions', 'grantableAt'],
    },
  );
  return (
    <FormDialog
      name="role"
      title={props.mode.mode === 'edit' ? t('roles.editTitle', { name: roleId() }) : t('roles.create')}
      wide
      action={action}
      submitLabel={props.mode.mode === 'edit' ? t('common.save') : t('common.create')}
      submitDisabled={chosen().length === 0 || grantableAt().length === 0}
      onClose={props.onClose}
    >
      <div class="grid-2">
        <Field label={t('roles.roleId')} hint={t('roles.roleIdHint')} error={action.fieldError('roleId')}>
          <input value={roleId()} onInput={(e) => setRoleId(e.currentTarget.value)} disabled={props.mode.mode === 'edit'} required data-testid="role-id" />
        </Field>
        <Field label={t('common.displayName')} error={action.fieldError('displayName')}>
          <input value={displayName()} onInput={(e) => setDisplayName(e.currentTarget.value)} required data-testid="role-display-name" />
        </Field>
      </div>
      <Field label={t('common.description')} optional error={action.fieldError('description')}>
        <textarea rows={2} value={description()} onInput={(e) => setDescription(e.currentTarget.value)} data-testid="role-description" />
      </Field>
      <Show when={props.mode.mode === 'create'}>
        <Field label={t('roles.copyFrom')} optional hint={t('roles.copyFromHint')}>
          <select
            onChange={(e) => {
              const from = props.roles.find((r) => r.roleId === e.currentTarget.value);
              if (from) {
                setChosen([...(from.permissions as Permission[])]);
                setGrantableAt([...(from.grantableAt as ScopeKind[])]);
              }
            }}
            data-testid="role-copy-from"
          >
            <option value="">—</option>
            <For each={props.roles}>{(r) => <option value={r.roleId}>{`${roleName(props.roles, r.roleId)} (${r.roleId})`}</option>}</For>
          </select>
        </Field>
      </Show>
      <Field label={t('roles.col.grantableAt')} hint={t('roles.grantableAtHint')} error={action.fieldError('grantableAt')}>
        <div class="checkbox-row" data-testid="role-grantable-at">
          <For each={scopeKinds}>
            {(k) => (
              <label class="check">
                <input type="checkbox" checked={grantableAt().includes(k)} onChange={(e) => toggleKind(k, e.currentTarget.checked)} data-testid={`role-at-${k}`} />
                {scopeKindLabel(k)}
              </label>
            )}
          </For>
        </div>
      </Field>
      <Field label={t('roles.permissions', { n: chosen().length })} error={action.fieldError('permissions')}>
        <PermissionPicker selected={chosen()} onChange={setChosen} showPlatformOnly testid="role-permissions" />
      </Field>
      <Show when={platformOnlyChosen().length && !grantableAt().includes('platform')}>
        <div class="warn-box" data-testid="role-platform-warning">
          {t('roles.platformOnlyWarning', { permissions: platformOnlyChosen().map(permLabel).join(', ') })}
        </div>
      </Show>
    </FormDialog>
  );
}
