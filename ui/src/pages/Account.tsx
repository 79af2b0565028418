/**
 * 个人中心: my profile and roles, changing my password, my API keys (访问密钥: created with a subset
 * of my permissions, shown once, revocable), and "My permissions" at a chosen scope.
 */
import { createMemo, createSignal, For, Show } from 'solid-js';
import { AccessView } from '../components/AccessView';
import { Badge } from '../components/Badge';
import { ConfirmDialog } from '../components/Confirm';
import { Dialog } from '../components/Dialog';
import { Field, FormError } from '../components/Field';
import { FormDialog, SubmitButton } from '../components/FormDialog';
import { AddButton, PageHead } from '../components/PageHead';
import { NewPasswordField, passwordOk } from '../components/Password';
import { PermChip, PermissionPicker, permissions, type Permission, type ScopeKind } from '../components/Permissions';
import { QueryView } from '../components/QueryView';
import { createRolesQuery, RoleCell } from '../components/Roles';
import { ScopePicker, scopeKey, ScopeText, type Scope } from '../components/Scope';
import { Empty } from '../components/States';
import { Table } from '../components/Table';
import { currentTab, Tabs } from '../components/Tabs';
import { t } from '../i18n';
import { createAction } from '../lib/action';
import { api, command, fresh, type RouterOutputs } from '../lib/api';
import { fmtTime } from '../lib/display';
import { createQuery } from '../lib/query';
import { canAnywhere, me, where } from '../lib/session';

type ApiKeyDto = RouterOutputs['apiKeys']['list'][number];
const MAX_KEY_DAYS = 366;

export function KeyStatus(props: { revokedAt: string | null; expiresAt: string }) {
  const state = () => (props.revokedAt ? 'revoked' : new Date(props.expiresAt).getTime() <= Date.now() ? 'expired' : 'active');
  return (
    <Badge tone={state() === 'active' ? 'ok' : state() === 'expired' ? 'warn' : 'muted'} testid="key-status" title={props.revokedAt ? fmtTime(props.revokedAt) : undefined}>
      {t(`apiKeys.status.${state()}`)}
    </Badge>
  );
}

export function AccountPage() {
  const tab = () => currentTab(['profile', 'keys', 'permissions'] as const, 'profile');
  return (
    <div class="page">
      <PageHead title={t('account.title')} subtitle={t('account.subtitle')} />
      <Tabs
        active={tab()}
        tabs={[
          { id: 'profile', label: t('account.tab.profile') },
          { id: 'keys', label: t('account.tab.keys') },
          { id: 'permissions', label: t('account.tab.permissions') },
        ]}
      />
      <Show when={tab() === 'profile'}>
        <Profile />
      </Show>
      <Show when={tab() === 'keys'}>
        <ApiKeys />
      </Show>
      <Show when={tab() === 'permissions'}>
        <MyPermissions />
      </Show>
    </div>
  );
}

// ---------------------------------------------------------------- profile and password

