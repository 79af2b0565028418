import { createEffect, createMemo, createSignal, For, Match, onCleanup, onMount, Show, Switch, type JSX } from 'solid-js';
import { Dynamic } from 'solid-js/web';
import { locale, locales, setLocale, t, type Locale, type MessageKey } from './i18n';
import { liveState } from './lib/api';
import { currentLocation, href, matchPath, navigate } from './lib/router';
import { canAnywhere, canInWorkspace, canOnPlatform, loadMe, logout, me, where, type Permission } from './lib/session';
import { dismiss, toasts } from './lib/toast';
import { AccountPage } from './pages/Account';
import { AppDetailPage } from './pages/AppDetail';
import { AppGeneratePage } from './pages/AppGenerate';
import { AppsPage } from './pages/Apps';
import { AuditPage } from './pages/Audit';
import { ClusterDetailPage } from './pages/ClusterDetail';
import { ClustersPage } from './pages/Clusters';
import { LoginPage } from './pages/Login';
import { NamespaceDetailPage } from './pages/NamespaceDetail';
import { NamespacesPage } from './pages/Namespaces';
import { PodDetailPage } from './pages/PodDetail';
import { RolesPage } from './pages/Roles';
import { TemplatesPage } from './pages/Templates';
import { TemplateEditorPage } from './pages/TemplatesEditor';
import { UserDetailPage } from './pages/UserDetail';
import { UsersPage } from './pages/Users';
import { DevEnvsPage } from './pages/DevEnvs';
import { ConfigStoragePage } from './pages/ConfigStorage';
import { WorkloadDetailPage } from './pages/WorkloadDetail';
import { WorkloadsPage } from './pages/Workloads';
import { WorkspaceDetailPage } from './pages/WorkspaceDetail';
import { WorkspacesPage } from './pages/Workspaces';

interface Route {
  path: string;
  nav: MessageKey;
  component: (props: { params: Record<string, string> }) => JSX.Element;
  /** The permission the page reads with, and whether the signed-in user holds it for these params. */
  needs?: { permission: Permission; allowed: (params: Record<string, string>) => boolean };
}

const onPlatform = (permission: Permission) => ({ permission, allowed: () => canOnPlatform(permission) });
const anywhere = (permission: Permission) => ({ permission, allowed: () => canAnywhere(permission) });
/** Who assigns roles needs to read what they hold; nobody else is shown the catalogue. */
const readsRoles = { permission: 'roles:manage' as Permission, allowed: () => canOnPlatform('roles:manage') || canOnPlatform('users:manage') || canAnywhere('members:manage') };

