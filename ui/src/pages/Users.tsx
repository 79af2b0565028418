/**
 * 用户管理: the platform's users (local, OIDC, LDAP) with search and filters; create a local user,
 * disable/enable, reset a password; and the platform members (who holds a platform-wide role).
 */
import { createSignal, For, Show } from 'solid-js';
import { Badge, type Tone } from '../components/Badge';
import { ConfirmDialog } from '../components/Confirm';
import { Field } from '../components/Field';
import { FormDialog } from '../components/FormDialog';
import { MembersSection } from '../components/Members';
import { AddButton, PageHead } from '../components/PageHead';
import { NewPasswordField, passwordOk } from '../components/Password';
import { QueryView } from '../components/QueryView';
import { Empty } from '../components/States';
import { Table } from '../components/Table';
import { currentTab, Tabs } from '../components/Tabs';
import { t, type MessageKey } from '../i18n';
import { createAction } from '../lib/action';
import { api, command, fresh, type RouterOutputs } from '../lib/api';
import { fmtTime } from '../lib/display';
import { createQuery } from '../lib/query';
import { href, navigate } from '../lib/router';
import { me } from '../lib/session';

export type UserRowDto = RouterOutputs['users']['list'][number];

export const SOURCES = ['local', 'oidc', 'ldap'] as const;

export function SourceBadge(props: { source: string | null }) {
  return (
    <Show when={props.source}>
      <span class={`source source-${props.source}`} data-testid="user-source">
        {t(`users.source.${props.source}` as MessageKey) ?? props.source}
      </span>
    </Show>
  );
}

export function StatusBadge(props: { status: string | null }) {
  const tone = (): Tone => (props.status === 'active' ? 'ok' : 'bad');
  return (
    <Show when={props.status}>
      <Badge tone={tone()} testid="user-status">
        {props.status === 'active' ? t('users.status.active') : t('users.status.disabled')}
      </Badge>
    </Show>
  );
}

export function GroupChips(props: { groups: readonly string[]; max?: number }) {
  const max = () => props.max ?? 3;
  return (
    <Show when={props.groups.length} fallback={<span class="muted">—</span>}>
      <span class="chips">
        <For each={props.groups.slice(0, max())}>{(g) => <span class="chip chip-group">{g}</span>}</For>
        <Show when={props.groups.length > max()}>
          <span class="chip chip-off" title={props.groups.slice(max()).join(', ')}>
            +{props.groups.length - max()}
          </span>
        </Show>
      </span>
    </Show>
  );
}

export function UsersPage() {
  const tab = () => currentTab(['users', 'platform'] as const, 'users');
  const [creating, setCreating] = createSignal(false);
  const platformMembers = createQuery(() => tab() === 'platform' && {}, () => api.members.ofPlatform.query(fresh()));
  return (
    <div class="page">
      <PageHead
        title={t('users.title')}
        subtitle={t('users.subtitle')}
        actions={
          <Show when={tab() === 'users'}>
            <AddButton label={t('users.create')} testid="create-user" onClick={() => setCreating(true)} />
          </Show>
        }
      />
      <Tabs
        active={tab()}
        tabs={[
          { id: 'users', label: t('users.tab.users') },
          { id: 'platform', label: t('users.tab.platform') },
        ]}
      />
      <Show when={tab() === 'users'} fallback={<MembersSection scope={{ kind: 'platform' }} query={platformMembers} title={t('users.platformMembers')} hint={t('users.platformMembersHint')} />}>
        <UsersList onCreate={() => setCreating(true)} />
      </Show>
      <Show when={creating()}>
        <CreateUserDialog onClose={() => setCreating(false)} />
      </Show>
    </div>
  );
}

