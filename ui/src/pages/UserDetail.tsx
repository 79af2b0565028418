/** One user: profile, the roles they hold where, their API keys, and their effective permissions at a chosen scope. */
import { createSignal, For, Show } from 'solid-js';
import { AccessView } from '../components/AccessView';
import { ConfirmDialog } from '../components/Confirm';
import { GrantDialog } from '../components/Members';
import { AddButton, Crumbs, PageHead } from '../components/PageHead';
import { QueryView } from '../components/QueryView';
import { createRolesQuery, RoleCell, roleName } from '../components/Roles';
import { ScopePicker, scopeText, ScopeText, type Scope } from '../components/Scope';
import { Empty } from '../components/States';
import { Table } from '../components/Table';
import { currentTab, Tabs } from '../components/Tabs';
import { t } from '../i18n';
import { createAction } from '../lib/action';
import { api, command, fresh, type RouterOutputs } from '../lib/api';
import { fmtTime } from '../lib/display';
import { createQuery } from '../lib/query';
import { href } from '../lib/router';
import { canOnScope, me } from '../lib/session';
import { KeyStatus } from './Account';
import { GroupChips, ResetPasswordDialog, SourceBadge, StatusBadge, ToggleUserDialog } from './Users';

type UserDetailDto = RouterOutputs['users']['get'];
type UserGrant = UserDetailDto['grants'][number];

