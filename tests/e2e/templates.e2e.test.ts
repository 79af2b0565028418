/**
 * Application templates in a real browser: the list, the editor (CodeMirror with the server's lint
 * at the faulty line), and the preview rendering a version with values. Screenshots go to
 * tests/e2e/screenshots/templates-NN-<step>.png (1280×800).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBosun } from '../../app/bosun';
import { starterTemplate } from '../../domain/template/starters';
import { bosunClient } from '../support/bosun-client';
import { buildUiIfStale, launchChromium, newPage, shots } from './support/browser';

const ADMIN_PASSWORD = 'e2e-Admin-Passw0rd';

let bosun: { url: string; stop(): Promise<void> };
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  buildUiIfStale();
  dataDir = mkdtempSync(join(tmpdir(), 'bosun-templates-e2e-'));
  const running = await startBosun({ config: { dataDir, port: 0, adminPassword: ADMIN_PASSWORD }, logger: false });
  bosun = { url: running.url, stop: () => running.stop() };
  const { client: api } = bosunClient(bosun.url);
  await api.auth.login.mutate({ username: 'admin', password: ADMIN_PASSWORD });
  const starter = starterTemplate('deployment');
  await api.templates.create.mutate({
    commandId: randomUUID(),
    templateId: 'web',
    displayName: 'Web service',
    description: starter.description,
    scope: { kind: 'platform', sharedWith: 'all' },
    documents: starter.documents,
    parameters: starter.parameters,
  });
  await api.templates.saveVersion.mutate({ commandId: randomUUID(), templateId: 'web', documents: starter.documents, parameters: starter.parameters, note: 'same, saved again' });
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await bosun?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('Templates in the web UI', () => {
  it('lists templates, lints the YAML at its line, and previews a rendering', async () => {
    const { context, page } = await newPage(browser);
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => console.error('[browser error]', e.message));
    const shot = (name: string, fullPage = false) => page.screenshot({ path: join(shots, `templates-${name}.png`), animations: 'disabled', caret: 'hide', fullPage });
    try {
      await page.goto(`${bosun.url}/`);
      await page.getByTestId('login-username').fill('admin');
      await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
      await page.getByTestId('login-submit').click();
      await page.getByTestId('user-menu').waitFor();
      await page.getByTestId('nav-templates').click();
      await page.getByTestId('template-row-web').waitFor();
      await shot('01-list');

      await page.getByTestId('template-row-web').click();
      await page.locator('.cm-content').waitFor();
      await page.getByTestId('template-version-2').waitFor();
      expect(await page.getByTestId('template-lint-status').textContent()).toContain('No problems');
      // Break line 3 (metadata:) by typing a stray mapping into it: the server's check marks that line.
      await page.locator('.cm-line').nth(3).click();
      await page.keyboard.press('End');
      await page.keyboard.type('  oops: [unclosed');
      await page.getByTestId('template-problems').waitFor();
      await page.locator('.cm-lintRange-error, .cm-lint-marker-error').first().waitFor();
      expect(await page.getByTestId('template-problems').textContent()).toMatch(/YAML does not parse/);
      await shot('02-editor-lint');

      await page.getByTestId('template-view-1').click();
      await page.getByTestId('template-viewing-old').waitFor();
      await page.getByTestId('preview-value-replicas').fill('3');
      await page.getByTestId('preview-render').click();
      await page.getByTestId('preview-output').waitFor();
      expect(await page.getByTestId('preview-output').textContent()).toContain('replicas: 3');
      await shot('03-preview', true);

      await page.getByTestId('preview-value-replicas').fill('many');
      await page.getByTestId('preview-render').click();
      await page.getByTestId('preview-error').waitFor();
      expect(await page.getByTestId('preview-error').textContent()).toContain('values.replicas');
    } finally {
      await context.close();
    }
  }, 120_000);
});
