/**
 * Members of a scope (成员): who holds which role there, own grants and inherited ones (a namespace
 * inherits its workspace's and the platform's), adding a member (a user found by search, or a
 * group by name) with a role valid at that scope, and removing one.
 */
import { createEffect, createSignal, For, Show } from 'solid-js';
import { t } from '../i18n';
import { createAction } from '../lib/action';
import { api, command, fresh, type ApiError, type RouterOutputs } from '../lib/api';
import { fmtTime } from '../lib/display';
import { createQuery, type Query } from '../lib/query';
import { canAnywhere, canOnScope, me } from '../lib/session';
import { Badge } from './Badge';
import { ConfirmDialog } from './Confirm';
import { Field } from './Field';
import { FormDialog } from './FormDialog';
import { AddButton } from './PageHead';
import { PermissionsByModule } from './Permissions';
import { QueryView } from './QueryView';
import { createRolesQuery, roleDescription, roleName, RoleCell, type RoleDto } from './Roles';
import { ScopePicker, scopeText, ScopeText, type Scope } from './Scope';
import { Empty } from './States';
import { Table } from './Table';

export type MemberDto = RouterOutputs['members']['ofWorkspace'][number];
type Subject = MemberDto['subject'];
type UserDto = RouterOutputs['users']['list'][number];

/** Users by id, when the caller may look people up (users.list needs members:manage somewhere). */
export function createUsersLookup() {
  const users = createQuery(() => canAnywhere('members:manage') && {}, () => api.users.list.query(fresh()));
  return (id: string) => users.data()?.find((u) => u.userId === id);
}

function SubjectCell(props: { subject: Subject; user?: UserDto }) {
  return (
    <div class="subject-cell">
      <span class={`subject-icon subject-${props.subject.kind}`} aria-hidden="true">
        {props.subject.kind === 'group' ? '⧉' : (props.user?.displayName || props.subject.id).slice(0, 1).toUpperCase()}
      </span>
      <div class="two-line">
        <span class="strong">{props.subject.kind === 'user' ? props.user?.displayName || props.subject.id : props.subject.id}</span>
        <span class="sub">
          {props.subject.kind === 'group' ? t('members.kind.group') : <span class="mono">{props.subject.id}</span>}
        </span>
      </div>
    </div>
  );
}

/**
 * The members of `scope`, from `query` (members.ofPlatform / ofWorkspace / ofNamespace). Adding and
 * removing are offered only to whoever holds members:manage there.
 */
