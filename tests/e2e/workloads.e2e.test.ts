/**
 * Workloads in a real browser, as an ops engineer against kube-sim: the namespace's list, a
 * Deployment's detail, scale to 3 from the UI, then update the image and watch the rollout.
 * Screenshots: tests/e2e/screenshots/workloads-NN-<step>.png (1280×800).
 */
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER, NS_A, startTenants, USER_PASSWORD, type Tenants } from '../api/support/tenants';
import { buildUiIfStale, launchChromium, newPage, shots } from './support/browser';

let t: Tenants;
let browser: Browser;

function deployment(name: string, image: string, replicas = 1) {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS_A, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'web', image, resources: { requests: { cpu: '20m', memory: '16Mi' }, limits: { cpu: '50m', memory: '32Mi' } } }] },
      },
    },
  };
}

beforeAll(async () => {
  buildUiIfStale();
  t = await startTenants();
  t.sim.store.create('apps', 'deployments', NS_A, deployment('web', 'nginx:1.27'));
  t.sim.store.create('apps', 'deployments', NS_A, deployment('worker', 'busybox:1.36', 2));
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('Workloads in the web UI', () => {
  it('scales a Deployment to 3 and updates its image with a live rollout', async () => {
    const { context, page } = await newPage(browser);
    page.setDefaultTimeout(20_000);
    const shot = (name: string, fullPage = false) => page.screenshot({ path: join(shots, `workloads-${name}.png`), animations: 'disabled', caret: 'hide', fullPage });
    try {
      await page.goto(`${t.bosun.url}/`);
      await page.getByTestId('login-username').fill('r-ops-engineer');
      await page.getByTestId('login-password').fill(USER_PASSWORD);
      await page.getByTestId('login-submit').click();
      await page.getByTestId('user-menu').waitFor();
      await page.getByTestId('nav-workloads').click();
      await page.getByTestId('workload-row-web').waitFor();
      await page.getByTestId('workload-row-worker').waitFor();
      await page.waitForFunction(() => document.querySelector('[data-testid="workload-ready-worker"]')?.textContent === '2/2');
      await shot('01-list');

      await page.getByTestId('tab-pods').click();
      await page.locator('[data-testid^="workload-row-web-"]').first().waitFor();
      await shot('02-pods');
      await page.getByTestId('tab-deployments').click();

      await page.getByTestId('workload-link-web').click();
      await page.getByTestId('workload-title').waitFor();
      await page.getByTestId('rollout').waitFor();
      await shot('03-detail');

      // Scale to 3.
      await page.getByTestId('action-scale').click();
      await page.getByTestId('scale-replicas').fill('3');
      await page.getByTestId('scale-submit').click();
      await page.getByTestId('scale-dialog').waitFor({ state: 'detached' });
      await page.waitForFunction(() => document.querySelector('[data-testid="stat-ready"] .wl-stat-value')?.textContent === '3/3', undefined, { timeout: 30_000 });
      await page.locator('[data-testid="rollout"][data-complete="true"]').waitFor();
      await shot('04-scaled');

      // A refused value names the field in the dialog.
      await page.getByTestId('action-scale').click();
      await page.getByTestId('scale-replicas').fill('5000');
      await page.getByTestId('scale-submit').click();
      await page.getByTestId('scale-replicas-field-error').waitFor();
      expect(await page.getByTestId('scale-replicas-field-error').textContent()).toContain('replicas');
      await shot('05-scale-refused');
      await page.getByTestId('scale-dialog').getByRole('button', { name: 'Cancel' }).click();

      // Update the image and watch the rollout converge.
      await page.getByTestId('action-image').click();
      await page.getByTestId('image-input').fill('nginx:1.28');
      await page.getByTestId('image-submit').click();
      await page.getByTestId('image-dialog').waitFor({ state: 'detached' });
      await page.getByTestId('container-image-web').filter({ hasText: 'nginx:1.28' }).waitFor();
      await shot('06-rolling-out');
      await page.locator('[data-testid="rollout"][data-complete="true"]').waitFor({ timeout: 30_000 });
      await page.waitForFunction(() => document.querySelector('[data-testid="stat-revision"] .wl-stat-value')?.textContent === '2');
      await page.getByTestId('tab-pods').click();
      await page.getByTestId('workload-pods').waitFor();
      await page.waitForFunction(() => {
        const rows = [...document.querySelectorAll('[data-testid="workload-pods"] tbody tr')];
        return rows.length === 3 && rows.every((r) => r.textContent!.includes('nginx:1.28') && r.textContent!.includes('Running'));
      }, undefined, { timeout: 30_000 });
      await shot('07-updated-pods');

      await page.getByTestId('tab-revisions').click();
      await page.getByTestId('workload-revisions').waitFor();
      await shot('08-revisions');

      const dep = t.sim.store.get('apps', 'deployments', NS_A, 'web') as any;
      expect(dep.spec.replicas).toBe(3);
      expect(dep.spec.template.spec.containers[0].image).toBe('nginx:1.28');

      // A Deployment the namespace's quota cannot hold: the refusal is an event of its ReplicaSet,
      // shown on the Deployment's events tab with the object it is about.
      t.sim.store.create('', 'resourcequotas', NS_A, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'no-more-pods', namespace: NS_A }, spec: { hard: { pods: '0' } } });
      t.sim.store.create('apps', 'deployments', NS_A, deployment('capped', 'nginx:1.27', 2));
      await page.goto(`${t.bosun.url}/#/workloads/${CLUSTER}/${NS_A}/Deployment/capped`);
      await page.getByTestId('tab-events').click();
      const refused = page.getByTestId('workload-event').filter({ hasText: 'FailedCreate' }).first();
      await refused.waitFor({ timeout: 30_000 });
      expect(await refused.textContent()).toMatch(/ReplicaSet\/capped-[a-z0-9]+.*FailedCreate.*exceeded quota: no-more-pods/);
      await shot('10-events-quota-refused');
      t.sim.store.delete('apps', 'deployments', NS_A, 'capped');
      t.sim.store.delete('', 'resourcequotas', NS_A, 'no-more-pods');
      await page.goto(`${t.bosun.url}/#/workloads/${CLUSTER}/${NS_A}/Deployment/web`);

      // The same page in Chinese.
      await page.getByTestId('language-switch').selectOption('zh-CN');
      await page.getByTestId('tab-overview').click();
      await page.getByTestId('action-scale').waitFor();
      await shot('09-detail-zh');
    } finally {
      await context.close();
    }
  }, 240_000);
});