function UsersList(props: { onCreate: () => void }) {
  const [search, setSearch] = createSignal('');
  const [debounced, setDebounced] = createSignal('');
  const [status, setStatus] = createSignal('');
  const [source, setSource] = createSignal('');
  let timer: ReturnType<typeof setTimeout> | undefined;
  const users = createQuery(() => ({ search: debounced() || undefined }), (input) => api.users.list.query({ ...input, ...fresh() }));
  const rows = () => (users.data() ?? []).filter((u) => (!status() || u.status === status()) && (!source() || u.source === source()));
  const [resetting, setResetting] = createSignal<UserRowDto | null>(null);
  const [toggling, setToggling] = createSignal<UserRowDto | null>(null);

  return (
    <>
      <div class="toolbar">
        <label class="filter">
          <span>{t('users.search')}</span>
          <input
            type="search"
            class="search-input"
            value={search()}
            placeholder={t('users.searchPlaceholder')}
            onInput={(e) => {
              setSearch(e.currentTarget.value);
              clearTimeout(timer);
              timer = setTimeout(() => setDebounced(search().trim()), 200);
            }}
            data-testid="users-search"
          />
        </label>
        <label class="filter">
          <span>{t('common.status')}</span>
          <select value={status()} onChange={(e) => setStatus(e.currentTarget.value)} data-testid="users-status-filter">
            <option value="">{t('common.all')}</option>
            <option value="active">{t('users.status.active')}</option>
            <option value="disabled">{t('users.status.disabled')}</option>
          </select>
        </label>
        <label class="filter">
          <span>{t('users.col.source')}</span>
          <select value={source()} onChange={(e) => setSource(e.currentTarget.value)} data-testid="users-source-filter">
            <option value="">{t('common.all')}</option>
            <For each={SOURCES}>{(s) => <option value={s}>{t(`users.source.${s}`)}</option>}</For>
          </select>
        </label>
      </div>
      <QueryView
        query={users}
        isEmpty={() => rows().length === 0}
        empty={
          <Show
            when={(users.data() ?? []).length === 0 && !debounced()}
            fallback={<Empty title={t('users.noMatch')} hint={t('users.noMatchHint')} testid="users-empty" />}
          >
            <Empty title={t('users.empty')} hint={t('users.emptyHint')} action={<AddButton label={t('users.create')} testid="create-user-empty" onClick={props.onCreate} />} testid="users-empty" />
          </Show>
        }
      >
        {() => (
          <Table
            testid="users-table"
            columns={[
              { label: t('users.col.user') },
              { label: t('users.col.email') },
              { label: t('users.col.source') },
              { label: t('users.col.groups') },
              { label: t('common.status') },
              { label: t('common.createdAt') },
              { label: t('common.actions'), class: 'actions' },
            ]}
          >
            <For each={rows()}>
              {(u) => (
                <tr class="clickable" data-testid={`user-row-${u.userId}`} onClick={(e) => !(e.target as HTMLElement).closest('button,a') && navigate(`/users/${encodeURIComponent(u.userId)}`)}>
                  <td>
                    <div class="two-line">
                      <a class="strong" href={href(`/users/${encodeURIComponent(u.userId)}`)} data-testid="user-link">
                        {u.displayName || u.userId}
                      </a>
                      <span class="sub mono">{u.userId}</span>
                    </div>
                  </td>
                  <td>{u.email || <span class="muted">—</span>}</td>
                  <td>
                    <SourceBadge source={u.source} />
                  </td>
                  <td>
                    <GroupChips groups={u.groups} />
                  </td>
                  <td>
                    <StatusBadge status={u.status} />
                  </td>
                  <td class="nowrap">{fmtTime(u.createdAt)}</td>
                  <td class="actions">
                    <Show when={u.source === 'local'}>
                      <button type="button" class="link-btn" onClick={() => setResetting(u)} data-testid="user-reset-password">
                        {t('users.resetPassword')}
                      </button>
                    </Show>
                    <Show when={u.userId !== me()?.id}>
                      <button
                        type="button"
                        class="link-btn"
                        classList={{ danger: u.status === 'active' }}
                        onClick={() => setToggling(u)}
                        data-testid={u.status === 'active' ? 'user-disable' : 'user-enable'}
                      >
                        {u.status === 'active' ? t('users.disable') : t('users.enable')}
                      </button>
                    </Show>
                  </td>
                </tr>
              )}
            </For>
          </Table>
        )}
      </QueryView>
      <Show when={resetting()}>{(u) => <ResetPasswordDialog user={u()} onClose={() => setResetting(null)} />}</Show>
      <Show when={toggling()}>{(u) => <ToggleUserDialog user={u()} onClose={() => setToggling(null)} />}</Show>
    </>
  );
}

