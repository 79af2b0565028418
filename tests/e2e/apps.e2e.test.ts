/**
 * Applications end to end, in a real browser against Bosun (in-process, PGlite) and kube-sim over
 * the wire — issue 6's "Done when":
 *  (a) create a template with parameters → generate an app → run it → pods Running → read its logs
 *      → open the terminal and run `echo hi` → scale to 3 → update the image and watch the rollout →
 *      roll back → undeploy;
 *  (b) an image that crashes shows CrashLoopBackOff and its events.
 * Logs and terminal are the pod page (/pods/…), scale and image the workload page (/workloads/…).
 * Screenshots: tests/e2e/screenshots/apps-NN-<step>.png (1280×800).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBosun, type RunningBosun } from '../../app/bosun';
import { startKubeSim, type KubeSim } from '../kube-sim';
import { bosunClient } from '../support/bosun-client';
import { addNodes } from '../support/kube-nodes';
import { buildUiIfStale, launchChromium, newPage, shots } from './support/browser';

const ADMIN_PASSWORD = 'e2e-Admin-Passw0rd';
const CLUSTER = 'sim';
const WORKSPACE = 'shop';
const NAMESPACE = 'shop-dev';
const APP = 'hello';
const CRASH_APP = 'crashy';
const BASE_APP = 'shop';

/** A base app's documents after editing: the Deployment reads the ConfigMap and mounts the claim. */
const BASE_YAML = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}
data:
  {{ .Values.fileName }}: {{ .Values.content }}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: {{ .Release.Name }}
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: {{ .Values.storageSize }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {{ .Release.Name }}
    spec:
      containers:
        - name: {{ .Values.containerName }}
          image: {{ .Values.image }}
          envFrom:
            - configMapRef:
                name: {{ .Release.Name }}
          volumeMounts:
            - name: data
              mountPath: /data
      volumes:
        - name: data
          persistentVolumeClaim:
            claimName: {{ .Release.Name }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  selector:
    app.kubernetes.io/name: {{ .Release.Name }}
  ports:
    - name: main
      port: {{ .Values.port }}
      targetPort: {{ .Values.targetPort }}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ .Release.Name }}
spec:
  rules:
    - host: {{ .Values.host }}
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {{ .Release.Name }}
                port:
                  number: {{ .Values.servicePort }}
`;

let sim: KubeSim;
let bosun: RunningBosun;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  buildUiIfStale();
  sim = await startKubeSim({ nodes: 0 });
  await addNodes(sim.kubeconfig, 2, { cpu: '8', memory: '32Gi' });
  dataDir = mkdtempSync(join(tmpdir(), 'bosun-apps-e2e-'));
  bosun = await startBosun({
    config: { dataDir, port: 0, adminPassword: ADMIN_PASSWORD, resyncSeconds: 2 },
    reconcilerBackoff: { baseMs: 50, maxMs: 500 },
    logger: false,
  });
  // The platform around the app (clusters, workspaces and namespaces have their own browser tests).
  const { client: a } = bosunClient(bosun.url);
  await a.auth.login.mutate({ username: 'admin', password: ADMIN_PASSWORD });
  const inspected = await a.clusters.inspectKubeconfig.mutate({ kubeconfig: sim.kubeconfig });
  await a.clusters.register.mutate({ commandId: randomUUID(), name: CLUSTER, kubeconfig: sim.kubeconfig, context: inspected.contexts[0].name });
  await a.workspaces.create.mutate({ commandId: randomUUID(), name: WORKSPACE, ceilingCpu: '8', ceilingMemory: '32Gi' });
  await a.workspaces.bind.mutate({ commandId: randomUUID(), workspaceId: WORKSPACE, clusterId: CLUSTER, cpu: '8', memory: '32Gi' });
  await a.namespaces.create.mutate({
    commandId: randomUUID(),
    clusterId: CLUSTER,
    workspaceId: WORKSPACE,
    name: NAMESPACE,
    quotaCpu: '4',
    quotaMemory: '8Gi',
    defaultRequestCpu: '100m',
    defaultRequestMemory: '128Mi',
    defaultLimitCpu: '500m',
    defaultLimitMemory: '512Mi',
  });
  const deadline = Date.now() + 30_000;
  while (!(await a.namespaces.list.query()).some((n) => n.name === NAMESPACE && n.status === 'ready')) {
    if (Date.now() > deadline) throw new Error(`namespace ${NAMESPACE} did not become ready within 30 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await bosun?.stop();
  await sim?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