function Profile() {
  const roles = createRolesQuery();
  const mine = createQuery(() => ({ scope: { kind: 'platform' as const } }), (input) => api.access.mine.query({ ...input, ...fresh() }));
  return (
    <div class="account-grid">
      <div class="account-col">
        <section class="card">
          <h3>{t('account.profile')}</h3>
          <dl class="props">
            <dt>{t('users.userId')}</dt>
            <dd class="mono" data-testid="account-user-id">
              {me()?.id}
            </dd>
            <dt>{t('common.displayName')}</dt>
            <dd>{me()?.name}</dd>
            <dt>{t('users.col.groups')}</dt>
            <dd>{me()?.groups.length ? me()!.groups.join(', ') : '—'}</dd>
          </dl>
        </section>
        <section class="card">
          <h3>{t('account.roles')}</h3>
          <QueryView query={mine} isEmpty={(a) => a.grants.length === 0} empty={<p class="muted">{t('account.noRoles')}</p>}>
            {(a) => (
              <table class="table table-dense plain" data-testid="account-roles">
                <tbody>
                  <For each={a().grants}>
                    {(g) => (
                      <tr>
                        <td>
                          <RoleCell roles={roles.data()} roleId={g.roleId} />
                        </td>
                        <td>
                          <ScopeText scope={g.scope as Scope} />
                          <Show when={g.via?.kind === 'group'}>
                            <div class="sub">{t('access.viaGroup', { group: g.via!.id })}</div>
                          </Show>
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            )}
          </QueryView>
        </section>
      </div>
      <ChangePassword />
    </div>
  );
}

function ChangePassword() {
  const [current, setCurrent] = createSignal('');
  const [next, setNext] = createSignal('');
  const [again, setAgain] = createSignal('');
  const mismatch = () => again() !== '' && again() !== next();
  const action = createAction(() => command((commandId) => api.auth.changePassword.mutate({ commandId, currentPassword: current(), newPassword: next() })), {
    success: () => t('account.passwordChanged'),
    fields: ['currentPassword', 'newPassword'],
  });
  return (
    <section class="card">
      <h3>{t('account.changePassword')}</h3>
      <form
        class="form"
        data-testid="change-password-form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await action.run()) {
            setCurrent('');
            setNext('');
            setAgain('');
          }
        }}
      >
        <Field label={t('account.currentPassword')} error={action.fieldError('currentPassword')} testid="field-current-password">
          <input type="password" autocomplete="current-password" value={current()} onInput={(e) => setCurrent(e.currentTarget.value)} required data-testid="current-password" />
        </Field>
        <NewPasswordField label={t('users.newPassword')} value={next()} onInput={setNext} error={action.fieldError('newPassword')} testid="new-password" />
        <Field label={t('account.confirmPassword')} error={mismatch() ? { message: t('account.mismatch'), code: 'invalid', field: null, httpStatus: null } : null}>
          <input type="password" autocomplete="new-password" value={again()} onInput={(e) => setAgain(e.currentTarget.value)} required data-testid="confirm-password" />
        </Field>
        <FormError error={action.formError()} />
        <p class="muted small">{t('account.passwordHint')}</p>
        <div>
          <SubmitButton action={action} label={t('account.changePassword')} testid="change-password-submit" disabled={!passwordOk(next()) || next() !== again() || !current()} />
        </div>
      </form>
    </section>
  );
}

// ---------------------------------------------------------------- API keys

function ApiKeys() {
  const keys = createQuery(() => ({}), () => api.apiKeys.list.query(fresh()));
  const [creating, setCreating] = createSignal(false);
  const [created, setCreated] = createSignal<{ name: string; key: string; expiresAt: string } | null>(null);
  const [revoking, setRevoking] = createSignal<ApiKeyDto | null>(null);
  const revoke = createAction(() => command((commandId) => api.apiKeys.revoke.mutate({ commandId, keyId: revoking()!.keyId })), {
    success: () => t('apiKeys.revoked', { name: revoking()!.name }),
  });
  const createButton = () => (
    <Show when={me()?.kind === 'user'}>
      <AddButton label={t('apiKeys.create')} testid="create-api-key" onClick={() => setCreating(true)} />
    </Show>
  );
  return (
    <section class="section">
      <div class="section-head">
        <div>
          <h2>{t('apiKeys.title')}</h2>
          <p class="muted small">{t('apiKeys.subtitle')}</p>
        </div>
        {createButton()}
      </div>
      <QueryView query={keys} empty={<Empty title={t('apiKeys.empty')} hint={t('apiKeys.emptyHint')} action={createButton()} testid="api-keys-empty" />}>
        {(list) => (
          <Table
            testid="api-keys-table"
            columns={[
              { label: t('apiKeys.col.name') },
              { label: t('apiKeys.col.prefix') },
              { label: t('apiKeys.col.permissions') },
              { label: t('apiKeys.col.scopes') },
              { label: t('common.status') },
              { label: t('common.createdAt') },
              { label: t('apiKeys.col.expires') },
              { label: t('common.actions'), class: 'actions' },
            ]}
          >
            <For each={list()}>
              {(k) => (
                <tr data-testid={`api-key-row-${k.name}`} classList={{ inherited: !!k.revokedAt }}>
                  <td class="strong">{k.name}</td>
                  <td class="mono nowrap">{k.prefix}…</td>
                  <td>
                    <span class="chips">
                      <For each={k.permissions}>{(p) => <PermChip permission={p} />}</For>
                    </span>
                  </td>
                  <td>
                    <Show when={k.scopes} fallback={<span class="muted">{t('apiKeys.allScopes')}</span>}>
                      {(scopes) => (
                        <div class="stack">
                          <For each={scopes()}>{(s) => <ScopeText scope={s as Scope} />}</For>
                        </div>
                      )}
                    </Show>
                  </td>
                  <td>
                    <KeyStatus revokedAt={k.revokedAt} expiresAt={k.expiresAt} />
                  </td>
                  <td class="nowrap">{fmtTime(k.createdAt)}</td>
                  <td class="nowrap">{fmtTime(k.expiresAt)}</td>
                  <td class="actions">
                    <Show when={!k.revokedAt}>
                      <button type="button" class="link-btn danger" onClick={() => (revoke.clear(), setRevoking(k))} data-testid="api-key-revoke">
                        {t('apiKeys.revoke')}
                      </button>
                    </Show>
                  </td>
                </tr>
              )}
            </For>
          </Table>
        )}
      </QueryView>
      <Show when={creating()}>
        <CreateKeyDialog onClose={() => setCreating(false)} onCreated={(k) => (setCreating(false), setCreated(k))} />
      </Show>
      <Show when={created()}>{(k) => <KeyReveal created={k()} onClose={() => setCreated(null)} />}</Show>
      <Show when={revoking()}>
        {(k) => (
          <ConfirmDialog
            title={t('apiKeys.revokeTitle', { name: k().name })}
            body={t('apiKeys.revokeBody')}
            confirmLabel={t('apiKeys.revoke')}
            action={revoke}
            onClose={() => setRevoking(null)}
            onDone={() => setRevoking(null)}
          />
        )}
      </Show>
    </section>
  );
}

