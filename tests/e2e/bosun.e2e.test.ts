/**
 * The web UI end to end, in a real browser (Debian's Chromium through playwright-core) against
 * Bosun (in-process, PGlite) and kube-sim over the wire. Screenshots of every step go to
 * tests/e2e/screenshots/ (1280×800); look at them after a UI change.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBosun } from '../../app/bosun';
import { startKubeSim, type KubeSim } from '../kube-sim';
import { buildUiIfStale, launchChromium, newPage as openPage, screenshot } from './support/browser';

const ADMIN_PASSWORD = 'e2e-Admin-Passw0rd';

/** A kubeconfig the server must refuse, naming the offending field (exec plugins are not allowed). */
const BAD_KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: https://10.0.0.1:6443
users:
- name: ops
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: aws
contexts:
- name: prod
  context: {cluster: prod, user: ops}
current-context: prod
`;

let sim: KubeSim | undefined;
let bosun: { url: string; adminPassword: string; stop(): Promise<void> };
let kubeconfig: string;
let browser: Browser;
const cleanup: (() => void)[] = [];

// ------------------------------------------------------------------ setup

/** kube-sim starts without nodes; a cluster with allocatable resources needs some. */
function addNodes(k: KubeSim) {
  if (k.store.list('', 'nodes').length > 0) return;
  const nodes = [
    { name: 'node-a', cpu: '8', memory: '32Gi' },
    { name: 'node-b', cpu: '8', memory: '32Gi' },
    { name: 'node-c', cpu: '16', memory: '64Gi' },
  ];
  for (const n of nodes) {
    k.store.create('', 'nodes', '', { metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name } } });
    k.store.updateStatus('', 'nodes', '', n.name, {
      capacity: { cpu: n.cpu, memory: n.memory, pods: '110' },
      allocatable: { cpu: n.cpu, memory: n.memory, pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
      nodeInfo: { kubeletVersion: 'v1.31.0', kubeProxyVersion: 'v1.31.0', operatingSystem: 'linux', architecture: 'amd64' },
    });
  }
}

beforeAll(async () => {
  buildUiIfStale();
  sim = await startKubeSim();
  addNodes(sim);
  kubeconfig = sim.kubeconfig;
  const dataDir = mkdtempSync(join(tmpdir(), 'bosun-e2e-'));
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const running = await startBosun({ config: { dataDir, port: 0, adminPassword: ADMIN_PASSWORD }, logger: false });
  bosun = { url: running.url, adminPassword: running.adminPassword ?? ADMIN_PASSWORD, stop: () => running.stop() };
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await bosun?.stop();
  await sim?.stop();
  for (const c of cleanup) c();
});

// ------------------------------------------------------------------ helpers

const newPage = (locale: string) => openPage(browser, locale);

/** How the English UI writes a CPU amount. */
const coresText = (n: number) => `${n} ${n === 1 ? 'core' : 'cores'}`;

const shot = (page: Page, name: string) => screenshot(page, name);

async function login(page: Page) {
  await page.goto(`${bosun.url}/`);
  await page.getByTestId('login-username').fill('admin');
  await page.getByTestId('login-password').fill(bosun.adminPassword);
  return page;
}

/** Toasts of earlier steps would cover later screenshots. */
async function dismissToasts(page: Page) {
  for (const close of await page.locator('.toast-close').all()) await close.click().catch(() => {});
}

// ------------------------------------------------------------------ the walk

describe('Bosun web UI', () => {
  it('lets a platform admin register a cluster, carve it up and audit it', async () => {
    const { context, page } = await newPage('en-US');
    try {
      // Log in.
      await login(page);
      await shot(page, '01-login');
      await page.getByTestId('login-submit').click();
      await expect.poll(() => page.url()).toContain('#/clusters');
      await page.getByTestId('clusters-empty').waitFor();
      await shot(page, '02-clusters-empty');

      // A bad kubeconfig, uploaded as a file: the error names the field.
      await page.getByTestId('register-cluster').first().click();
      await page.getByTestId('register-upload').setInputFiles({ name: 'prod.kubeconfig', mimeType: 'text/yaml', buffer: Buffer.from(BAD_KUBECONFIG) });
      await expect.poll(() => page.getByTestId('register-kubeconfig').inputValue()).toBe(BAD_KUBECONFIG);
      await expect.poll(() => page.getByTestId('register-context').locator('option').count()).toBe(1);
      await page.getByTestId('register-name').fill('prod');
      await page.getByTestId('register-submit').click();
      const kubeconfigError = page.getByTestId('field-kubeconfig-error');
      await kubeconfigError.waitFor();
      expect(await kubeconfigError.textContent()).toMatch(/users\[0\]\.user\.exec|exec/);
      await shot(page, '03-register-bad-kubeconfig');

      // kube-sim's kubeconfig, pasted: its contexts are listed to choose from.
      const textarea = page.getByTestId('register-kubeconfig');
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: bosun.url });
      await page.evaluate((text) => navigator.clipboard.writeText(text), kubeconfig);
      await textarea.fill('');
      await textarea.focus();
      await page.keyboard.press('Control+V');
      await expect.poll(() => textarea.inputValue()).toBe(kubeconfig);
      await expect.poll(() => page.getByTestId('register-context').locator('option').count()).toBeGreaterThan(0);
      const firstContext = await page.getByTestId('register-context').locator('option').first().getAttribute('value');
      await page.getByTestId('register-context').selectOption(firstContext!);
      await page.getByTestId('register-name').fill('sim');
      await page.getByTestId('register-display-name').fill('Simulated cluster');
      await dismissToasts(page);
      await shot(page, '04-register-contexts');
      await page.getByTestId('register-submit').click();

      // Its version, nodes and allocatable resources.
      await expect.poll(() => page.url()).toContain('#/clusters/sim');
      await expect.poll(async () => Number(await page.getByTestId('detail-nodes').textContent()), { timeout: 30_000 }).toBeGreaterThan(0);
      expect(await page.getByTestId('detail-version').textContent()).toMatch(/^v?\d+\.\d+/);
      expect(await page.getByTestId('detail-allocatable').textContent()).toMatch(/\d+(\.\d+)? cores? · \d+(\.\d+)? [KMGT]iB/);
      await dismissToasts(page);
      await shot(page, '05-cluster-detail');

      // Over-commit CPU ×2, memory ×1.5.
      await page.getByTestId('cpu-ratio').fill('2');
      await page.getByTestId('memory-ratio').fill('1.5');
      await page.getByTestId('overcommit-save').click();
      await page.getByTestId('toast-success').first().waitFor();
      const allocatable = (await page.getByTestId('detail-allocatable').textContent())!;
      const cpuCores = Number(/([\d.]+) cores?/.exec(allocatable)![1]);
      await expect.poll(() => page.getByTestId('detail-bindable').textContent()).toContain(coresText(cpuCores * 2));
      await shot(page, '06-overcommit-saved');

      await page.getByTestId('nav-clusters').click();
      await page.getByTestId('cluster-row-sim').waitFor();
      await expect.poll(() => page.getByTestId('cluster-row-sim').getByTestId('cluster-ratios').textContent()).toMatch(/×2(?![\d.]).*×1\.5/);
      await dismissToasts(page);
      await shot(page, '07-clusters-list');

      // A workspace with a ceiling.
      await page.getByTestId('nav-workspaces').click();
      await page.getByTestId('create-workspace').first().click();
      await page.getByTestId('workspace-name').fill('team-a');
      await page.getByTestId('workspace-display-name').fill('Team A');
      await page.getByTestId('workspace-description').fill('Payments squad');
      await page.getByTestId('workspace-ceiling-cpu').fill('16');
      await page.getByTestId('workspace-ceiling-memory').fill('64Gi');
      await shot(page, '08-workspace-create');
      await page.getByTestId('workspace-submit').click();
      await expect.poll(() => page.url()).toContain('#/workspaces/team-a');
      await page.getByTestId('bindings-empty').waitFor();

      // Asking for more than the ceiling (and maybe the cluster) has is refused, naming the numbers.
      const bindable = cpuCores * 2;
      await page.getByTestId('bind-cluster').click();
      await page.getByTestId('binding-cluster').selectOption('sim');
      await page.getByTestId('binding-cpu').fill('20');
      await page.getByTestId('binding-memory').fill('1Gi');
      await page.getByTestId('binding-submit').click();
      const refusal = page.getByTestId('binding-dialog').getByTestId('field-cpu-error');
      await refusal.waitFor();
      const refusalText = (await refusal.textContent())!;
      expect(refusalText).toMatch(/\b20\b/);
      expect(refusalText).toMatch(new RegExp(`\\b(16|${bindable})\\b`)); // the ceiling or what the cluster has left
      await shot(page, '09-bind-refused');

      // Within the ceiling and the cluster: bound, shown against the ceiling.
      const bindCpu = Math.min(8, bindable);
      await page.getByTestId('binding-cpu').fill(String(bindCpu));
      await page.getByTestId('binding-submit').click();
      await page.getByTestId('binding-dialog').waitFor({ state: 'detached' });
      await page.getByTestId('binding-row-sim').waitFor();
      await expect.poll(() => page.getByTestId('workspace-cpu-bar').textContent()).toContain(`${coresText(bindCpu)} / 16 cores`);
      await dismissToasts(page);
      await shot(page, '10-workspace-bound');

      // A namespace with quota and defaults, watched until Ready without reloading.
      await page.getByTestId('workspace-namespaces').click();
      await page.getByTestId('create-namespace').first().click();
      await expect.poll(() => page.getByTestId('namespace-cluster').inputValue()).toBe('sim');
      await page.getByTestId('namespace-name').fill('payments-dev');
      await page.getByTestId('namespace-quota-cpu').fill('1');
      await page.getByTestId('namespace-quota-memory').fill('512Mi');
      await page.getByTestId('namespace-request-cpu').fill('100m');
      await page.getByTestId('namespace-limit-cpu').fill('500m');
      await page.getByTestId('namespace-request-memory').fill('128Mi');
      await page.getByTestId('namespace-limit-memory').fill('512Mi');
      expect(await page.getByTestId('namespace-left').textContent()).toContain(coresText(bindCpu));
      await shot(page, '11-namespace-create');
      await page.evaluate(() => ((window as unknown as { e2eMarker: number }).e2eMarker = 42));
      await page.getByTestId('namespace-submit').click();
      const status = page.getByTestId('ns-status-payments-dev');
      await status.waitFor();
      await dismissToasts(page);
      await shot(page, '12-namespace-submitted');
      await expect.poll(() => status.getAttribute('data-status'), { timeout: 45_000 }).toBe('ready');
      expect(await page.evaluate(() => (window as unknown as { e2eMarker?: number }).e2eMarker)).toBe(42); // no reload
      await shot(page, '13-namespace-ready');

      // Change its quota.
      await page.getByTestId('ns-row-payments-dev').getByTestId('ns-change-quota').click();
      await page.getByTestId('quota-cpu').fill('2');
      await page.getByTestId('quota-submit').click();
      await page.getByTestId('quota-dialog').waitFor({ state: 'detached' });
      await expect.poll(() => page.getByTestId('ns-row-payments-dev').textContent()).toContain('2 cores / 512 MiB');
      await dismissToasts(page);
      await shot(page, '14-namespace-quota-changed');

      // Removing a cluster that workspaces still use is refused; the dialog says why.
      await page.getByTestId('nav-clusters').click();
      await page.getByTestId('cluster-row-sim').click();
      await page.getByTestId('cluster-remove').click();
      await page.getByTestId('confirm-submit').click();
      const removeRefusal = page.getByTestId('confirm-dialog').getByTestId('form-error');
      await removeRefusal.waitFor();
      expect(await removeRefusal.textContent()).toMatch(/team-a|bound|workspace/i);
      await shot(page, '15-cluster-remove-refused');
      await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Cancel' }).click();
      await dismissToasts(page);

      // The audit trail: filter, then open a record.
      await page.getByTestId('nav-audit').click();
      await page.getByTestId('audit-table').waitFor();
      expect(await page.getByTestId('audit-row').count()).toBeGreaterThanOrEqual(5);
      await shot(page, '16-audit');
      await page.getByTestId('audit-outcome-filter').selectOption('rejected');
      await page.getByTestId('audit-apply').click();
      await expect.poll(async () => {
        const outcomes = await page.getByTestId('audit-row').getByTestId('audit-outcome').allTextContents();
        return outcomes.length > 0 && outcomes.every((o) => o.trim() === 'Rejected');
      }).toBe(true);
      await page.getByTestId('audit-outcome-filter').selectOption('');
      // The last hour, in the browser's local time as <input type="datetime-local"> takes it.
      const hourAgo = await page.evaluate(() => {
        const d = new Date(Date.now() - 3_600_000 - new Date().getTimezoneOffset() * 60_000);
        return d.toISOString().slice(0, 16);
      });
      await page.getByTestId('audit-from').fill(hourAgo);
      await page.getByTestId('audit-module').selectOption('namespaces');
      await page.getByTestId('audit-user').fill('admin');
      await page.getByTestId('audit-apply').click();
      await expect.poll(async () => (await page.getByTestId('audit-row').allTextContents()).every((r) => r.includes('Namespaces'))).toBe(true);
      await shot(page, '17-audit-filtered');
      await page.getByTestId('audit-row').first().click();
      const drawer = page.getByTestId('audit-drawer');
      await drawer.getByTestId('audit-command').waitFor();
      expect(await drawer.getByTestId('audit-command').textContent()).toContain('payments-dev');
      expect(await drawer.getByTestId('audit-event').count()).toBeGreaterThan(0);
      await shot(page, '18-audit-detail');
    } finally {
      await context.close();
    }
  }, 180_000);

  it('speaks Chinese to a zh-CN browser and switches language from the header', async () => {
    const { context, page } = await newPage('zh-CN');
    try {
      await login(page);
      expect(await page.locator('.login-card h1').textContent()).toBe('登录 Bosun');
      await page.getByTestId('login-submit').click();
      await page.getByTestId('clusters-table').waitFor();
      expect(await page.getByTestId('nav-clusters').textContent()).toContain('集群管理');
      expect(await page.getByTestId('nav-workspaces').textContent()).toContain('工作空间');
      expect(await page.locator('.table th').first().textContent()).toBe('集群名称');
      await shot(page, '19-zh-clusters');
      await page.getByTestId('nav-workspaces').click();
      await page.getByTestId('workspace-row-team-a').waitFor();
      expect(await page.locator('.table th').first().textContent()).toBe('工作空间');
      await shot(page, '20-zh-workspaces');
      await page.getByTestId('workspace-row-team-a').click();
      await page.getByTestId('binding-row-sim').waitFor();
      expect(await page.locator('.section-head h2').first().textContent()).toBe('集群资源绑定');
      await shot(page, '21-zh-workspace');
      await page.getByTestId('nav-namespaces').click();
      await page.getByTestId('namespaces-table').waitFor();
      expect(await page.getByTestId('ns-status-payments-dev').textContent()).toContain('就绪');
      await shot(page, '22-zh-namespaces');

      // The switch is remembered across reloads.
      await page.getByTestId('language-switch').selectOption('en');
      expect(await page.getByTestId('nav-namespaces').textContent()).toContain('Namespaces');
      await page.reload();
      await page.getByTestId('namespaces-table').waitFor();
      expect(await page.getByTestId('nav-namespaces').textContent()).toContain('Namespaces');
    } finally {
      await context.close();
    }
  }, 60_000);
});