const routes: Route[] = [
  { path: '/clusters', nav: 'nav.clusters', component: ClustersPage, needs: onPlatform('clusters:read') },
  { path: '/clusters/:id', nav: 'nav.clusters', component: ClusterDetailPage, needs: onPlatform('clusters:read') },
  { path: '/workspaces', nav: 'nav.workspaces', component: WorkspacesPage, needs: anywhere('workspaces:read') },
  { path: '/workspaces/:id', nav: 'nav.workspaces', component: WorkspaceDetailPage, needs: { permission: 'workspaces:read', allowed: (p) => canInWorkspace('workspaces:read', p.id) } },
  { path: '/namespaces', nav: 'nav.namespaces', component: NamespacesPage, needs: anywhere('namespaces:read') },
  {
    path: '/namespaces/:clusterId/:name',
    nav: 'nav.namespaces',
    component: NamespaceDetailPage,
    needs: {
      permission: 'namespaces:read',
      allowed: (p) => {
        const w = where('namespaces:read');
        return w.everywhere || w.workspaces.length > 0 || w.namespaces.includes(`${p.clusterId}/${p.name}`);
      },
    },
  },
  { path: '/templates', nav: 'nav.templates', component: TemplatesPage, needs: anywhere('apps:deploy') },
  { path: '/templates/:id', nav: 'nav.templates', component: TemplateEditorPage, needs: anywhere('apps:deploy') },
  { path: '/apps', nav: 'nav.apps', component: AppsPage, needs: { permission: 'workloads:read', allowed: () => canAnywhere('workloads:read') || canAnywhere('apps:deploy') } },
  { path: '/apps/new', nav: 'nav.apps', component: AppGeneratePage, needs: anywhere('apps:deploy') },
  { path: '/apps/:clusterId/:namespace/:name', nav: 'nav.apps', component: AppDetailPage, needs: { permission: 'workloads:read', allowed: () => canAnywhere('workloads:read') || canAnywhere('apps:deploy') } },
  {
    path: '/pods/:clusterId/:namespace/:name',
    nav: 'nav.workloads' as MessageKey,
    component: PodDetailPage,
    needs: {
      permission: 'workloads:read',
      allowed: (p) => {
        const w = where('workloads:read');
        return w.everywhere || w.workspaces.length > 0 || w.namespaces.includes(`${p.clusterId}/${p.namespace}`);
      },
    },
  },
  { path: '/audit', nav: 'nav.audit', component: AuditPage, needs: onPlatform('audit:read') },
  { path: '/users', nav: 'nav.users', component: UsersPage, needs: onPlatform('users:manage') },
  { path: '/users/:id', nav: 'nav.users', component: UserDetailPage, needs: onPlatform('users:manage') },
  { path: '/roles', nav: 'nav.roles', component: RolesPage, needs: readsRoles },
  { path: '/devenvs', nav: 'nav.devenvs', component: DevEnvsPage, needs: anywhere('devenv:manage') },
  { path: '/workloads', nav: 'nav.workloads', component: WorkloadsPage, needs: anywhere('workloads:read') },
  { path: '/workloads/:clusterId/:namespace/:kind/:name', nav: 'nav.workloads', component: WorkloadDetailPage, needs: anywhere('workloads:read') },
  { path: '/config', nav: 'nav.config', component: ConfigStoragePage, needs: anywhere('workloads:read') },
  { path: '/account', nav: 'nav.account', component: AccountPage },
];

interface NavItem {
  path: string;
  label: MessageKey;
  icon: string;
}

const navSections: { label: MessageKey; items: NavItem[] }[] = [
  {
    label: 'nav.platform',
    items: [
      { path: '/clusters', label: 'nav.clusters', icon: 'M3 4h14v4H3zM3 12h14v4H3zM6 6h.01M6 14h.01' },
      { path: '/workspaces', label: 'nav.workspaces', icon: 'M3 5h6v6H3zM11 5h6v6h-6zM3 13h14v3H3z' },
      { path: '/namespaces', label: 'nav.namespaces', icon: 'M4 4h12v12H4zM8 4v12M4 8h12' },
      { path: '/templates', label: 'nav.templates', icon: 'M4 3h9l3 3v11H4zM7 8h6M7 11h6M7 14h4' },
      { path: '/audit', label: 'nav.audit', icon: 'M5 3h8l3 3v11H5zM8 8h5M8 11h5M8 14h3' },
    ],
  },
  {
    label: 'nav.applications',
    items: [{ path: '/apps', label: 'nav.apps', icon: 'M3 3h6v6H3zM11 3h6v6h-6zM3 11h6v6H3zM14 11v6M11 14h6' },
      { path: '/workloads', label: 'nav.workloads', icon: 'M3 5h14v3H3zM3 10h9v3H3zM3 15h5v2H3zM15 11l2 2-2 2' },
      { path: '/config', label: 'nav.config', icon: 'M4 3h12v4H4zM4 9h12v4H4zM4 15h12v2H4zM7 5h.01M7 11h.01' },
      { path: '/devenvs', label: 'nav.devenvs', icon: 'M3 4h14v10H3zM6 8l2.5 2L6 12M10 12h4M7 17h6' },
    ],
  },
  {
    label: 'nav.accessControl',
    items: [
      { path: '/users', label: 'nav.users', icon: 'M10 9a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM4 17c0-3.3 2.7-5.5 6-5.5s6 2.2 6 5.5' },
      { path: '/roles', label: 'nav.roles', icon: 'M10 2l6 3v5c0 3.5-2.6 6.3-6 7-3.4-.7-6-3.5-6-7V5zM7.5 10l2 2 3.5-4' },
    ],
  },
  {
    label: 'nav.personal',
    items: [{ path: '/account', label: 'nav.account', icon: 'M3 6h14v10H3zM6 10h4M6 13h2M13 9.5a1.5 1.5 0 1 0 0 .01' }],
  },
];