export function UserDetailPage(props: { params: Record<string, string> }) {
  const id = () => props.params.id;
  const user = createQuery(() => ({ userId: id() }), (input) => api.users.get.query({ ...input, ...fresh() }));
  const roles = createRolesQuery();
  const tab = () => currentTab(['grants', 'keys', 'access'] as const, 'grants');
  const [resetting, setResetting] = createSignal(false);
  const [toggling, setToggling] = createSignal(false);
  const [granting, setGranting] = createSignal(false);
  const [revoking, setRevoking] = createSignal<UserGrant | null>(null);
  const [scope, setScope] = createSignal<Scope | null>({ kind: 'platform' });
  const access = createQuery(
    () => tab() === 'access' && scope() && { userId: id(), scope: scope()! },
    (input) => api.access.ofUser.query({ ...input, ...fresh() }),
  );
  const revoke = createAction(
    () => {
      const g = revoking()!;
      return command((commandId) => api.members.revoke.mutate({ commandId, subject: { kind: 'user', id: id() }, roleId: g.roleId, scope: g.scope }));
    },
    { success: () => t('members.removed') },
  );

  return (
    <div class="page">
      <Crumbs back={t('users.title')} href={href('/users')} current={id()} />
      <QueryView query={user}>
        {(u) => (
          <>
            <PageHead
              title={u().displayName || u().userId}
              titleTestid="user-title"
              badge={<StatusBadge status={u().status} />}
              actions={
                <>
                  <Show when={u().source === 'local'}>
                    <button type="button" class="btn" onClick={() => setResetting(true)} data-testid="user-reset-password">
                      {t('users.resetPassword')}
                    </button>
                  </Show>
                  <Show when={u().userId !== me()?.id}>
                    <button
                      type="button"
                      class={u().status === 'active' ? 'btn btn-danger-outline' : 'btn'}
                      onClick={() => setToggling(true)}
                      data-testid={u().status === 'active' ? 'user-disable' : 'user-enable'}
                    >
                      {u().status === 'active' ? t('users.disable') : t('users.enable')}
                    </button>
                  </Show>
                </>
              }
            />
            <div class="cards">
              <section class="card">
                <h3>{t('user.profile')}</h3>
                <dl class="props-columns">
                  <dt>{t('users.userId')}</dt>
                  <dd class="mono">{u().userId}</dd>
                  <dt>{t('common.displayName')}</dt>
                  <dd>{u().displayName}</dd>
                  <dt>{t('users.email')}</dt>
                  <dd>{u().email || '—'}</dd>
                  <dt>{t('users.col.source')}</dt>
                  <dd>
                    <SourceBadge source={u().source} />
                  </dd>
                  <dt>{t('users.col.groups')}</dt>
                  <dd>
                    <GroupChips groups={u().groups} max={20} />
                  </dd>
                  <dt>{t('common.createdAt')}</dt>
                  <dd>{fmtTime(u().createdAt)}</dd>
                </dl>
              </section>
            </div>

            <div class="section">
              <Tabs
                active={tab()}
                tabs={[
                  { id: 'grants', label: t('user.tab.grants', { n: u().grants.length }) },
                  { id: 'keys', label: t('user.tab.keys', { n: u().apiKeys.filter((k) => !k.revokedAt).length }) },
                  { id: 'access', label: t('user.tab.access') },
                ]}
              />
            </div>

            <Show when={tab() === 'grants'}>
              <section class="section">
                <div class="section-head">
                  <div>
                    <h2>{t('user.grants')}</h2>
                    <p class="muted small">{t('user.grantsHint')}</p>
                  </div>
                  <AddButton label={t('members.grant')} testid="grant-role" onClick={() => setGranting(true)} />
                </div>
                <Show when={u().grants.length} fallback={<Empty title={t('user.noGrants')} hint={t('user.noGrantsHint')} testid="grants-empty" />}>
                  <Table
                    testid="user-grants-table"
                    columns={[{ label: t('members.col.role') }, { label: t('members.col.scope') }, { label: t('members.col.grantedAt') }, { label: t('common.actions'), class: 'actions' }]}
                  >
                    <For each={u().grants}>
                      {(g) => (
                        <tr data-testid={`user-grant-${g.roleId}`}>
                          <td>
                            <RoleCell roles={roles.data()} roleId={g.roleId} />
                          </td>
                          <td>
                            <ScopeText scope={g.scope as Scope} />
                          </td>
                          <td class="nowrap">
                            <div class="two-line">
                              <span>{fmtTime(g.grantedAt)}</span>
                              <span class="sub">{t('members.by', { who: g.grantedBy })}</span>
                            </div>
                          </td>
                          <td class="actions">
                            <Show when={canOnScope('members:manage', g.scope as Scope)}>
                              <button type="button" class="link-btn danger" onClick={() => (revoke.clear(), setRevoking(g))} data-testid="grant-revoke">
                                {t('members.revoke')}
                              </button>
                            </Show>
                          </td>
                        </tr>
                      )}
                    </For>
                  </Table>
                </Show>
                <Show when={u().groups.length}>
                  <p class="muted small">{t('user.groupGrantsHint', { groups: u().groups.join(', ') })}</p>
                </Show>
              </section>
            </Show>

            <Show when={tab() === 'keys'}>
              <section class="section">
                <div class="section-head">
                  <div>
                    <h2>{t('apiKeys.title')}</h2>
                    <p class="muted small">{t('user.keysHint')}</p>
                  </div>
                </div>
                <Show when={u().apiKeys.length} fallback={<Empty title={t('apiKeys.empty')} testid="keys-empty" />}>
                  <Table
                    testid="user-keys-table"
                    columns={[{ label: t('apiKeys.col.name') }, { label: t('apiKeys.col.prefix') }, { label: t('common.status') }, { label: t('common.createdAt') }, { label: t('apiKeys.col.expires') }]}
                  >
                    <For each={u().apiKeys}>
                      {(k) => (
                        <tr data-testid={`user-key-${k.name}`}>
                          <td class="strong">{k.name}</td>
                          <td class="mono">{k.prefix}…</td>
                          <td>
                            <KeyStatus revokedAt={k.revokedAt} expiresAt={k.expiresAt} />
                          </td>
                          <td class="nowrap">{fmtTime(k.createdAt)}</td>
                          <td class="nowrap">{fmtTime(k.expiresAt)}</td>
                        </tr>
                      )}
                    </For>
                  </Table>
                </Show>
              </section>
            </Show>

            <Show when={tab() === 'access'}>
              <section class="section">
                <div class="section-head">
                  <div>
                    <h2>{t('user.access')}</h2>
                    <p class="muted small">{t('user.accessHint')}</p>
                  </div>
                  <ScopePicker value={scope()} onChange={setScope} inline testid="access-scope" />
                </div>
                <AccessView query={access} roles={roles.data()} subject="user" />
              </section>
            </Show>

            <Show when={resetting()}>
              <ResetPasswordDialog user={u()} onClose={() => setResetting(false)} />
            </Show>
            <Show when={toggling()}>
              <ToggleUserDialog user={u()} onClose={() => setToggling(false)} />
            </Show>
            <Show when={granting()}>
              <GrantDialog subject={{ kind: 'user', id: u().userId }} roles={roles.data() ?? []} onClose={() => setGranting(false)} onDone={() => user.refetch()} />
            </Show>
            <Show when={revoking()}>
              {(g) => (
                <ConfirmDialog
                  title={t('members.removeTitle', { member: u().userId, role: roleName(roles.data(), g().roleId) })}
                  body={t('members.removeBody', { scope: scopeText(g().scope as Scope) })}
                  confirmLabel={t('members.revoke')}
                  action={revoke}
                  onClose={() => setRevoking(null)}
                  onDone={() => (user.refetch(), setRevoking(null))}
                />
              )}
            </Show>
          </>
        )}
      </QueryView>
    </div>
  );
}

