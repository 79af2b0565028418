import { describe, expect, it } from 'vitest';
import type { CreateTemplate, SaveTemplateVersion } from '../../../domain/template/decide';
import { SECRET_IN_TEMPLATE } from '../../../domain/template/decide';
import type { TemplateEvent } from '../../../domain/template/events';
import { starterTemplate } from '../../../domain/template/starters';
import { streamIds } from '../../../domain/streams';
import { given } from '../spec';

const web = streamIds.template('web');
const deployment = starterTemplate('deployment');

const CONFIG = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}
data:
  greeting: {{ .Values.greeting }}
`;
const greeting = [{ name: 'greeting', type: 'string' as const, required: true, description: 'Greeting', default: 'hello' }];

function createCmd(overrides: Partial<CreateTemplate> = {}): CreateTemplate {
  return {
    type: 'CreateTemplate',
    templateId: 'web',
    displayName: 'Web app',
    description: 'A web application',
    scope: { kind: 'platform', sharedWith: ['team-b', 'team-a', 'team-a'] },
    documents: deployment.documents,
    parameters: deployment.parameters,
    ...overrides,
  };
}

function saveCmd(overrides: Partial<SaveTemplateVersion> = {}): SaveTemplateVersion {
  return { type: 'SaveTemplateVersion', templateId: 'web', documents: CONFIG, parameters: greeting, note: 'a ConfigMap instead', ...overrides };
}

const created = (): TemplateEvent => ({
  type: 'TemplateCreated',
  data: { templateId: 'web', displayName: 'Web app', description: 'A web application', scope: { kind: 'platform', sharedWith: ['team-a', 'team-b'] } },
});
const v1 = (): TemplateEvent => ({
  type: 'TemplateVersionSaved',
  data: { templateId: 'web', version: 1, documents: deployment.documents, parameters: deployment.parameters, note: '' },
});
const v2 = (): TemplateEvent => ({ type: 'TemplateVersionSaved', data: { templateId: 'web', version: 2, documents: CONFIG, parameters: greeting, note: 'a ConfigMap instead' } });
const deleted = (): TemplateEvent => ({ type: 'TemplateDeleted', data: { templateId: 'web' } });

describe('CreateTemplate', () => {
  it('creates a template and its first version, sharing with each workspace once', () => {
    given().when(createCmd()).then({ [web]: [created(), v1()] });
  });

  it('creates a workspace template', () => {
    const events = given().when(createCmd({ scope: { kind: 'workspace', workspaceId: 'team-a' } })).decision()[web];
    expect(events[0].data).toMatchObject({ scope: { kind: 'workspace', workspaceId: 'team-a' } });
  });

  it('refuses a duplicate id', () => {
    given({ [web]: [created(), v1()] }).when(createCmd()).thenError('already_exists', 'templateId: template "web" already exists');
  });

  it('creates again after deletion, continuing the version numbers', () => {
    const events = given({ [web]: [created(), v1(), v2(), deleted()] }).when(createCmd()).decision()[web];
    expect(events.map((e) => e.type)).toEqual(['TemplateCreated', 'TemplateVersionSaved']);
    expect(events[1].data).toMatchObject({ version: 3 });
  });

  it('refuses invalid fields, naming them', () => {
    given().when(createCmd({ templateId: 'Web App' })).thenError('invalid', /^templateId: Invalid value: "Web App"/);
    given().when(createCmd({ displayName: ' ' })).thenError('invalid', 'displayName: must not be blank');
    given().when(createCmd({ scope: { kind: 'workspace', workspaceId: 'Team' } })).thenError('invalid', /^scope\.workspaceId: Invalid value/);
    given().when(createCmd({ scope: { kind: 'platform', sharedWith: ['ok', 'NO'] } })).thenError('invalid', /^scope\.sharedWith\[1\]: Invalid value/);
  });

  it('refuses YAML that does not parse, naming the line and column', () => {
    const documents = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n    bad: indent\n';
    const error = given().when(createCmd({ documents, parameters: [] })).thenError('invalid', /^documents\[0\]: line \d+, column \d+: YAML does not parse/);
    expect(error.field).toBe('documents[0]');
  });

  it('refuses an empty template', () => {
    given().when(createCmd({ documents: '  \n' })).thenError('invalid', 'documents: is required: the YAML of the template');
    given().when(createCmd({ documents: '# nothing\n', parameters: [] })).thenError('invalid', 'documents: must contain at least one Kubernetes object');
  });

  it('refuses a bad parameter definition, naming it by index', () => {
    const parameters = [...greeting, { name: '2fast', type: 'string', required: false, description: '' }];
    given().when(createCmd({ documents: CONFIG, parameters })).thenError('invalid', /^parameters\[1\]\.name: must be an identifier/);
    const bounds = [{ name: 'replicas', type: 'int', required: true, description: '', default: 99, validation: { min: 1, max: 10 } }];
    given().when(createCmd({ documents: CONFIG.replace('{{ .Values.greeting }}', 'x'), parameters: bounds })).thenError('invalid', /^parameters\[0\]\.default: must be an integer between 1 and 10, got 99/);
  });

  it('refuses a placeholder naming no parameter', () => {
    given().when(createCmd({ documents: CONFIG, parameters: [] })).thenError('invalid', /unknown placeholder \{\{ \.Values\.greeting \}\}: no parameter named "greeting"/);
  });

  it('refuses a kind an application may not contain', () => {
    const documents = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: admin\n';
    given().when(createCmd({ documents, parameters: [] })).thenError('invalid', /^documents\[0\]: kind ClusterRole is not allowed in an application template/);
  });

  it('refuses a Secret carrying data or stringData: events are kept forever', () => {
    for (const field of ['data:\n  password: aHVudGVyMg==', 'stringData:\n  password: {{ .Values.greeting }}']) {
      const documents = `${CONFIG}---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n${field}\n`;
      given().when(createCmd({ documents, parameters: greeting })).thenError('invalid', `documents[1]: ${SECRET_IN_TEMPLATE}`);
    }
  });

  it('allows a kind that is a placeholder (checked once values are in), unless the object carries data', () => {
    const documents = 'apiVersion: v1\nkind: {{ .Values.kind }}\nmetadata:\n  name: x\n';
    const parameters = [{ name: 'kind', type: 'enum', required: true, description: '', default: 'ConfigMap', validation: { options: ['ConfigMap', 'Secret'] } }];
    expect(given().when(createCmd({ documents, parameters })).decision()[web]).toHaveLength(2);
    given().when(createCmd({ documents: `${documents}data:\n  a: b\n`, parameters })).thenError('invalid', `documents[0]: ${SECRET_IN_TEMPLATE}`);
  });
});

describe('SaveTemplateVersion', () => {
  it('saves each version under the next number', () => {
    given({ [web]: [created(), v1()] }).when(saveCmd()).then({ [web]: [v2()] });
    const third = given({ [web]: [created(), v1(), v2()] }).when(saveCmd({ note: '' })).decision()[web];
    expect(third[0].data).toMatchObject({ version: 3 });
  });

  it('refuses a template that does not exist or was deleted', () => {
    given().when(saveCmd()).thenError('not_found', 'templateId: template "web" does not exist');
    given({ [web]: [created(), v1(), deleted()] }).when(saveCmd()).thenError('not_found', 'templateId: template "web" does not exist');
  });

  it('refuses an invalid version like creation does', () => {
    given({ [web]: [created(), v1()] }).when(saveCmd({ documents: 'kind: [' })).thenError('invalid', /^documents\[0\]: line 1, column \d+: YAML does not parse/);
  });
});

describe('ShareTemplate and DeleteTemplate', () => {
  it('shares a platform template with all workspaces, and does nothing when unchanged', () => {
    given({ [web]: [created(), v1()] })
      .when({ type: 'ShareTemplate', templateId: 'web', sharedWith: 'all' })
      .then({ [web]: [{ type: 'TemplateShared', data: { templateId: 'web', sharedWith: 'all' } }] });
    given({ [web]: [created(), v1()] }).when({ type: 'ShareTemplate', templateId: 'web', sharedWith: ['team-b', 'team-a'] }).thenNothing();
  });

  it('refuses to share a workspace template', () => {
    const own: TemplateEvent = { ...created(), data: { ...(created().data as any), scope: { kind: 'workspace', workspaceId: 'team-a' } } } as TemplateEvent;
    given({ [web]: [own, v1()] })
      .when({ type: 'ShareTemplate', templateId: 'web', sharedWith: 'all' })
      .thenError('conflict', /only platform templates are shared/);
  });

  it('deletes a template once', () => {
    given({ [web]: [created(), v1()] }).when({ type: 'DeleteTemplate', templateId: 'web' }).then({ [web]: [deleted()] });
    given({ [web]: [created(), v1(), deleted()] }).when({ type: 'DeleteTemplate', templateId: 'web' }).thenError('not_found');
  });
});