export function CreateUserDialog(props: { onClose: () => void }) {
  const [userId, setUserId] = createSignal('');
  const [displayName, setDisplayName] = createSignal('');
  const [email, setEmail] = createSignal('');
  const [password, setPassword] = createSignal('');
  const action = createAction(
    () =>
      command((commandId) =>
        api.users.create.mutate({ commandId, userId: userId().trim(), displayName: displayName().trim(), email: email().trim() || null, password: password() }),
      ),
    { success: () => t('users.created', { name: userId().trim() }), fields: ['userId', 'displayName', 'email', 'password'] },
  );
  return (
    <FormDialog name="user" title={t('users.create')} action={action} submitLabel={t('common.create')} submitDisabled={!passwordOk(password())} onClose={props.onClose}>
      <div class="grid-2">
        <Field label={t('users.userId')} hint={t('users.userIdHint')} error={action.fieldError('userId')}>
          <input value={userId()} onInput={(e) => setUserId(e.currentTarget.value)} required autocomplete="off" data-testid="user-id" />
        </Field>
        <Field label={t('common.displayName')} error={action.fieldError('displayName')}>
          <input value={displayName()} onInput={(e) => setDisplayName(e.currentTarget.value)} required data-testid="user-display-name" />
        </Field>
      </div>
      <Field label={t('users.email')} optional error={action.fieldError('email')}>
        <input type="email" value={email()} onInput={(e) => setEmail(e.currentTarget.value)} data-testid="user-email" />
      </Field>
      <NewPasswordField label={t('users.initialPassword')} value={password()} onInput={setPassword} error={action.fieldError('password')} testid="user-password" generate />
      <p class="muted small">{t('users.initialPasswordHint')}</p>
    </FormDialog>
  );
}

export function ResetPasswordDialog(props: { user: { userId: string; displayName: string }; onClose: () => void }) {
  const [password, setPassword] = createSignal('');
  const action = createAction(() => command((commandId) => api.users.resetPassword.mutate({ commandId, userId: props.user.userId, newPassword: password() })), {
    success: () => t('users.passwordReset', { name: props.user.displayName || props.user.userId }),
    fields: ['newPassword'],
  });
  return (
    <FormDialog
      name="reset-password"
      title={t('users.resetPasswordTitle', { name: props.user.displayName || props.user.userId })}
      action={action}
      submitLabel={t('users.resetPassword')}
      submitDisabled={!passwordOk(password())}
      onClose={props.onClose}
    >
      <NewPasswordField label={t('users.newPassword')} value={password()} onInput={setPassword} error={action.fieldError('newPassword')} testid="reset-password" generate />
      <div class="hint-box">{t('users.resetPasswordHint')}</div>
    </FormDialog>
  );
}

export function ToggleUserDialog(props: { user: { userId: string; displayName: string; status: string | null }; onClose: () => void }) {
  const disabling = () => props.user.status === 'active';
  const name = () => props.user.displayName || props.user.userId;
  const action = createAction(
    () =>
      command((commandId) =>
        disabling() ? api.users.disable.mutate({ commandId, userId: props.user.userId }) : api.users.enable.mutate({ commandId, userId: props.user.userId }),
      ),
    { success: () => (disabling() ? t('users.disabled', { name: name() }) : t('users.enabled', { name: name() })) },
  );
  return (
    <ConfirmDialog
      title={disabling() ? t('users.disableTitle', { name: name() }) : t('users.enableTitle', { name: name() })}
      body={disabling() ? t('users.disableBody') : t('users.enableBody')}
      confirmLabel={disabling() ? t('users.disable') : t('users.enable')}
      action={action}
      onClose={props.onClose}
      onDone={props.onClose}
      testid="user-toggle-dialog"
    />
  );
}
