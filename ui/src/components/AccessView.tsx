/**
 * "Why can I / why can't I": every permission at one scope, allowed or not, with the grants that
 * give it, and for a refusal the grants that hold it elsewhere (and so do not reach this scope).
 */
import { createSignal, For, Show } from 'solid-js';
import { t } from '../i18n';
import type { RouterOutputs } from '../lib/api';
import type { Query } from '../lib/query';
import { Badge } from './Badge';
import { moduleLabel, moduleOf, permLabel, platformOnly, type Permission } from './Permissions';
import { QueryView } from './QueryView';
import { roleName, type RoleDto } from './Roles';
import { ScopeText, type Scope } from './Scope';
import { Table } from './Table';

export type AccessDto = RouterOutputs['access']['mine'];
type GrantRef = AccessDto['grants'][number];

function GrantLine(props: { grant: GrantRef; roles: readonly RoleDto[] | undefined }) {
  return (
    <div class="grant-line" data-testid="access-grant">
      <span class="strong">{roleName(props.roles, props.grant.roleId)}</span>
      <span class="muted"> {t('access.on')} </span>
      <ScopeText scope={props.grant.scope as Scope} />
      <Show when={props.grant.via?.kind === 'group'}>
        <span class="muted small"> · {t('access.viaGroup', { group: props.grant.via!.id })}</span>
      </Show>
    </div>
  );
}

export function AccessView(props: { query: Query<AccessDto>; roles: readonly RoleDto[] | undefined; subject: 'me' | 'user' }) {
  const [filter, setFilter] = createSignal<'all' | 'allowed' | 'denied'>('all');
  const holdersElsewhere = (access: AccessDto, p: string) =>
    access.grants.filter((g) => props.roles?.find((r) => r.roleId === g.roleId)?.permissions.includes(p as Permission));
  return (
    <QueryView query={props.query}>
      {(access) => {
        const allowed = () => access().permissions.filter((p) => p.allowed).length;
        const rows = () => access().permissions.filter((p) => filter() === 'all' || (filter() === 'allowed') === p.allowed);
        return (
          <>
            <div class="access-summary" data-testid="access-summary">
              <span>
                {t('access.summary', { n: allowed(), total: access().permissions.length })} <ScopeText scope={access().scope as Scope} />
              </span>
              <div class="segmented" role="group">
                <For each={['all', 'allowed', 'denied'] as const}>
                  {(f) => (
                    <button type="button" classList={{ active: filter() === f }} onClick={() => setFilter(f)} data-testid={`access-filter-${f}`}>
                      {t(`access.filter.${f}`)}
                    </button>
                  )}
                </For>
              </div>
            </div>
            <Table
              dense
              testid="access-table"
              columns={[{ label: t('access.col.module') }, { label: t('access.col.permission') }, { label: t('access.col.allowed') }, { label: t('access.col.why') }]}
            >
              <For each={rows()}>
                {(p) => (
                  <tr data-testid={`access-row-${p.permission}`} data-allowed={String(p.allowed)}>
                    <td class="muted nowrap">{moduleLabel(moduleOf(p.permission))}</td>
                    <td class="nowrap">
                      <span>{permLabel(p.permission)}</span>
                      <code class="perm-code-inline">{p.permission}</code>
                    </td>
                    <td>
                      <Badge tone={p.allowed ? 'ok' : 'muted'} testid="access-allowed">
                        {p.allowed ? t('access.allowed') : t('access.denied')}
                      </Badge>
                    </td>
                    <td class="access-why">
                      <Show
                        when={p.allowed}
                        fallback={
                          <div class="muted small" data-testid="access-why-not">
                            <Show
                              when={holdersElsewhere(access(), p.permission).length}
                              fallback={
                                <>
                                  {props.subject === 'me' ? t('access.noRoleMine') : t('access.noRoleUser')}
                                  <Show when={platformOnly.has(p.permission as Permission) && access().scope.kind !== 'platform'}> {t('access.platformOnly')}</Show>
                                </>
                              }
                            >
                              <div>{t('access.heldElsewhere')}</div>
                              <For each={holdersElsewhere(access(), p.permission)}>{(g) => <GrantLine grant={g} roles={props.roles} />}</For>
                              <Show when={platformOnly.has(p.permission as Permission) && access().scope.kind !== 'platform'}>
                                <div>{t('access.platformOnly')}</div>
                              </Show>
                            </Show>
                          </div>
                        }
                      >
                        <For each={p.because}>{(g) => <GrantLine grant={g} roles={props.roles} />}</For>
                      </Show>
                    </td>
                  </tr>
                )}
              </For>
            </Table>
          </>
        );
      }}
    </QueryView>
  );
}