export function MembersSection(props: { scope: Scope; query: Query<MemberDto[]>; title?: string; hint?: string }) {
  const roles = createRolesQuery();
  const userOf = createUsersLookup();
  const [adding, setAdding] = createSignal(false);
  const [removing, setRemoving] = createSignal<MemberDto | null>(null);
  const canManage = () => canOnScope('members:manage', props.scope);
  const revoke = createAction(
    () => {
      const m = removing()!;
      return command((commandId) => api.members.revoke.mutate({ commandId, subject: m.subject, roleId: m.roleId, scope: m.scope }));
    },
    { success: () => t('members.removed') },
  );
  const addButton = () => (
    <Show when={canManage()}>
      <AddButton label={t('members.add')} testid="add-member" onClick={() => setAdding(true)} />
    </Show>
  );
  return (
    <section class="section" data-testid="members-section">
      <div class="section-head">
        <div>
          <h2>{props.title ?? t('members.title')}</h2>
          <Show when={props.hint}>
            <p class="muted small">{props.hint}</p>
          </Show>
        </div>
        {addButton()}
      </div>
      <QueryView query={props.query} empty={<Empty title={t('members.empty')} hint={t('members.emptyHint')} action={addButton()} testid="members-empty" />}>
        {(list) => (
          <Table
            testid="members-table"
            columns={[
              { label: t('members.col.member') },
              { label: t('members.col.role') },
              { label: t('members.col.scope') },
              { label: t('members.col.source') },
              { label: t('members.col.grantedAt') },
              { label: t('common.actions'), class: 'actions' },
            ]}
          >
            <For each={list()}>
              {(m) => (
                <tr
                  classList={{ inherited: m.inherited }}
                  data-testid={`member-row-${m.subject.kind}-${m.subject.id}`}
                  data-role={m.roleId}
                  data-inherited={String(m.inherited)}
                >
                  <td>
                    <SubjectCell subject={m.subject} user={m.subject.kind === 'user' ? userOf(m.subject.id) : undefined} />
                  </td>
                  <td>
                    <RoleCell roles={roles.data()} roleId={m.roleId} />
                  </td>
                  <td>
                    <ScopeText scope={m.scope as Scope} />
                  </td>
                  <td>
                    <Show when={m.inherited} fallback={<Badge tone="info">{t('members.direct')}</Badge>}>
                      <Badge tone="muted" testid="member-inherited" title={t('members.inheritedHint')}>
                        {m.scope.kind === 'platform' ? t('members.inheritedPlatform') : t('members.inheritedWorkspace')}
                      </Badge>
                    </Show>
                  </td>
                  <td class="nowrap">
                    <div class="two-line">
                      <span>{fmtTime(m.grantedAt)}</span>
                      <span class="sub">{t('members.by', { who: m.grantedBy })}</span>
                    </div>
                  </td>
                  <td class="actions">
                    <Show when={!m.inherited && canOnScope('members:manage', m.scope as Scope)}>
                      <button type="button" class="link-btn danger" onClick={() => (revoke.clear(), setRemoving(m))} data-testid="member-remove">
                        {t('common.remove')}
                      </button>
                    </Show>
                  </td>
                </tr>
              )}
            </For>
          </Table>
        )}
      </QueryView>

      <Show when={adding()}>
        <GrantDialog scope={props.scope} roles={roles.data() ?? []} existing={props.query.data() ?? []} onClose={() => setAdding(false)} />
      </Show>
      <Show when={removing()}>
        {(m) => (
          <ConfirmDialog
            title={t('members.removeTitle', { member: m().subject.id, role: roleName(roles.data(), m().roleId) })}
            body={
              t('members.removeBody', { scope: scopeText(m().scope as Scope) }) +
              (m().subject.kind === 'user' && m().subject.id === me()?.id ? ` ${t('members.removeSelf')}` : '')
            }
            confirmLabel={t('common.remove')}
            action={revoke}
            onClose={() => setRemoving(null)}
            onDone={() => (props.query.refetch(), setRemoving(null))}
            testid="member-remove-dialog"
          />
        )}
      </Show>
    </section>
  );
}

/** Finds a user by id, name or email (users.list with search) and chooses one. */
function UserFinder(props: { value: string; onChange: (userId: string) => void; error?: ApiError | null }) {
  const [search, setSearch] = createSignal('');
  const [debounced, setDebounced] = createSignal('');
  let timer: ReturnType<typeof setTimeout> | undefined;
  const users = createQuery(() => ({ search: debounced() || undefined }), (input) => api.users.list.query({ ...input, ...fresh() }));
  const matches = () => (users.data() ?? []).filter((u) => u.status !== 'disabled').slice(0, 50);
  createEffect(() => {
    const list = matches();
    if (list.length && !list.some((u) => u.userId === props.value)) props.onChange(list[0].userId);
    if (!list.length && props.value) props.onChange('');
  });
  return (
    <Field label={t('members.user')} hint={t('members.userHint')} error={props.error}>
      <input
        type="search"
        value={search()}
        placeholder={t('members.searchUsers')}
        onInput={(e) => {
          setSearch(e.currentTarget.value);
          clearTimeout(timer);
          timer = setTimeout(() => setDebounced(search().trim()), 200);
        }}
        data-testid="member-user-search"
      />
      <select size={4} class="list-select" value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)} data-testid="member-user">
        <Show when={matches().length} fallback={<option value="" disabled>{users.data() ? t('members.noUsers') : t('common.loading')}</option>}>
          <For each={matches()}>
            {(u) => (
              <option value={u.userId} selected={u.userId === props.value}>
                {u.displayName && u.displayName !== u.userId ? `${u.displayName} (${u.userId})` : u.userId}
                {u.email ? ` · ${u.email}` : ''}
              </option>
            )}
          </For>
        </Show>
      </select>
    </Field>
  );
}

/**
 * Grants a role. With `scope`, at that scope (a members list's "Add member"); without, the scope is
 * chosen. With `subject`, to that user or group (a user's page); without, the member is chosen.
 */