// ------------------------------------------------------------------ helpers

const shot = (page: Page, name: string, fullPage = false) => page.screenshot({ path: join(shots, `apps-${name}.png`), animations: 'disabled', caret: 'hide', fullPage });

async function login(page: Page) {
  // ui/dist is shared: another test may be rebuilding it right now, so give the page a few tries.
  for (let attempt = 1; ; attempt++) {
    await page.goto(`${bosun.url}/`);
    const shown = await page.getByTestId('login-username').waitFor({ timeout: 15_000 }).then(() => true, () => false);
    if (shown) break;
    if (attempt === 4) throw new Error('the login page did not load');
  }
  await page.getByTestId('login-username').fill('admin');
  await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('user-menu').waitFor();
}

/** Toasts of earlier steps would cover later screenshots. */
async function dismissToasts(page: Page) {
  for (const close of await page.locator('.toast-close').all()) await close.click().catch(() => {});
}

const text = async (page: Page, testid: string) => (await page.getByTestId(testid).first().textContent())?.trim() ?? '';
const appUrl = (name: string) => `${bosun.url}/#/apps/${CLUSTER}/${NAMESPACE}/${name}`;

/** The app's pods as the app page lists them. */
async function podRows(page: Page): Promise<{ name: string; phase: string }[]> {
  const rows = await page.locator('[data-testid^="pod-phase-"]').all();
  return Promise.all(
    rows.map(async (r) => ({ name: ((await r.getAttribute('data-testid')) ?? '').replace(/^pod-phase-/, ''), phase: ((await r.textContent()) ?? '').trim() })),
  );
}

// ------------------------------------------------------------------ the walks

