/**
 * Config and storage (配置与存储) in a real browser against Bosun and kube-sim: a developer creates a
 * ConfigMap from the form and a Secret whose values are masked (in the form, the list and the
 * editor), then reveals one value on purpose; a tester sees the Secret's keys but gets no reveal
 * button. Screenshots: tests/e2e/screenshots/config-NN-<step>.png.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterClient } from '../../reconcilers/runtime/kube';
import { NS_A, startTenants, USER_PASSWORD, type Tenants } from '../api/support/tenants';
import { buildUiIfStale, launchChromium, newPage, shots } from './support/browser';

const SECRET_VALUE = `e2e-s3cret-${randomUUID().slice(0, 8)}`;

let t: Tenants;
let browser: Browser;

beforeAll(async () => {
  buildUiIfStale();
  t = await startTenants();
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

let n = 0;
const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `config-${String(++n).padStart(2, '0')}-${name}.png`), animations: 'disabled', caret: 'hide' });

async function login(page: Page, user: string) {
  await page.goto(`${t.bosun.url}/`);
  await page.getByTestId('login-username').fill(user);
  await page.getByTestId('login-password').fill(USER_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('user-menu').waitFor();
}

async function dismissToasts(page: Page) {
  for (const close of await page.locator('.toast-close').all()) await close.click().catch(() => {});
}

describe('Config and storage in the web UI', () => {
  it('a developer creates a ConfigMap from the form and a masked Secret, then reveals a value', async () => {
    const { page, context } = await newPage(browser, 'en-US');
    await login(page, 'r-developer');
    await page.getByTestId('nav-config').click();
    await page.getByTestId('config-namespace').waitFor();
    expect(await page.getByTestId('config-namespace').inputValue()).toBe(`sim/${NS_A}`);

    // A ConfigMap from the form.
    await page.getByTestId('config-create').first().click();
    await page.getByTestId('config-name').fill('web-settings');
    await page.getByTestId('config-data-key-0').fill('LOG_LEVEL');
    await page.getByTestId('config-data-value-0').fill('debug');
    await page.getByTestId('config-data-add').click();
    await page.getByTestId('config-data-key-1').fill('FEATURE_X');
    await page.getByTestId('config-data-value-1').fill('on');
    await shot(page, 'configmap-form');
    await page.getByTestId('config-editor-submit').click();
    await page.getByTestId('config-row-web-settings').waitFor();
    await dismissToasts(page);
    expect(await page.getByTestId('config-row-web-settings').textContent()).toContain('LOG_LEVEL');
    await shot(page, 'configmaps');

    // A Service from YAML: a kind this page does not manage is refused naming the field, then a good one is created.
    await page.getByTestId('tab-services').click();
    await page.getByTestId('config-create-yaml').first().click();
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n');
    await page.getByTestId('config-editor-submit').click();
    await expect.poll(async () => (await page.getByTestId('config-editor').getByTestId('form-error').first().textContent()) ?? '').toContain('manifest.kind');
    await dismissToasts(page);
    await shot(page, 'yaml-refused');
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText('apiVersion: v1\nkind: Service\nmetadata:\n  name: web-svc\nspec:\n  selector: {app: web}\n  ports: [{name: http, port: 80, targetPort: 8080}]\n');
    await page.getByTestId('config-editor-submit').click();
    await page.getByTestId('config-row-web-svc').waitFor();
    await dismissToasts(page);
    await shot(page, 'services');

    // A Secret: values typed in masked inputs.
    await page.getByTestId('tab-secrets').click();
    await page.getByTestId('config-create').first().click();
    await page.getByTestId('config-name').fill('db-credentials');
    await page.getByTestId('config-secret-key-0').fill('password');
    await page.getByTestId('config-secret-value-0').fill(SECRET_VALUE);
    await page.getByTestId('config-secret-add').click();
    await page.getByTestId('config-secret-key-1').fill('username');
    await page.getByTestId('config-secret-value-1').fill('app');
    expect(await page.getByTestId('config-secret-value-0').getAttribute('type')).toBe('password');
    await shot(page, 'secret-form');
    await page.getByTestId('config-editor-submit').click();
    await page.getByTestId('config-row-db-credentials').waitFor();
    await dismissToasts(page);
    const row = (await page.getByTestId('config-row-db-credentials').textContent()) ?? '';
    expect(row).toContain('password');
    expect(row).not.toContain(SECRET_VALUE);
    await shot(page, 'secrets');

    // The cluster holds the value.
    const kc = new KubeConfig();
    kc.loadFromString(t.sim.kubeconfig);
    const live = await clusterClient(kc, { fieldManager: 'test', timeoutMs: 10_000 }).get({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-credentials', namespace: NS_A } });
    expect(Buffer.from((live as any).data.password, 'base64').toString()).toBe(SECRET_VALUE);

    // Opened for editing: masked; revealed on purpose.
    await page.getByTestId('config-open-db-credentials').click();
    await page.getByTestId('config-secret-value-0').waitFor();
    expect(await page.getByTestId('config-secret-value-0').inputValue()).toBe('••••');
    expect(await page.getByTestId('config-secret-value-0').getAttribute('type')).toBe('password');
    expect(await page.content()).not.toContain(SECRET_VALUE);
    await shot(page, 'secret-masked');
    await page.getByTestId('config-secret-reveal-0').click();
    await expect.poll(() => page.getByTestId('config-secret-value-0').inputValue()).toBe(SECRET_VALUE);
    expect(await page.getByTestId('config-secret-value-0').getAttribute('type')).toBe('text');
    // The other value stays masked.
    expect(await page.getByTestId('config-secret-value-1').inputValue()).toBe('••••');
    await dismissToasts(page);
    await shot(page, 'secret-revealed');

    // The YAML view keeps the masks, and saving it keeps the values.
    await page.getByTestId('config-view-yaml').click();
    await page.locator('.cm-content').waitFor();
    await shot(page, 'secret-yaml');
    await context.close();

    const audit = await t.bosun.services.db.selectFrom('audit_records').select(['actor_id', 'action']).where('action', '=', 'RevealSecret').execute();
    expect(audit).toEqual([{ actor_id: 'r-developer', action: 'RevealSecret' }]);
  }, 120_000);

  it('a tester sees the Secret keys but no reveal button; the page speaks Chinese', async () => {
    const { page, context } = await newPage(browser, 'zh-CN');
    await login(page, 'r-tester');
    await page.goto(`${t.bosun.url}/#/config?tab=secrets`);
    await page.getByTestId('config-row-db-credentials').waitFor();
    await page.getByTestId('config-open-db-credentials').click();
    await page.getByTestId('config-secret-value-0').waitFor();
    expect(await page.getByTestId('config-secret-value-0').inputValue()).toBe('••••');
    expect(await page.getByTestId('config-secret-reveal-0').count()).toBe(0);
    expect(await page.getByTestId('config-editor').textContent()).toContain('密钥');
    await shot(page, 'tester-secret-zh');
    await context.close();
  }, 60_000);
});
