/**
 * Dev environments in a real browser against kube-sim: a developer starts one (the quota left is
 * shown, a start beyond it is refused with the numbers), sees it running, opens its terminal and
 * runs `echo hi`, stops, resumes and deletes it. Screenshots: tests/e2e/screenshots/devenvs-NN-*.png.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTenants, USER_PASSWORD, type Tenants } from '../api/support/tenants';
import { buildUiIfStale, launchChromium, newPage, shots } from './support/browser';

let t: Tenants;
let browser: Browser;

const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `devenvs-${name}.png`), animations: 'disabled', caret: 'hide' });

beforeAll(async () => {
  buildUiIfStale();
  t = await startTenants();
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('Dev environments in the web UI', () => {
  it('starts one, opens its terminal, stops, resumes and deletes it', async () => {
    const { context, page } = await newPage(browser);
    try {
      await page.goto(`${t.bosun.url}/`);
      await page.getByTestId('login-username').fill('r-developer');
      await page.getByTestId('login-password').fill(USER_PASSWORD);
      await page.getByTestId('login-submit').click();
      await page.getByTestId('user-menu').waitFor();
      await page.getByTestId('nav-devenvs').click();
      await page.getByTestId('devenvs-empty').waitFor();
      await shot(page, '01-empty');

      // Too big for the namespace (1 CPU quota): refused with the numbers, in the dialog, naming the field.
      await page.getByTestId('devenv-start').first().click();
      await page.getByTestId('devenv-quota-left').waitFor();
      expect(await page.getByTestId('devenv-quota-left').textContent()).toContain('Quota left: CPU 1, memory 2 GiB');
      await page.getByTestId('devenv-name').fill('box');
      await page.getByTestId('devenv-cpu').fill('2');
      await page.getByTestId('devenv-start-submit').click();
      await expect.poll(async () => (await page.getByTestId('devenv-start-dialog').textContent()) ?? '').toMatch(/needs 2 cores but namespace "a-dev" has 1 core left/);
      await shot(page, '02-quota-refused');

      await page.getByTestId('devenv-cpu').fill('300m');
      await page.getByTestId('devenv-memory').fill('256Mi');
      await page.getByTestId('devenv-start-submit').click();
      await page.getByTestId('devenv-row-box').waitFor();
      await expect.poll(async () => page.getByTestId('devenv-status-box').textContent(), { timeout: 30_000 }).toContain('Running');
      await shot(page, '03-running');

      await page.getByTestId('devenv-terminal-box').click();
      await page.locator('[data-testid="devenv-terminal-dialog"] .xterm').waitFor();
      await expect.poll(async () => page.getByTestId('terminal-state').textContent(), { timeout: 20_000 }).toMatch(/open|Connected/i);
      const rows = async () => (await page.locator('[data-testid="devenv-terminal-dialog"] .xterm-rows').textContent()) ?? '';
      await expect.poll(rows, { timeout: 20_000 }).toContain('#');
      await page.locator('[data-testid="devenv-terminal-dialog"] .xterm').click();
      await page.keyboard.type('echo hi\n');
      await expect.poll(rows, { timeout: 20_000 }).toMatch(/echo hi[\s\S]*hi/);
      await shot(page, '04-terminal');
      // The terminal keeps its keys (Escape included) to itself: close with the dialog's button.
      await page.locator('[data-testid="devenv-terminal-dialog"] .dialog-head .icon-btn').click();
      await page.getByTestId('devenv-terminal-dialog').waitFor({ state: 'detached' });

      await page.getByTestId('devenv-stop-box').click();
      await expect.poll(async () => page.getByTestId('devenv-status-box').textContent(), { timeout: 30_000 }).toContain('Stopped');
      await page.getByTestId('devenv-resume-box').waitFor();
      await shot(page, '05-stopped');

      await page.getByTestId('devenv-resume-box').click();
      await expect.poll(async () => page.getByTestId('devenv-status-box').textContent(), { timeout: 30_000 }).toContain('Running');

      await page.getByTestId('devenv-delete-box').click();
      await page.getByTestId('devenv-delete-dialog').waitFor();
      await shot(page, '06-delete-confirm');
      await page.getByTestId('confirm-submit').click();
      await page.getByTestId('devenvs-empty').waitFor();
      await expect.poll(async () => (await t.admin.client.devenvs.list.query({ all: true })).length).toBe(0);

      // The same page in Chinese.
      await page.getByTestId('language-switch').selectOption('zh-CN');
      await page.getByTestId('devenv-start').first().click();
      await page.getByTestId('devenv-quota-left').waitFor();
      expect(await page.getByTestId('devenv-quota-left').textContent()).toContain('剩余配额');
      await shot(page, '07-zh-start');
    } finally {
      await context.close();
    }
  }, 180_000);
});