describe('Applications in the web UI', () => {
  let page: Page;
  let closeContext: () => Promise<void>;

  beforeAll(async () => {
    const opened = await newPage(browser, 'en-US');
    page = opened.page;
    page.setDefaultTimeout(20_000);
    closeContext = () => opened.context.close();
    await login(page);
  });
  afterAll(async () => closeContext?.());

  it('creates a template with parameters, generates an app from it and runs it until its pods are Running', async () => {
    // A template with typed parameters, from the Deployment starter.
    await page.getByTestId('nav-templates').click();
    await page.getByTestId('create-template').first().click();
    await page.getByTestId('template-starter').selectOption('deployment');
    await page.getByTestId('template-id').fill('hello-web');
    await page.getByTestId('template-name').fill('Hello web');
    await page.getByTestId('create-template-submit').click();
    await page.locator('.cm-content').waitFor();
    await page.getByTestId('template-params').waitFor();
    await dismissToasts(page);
    await shot(page, '01-template');

    // Generate, from the template's page (the template is preselected).
    await page.getByTestId('template-generate-app').click();
    await expect.poll(() => page.url()).toContain('#/apps/new');
    await expect.poll(() => page.getByTestId('gen-template').inputValue()).toBe('hello-web');
    await page.getByTestId('gen-template-summary').waitFor();
    await page.getByTestId('gen-namespace').selectOption(`${CLUSTER}/${NAMESPACE}`);
    await page.getByTestId('gen-name').fill(APP);
    await shot(page, '02-generate-step1');
    await page.getByTestId('wizard-next').click();

    // Step 2: the form from the typed parameters; bad values are named, nothing is sent.
    await page.getByTestId('value-replicas').fill('two');
    await page.getByTestId('value-cpuRequest').fill('lots');
    await page.getByTestId('wizard-preview').click();
    await page.getByTestId('value-replicas-error').waitFor();
    expect(await text(page, 'value-replicas-error')).toContain('values.replicas');
    expect(await text(page, 'value-cpuRequest-error')).toContain('values.cpuRequest');
    await shot(page, '03-generate-step2-invalid');
    // 50 pods × 100m = 5 cores: more than the namespace's 4 — refused with the numbers, nothing to generate.
    await page.getByTestId('value-replicas').fill('50');
    await page.getByTestId('value-cpuRequest').fill('100m');
    await page.getByTestId('wizard-preview').click();
    await page.getByTestId('app-preview').waitFor();
    expect(await text(page, 'quota-result')).toMatch(/Exceeds/);
    expect(await text(page, 'quota-needs')).toMatch(/^5 cores/);
    expect(await text(page, 'quota-left')).toMatch(/^4 cores/);
    expect(await text(page, 'quota-message')).toMatch(/cpu/);
    expect(await page.getByTestId('gen-generate-run').isDisabled()).toBe(true);
    await shot(page, '03b-generate-quota-refused');
    await page.getByTestId('wizard-back').click();
    await page.getByTestId('value-replicas').fill('2');
    await page.getByTestId('value-image').fill('nginx:1.27-alpine');
    // "View YAML" at this step renders with the typed values.
    await page.getByTestId('view-yaml-values').click();
    await page.getByTestId('yaml-dialog').waitFor();
    await expect.poll(() => page.getByTestId('yaml-dialog').textContent()).toContain('replicas: 2');
    await page.keyboard.press('Escape');
    await page.getByTestId('wizard-preview').click();

    // Step 3: manifests, quota check with the numbers, diff against the cluster.
    await page.getByTestId('app-preview').waitFor();
    expect(await text(page, 'quota-result')).toMatch(/Fits/);
    expect(await text(page, 'quota-needs')).toMatch(/0\.2 cores/);
    expect(await text(page, 'diff-action-Deployment-hello')).toBe('Create');
    await shot(page, '04-generate-step3-preview');
    await page.getByTestId('view-yaml-Deployment-hello').click();
    await page.getByTestId('yaml-dialog').waitFor();
    await expect.poll(() => page.getByTestId('yaml-dialog').textContent()).toContain('image: nginx:1.27-alpine');
    await shot(page, '05-generate-view-yaml');
    await page.keyboard.press('Escape');

    await page.getByTestId('gen-generate-run').click();
    await expect.poll(() => page.url()).toContain(`#/apps/${CLUSTER}/${NAMESPACE}/${APP}`);
    await expect.poll(() => text(page, 'app-status'), { timeout: 60_000 }).toBe('Deployed');
    await expect.poll(() => text(page, 'app-health'), { timeout: 60_000 }).toBe('Healthy');
    await expect
      .poll(async () => (await podRows(page)).filter((p) => p.phase === 'Running').length, { timeout: 60_000 })
      .toBe(2);
    await dismissToasts(page);
    await shot(page, '06-detail-running');

    await page.getByTestId('tab-topology').click();
    await page.getByTestId('app-topology').waitFor();
    await page.getByTestId('topo-node-Deployment-hello').waitFor();
    await shot(page, '07-topology');

    // The list shows it, with its status and health.
    await page.getByTestId('nav-apps').click();
    await page.getByTestId(`app-row-${APP}`).waitFor();
    await expect.poll(() => text(page, `app-status-${APP}`)).toBe('Deployed');
    await shot(page, '08-list');
  }, 240_000);

  it('reads the logs of a pod and runs `echo hi` in its terminal', async () => {
    await page.goto(appUrl(APP));
    const podLink = page.locator('[data-testid^="pod-link-"]').first();
    await podLink.waitFor({ timeout: 30_000 });
    await podLink.click();
    await expect.poll(() => page.url()).toContain(`#/pods/${CLUSTER}/${NAMESPACE}/${APP}-`);
    await page.getByTestId('pod-status').waitFor();
    await dismissToasts(page);
    await shot(page, '09-pod');
    // Logs.
    await page.getByTestId('tab-logs').click();
    await page.getByTestId('log-lines').waitFor();
    await expect.poll(async () => Number(await page.getByTestId('log-count').getAttribute('data-count')), { timeout: 30_000 }).toBeGreaterThan(0);
    await shot(page, '10-pod-logs');
    // Terminal: `echo hi` answers hi.
    await page.getByTestId('tab-terminal').click();
    await page.getByTestId('terminal-disconnect').waitFor({ timeout: 20_000 });
    await page.getByTestId('terminal').click();
    await page.keyboard.type('echo hi');
    await page.keyboard.press('Enter');
    await expect
      .poll(async () => (await page.locator('[data-testid="terminal"] .xterm-rows').innerText()).split('\n').map((l) => l.trim()), { timeout: 20_000 })
      .toContain('hi');
    await shot(page, '11-pod-terminal');
  }, 120_000);

  it('scales the Deployment to 3, updates its image watching the rollout, and rolls it back', async () => {
    const ready = () => page.getByTestId('stat-ready').locator('.wl-stat-value').innerText();
    const image = () => page.getByTestId('container-image-app').innerText();
    await page.goto(appUrl(APP));
    await page.getByTestId('workload-link-Deployment-hello').click();
    await expect.poll(() => page.url()).toContain(`#/workloads/${CLUSTER}/${NAMESPACE}/deployment/hello`);
    await page.getByTestId('stat-ready').waitFor();

    // Scale to 3.
    await page.getByTestId('action-scale').click();
    await page.getByTestId('scale-replicas').fill('3');
    await page.getByTestId('scale-submit').click();
    await expect.poll(ready, { timeout: 60_000 }).toBe('3/3');
    await dismissToasts(page);
    await shot(page, '12-workload-scaled');

    // Update the image and watch the rollout.
    await page.getByTestId('action-image').click();
    await page.getByTestId('image-input').fill('nginx:1.28-alpine');
    await page.getByTestId('image-submit').click();
    await expect.poll(() => page.getByTestId('rollout').getAttribute('data-complete'), { timeout: 30_000 }).toBe('false');
    await shot(page, '13-workload-rollout');
    await expect.poll(image, { timeout: 30_000 }).toContain('nginx:1.28-alpine');
    await expect.poll(() => page.getByTestId('rollout').getAttribute('data-complete'), { timeout: 90_000 }).toBe('true');
    await expect.poll(ready, { timeout: 60_000 }).toBe('3/3');
    await dismissToasts(page);
    await shot(page, '14-workload-updated');

    // Roll back to the first revision: the first image again.
    await page.getByTestId('action-rollback').click();
    await page.getByTestId('rollback-revision-1').check();
    await page.getByTestId('rollback-submit').click();
    await expect.poll(image, { timeout: 60_000 }).toContain('nginx:1.27-alpine');
    await expect.poll(() => page.getByTestId('rollout').getAttribute('data-complete'), { timeout: 90_000 }).toBe('true');
    await dismissToasts(page);
    await shot(page, '15-workload-rolled-back');
  }, 240_000);

  it('updates the app to a new revision and rolls back to the first one', async () => {
    await page.goto(appUrl(APP));
    await expect.poll(() => text(page, 'app-status'), { timeout: 60_000 }).toBe('Deployed');
    // Update (revise) with a new image, with its preview.
    await page.getByTestId('app-update').click();
    await page.getByTestId('update-dialog').waitFor();
    await page.getByTestId('value-image').fill('nginx:1.29-alpine');
    await page.getByTestId('update-preview').click();
    await page.getByTestId('app-preview').waitFor();
    expect(await text(page, 'diff-action-Deployment-hello')).toBe('Update');
    await page.getByTestId('view-diff-Deployment-hello').click();
    await expect.poll(() => page.getByTestId('diff-text').textContent()).toContain('nginx:1.29-alpine');
    await shot(page, '16-update-preview');
    await page.getByTestId('update-apply').click();
    await page.getByTestId('update-dialog').waitFor({ state: 'detached' });
    await expect.poll(() => text(page, 'app-revision'), { timeout: 30_000 }).toMatch(/^2/);
    await expect.poll(() => text(page, 'app-status'), { timeout: 90_000 }).toBe('Deployed');

    // Roll back to revision 1.
    await page.getByTestId('tab-revisions').click();
    await page.getByTestId('revision-2').waitFor();
    await page.getByTestId('revision-yaml-1').click();
    await expect.poll(() => page.getByTestId('yaml-dialog').textContent()).toContain('image: nginx:1.27-alpine');
    await page.keyboard.press('Escape');
    await shot(page, '17-revisions');
    await page.getByTestId('rollback-1').click();
    await page.getByTestId('confirm-submit').click();
    await page.getByTestId('revision-3').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('revision-3').textContent()).toMatch(/Rollback.*#1/);
    await expect.poll(() => text(page, 'app-status'), { timeout: 90_000 }).toBe('Deployed');
    await page.getByTestId('tab-manifests').click();
    await expect.poll(() => page.getByTestId('app-manifests').textContent()).toContain('nginx:1.27-alpine');
    await page.getByTestId('tab-resources').click();
    await expect.poll(() => text(page, 'app-health'), { timeout: 90_000 }).toBe('Healthy');
    await dismissToasts(page);
    await shot(page, '18-rolled-back');
  }, 240_000);

  it('undeploys the app: everything it created goes away', async () => {
    await page.goto(appUrl(APP));
    await page.getByTestId('app-unpublish').click();
    await page.getByTestId('confirm-submit').click();
    await expect.poll(() => text(page, 'app-status'), { timeout: 90_000 }).toBe('Undeployed');
    await page.getByTestId('app-not-running').waitFor();
    await expect.poll(() => sim.store.list('apps', 'deployments', NAMESPACE).filter((d: any) => d.metadata.name === APP).length, { timeout: 30_000 }).toBe(0);
    await dismissToasts(page);
    await shot(page, '19-undeployed');
  }, 120_000);

  it('shows CrashLoopBackOff and its events for an image that crashes', async () => {
    await page.goto(`${bosun.url}/#/apps/new?template=hello-web`);
    await page.getByTestId('gen-template-summary').waitFor();
    await page.getByTestId('gen-namespace').selectOption(`${CLUSTER}/${NAMESPACE}`);
    await page.getByTestId('gen-name').fill(CRASH_APP);
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('value-image').fill('registry.example.com/team/crash-loop:1.0');
    await page.getByTestId('value-replicas').fill('1');
    await page.getByTestId('wizard-preview').click();
    await page.getByTestId('app-preview').waitFor();
    // Generate only (a draft), then run it from its page.
    await page.getByTestId('gen-generate').click();
    await expect.poll(() => page.url()).toContain(`#/apps/${CLUSTER}/${NAMESPACE}/${CRASH_APP}`);
    await expect.poll(() => text(page, 'app-status')).toBe('Draft');
    await page.getByTestId('app-not-running').waitFor();
    await page.getByTestId('app-publish').click();
    await expect.poll(async () => (await podRows(page)).map((p) => p.phase).join(','), { timeout: 90_000 }).toContain('CrashLoopBackOff');
    await page.getByTestId('app-events').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('app-events').textContent(), { timeout: 30_000 }).toMatch(/BackOff/);
    expect(await text(page, 'app-health')).toBe('Degraded');
    await dismissToasts(page);
    await shot(page, '20-crashloop');
  }, 180_000);

  it('assembles a base app from YAML documents (in Chinese) and draws its topology', async () => {
    const { context, page: zh } = await newPage(browser, 'zh-CN');
    zh.setDefaultTimeout(20_000);
    try {
      await login(zh);
      await zh.goto(`${bosun.url}/#/apps/new?mode=base`);
      await zh.getByTestId('gen-base-card').waitFor();
      await zh.getByTestId('gen-namespace').selectOption(`${CLUSTER}/${NAMESPACE}`);
      await zh.getByTestId('gen-name').fill(BASE_APP);
      for (const kind of ['ConfigMap', 'PersistentVolumeClaim', 'Deployment', 'Service', 'Ingress', 'Secret', 'CronJob']) await zh.getByTestId(`base-add-${kind}`).click();
      await expect.poll(() => zh.getByTestId('base-kinds').textContent()).toContain('CronJob');
      await expect.poll(() => zh.locator('[data-testid="base-yaml"] .cm-content').innerText()).toContain('kind: CronJob');
      await shot(zh, '21-base-app-kinds');
      // Wire the Deployment to its ConfigMap and claim: the documents, edited.
      await zh.locator('[data-testid="base-yaml"] .cm-content').click();
      await zh.keyboard.press('Control+A');
      await zh.keyboard.insertText(BASE_YAML);
      await expect.poll(() => zh.locator('[data-testid="base-yaml"] .cm-content').innerText()).toContain('claimName');
      await zh.getByTestId('wizard-next').click();
      await zh.getByTestId('view-yaml-values').click();
      await expect.poll(() => zh.getByTestId('yaml-dialog').textContent()).toContain('kind: PersistentVolumeClaim');
      await zh.keyboard.press('Escape');
      await zh.getByTestId('wizard-preview').click();
      await zh.getByTestId('app-preview').waitFor();
      expect(await text(zh, `diff-action-Deployment-${BASE_APP}`)).toBe('新建');
      await shot(zh, '22-base-app-preview');
      await zh.getByTestId('gen-generate-run').click();
      await expect.poll(() => zh.url()).toContain(`#/apps/${CLUSTER}/${NAMESPACE}/${BASE_APP}`);
      await zh.getByTestId('tab-topology').click();
      await zh.getByTestId('app-topology').waitFor();
      for (const type of ['uses', 'selects', 'routes']) await zh.getByTestId(`topo-edge-${type}`).first().waitFor();
      await expect.poll(() => zh.getByTestId(`topo-node-Deployment-${BASE_APP}`).getAttribute('data-health'), { timeout: 60_000 }).toBe('healthy');
      await dismissToasts(zh);
      await shot(zh, '23-base-app-topology');
    } finally {
      await context.close();
    }
  }, 180_000);
});