/** Whether the signed-in user may open `path` (a route they lack the permission for is not offered). */
function mayOpen(path: string): boolean {
  for (const r of routes) {
    const params = matchPath(r.path, path);
    if (params) return !r.needs || r.needs.allowed(params);
  }
  return false;
}

/** The first page the user may open: the platform admin's clusters, a developer's namespaces, else their account. */
export const home = () => navSections.flatMap((s) => s.items).find((i) => mayOpen(i.path))?.path ?? '/account';

export function App() {
  onMount(() => void loadMe());

  const matched = createMemo(() => {
    const path = currentLocation().path;
    for (const r of routes) {
      const params = matchPath(r.path, path);
      if (params) return { route: r, params };
    }
    return null;
  });

  // Signed out → login; signed in on login or root → where they were going if they may open it, else their home.
  createEffect(() => {
    const user = me();
    const path = currentLocation().path;
    if (user === null && path !== '/login') navigate(path === '/' ? '/login' : `/login?next=${encodeURIComponent(path)}`, { replace: true });
    if (user && (path === '/login' || path === '/')) {
      const next = currentLocation().query.get('next');
      navigate(next && mayOpen(next.split('?')[0]) ? next : home(), { replace: true });
    }
  });

  return (
    <>
      <Switch fallback={<div class="boot"><span class="spinner" /></div>}>
        <Match when={me() === null || currentLocation().path === '/login'}>
          <LoginPage />
        </Match>
        <Match when={me()}>
          <Shell active={matched()?.route.nav}>
            <Show when={matched()} keyed fallback={<NotFound />}>
              {(m) => (
                <Show when={!m.route.needs || m.route.needs.allowed(m.params)} fallback={<Forbidden permission={m.route.needs!.permission} />}>
                  <Dynamic component={m.route.component} params={m.params} />
                </Show>
              )}
            </Show>
          </Shell>
        </Match>
      </Switch>
      <Toasts />
    </>
  );
}

function Shell(props: { active?: MessageKey; children: JSX.Element }) {
  return (
    <div class="shell">
      <header class="topbar">
        <a class="brand" href={href(home())}>
          <svg viewBox="0 0 20 20" class="brand-mark" aria-hidden="true">
            <rect width="20" height="20" rx="4" />
            <path d="M5 14h10L10 5z" fill="#fff" />
          </svg>
          <span class="brand-name">{t('app.name')}</span>
          <span class="brand-tag">{t('app.tagline')}</span>
        </a>
        <div class="topbar-right">
          <LiveIndicator />
          <LanguageSwitch />
          <UserMenu />
        </div>
      </header>
      <nav class="sidenav" aria-label={t('nav.platform')}>
        <For each={navSections}>
          {(section) => {
            // Only the pages the user can use are offered.
            const items = () => section.items.filter((i) => mayOpen(i.path));
            return (
              <Show when={items().length}>
                <div class="sidenav-section">{t(section.label === 'nav.platform' && !canOnPlatform('clusters:read') ? 'nav.workbench' : section.label)}</div>
                <For each={items()}>
                  {(item) => (
                    <a class="sidenav-item" classList={{ active: props.active === item.label }} href={href(item.path)} data-testid={`nav-${item.path.slice(1)}`}>
                      <svg viewBox="0 0 20 20" class="nav-icon" aria-hidden="true">
                        <path d={item.icon} fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round" />
                      </svg>
                      {t(item.label)}
                    </a>
                  )}
                </For>
              </Show>
            );
          }}
        </For>
      </nav>
      <main class="content">{props.children}</main>
    </div>
  );
}

function LiveIndicator() {
  return (
    <span class={`live live-${liveState()}`} data-testid="live-indicator" title={liveState()}>
      <span class="live-dot" />
      {liveState() === 'offline' ? t('header.offline') : t('header.live')}
    </span>
  );
}