function CreateKeyDialog(props: { onClose: () => void; onCreated: (k: { name: string; key: string; expiresAt: string }) => void }) {
  const held = createMemo(() => permissions.filter((p) => canAnywhere(p)));
  const [name, setName] = createSignal('');
  const [days, setDays] = createSignal(90);
  const [chosen, setChosen] = createSignal<Permission[]>([]);
  const [limited, setLimited] = createSignal(false);
  const [scopes, setScopes] = createSignal<Scope[]>([]);
  const [candidate, setCandidate] = createSignal<Scope | null>(null);
  const initialKind = () => (me()?.platformPermissions.length ? 'platform' : held().some((p) => where(p).workspaces.length) ? 'workspace' : 'namespace');
  // A limit can only narrow what the user holds: offer the kinds of scope where they hold something.
  const limitKinds = (): ScopeKind[] => [
    ...(me()?.platformPermissions.length ? (['platform'] as const) : []),
    ...(held().some((p) => where(p).everywhere || where(p).workspaces.length) ? (['workspace'] as const) : []),
    'namespace',
  ];
  const addScope = () => {
    const s = candidate();
    if (s && !scopes().some((x) => scopeKey(x) === scopeKey(s))) setScopes([...scopes(), s]);
  };
  const action = createAction(
    async () => {
      const result = await command((commandId) =>
        api.apiKeys.create.mutate({ commandId, name: name().trim(), permissions: chosen(), scopes: limited() ? scopes() : null, expiresInDays: days() }),
      );
      props.onCreated({ name: name().trim(), key: result.key, expiresAt: result.expiresAt });
    },
    { fields: ['name', 'permissions', 'scopes', 'expiresInDays'] },
  );
  return (
    <FormDialog
      name="api-key"
      title={t('apiKeys.create')}
      wide
      action={action}
      submitLabel={t('common.create')}
      submitDisabled={!name().trim() || chosen().length === 0 || (limited() && scopes().length === 0)}
      onClose={props.onClose}
      onDone={() => {}}
    >
      <div class="grid-2">
        <Field label={t('apiKeys.name')} hint={t('apiKeys.nameHint')} error={action.fieldError('name')}>
          <input value={name()} onInput={(e) => setName(e.currentTarget.value)} required maxLength={100} data-testid="api-key-name" />
        </Field>
        <Field label={t('apiKeys.expiresIn')} hint={t('apiKeys.expiresHint', { max: MAX_KEY_DAYS })} error={action.fieldError('expiresInDays')}>
          <div class="input-with-buttons">
            <input type="number" min={1} max={MAX_KEY_DAYS} value={days()} onInput={(e) => setDays(Math.max(1, Math.min(MAX_KEY_DAYS, Number(e.currentTarget.value) || 1)))} data-testid="api-key-days" />
            <For each={[30, 90, 365]}>
              {(d) => (
                <button type="button" class="btn btn-small" classList={{ 'btn-selected': days() === d }} onClick={() => setDays(d)}>
                  {t('apiKeys.days', { n: d })}
                </button>
              )}
            </For>
          </div>
        </Field>
      </div>
      <Field label={t('apiKeys.permissions')} hint={t('apiKeys.permissionsHint')} error={action.fieldError('permissions')}>
        <PermissionPicker selected={chosen()} onChange={setChosen} available={held()} unavailableHint={t('apiKeys.notHeld')} testid="api-key-permissions" />
      </Field>
      <fieldset class="fieldset">
        <legend>{t('apiKeys.scopeLimit')}</legend>
        <label class="radio-line">
          <input type="radio" name="scope-limit" checked={!limited()} onChange={() => setLimited(false)} data-testid="api-key-everywhere" />
          {t('apiKeys.everywhere')}
        </label>
        <label class="radio-line">
          <input type="radio" name="scope-limit" checked={limited()} onChange={() => setLimited(true)} data-testid="api-key-limited" />
          {t('apiKeys.onlyOn')}
        </label>
        <Show when={limited()}>
          <div class="scope-add">
            <ScopePicker value={candidate()} onChange={setCandidate} kinds={limitKinds()} initialKind={initialKind()} inline testid="api-key-scope" />
            <button type="button" class="btn btn-small" disabled={!candidate()} onClick={addScope} data-testid="api-key-add-scope">
              + {t('apiKeys.addScope')}
            </button>
          </div>
          <Show when={scopes().length} fallback={<p class="muted small">{t('apiKeys.noScopeYet')}</p>}>
            <div class="chips">
              <For each={scopes()}>
                {(s) => (
                  <span class="chip chip-scope">
                    <ScopeText scope={s} />
                    <button type="button" class="chip-x" aria-label={t('common.remove')} onClick={() => setScopes(scopes().filter((x) => scopeKey(x) !== scopeKey(s)))}>
                      ×
                    </button>
                  </span>
                )}
              </For>
            </div>
          </Show>
          <FormError error={action.fieldError('scopes')} />
        </Show>
      </fieldset>
    </FormDialog>
  );
}