export function GrantDialog(props: { scope?: Scope; subject?: Subject; roles: readonly RoleDto[]; existing?: readonly MemberDto[]; onClose: () => void; onDone?: () => void }) {
  const [kind, setKind] = createSignal<'user' | 'group'>(props.subject?.kind ?? 'user');
  const [userId, setUserId] = createSignal(props.subject?.kind === 'user' ? props.subject.id : '');
  const [group, setGroup] = createSignal(props.subject?.kind === 'group' ? props.subject.id : '');
  const [chosenScope, setChosenScope] = createSignal<Scope | null>(props.scope ?? null);
  const scope = () => props.scope ?? chosenScope();
  // Only scopes where the caller may manage members can be chosen.
  const validRoles = () => props.roles.filter((r) => scope() && (r.grantableAt as string[]).includes(scope()!.kind));
  const [roleChoice, setRoleChoice] = createSignal('');
  const roleId = () => (validRoles().some((r) => r.roleId === roleChoice()) ? roleChoice() : validRoles()[0]?.roleId ?? '');
  const role = () => props.roles.find((r) => r.roleId === roleId());
  const subject = (): Subject => (kind() === 'user' ? { kind: 'user', id: userId() } : { kind: 'group', id: group().trim() });
  const already = () =>
    props.existing?.some((m) => !m.inherited && m.subject.kind === subject().kind && m.subject.id === subject().id && m.roleId === roleId()) ?? false;

  const action = createAction(
    () => command((commandId) => api.members.grant.mutate({ commandId, subject: subject(), roleId: roleId(), scope: scope()! })),
    {
      success: () => t('members.added', { member: subject().id, role: roleName(props.roles, roleId()) }),
      fields: ['subject', 'roleId', 'scope'],
    },
  );

  return (
    <FormDialog
      name="member"
      title={props.subject ? t('members.grantTitle', { member: props.subject.id }) : t('members.addTitle')}
      wide
      action={action}
      submitLabel={props.subject ? t('members.grant') : t('members.add')}
      submitDisabled={!scope() || !roleId() || !subject().id || already()}
      onClose={props.onClose}
      onDone={() => (props.onDone?.(), props.onClose())}
    >
      <Show
        when={!props.scope}
        fallback={
          <div class="hint-box" data-testid="member-scope">
            {t('members.grantAt')} <ScopeText scope={props.scope!} />
          </div>
        }
      >
        <Field label={t('members.scope')} error={action.fieldError('scope')}>
          <ScopePicker value={chosenScope()} onChange={setChosenScope} testid="member-scope-picker" />
        </Field>
      </Show>

      <Show when={!props.subject}>
        <div class="segmented" role="radiogroup" aria-label={t('members.memberKind')}>
          <button type="button" classList={{ active: kind() === 'user' }} onClick={() => setKind('user')} data-testid="member-kind-user">
            {t('members.kind.user')}
          </button>
          <button type="button" classList={{ active: kind() === 'group' }} onClick={() => setKind('group')} data-testid="member-kind-group">
            {t('members.kind.group')}
          </button>
        </div>
        <Show
          when={kind() === 'user'}
          fallback={
            <Field label={t('members.group')} hint={t('members.groupHint')} error={action.fieldError('subject')}>
              <input value={group()} onInput={(e) => setGroup(e.currentTarget.value)} placeholder="platform-team" data-testid="member-group" />
            </Field>
          }
        >
          <UserFinder value={userId()} onChange={setUserId} error={action.fieldError('subject')} />
        </Show>
      </Show>

      <Field label={t('members.role')} error={action.fieldError('roleId')} hint={scope() && !validRoles().length ? t('members.noRoleHere') : undefined}>
        <select value={roleId()} onChange={(e) => setRoleChoice(e.currentTarget.value)} disabled={!validRoles().length} data-testid="member-role">
          <For each={validRoles()}>
            {(r) => (
              <option value={r.roleId} selected={r.roleId === roleId()}>
                {roleName(props.roles, r.roleId)} ({r.roleId})
              </option>
            )}
          </For>
        </select>
      </Field>
      <Show when={role()}>
        {(r) => (
          <div class="role-preview" data-testid="member-role-preview">
            <Show when={roleDescription(r())}>
              <p class="muted small">{roleDescription(r())}</p>
            </Show>
            <PermissionsByModule permissions={r().permissions} />
          </div>
        )}
      </Show>
      <Show when={already()}>
        <div class="hint-box">{t('members.already')}</div>
      </Show>
    </FormDialog>
  );
}
