/**
 * Application templates over the API: create from a starter, save versions, read any version,
 * render previews (refusals name the parameter and write nothing), and who sees which template.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { parseAllDocuments } from 'yaml';
import { refusalOf } from '../support/bosun-client';
import { NS_A, startTenants, WS_A, WS_B, type Tenants } from './support/tenants';
import { STARTER_TEMPLATES } from '../../domain/template/starters';

const id = () => randomUUID();

describe('templates API', () => {
  let t: Tenants;
  let admin: Tenants['admin']['client'];

  beforeAll(async () => {
    t = await startTenants();
    admin = t.admin.client;
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
  });

  it('creates a template from the Deployment starter, saves v2, and reads both versions', async () => {
    const starters = await admin.templates.starters.query();
    expect(starters.map((s) => s.id)).toEqual(STARTER_TEMPLATES.map((s) => s.id));
    const deployment = starters.find((s) => s.id === 'deployment')!;
    await admin.templates.create.mutate({
      commandId: id(),
      templateId: 'web',
      displayName: 'Web',
      description: 'From the Deployment starter',
      scope: { kind: 'platform', sharedWith: [WS_A] },
      documents: deployment.documents,
      parameters: deployment.parameters,
    });
    const v2docs = deployment.documents.replace(/^(kind: Deployment)$/m, '$1\n# v2');
    const saved = await admin.templates.saveVersion.mutate({ commandId: id(), templateId: 'web', documents: v2docs, parameters: deployment.parameters, note: 'second' });
    expect(saved.version).toBe(2);

    const latest = await admin.templates.get.query({ templateId: 'web' });
    expect(latest.latestVersion).toBe(2);
    expect(latest.version).toMatchObject({ version: 2, documents: v2docs, note: 'second', savedBy: 'admin' });
    expect(latest.versions.map((v) => v.version)).toEqual([2, 1]);
    const first = await admin.templates.get.query({ templateId: 'web', version: 1 });
    expect(first.version.documents).toBe(deployment.documents);
    expect((await refusalOf(admin.templates.get.query({ templateId: 'web', version: 3 }))).status).toBe(404);
  });

  it('refuses a bad template naming the line, and a duplicate id', async () => {
    const bad = await refusalOf(
      admin.templates.create.mutate({
        commandId: id(),
        templateId: 'broken',
        displayName: 'Broken',
        scope: { kind: 'platform', sharedWith: 'all' },
        documents: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n    bad: indent\n',
        parameters: [],
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.message).toMatch(/^documents\[0\]: line \d+, column \d+: YAML does not parse/);
    const check = await admin.templates.check.mutate({ documents: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n    bad: indent\n', parameters: [] });
    expect(check.ok).toBe(false);
    expect(check.problems[0].line).toBeGreaterThan(1);
    const starter = STARTER_TEMPLATES[0];
    const dup = await refusalOf(
      admin.templates.create.mutate({ commandId: id(), templateId: 'web', displayName: 'Again', scope: { kind: 'platform', sharedWith: 'all' }, documents: starter.documents, parameters: starter.parameters }),
    );
    expect(dup.status).toBe(409);
  });

  it('renders with good values, in apply order, and writes nothing', async () => {
    const before = await t.bosun.services.store.readAll();
    const result = await admin.templates.render.mutate({ templateId: 'web', version: 1, namespace: NS_A, appName: 'shop', values: { image: 'nginx:1.27', replicas: 3 } });
    const objects = parseAllDocuments(result.yaml).map((d) => d.toJS());
    expect(objects[0]).toMatchObject({ kind: 'Deployment', metadata: { name: 'shop', namespace: NS_A }, spec: { replicas: 3 } });
    expect(result.objects.map((o) => o.kind)).toContain('Deployment');
    const after = await t.bosun.services.store.readAll();
    expect(after.length).toBe(before.length);
  });

  it('refuses bad values with 400, naming each parameter', async () => {
    const wrongType = await refusalOf(admin.templates.render.mutate({ templateId: 'web', namespace: NS_A, values: { replicas: 'three' } }));
    expect(wrongType.status).toBe(400);
    expect(wrongType.message).toMatch(/values\.replicas: must be an integer between 0 and 50, got "three"/);
    expect(wrongType.field).toBe('values.replicas');

    const source = {
      documents: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  greeting: {{ .Values.greeting }}\n',
      parameters: [{ name: 'greeting', type: 'string', required: true, description: '' }],
    };
    const missing = await refusalOf(admin.templates.render.mutate({ source, namespace: NS_A, appName: 'hello', values: {} }));
    expect(missing.status).toBe(400);
    expect(missing.message).toBe('values.greeting: is required');
    const draft = await admin.templates.render.mutate({ source, namespace: NS_A, appName: 'hello', values: { greeting: 'hi' } });
    expect(draft.yaml).toContain('greeting: hi');

    const quantity = await refusalOf(admin.templates.render.mutate({ templateId: 'web', namespace: NS_A, values: { memoryLimit: 'lots' } }));
    expect(quantity.status).toBe(400);
    expect(quantity.field).toBe('values.memoryLimit');
    expect((await admin.templates.get.query({ templateId: 'web' })).latestVersion).toBe(2);
  });

  it('a developer of workspace A sees templates shared with A, not those of B', async () => {
    const starter = STARTER_TEMPLATES.find((s) => s.id === 'configmap')!;
    const create = (templateId: string, scope: any) =>
      admin.templates.create.mutate({ commandId: id(), templateId, displayName: templateId, scope, documents: starter.documents, parameters: starter.parameters });
    await create('for-all', { kind: 'platform', sharedWith: 'all' });
    await create('for-b', { kind: 'platform', sharedWith: [WS_B] });
    await create('b-own', { kind: 'workspace', workspaceId: WS_B });

    const developer = t.as.developer.client;
    const seen = (await developer.templates.list.query()).map((x) => x.templateId).sort();
    expect(seen).toEqual(['for-all', 'web']);
    expect((await developer.templates.list.query({ scope: 'workspace' })).length).toBe(0);
    expect((await refusalOf(developer.templates.get.query({ templateId: 'b-own' }))).status).toBe(404);
    expect((await refusalOf(developer.templates.render.mutate({ templateId: 'for-b', namespace: NS_A }))).status).toBe(404);
    // Using is not managing: a platform template is changed only with apps:deploy on the platform.
    const save = await refusalOf(developer.templates.saveVersion.mutate({ commandId: id(), templateId: 'web', documents: starter.documents, parameters: starter.parameters }));
    expect(save.status).toBe(403);
    expect(save.message).toContain('permission apps:deploy');
    const createRefused = await refusalOf(
      developer.templates.create.mutate({ commandId: id(), templateId: 'mine', displayName: 'Mine', scope: { kind: 'workspace', workspaceId: WS_A }, documents: starter.documents, parameters: starter.parameters }),
    );
    expect(createRefused.status).toBe(403);

    // Sharing with A makes it visible; deleting hides it again.
    await admin.templates.share.mutate({ commandId: id(), templateId: 'for-b', sharedWith: [WS_A, WS_B] });
    expect((await developer.templates.list.query()).map((x) => x.templateId)).toContain('for-b');
    await admin.templates.delete.mutate({ commandId: id(), templateId: 'for-b' });
    expect((await developer.templates.list.query()).map((x) => x.templateId)).not.toContain('for-b');
    const afterDelete = await refusalOf(admin.templates.saveVersion.mutate({ commandId: id(), templateId: 'for-b', documents: starter.documents, parameters: starter.parameters }));
    expect(afterDelete.status).toBe(404);
  });
});
