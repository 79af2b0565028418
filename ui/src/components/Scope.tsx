/** Scopes (platform, a workspace, a namespace) as text, and a picker for one. */
import { createEffect, createMemo, createSignal, For, Show } from 'solid-js';
import { t } from '../i18n';
import { api, fresh } from '../lib/api';
import { createQuery } from '../lib/query';
import { canAnywhere, type Scope } from '../lib/session';
import { scopeKindLabel, type ScopeKind } from './Permissions';

export type { Scope };

export function scopeText(scope: Scope): string {
  if (scope.kind === 'platform') return t('scope.wholePlatform');
  if (scope.kind === 'workspace') return t('scope.workspaceOf', { id: scope.workspaceId });
  return t('scope.namespaceOf', { cluster: scope.clusterId, namespace: scope.namespace });
}

export const scopeKey = (s: Scope) => (s.kind === 'platform' ? 'platform' : s.kind === 'workspace' ? `ws:${s.workspaceId}` : `ns:${s.clusterId}/${s.namespace}`);

export function ScopeText(props: { scope: Scope }) {
  return (
    <span class="scope-text" data-scope={scopeKey(props.scope)}>
      <span class={`scope-kind scope-kind-${props.scope.kind}`}>{scopeKindLabel(props.scope.kind)}</span>
      <Show when={props.scope.kind !== 'platform'}>
        <span class="mono">{props.scope.kind === 'workspace' ? props.scope.workspaceId : props.scope.kind === 'namespace' ? `${props.scope.clusterId}/${props.scope.namespace}` : ''}</span>
      </Show>
    </span>
  );
}

/**
 * Chooses a scope: its kind, then which workspace or namespace. The workspaces and namespaces
 * offered are those the signed-in user can see (nothing is asked of the server that they lack).
 * `kinds` limits the kinds offered (e.g. where a role may be granted).
 */
export function ScopePicker(props: {
  value: Scope | null;
  onChange: (scope: Scope | null) => void;
  kinds?: readonly ScopeKind[];
  /** The kind shown first when `value` is null (its first workspace or namespace is then chosen). */
  initialKind?: ScopeKind;
  testid?: string;
  inline?: boolean;
}) {
  const workspaces = createQuery(() => canAnywhere('workspaces:read') && {}, () => api.workspaces.list.query(fresh()));
  const namespaces = createQuery(() => canAnywhere('namespaces:read') && {}, () => api.namespaces.list.query(fresh()));
  const kinds = () => props.kinds ?? (['platform', 'workspace', 'namespace'] as ScopeKind[]);
  const [kind, setKind] = createSignal<ScopeKind>(props.value?.kind ?? props.initialKind ?? kinds()[0] ?? 'platform');
  const kindAvailable = (k: ScopeKind) => (k === 'platform' ? true : k === 'workspace' ? canAnywhere('workspaces:read') : canAnywhere('namespaces:read'));
  const liveNamespaces = () => (namespaces.data() ?? []).filter((n) => n.status !== 'deleted');
  const targets = createMemo(() =>
    kind() === 'workspace'
      ? (workspaces.data() ?? []).map((w) => ({ key: w.workspaceId, label: w.displayName && w.displayName !== w.workspaceId ? `${w.displayName} (${w.workspaceId})` : w.workspaceId }))
      : kind() === 'namespace'
        ? liveNamespaces().map((n) => ({ key: `${n.clusterId}/${n.name}`, label: `${n.name} · ${n.clusterId} · ${n.workspaceId}` }))
        : [],
  );
  const currentKey = () => {
    const v = props.value;
    if (!v || v.kind !== kind()) return '';
    return v.kind === 'workspace' ? v.workspaceId : v.kind === 'namespace' ? `${v.clusterId}/${v.namespace}` : '';
  };
  const choose = (k: ScopeKind, key: string) => {
    if (k === 'platform') return props.onChange({ kind: 'platform' });
    if (!key) return props.onChange(null);
    if (k === 'workspace') return props.onChange({ kind: 'workspace', workspaceId: key });
    const n = liveNamespaces().find((x) => `${x.clusterId}/${x.name}` === key);
    props.onChange(n ? { kind: 'namespace', clusterId: n.clusterId, namespace: n.name, workspaceId: n.workspaceId } : null);
  };
  // Offered kinds may change (e.g. another role chosen): keep the kind among them.
  createEffect(() => {
    const offered = kinds().filter(kindAvailable);
    if (offered.length && !offered.includes(kind())) setKind(offered[0]);
  });
  // A kind whose list has loaded picks its first entry, so the picker always holds a usable scope.
  createEffect(() => {
    const k = kind();
    if (k === 'platform') {
      if (props.value?.kind !== 'platform') choose('platform', '');
      return;
    }
    if (props.value?.kind === k) return;
    const first = targets()[0];
    if (first) choose(k, first.key);
    else if (props.value) props.onChange(null);
  });
  return (
    <div class={props.inline ? 'scope-picker inline' : 'scope-picker'} data-testid={props.testid ?? 'scope-picker'}>
      <select value={kind()} onChange={(e) => setKind(e.currentTarget.value as ScopeKind)} data-testid="scope-kind" aria-label={t('scope.kind')}>
        <For each={kinds().filter(kindAvailable)}>
          {(k) => (
            <option value={k} selected={k === kind()}>
              {scopeKindLabel(k)}
            </option>
          )}
        </For>
      </select>
      <Show when={kind() !== 'platform'}>
        <select value={currentKey()} onChange={(e) => choose(kind(), e.currentTarget.value)} data-testid="scope-target" aria-label={t('scope.target')}>
          <Show when={targets().length} fallback={<option value="">{kind() === 'workspace' ? t('scope.noWorkspaces') : t('scope.noNamespaces')}</option>}>
            <For each={targets()}>
              {(o) => (
                <option value={o.key} selected={o.key === currentKey()}>
                  {o.label}
                </option>
              )}
            </For>
          </Show>
        </select>
      </Show>
    </div>
  );
}
