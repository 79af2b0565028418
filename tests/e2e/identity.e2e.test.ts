/**
 * Identity end to end, in a real browser (Debian's Chromium through playwright-core) against Bosun
 * (in-process, PGlite) and kube-sim: an admin creates a developer and grants her a role on one
 * namespace; she sees only that namespace, is refused what her role lacks, and reads why on her
 * "My permissions" page; an auditor then finds the grant and her refused attempt in the audit log.
 * Screenshots of every step go to tests/e2e/screenshots/identity-NN-<step>.png (1280×800).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBosun } from '../../app/bosun';
import { startKubeSim, type KubeSim } from '../kube-sim';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';

/** A Deployment made by the cluster's own admin (not through Bosun), for Dana to try to scale. */
async function createDeployment(sim: KubeSim, namespace: string, name: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  const labels = { app: name };
  await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name },
      spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name, image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } } }] } } },
    },
  });
}
import { bosunClient } from '../support/bosun-client';
import { addNodes } from '../support/kube-nodes';
import { buildUiIfStale, launchChromium, newPage as openPage, screenshot } from './support/browser';

const ADMIN_PASSWORD = 'e2e-Admin-Passw0rd';
const DANA_PASSWORD = 'dana-Passw0rd-2026';
const AUDITOR_PASSWORD = 'audra-Passw0rd-2026';

let sim: KubeSim | undefined;
let bosun: { url: string; adminPassword: string; stop(): Promise<void> };
let browser: Browser;
const cleanup: (() => void)[] = [];

// ------------------------------------------------------------------ setup