/** The new key, shown this once, with a copy button. */
function KeyReveal(props: { created: { name: string; key: string; expiresAt: string }; onClose: () => void }) {
  const [copied, setCopied] = createSignal(false);
  let box: HTMLInputElement | undefined;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.created.key);
    } catch {
      box?.select();
      document.execCommand('copy');
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2500);
  };
  return (
    <Dialog
      title={t('apiKeys.createdTitle', { name: props.created.name })}
      onClose={props.onClose}
      testid="api-key-created"
      wide
      footer={
        <button type="button" class="btn btn-primary" onClick={() => props.onClose()} data-testid="api-key-done">
          {t('apiKeys.stored')}
        </button>
      }
    >
      <div class="warn-box" role="alert">
        <strong>{t('apiKeys.onceTitle')}</strong> {t('apiKeys.onceBody')}
      </div>
      <div class="secret-row">
        <input ref={box} readOnly class="secret mono" value={props.created.key} onFocus={(e) => e.currentTarget.select()} data-testid="api-key-secret" />
        <button type="button" class="btn btn-primary" onClick={() => void copy()} data-testid="api-key-copy">
          {copied() ? `✓ ${t('apiKeys.copied')}` : t('apiKeys.copy')}
        </button>
      </div>
      <p class="muted small">{t('apiKeys.expiresOn', { date: fmtTime(props.created.expiresAt) })}</p>
      <p class="small">{t('apiKeys.usage')}</p>
      <pre class="json">{`export BOSUN_API_KEY='<${t('apiKeys.keyPlaceholder')}>'\ncurl -H "Authorization: Bearer $BOSUN_API_KEY" ${location.origin}/trpc/auth.me`}</pre>
    </Dialog>
  );
}

// ---------------------------------------------------------------- my permissions

function MyPermissions() {
  const roles = createRolesQuery();
  const initialKind = () => (me()?.platformPermissions.length ? 'platform' : permissions.some((p) => where(p).workspaces.length) ? 'workspace' : 'namespace');
  const [scope, setScope] = createSignal<Scope | null>(initialKind() === 'platform' ? { kind: 'platform' } : null);
  const access = createQuery(() => scope() && { scope: scope()! }, (input) => api.access.mine.query({ ...input, ...fresh() }));
  return (
    <section class="section">
      <div class="section-head">
        <div>
          <h2>{t('account.myPermissions')}</h2>
          <p class="muted small">{t('account.myPermissionsHint')}</p>
        </div>
        <ScopePicker value={scope()} onChange={setScope} initialKind={initialKind()} inline testid="my-access-scope" />
      </div>
      <Show when={scope()} fallback={<Empty title={t('account.noScope')} hint={t('account.noScopeHint')} testid="my-access-empty" />}>
        <AccessView query={access} roles={roles.data()} subject="me" />
      </Show>
    </section>
  );
}
