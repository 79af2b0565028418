import { createEffect, createMemo, createSignal, For, Match, onCleanup, onMount, Show, Switch, type JSX } from 'solid-js';
import { Dynamic } from 'solid-js/web';
import { locale, locales, setLocale, t, type Locale, type MessageKey } from './i18n';
import { liveState } from './lib/api';
import { currentLocation, href, matchPath, navigate } from './lib/router';
import { loadMe, logout, me } from './lib/session';
import { dismiss, toasts } from './lib/toast';
import { AuditPage } from './pages/Audit';
import { ClusterDetailPage } from './pages/ClusterDetail';
import { ClustersPage } from './pages/Clusters';
import { LoginPage } from './pages/Login';
import { NamespacesPage } from './pages/Namespaces';
import { WorkspaceDetailPage } from './pages/WorkspaceDetail';
import { WorkspacesPage } from './pages/Workspaces';

interface Route {
  path: string;
  nav: MessageKey;
  component: (props: { params: Record<string, string> }) => JSX.Element;
}

const routes: Route[] = [
  { path: '/clusters', nav: 'nav.clusters', component: ClustersPage },
  { path: '/clusters/:id', nav: 'nav.clusters', component: ClusterDetailPage },
  { path: '/workspaces', nav: 'nav.workspaces', component: WorkspacesPage },
  { path: '/workspaces/:id', nav: 'nav.workspaces', component: WorkspaceDetailPage },
  { path: '/namespaces', nav: 'nav.namespaces', component: NamespacesPage },
  { path: '/audit', nav: 'nav.audit', component: AuditPage },
];

const navItems: { path: string; label: MessageKey; icon: string }[] = [
  { path: '/clusters', label: 'nav.clusters', icon: 'M3 4h14v4H3zM3 12h14v4H3zM6 6h.01M6 14h.01' },
  { path: '/workspaces', label: 'nav.workspaces', icon: 'M3 5h6v6H3zM11 5h6v6h-6zM3 13h14v3H3z' },
  { path: '/namespaces', label: 'nav.namespaces', icon: 'M4 4h12v12H4zM8 4v12M4 8h12' },
  { path: '/audit', label: 'nav.audit', icon: 'M5 3h8l3 3v11H5zM8 8h5M8 11h5M8 14h3' },
];

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

  // Signed out → login; signed in on login or root → clusters.
  createEffect(() => {
    const user = me();
    const path = currentLocation().path;
    if (user === null && path !== '/login') navigate(`/login?next=${encodeURIComponent(path === '/' ? '/clusters' : path)}`, { replace: true });
    if (user && (path === '/login' || path === '/')) navigate(currentLocation().query.get('next') || '/clusters', { replace: true });
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
              {(m) => <Dynamic component={m.route.component} params={m.params} />}
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
        <a class="brand" href={href('/clusters')}>
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
        <div class="sidenav-section">{t('nav.platform')}</div>
        <For each={navItems}>
          {(item) => (
            <a class="sidenav-item" classList={{ active: props.active === item.label }} href={href(item.path)} data-testid={`nav-${item.path.slice(1)}`}>
              <svg viewBox="0 0 20 20" class="nav-icon" aria-hidden="true">
                <path d={item.icon} fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round" />
              </svg>
              {t(item.label)}
            </a>
          )}
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
      <a href={href('/clusters')}>{t('common.goHome')}</a>
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