/** The tenancy the older e2e already walks through in the UI, set up through the API: a cluster, a workspace, two namespaces. */
async function setUpTenancy() {
  const { client: api } = bosunClient(bosun.url);
  await api.auth.login.mutate({ username: 'admin', password: bosun.adminPassword });
  await api.clusters.register.mutate({ commandId: randomUUID(), name: 'sim', displayName: 'Simulated cluster', kubeconfig: sim!.kubeconfig });
  await api.workspaces.create.mutate({ commandId: randomUUID(), name: 'team-a', displayName: 'Team A', ceilingCpu: '8', ceilingMemory: '32Gi' });
  await api.workspaces.bind.mutate({ commandId: randomUUID(), workspaceId: 'team-a', clusterId: 'sim', cpu: '4', memory: '8Gi' });
  const defaults = { quotaCpu: '1', quotaMemory: '2Gi', defaultRequestCpu: '100m', defaultRequestMemory: '128Mi', defaultLimitCpu: '500m', defaultLimitMemory: '512Mi' };
  for (const name of ['ns-dev', 'ns-other']) {
    await api.namespaces.create.mutate({ commandId: randomUUID(), workspaceId: 'team-a', clusterId: 'sim', name, ...defaults });
  }
  const deadline = Date.now() + 30_000;
  for (const name of ['ns-dev', 'ns-other']) {
    while ((await api.namespaces.get.query({ clusterId: 'sim', name })).status !== 'ready') {
      if (Date.now() > deadline) throw new Error(`namespace ${name} did not become ready`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

beforeAll(async () => {
  buildUiIfStale();
  sim = await startKubeSim();
  await addNodes(sim.kubeconfig, 2, { cpu: '8', memory: '32Gi' });
  const dataDir = mkdtempSync(join(tmpdir(), 'bosun-identity-e2e-'));
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const running = await startBosun({ config: { dataDir, port: 0, adminPassword: ADMIN_PASSWORD }, logger: false });
  bosun = { url: running.url, adminPassword: running.adminPassword ?? ADMIN_PASSWORD, stop: () => running.stop() };
  await setUpTenancy();
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await bosun?.stop();
  await sim?.stop();
  for (const c of cleanup) c();
});

// ------------------------------------------------------------------ helpers

const newPage = (locale = 'en-US') => openPage(browser, locale);

const shot = (page: Page, name: string) => screenshot(page, `identity-${name}`);

async function dismissToasts(page: Page) {
  for (const close of await page.locator('.toast-close').all()) await close.click().catch(() => {});
}

async function logIn(page: Page, username: string, password: string) {
  await page.goto(`${bosun.url}/`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('user-menu').waitFor();
}

async function logOut(page: Page) {
  await page.getByTestId('user-menu').click();
  await page.getByTestId('logout').click();
  await page.getByTestId('login-form').waitFor();
}

/** The side navigation's entries, by test id (`nav-clusters`, …). */
const navIds = (page: Page) => page.locator('.sidenav a').evaluateAll((links) => links.map((a) => a.getAttribute('data-testid')));

// ------------------------------------------------------------------ the walk

describe('Identity in the web UI', () => {
  it('grants a developer one namespace, shows her only that, explains her permissions, and audits it', async () => {
    // ---- The admin creates dana and makes her a developer on ns-dev.
    let { context, page } = await newPage();
    try {
      await logIn(page, 'admin', bosun.adminPassword);
      expect(await navIds(page)).toEqual(['nav-clusters', 'nav-workspaces', 'nav-namespaces', 'nav-templates', 'nav-audit', 'nav-apps', 'nav-workloads', 'nav-config', 'nav-devenvs', 'nav-users', 'nav-roles', 'nav-account']);
      await page.getByTestId('nav-namespaces').click();
      await page.getByTestId('ns-row-ns-dev').waitFor();
      await page.getByTestId('ns-row-ns-other').waitFor();
      await shot(page, '01-admin-namespaces');

      await page.getByTestId('nav-users').click();
      await page.getByTestId('users-table').waitFor();
      await page.getByTestId('create-user').click();
      await page.getByTestId('user-id').fill('dana');
      await page.getByTestId('user-display-name').fill('Dana Wu');
      await page.getByTestId('user-email').fill('dana@example.com');
      // The policy is shown and checked as she types: too short first.
      await page.getByTestId('user-password').fill('short1');
      expect(await page.getByTestId('user-password-policy').locator('li.ok').count()).toBe(1);
      expect(await page.getByTestId('user-submit').isDisabled()).toBe(true);
      await page.getByTestId('user-password').fill(DANA_PASSWORD);
      expect(await page.getByTestId('user-password-policy').locator('li.ok').count()).toBe(2);
      await shot(page, '02-user-create');
      await page.getByTestId('user-submit').click();
      await page.getByTestId('user-dialog').waitFor({ state: 'detached' });
      const danaRow = page.getByTestId('user-row-dana');
      await danaRow.waitFor();
      expect(await danaRow.getByTestId('user-source').textContent()).toBe('Local');
      expect(await danaRow.getByTestId('user-status').textContent()).toContain('Active');
      await dismissToasts(page);
      await shot(page, '03-users-list');

      // ns-dev's members: the admin is inherited from the platform; dana is added as a developer.
      await page.getByTestId('nav-namespaces').click();
      await page.getByTestId('ns-link-ns-dev').click();
      await page.getByTestId('members-table').waitFor();
      expect(await page.getByTestId('member-row-user-admin').getAttribute('data-inherited')).toBe('true');
      await page.getByTestId('add-member').click();
      await page.getByTestId('member-user-search').fill('dana');
      await expect.poll(() => page.getByTestId('member-user').inputValue()).toBe('dana');
      // Only roles grantable on a namespace are offered.
      const offered = await page.getByTestId('member-role').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
      expect(offered).toEqual(expect.arrayContaining(['developer', 'ops-engineer', 'tester', 'viewer']));
      expect(offered).not.toContain('platform-admin');
      expect(offered).not.toContain('workspace-admin');
      await page.getByTestId('member-role').selectOption('developer');
      await page.getByTestId('member-role-preview').getByTestId('perm-chip-containers:exec').waitFor();
      expect(await page.getByTestId('member-role-preview').getByTestId('perm-chip-workloads:operate').count()).toBe(0);
      await shot(page, '04-add-member');
      await page.getByTestId('member-submit').click();
      await page.getByTestId('member-dialog').waitFor({ state: 'detached' });
      const danaMember = page.getByTestId('member-row-user-dana');
      await danaMember.waitFor();
      expect(await danaMember.getAttribute('data-role')).toBe('developer');
      expect(await danaMember.getAttribute('data-inherited')).toBe('false');
      expect(await danaMember.textContent()).toContain('Dana Wu');
      await dismissToasts(page);
      await shot(page, '05-namespace-members');
      await logOut(page);
    } finally {
      await context.close();
    }

    // ---- Dana sees only her namespace and her account.
    ({ context, page } = await newPage());
    try {
      await logIn(page, 'dana', DANA_PASSWORD);
      await expect.poll(() => page.url()).toContain('#/namespaces');
      expect(await navIds(page)).toEqual(['nav-namespaces', 'nav-templates', 'nav-apps', 'nav-workloads', 'nav-config', 'nav-devenvs', 'nav-account']);
      await page.getByTestId('ns-row-ns-dev').waitFor();
      expect(await page.getByTestId('ns-row-ns-other').count()).toBe(0);
      expect(await page.locator('[data-testid^="ns-row-"]').count()).toBe(1);
      // No button for what she lacks (namespaces:manage): no create, no quota change, no delete.
      expect(await page.getByTestId('create-namespace').count()).toBe(0);
      expect(await page.getByTestId('ns-delete').count()).toBe(0);
      expect(await page.getByTestId('ns-change-quota').count()).toBe(0);
      await shot(page, '06-dana-namespaces');

      // Her namespace's members: she sees them, but cannot add or remove anyone.
      await page.getByTestId('ns-link-ns-dev').click();
      await page.getByTestId('member-row-user-dana').waitFor();
      expect(await page.getByTestId('add-member').count()).toBe(0);
      expect(await page.getByTestId('member-remove').count()).toBe(0);

      // Deleting her namespace is management she lacks: no button offers it, and the API refuses it
      // when asked directly from the page with her cookies and the CSRF header.
      const refusal = await page.evaluate(async () => {
        const csrf = /(?:^|;\s*)bosun_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '';
        const response = await fetch('/trpc/namespaces.delete', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', 'x-bosun-csrf': csrf },
          body: JSON.stringify({ commandId: crypto.randomUUID(), clusterId: 'sim', name: 'ns-dev' }),
        });
        return { status: response.status, body: (await response.json()) as { error?: { message?: string } } };
      });
      expect(refusal.status).toBe(403);
      expect(refusal.body.error?.message).toMatch(/namespaces:manage/);

      // A workload-controller action: scaling a Deployment through Bosun's Kubernetes proxy. The
      // cluster's RBAC, projected from her developer role, refuses it with its own 403.
      await createDeployment(sim!, 'ns-dev', 'web');
      const scale = await page.evaluate(async () => {
        const csrf = /(?:^|;\s*)bosun_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '';
        const response = await fetch('/k8s/clusters/sim/apis/apps/v1/namespaces/ns-dev/deployments/web', {
          method: 'PATCH',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/merge-patch+json', 'x-bosun-csrf': csrf },
          body: JSON.stringify({ spec: { replicas: 3 } }),
        });
        return { status: response.status, body: (await response.json()) as { message?: string } };
      });
      expect(scale.status).toBe(403);
      expect(scale.body.message).toContain('deployments');
      // A page she may not open says which permission it needs.
      await page.goto(`${bosun.url}/#/clusters`);
      await page.getByTestId('forbidden').waitFor();
      expect(await page.getByTestId('forbidden').textContent()).toContain('clusters:read');
      await shot(page, '07-dana-forbidden');

      // "Why can't I": on ns-dev she may open terminals (developer) but not operate workload controllers.
      await page.getByTestId('forbidden-why').click();
      await page.getByTestId('access-table').waitFor();
      await expect.poll(() => page.getByTestId('scope-kind').inputValue()).toBe('namespace');
      await expect.poll(() => page.getByTestId('scope-target').inputValue()).toBe('sim/ns-dev');
      const exec = page.getByTestId('access-row-containers:exec');
      const operate = page.getByTestId('access-row-workloads:operate');
      await expect.poll(() => exec.getAttribute('data-allowed')).toBe('true');
      expect(await operate.getAttribute('data-allowed')).toBe('false');
      expect(await exec.getByTestId('access-grant').textContent()).toMatch(/Developer.*sim\/ns-dev/);
      expect(await operate.getByTestId('access-why-not').textContent()).toContain('None of your roles');
      expect(await page.getByTestId('access-row-namespaces:manage').getAttribute('data-allowed')).toBe('false');
      await page.getByTestId('access-row-workloads:read').evaluate((row) => row.scrollIntoView({ block: 'center' }));
      await shot(page, '08-dana-my-permissions');

      // An API key with a subset of what she holds, shown once; it works as a Bearer token.
      await page.getByTestId('tab-keys').click();
      await page.getByTestId('create-api-key').first().click();
      await page.getByTestId('api-key-name').fill('ci-logs');
      expect(await page.getByTestId('perm-workloads:operate').isDisabled()).toBe(true);
      expect(await page.getByTestId('perm-clusters:manage').isDisabled()).toBe(true);
      await page.getByTestId('perm-containers:logs').check();
      await page.getByTestId('api-key-days').fill('30');
      // Limited to ns-dev: the picker offers only the namespaces she can see.
      await page.getByTestId('api-key-limited').check();
      await expect.poll(() => page.getByTestId('api-key-scope').getByTestId('scope-target').inputValue()).toBe('sim/ns-dev');
      expect(await page.getByTestId('api-key-scope').getByTestId('scope-target').locator('option').count()).toBe(1);
      expect(await page.getByTestId('api-key-scope').getByTestId('scope-kind').locator('option').count()).toBe(1); // no platform limit for her
      await page.getByTestId('api-key-add-scope').click();
      await shot(page, '09-dana-api-key-create');
      await page.getByTestId('api-key-submit').click();
      const secret = page.getByTestId('api-key-secret');
      await secret.waitFor();
      const key = await secret.inputValue();
      expect(key.length).toBeGreaterThan(20);
      expect(await page.getByTestId('api-key-created').textContent()).toContain('will not see it again');
      await dismissToasts(page);
      await shot(page, '10-dana-api-key-once');
      const whoami = await fetch(`${bosun.url}/trpc/auth.me`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.json() as Promise<{ result: { data: { user: { id: string; platformPermissions: string[] } } } }>);
      expect(whoami.result.data.user.id).toBe('dana');
      expect(whoami.result.data.user.platformPermissions).toEqual([]);
      await page.getByTestId('api-key-done').click();
      await page.getByTestId('api-key-row-ci-logs').waitFor();
      expect(await page.getByTestId('api-key-row-ci-logs').textContent()).toContain('sim/ns-dev');
      expect(await page.getByTestId('api-key-secret').count()).toBe(0); // never shown again
      expect(await page.getByTestId('api-key-row-ci-logs').textContent()).not.toContain(key);
      await logOut(page);
    } finally {
      await context.close();
    }

    // ---- The admin makes an auditor: a user, then a platform-auditor grant in Platform members.
    ({ context, page } = await newPage());
    try {
      await logIn(page, 'admin', bosun.adminPassword);
      await page.getByTestId('nav-users').click();
      await page.getByTestId('create-user').click();
      await page.getByTestId('user-id').fill('audra');
      await page.getByTestId('user-display-name').fill('Audra Auditor');
      await page.getByTestId('user-password').fill(AUDITOR_PASSWORD);
      await page.getByTestId('user-submit').click();
      await page.getByTestId('user-row-audra').waitFor();
      await page.getByTestId('tab-platform').click();
      await page.getByTestId('members-table').waitFor();
      await page.getByTestId('add-member').click();
      await page.getByTestId('member-user-search').fill('audra');
      await expect.poll(() => page.getByTestId('member-user').inputValue()).toBe('audra');
      await page.getByTestId('member-role').selectOption('platform-auditor');
      await page.getByTestId('member-submit').click();
      await page.getByTestId('member-row-user-audra').waitFor();
      expect(await page.getByTestId('member-row-user-audra').getAttribute('data-role')).toBe('platform-auditor');
      await dismissToasts(page);
      await shot(page, '11-platform-members');

      // Dana's page: her grant, and what she may do (effective permissions, as the admin sees them).
      await page.getByTestId('tab-users').click();
      await page.getByTestId('user-row-dana').getByTestId('user-link').click();
      await page.getByTestId('user-grant-developer').waitFor();
      await page.getByTestId('tab-access').click();
      await page.getByTestId('access-scope').getByTestId('scope-kind').selectOption('namespace');
      await page.getByTestId('access-scope').getByTestId('scope-target').selectOption('sim/ns-other');
      await expect.poll(() => page.getByTestId('access-row-containers:exec').getAttribute('data-allowed')).toBe('false');
      expect(await page.getByTestId('access-row-containers:exec').getByTestId('access-why-not').textContent()).toMatch(/ns-dev/);
      await page.getByTestId('access-row-workloads:read').evaluate((row) => row.scrollIntoView({ block: 'center' }));
      await shot(page, '12-user-effective-permissions');

      // The workspace's members: dana's namespace grant is listed with its namespace; the admin is inherited.
      await page.getByTestId('nav-workspaces').click();
      await page.getByTestId('workspace-row-team-a').click();
      await page.getByTestId('tab-members').click();
      await page.getByTestId('member-row-user-dana').waitFor();
      expect(await page.getByTestId('member-row-user-dana').textContent()).toContain('sim/ns-dev');
      expect(await page.getByTestId('member-row-user-admin').getAttribute('data-inherited')).toBe('true');
      await shot(page, '13-workspace-members');
      await logOut(page);
    } finally {
      await context.close();
    }

    // ---- The auditor finds the grant and dana's refused attempt in the audit log.
    ({ context, page } = await newPage());
    try {
      await logIn(page, 'audra', AUDITOR_PASSWORD);
      const nav = await navIds(page);
      expect(nav).toContain('nav-audit');
      expect(nav).not.toContain('nav-users');
      await page.getByTestId('nav-audit').click();
      await page.getByTestId('audit-table').waitFor();
      await page.getByTestId('audit-module').selectOption('roles');
      await page.getByTestId('audit-apply').click();
      const grantRow = page.locator('[data-testid="audit-row"]', { hasText: 'GrantRole' }).filter({ hasText: 'ns-dev' }).first();
      await grantRow.waitFor();
      await grantRow.click();
      await page.getByTestId('audit-drawer').getByTestId('audit-command').waitFor();
      expect(await page.getByTestId('audit-drawer').getByTestId('audit-command').textContent()).toContain('dana');
      await shot(page, '14-auditor-grant-record');
      await page.keyboard.press('Escape');

      await page.getByTestId('audit-module').selectOption('');
      // The Audit page's user filter matches the actor's display name (not yet the user id "dana").
      await page.getByTestId('audit-user').fill('Dana Wu');
      await page.getByTestId('audit-outcome-filter').selectOption('rejected');
      await page.getByTestId('audit-apply').click();
      // Both refusals are there: the workload-controller action on the cluster and the management call.
      await page.locator('[data-testid="audit-row"]', { hasText: 'patch deployments' }).first().waitFor();
      const refused = page.locator('[data-testid="audit-row"]', { hasText: 'namespaces.delete' }).first();
      await refused.waitFor();
      await refused.click();
      const message = page.getByTestId('audit-drawer').getByTestId('audit-message');
      await message.waitFor();
      expect(await message.textContent()).toMatch(/namespaces:manage/);
      await shot(page, '15-auditor-dana-refused');
    } finally {
      await context.close();
    }
  }, 240_000);

  it('speaks Chinese on the identity pages and shows a lockout on the login page', async () => {
    const { context, page } = await newPage('zh-CN');
    try {
      await logIn(page, 'admin', bosun.adminPassword);
      expect(await page.getByTestId('nav-users').textContent()).toContain('用户管理');
      expect(await page.getByTestId('nav-roles').textContent()).toContain('角色管理');
      await page.getByTestId('nav-roles').click();
      await page.getByTestId('role-row-developer').waitFor();
      expect(await page.getByTestId('role-row-developer').textContent()).toContain('开发工程师');
      await page.getByTestId('role-row-developer').click();
      await page.getByTestId('role-matrix').waitFor();
      await shot(page, '16-zh-roles');
      await page.keyboard.press('Escape');
      await page.getByTestId('create-role').click();
      await page.getByTestId('role-id').fill('log-reader');
      await page.getByTestId('role-display-name').fill('日志查看员');
      await page.getByTestId('role-at-workspace').check();
      await page.getByTestId('perm-module-containers').check();
      await page.getByTestId('perm-containers:exec').uncheck();
      await page.getByTestId('perm-namespaces:read').check();
      await shot(page, '17-zh-role-create');
      await page.getByTestId('role-submit').click();
      await page.getByTestId('role-row-log-reader').waitFor();
      await dismissToasts(page);
      // Granting from a user's page: the scope is chosen, then a role valid there.
      await page.getByTestId('nav-users').click();
      await page.getByTestId('user-row-dana').getByTestId('user-link').click();
      await page.getByTestId('grant-role').click();
      await page.getByTestId('member-scope-picker').getByTestId('scope-kind').selectOption('workspace');
      await expect.poll(() => page.getByTestId('member-scope-picker').getByTestId('scope-target').inputValue()).toBe('team-a');
      const roles = await page.getByTestId('member-role').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
      expect(roles).toEqual(expect.arrayContaining(['workspace-admin', 'viewer', 'log-reader']));
      expect(roles).not.toContain('developer');
      await page.getByTestId('member-role').selectOption('log-reader');
      await shot(page, '18-zh-grant-from-user');
      await page.getByTestId('member-submit').click();
      await page.getByTestId('user-grant-log-reader').waitFor();
      await dismissToasts(page);

      await page.getByTestId('nav-account').click();
      await page.getByTestId('change-password-form').waitFor();
      await shot(page, '19-zh-account');
      await logOut(page);

      // Wrong passwords until the login is throttled: the page says how long to wait.
      for (let i = 0; i < 12; i++) {
        await page.getByTestId('login-username').fill('dana');
        await page.getByTestId('login-password').fill(`wrong-${i}`);
        await page.getByTestId('login-submit').click();
        await page.getByTestId('login-error').waitFor();
        if ((await page.getByTestId('login-error').getAttribute('data-code')) === 'locked') break;
        await expect.poll(() => page.getByTestId('login-submit').isEnabled()).toBe(true);
      }
      expect(await page.getByTestId('login-error').getAttribute('data-code')).toBe('locked');
      expect(await page.getByTestId('login-error').textContent()).toMatch(/登录失败次数过多，请在 \d+ 秒后重试/);
      expect(await page.getByTestId('login-submit').isDisabled()).toBe(true);
      await shot(page, '20-zh-login-locked');
    } finally {
      await context.close();
    }
  }, 120_000);

  it('offers "Log in with SSO" when OIDC is configured, and not otherwise', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bosun-identity-sso-'));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    // The provider is contacted only when someone starts a sign-in; the login page needs only the setting.
    const oidc = { issuer: 'https://sso.example.test', clientId: 'bosun', clientSecret: 'secret', redirectUri: 'http://127.0.0.1/auth/oidc/callback' };
    const withSso = await startBosun({ config: { dataDir, port: 0, adminPassword: ADMIN_PASSWORD, oidc }, logger: false });
    const { context, page } = await newPage();
    try {
      await page.goto(`${bosun.url}/`);
      await page.getByTestId('login-form').waitFor();
      await page.waitForLoadState('networkidle');
      expect(await page.getByTestId('login-sso').count()).toBe(0);

      await page.goto(`${withSso.url}/`);
      const sso = page.getByTestId('login-sso');
      await sso.waitFor();
      expect(await sso.getAttribute('href')).toBe('/auth/oidc/login');
      expect(await sso.textContent()).toBe('Log in with SSO');
      await shot(page, '21-login-sso');
    } finally {
      await context.close();
      await withSso.stop();
    }
  }, 60_000);
});
