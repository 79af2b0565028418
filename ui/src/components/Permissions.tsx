/**
 * Permissions as people read them: grouped by module, labelled in the current language, with the
 * code beside the label (admins search docs and audit records by code).
 */
import { createEffect, For, Show } from 'solid-js';
import { permissions, type Permission } from '../../../domain/permissions';
import { t, type MessageKey } from '../i18n';
import './identity.css';

export { permissions, type Permission };

export type ScopeKind = 'platform' | 'workspace' | 'namespace';
export const scopeKinds: ScopeKind[] = ['platform', 'workspace', 'namespace'];

/** Permissions that Bosun checks on the whole platform: they take effect only in a role granted on the platform. */
export const platformOnly: ReadonlySet<Permission> = new Set<Permission>(['clusters:manage', 'clusters:read', 'workspaces:manage', 'audit:read', 'users:manage', 'roles:manage']);

const lookup = (key: string, fallback: string) => {
  const text = t(key as MessageKey);
  return typeof text === 'string' && text ? text : fallback;
};

export const moduleOf = (p: string) => p.split(':')[0];
export const permLabel = (p: string) => lookup(`perm.${p}`, p);
export const moduleLabel = (m: string) => lookup(`perm.module.${m}`, m);
export const scopeKindLabel = (k: ScopeKind) => t(`scope.${k}` as MessageKey);

/** The catalogue grouped by module, in the catalogue's order. */
export function byModule<P extends string>(list: readonly P[]): { module: string; permissions: P[] }[] {
  const groups: { module: string; permissions: P[] }[] = [];
  for (const p of list) {
    const m = moduleOf(p);
    const g = groups.find((x) => x.module === m);
    if (g) g.permissions.push(p);
    else groups.push({ module: m, permissions: [p] });
  }
  return groups;
}

/** A permission as a small chip: its label, the code as a tooltip. */
export function PermChip(props: { permission: string; tone?: 'on' | 'off' }) {
  return (
    <span class={`chip ${props.tone === 'off' ? 'chip-off' : ''}`} title={props.permission} data-testid={`perm-chip-${props.permission}`}>
      {permLabel(props.permission)}
    </span>
  );
}

/** A role's (or key's) permissions, one line per module. */
export function PermissionsByModule(props: { permissions: readonly string[]; testid?: string }) {
  return (
    <div class="perm-modules" data-testid={props.testid}>
      <For each={byModule(props.permissions)}>
        {(g) => (
          <div class="perm-module-line">
            <span class="perm-module-name">{moduleLabel(g.module)}</span>
            <span class="chips">
              <For each={g.permissions}>{(p) => <PermChip permission={p} />}</For>
            </span>
          </div>
        )}
      </For>
    </div>
  );
}

/**
 * Checkboxes for permissions, grouped by module with a box for the whole module. `available`
 * limits what may be chosen (e.g. an API key can have only what its user holds); the rest is shown
 * disabled with `unavailableHint`.
 */
export function PermissionPicker(props: {
  selected: readonly Permission[];
  onChange: (next: Permission[]) => void;
  available?: readonly Permission[];
  unavailableHint?: string;
  showPlatformOnly?: boolean;
  testid?: string;
}) {
  const can = (p: Permission) => !props.available || props.available.includes(p);
  const has = (p: Permission) => props.selected.includes(p);
  const set = (list: Permission[], on: boolean) => {
    const next = new Set(props.selected);
    for (const p of list) if (can(p)) on ? next.add(p) : next.delete(p);
    props.onChange(permissions.filter((p) => next.has(p)));
  };
  return (
    <div class="perm-picker" data-testid={props.testid ?? 'perm-picker'}>
      <For each={byModule(permissions)}>
        {(g) => {
          const choosable = () => g.permissions.filter(can);
          const all = () => choosable().length > 0 && choosable().every(has);
          const some = () => choosable().some(has);
          let box: HTMLInputElement | undefined;
          createEffect(() => {
            const mixed = some() && !all();
            if (box) box.indeterminate = mixed;
          });
          return (
            <div class="perm-group">
              <label class="perm-group-head">
                <input
                  type="checkbox"
                  checked={all()}
                  ref={box}
                  disabled={choosable().length === 0}
                  onChange={(e) => set(g.permissions, e.currentTarget.checked)}
                  data-testid={`perm-module-${g.module}`}
                />
                {moduleLabel(g.module)}
              </label>
              <div class="perm-group-items">
                <For each={g.permissions}>
                  {(p) => (
                    <label class="perm-item" classList={{ disabled: !can(p) }} title={!can(p) ? props.unavailableHint : p}>
                      <input type="checkbox" checked={has(p)} disabled={!can(p)} onChange={(e) => set([p], e.currentTarget.checked)} data-testid={`perm-${p}`} />
                      <span>{permLabel(p)}</span>
                      <code class="perm-code">{p}</code>
                      <Show when={props.showPlatformOnly && platformOnly.has(p)}>
                        <span class="tag" title={t('roles.platformOnlyHint')}>
                          {t('roles.platformOnly')}
                        </span>
                      </Show>
                    </label>
                  )}
                </For>
              </div>
            </div>
          );
        }}
      </For>
    </div>
  );
}
