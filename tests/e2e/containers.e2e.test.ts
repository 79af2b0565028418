/**
 * Containers in a real browser, as a tester of namespace a-dev: the pod page's overview, the log
 * followed live and searched, the web terminal running `echo hi` in xterm, the CPU/memory charts
 * with their request/limit lines, and the events. Screenshots: tests/e2e/screenshots/containers-NN-<step>.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER, NS_A, startTenants, USER_PASSWORD, type Tenants } from '../api/support/tenants';
import { createRunningPod, smallPod } from '../api/support/pods';
import { buildUiIfStale, launchChromium, newPage, screenshot } from './support/browser';

let t: Tenants;
let browser: Browser;

beforeAll(async () => {
  buildUiIfStale();
  t = await startTenants();
  await createRunningPod(t.sim, NS_A, smallPod('web', { containers: ['app', 'sidecar'], annotations: { 'kube-sim.bosun.io/log-lines-per-second': '0' } }), 2);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

async function signIn(page: Page, user: string) {
  await page.goto(`${t.bosun.url}/`);
  await page.getByTestId('login-username').fill(user);
  await page.getByTestId('login-password').fill(USER_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('user-menu').waitFor();
}

describe('containers in the web UI', () => {
  it('shows a pod, follows and searches its log, runs `echo hi` in the terminal and draws its metrics', async () => {
    const { context, page } = await newPage(browser);
    try {
      await signIn(page, 'r-tester');
      const podUrl = `${t.bosun.url}/#/pods/${CLUSTER}/${NS_A}/web`;
      await page.goto(podUrl);
      await expect.poll(() => page.getByTestId('pod-title').textContent()).toBe('web');
      await expect.poll(() => page.getByTestId('pod-status').textContent()).toContain('Running');
      await page.getByTestId('container-sidecar').waitFor();
      await screenshot(page, 'containers-01-overview');

      // Logs: lines appended while the viewer follows show up without a reload; search counts and marks them.
      for (let i = 1; i <= 40; i++) t.sim.logs.append(NS_A, 'web', 'app', `${i % 10 === 0 ? 'ERROR' : 'info'} request ${i} served`);
      await page.getByTestId('tab-logs').click();
      await expect.poll(() => page.getByTestId('log-count').getAttribute('data-count')).toBe('40');
      for (let i = 41; i <= 300; i++) t.sim.logs.append(NS_A, 'web', 'app', `${i % 10 === 0 ? 'ERROR' : 'info'} request ${i} served`);
      await expect.poll(() => page.getByTestId('log-count').getAttribute('data-count')).toBe('300');
      expect(await page.getByTestId('log-state').getAttribute('data-state')).toBe('streaming');
      // Followed to the bottom: the last line is in view.
      await page.getByText('info request 299 served', { exact: true }).waitFor();
      await page.getByTestId('log-search').fill('error');
      await expect.poll(() => page.getByTestId('log-matches').textContent()).toBe('30 matches');
      expect(await page.locator('.log-text mark').count()).toBeGreaterThan(0);
      await screenshot(page, 'containers-02-logs-search');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('log-download').click()]);
      expect(download.suggestedFilename()).toMatch(/^web-app-.*\.log$/);

      // Terminal: xterm over the WebSocket; `echo hi` answers hi.
      await page.getByTestId('tab-terminal').click();
      await expect.poll(() => page.getByTestId('terminal-state').textContent()).toContain('Connected');
      await expect.poll(() => page.locator('.xterm-rows').textContent()).toContain('/ #');
      await page.locator('.xterm').click();
      await page.keyboard.type('echo hi');
      await page.keyboard.press('Enter');
      await expect.poll(async () => (await page.locator('.xterm-rows > div').allTextContents()).map((r) => r.trim())).toContain('hi');
      await screenshot(page, 'containers-03-terminal');

      // Monitoring: polled usage drawn against the request and limit lines.
      await page.getByTestId('tab-monitoring').click();
      await page.getByTestId('chart-pod-cpu').waitFor();
      await expect
        .poll(async () => ((await page.getByTestId('chart-pod-cpu-line').getAttribute('points')) ?? '').split(' ').filter(Boolean).length, { timeout: 20_000 })
        .toBeGreaterThanOrEqual(2);
      expect(await page.getByTestId('chart-app-cpu').locator('[data-testid="ref-request"]').count()).toBe(1);
      expect(await page.getByTestId('chart-app-memory').locator('[data-testid="ref-limit"]').count()).toBe(1);
      await screenshot(page, 'containers-04-monitoring');

      await page.getByTestId('tab-events').click();
      await page.getByTestId('pod-events').waitFor();
      expect(await page.getByTestId('pod-events').textContent()).toContain('Started');
      await screenshot(page, 'containers-05-events');

      // The terminal's opening and closing are in the audit trail.
      const audit = await t.admin.client.audit.list.query({ module: 'containers', user: 'r-tester' });
      expect(audit.items.map((r) => r.action)).toContain('OpenTerminal');
    } catch (error) {
      await screenshot(page, 'containers-failed.tmp');
      throw error;
    } finally {
      await context.close();
    }
  });

  it('offers a viewer neither logs nor terminal, in Chinese', async () => {
    const { context, page } = await newPage(browser, 'zh-CN');
    try {
      await signIn(page, 'r-viewer');
      await page.goto(`${t.bosun.url}/#/pods/${CLUSTER}/${NS_A}/web`);
      await expect.poll(() => page.getByTestId('pod-title').textContent()).toBe('web');
      expect(await page.getByTestId('tab-logs').count()).toBe(0);
      expect(await page.getByTestId('tab-terminal').count()).toBe(0);
      await page.getByTestId('tab-monitoring').click();
      await page.getByTestId('chart-pod-memory').waitFor();
      await screenshot(page, 'containers-06-viewer-zh');
    } finally {
      await context.close();
    }
  });
});