function LanguageSwitch() {
  return (
    <label class="lang">
      <span class="sr-only">{t('header.language')}</span>
      <svg viewBox="0 0 20 20" class="lang-icon" aria-hidden="true">
        <circle cx="10" cy="10" r="7" fill="none" stroke="currentColor" stroke-width="1.4" />
        <path d="M3 10h14M10 3c2.5 2.5 2.5 11.5 0 14M10 3c-2.5 2.5-2.5 11.5 0 14" fill="none" stroke="currentColor" stroke-width="1.4" />
      </svg>
      <select data-testid="language-switch" value={locale()} onChange={(e) => setLocale(e.currentTarget.value as Locale)}>
        <For each={locales}>{(l) => <option value={l.id}>{l.label}</option>}</For>
      </select>
    </label>
  );
}

function UserMenu() {
  const [open, setOpen] = createSignal(false);
  let ref: HTMLDivElement | undefined;
  const onDoc = (e: MouseEvent) => ref && !ref.contains(e.target as Node) && setOpen(false);
  onMount(() => document.addEventListener('click', onDoc));
  onCleanup(() => document.removeEventListener('click', onDoc));
  return (
    <div class="user-menu" ref={ref}>
      <button type="button" class="user-btn" aria-haspopup="menu" aria-expanded={open()} aria-label={t('header.userMenu')} data-testid="user-menu" onClick={() => setOpen(!open())}>
        <span class="avatar">{(me()?.name ?? '?').slice(0, 1).toUpperCase()}</span>
        <span>{me()?.name}</span>
        <span class="caret">▾</span>
      </button>
      <Show when={open()}>
        <div class="menu" role="menu">
          <div class="menu-caption">
            {t('header.signedInAs')} <strong>{me()?.name}</strong>
          </div>
          <a role="menuitem" class="menu-item" href={href('/account')} onClick={() => setOpen(false)} data-testid="menu-account">
            {t('nav.account')}
          </a>
          <a role="menuitem" class="menu-item" href={href('/account?tab=permissions')} onClick={() => setOpen(false)} data-testid="menu-permissions">
            {t('account.myPermissions')}
          </a>
          <button type="button" role="menuitem" class="menu-item" data-testid="logout" onClick={() => void logout()}>
            {t('header.logout')}
          </button>
        </div>
      </Show>
    </div>
  );
}

function NotFound() {
  return (
    <div class="page">
      <h1>{t('common.notFound')}</h1>
      <a href={href(home())}>{t('common.goHome')}</a>
    </div>
  );
}

/** A page the user may not open: which permission it needs, and where to find out what they hold. */
function Forbidden(props: { permission: Permission }) {
  return (
    <div class="page">
      <div class="forbidden" data-testid="forbidden">
        <div class="forbidden-code">403</div>
        <h1>{t('forbidden.title')}</h1>
        <p class="muted">
          {t('forbidden.body', { permission: props.permission })}
        </p>
        <div class="forbidden-actions">
          <a class="btn btn-primary" href={href(home())}>
            {t('common.goHome')}
          </a>
          <a class="btn" href={href('/account?tab=permissions')} data-testid="forbidden-why">
            {t('forbidden.why')}
          </a>
        </div>
      </div>
    </div>
  );
}

function Toasts() {
  return (
    <div class="toasts" aria-live="polite">
      <For each={toasts()}>
        {(toast) => (
          <div class={`toast toast-${toast.kind}`} role={toast.kind === 'error' ? 'alert' : 'status'} data-testid={`toast-${toast.kind}`}>
            <div class="toast-title">{toast.title}</div>
            <Show when={toast.message}>
              <div class="toast-message">
                <Show when={toast.field}>
                  <code class="field-name">{toast.field}</code>
                </Show>
                {toast.message}
              </div>
            </Show>
            <button type="button" class="icon-btn toast-close" aria-label={t('common.close')} onClick={() => dismiss(toast.id)}>
              ×
            </button>
          </div>
        )}
      </For>
    </div>
  );
}
