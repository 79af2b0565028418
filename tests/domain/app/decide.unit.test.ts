/** Applications: given events / when command / then events or error. */
import { describe, expect, it } from 'vitest';
import type { AppEvent } from '../../../domain/app/events';
import type { GenerateApp } from '../../../domain/app/decide';
import type { NamespaceEvent } from '../../../domain/namespace/events';
import type { TemplateEvent } from '../../../domain/template/events';
import { streamIds } from '../../../domain/streams';
import { given, histories, MiB, type History } from '../spec';

const APP_ID = 'prod.web.shop';
const app = streamIds.app(APP_ID);
const ns = streamIds.namespace('prod', 'web');
const tpl = streamIds.template('shop');

const DOCUMENTS = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  greeting: hello
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  selector:
    app: {{ .Release.Name }}
  ports:
    - port: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      app: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app: {{ .Release.Name }}
    spec:
      containers:
        - name: app
          image: {{ .Values.image }}
          resources:
            requests:
              cpu: 100m
              memory: 64Mi
            limits:
              cpu: 200m
              memory: 128Mi
`;

const PARAMETERS = [
  { name: 'image', type: 'image', required: true, description: '', default: 'nginx:1.27' },
  { name: 'replicas', type: 'int', required: true, description: '', default: 1, validation: { min: 0, max: 20 } },
];

/** Namespace web on prod (workspace team-a): 1 core, 1Gi. */
function namespace(...more: NamespaceEvent[]): History {
  return {
    [ns]: [
      {
        type: 'NamespaceCreated',
        data: {
          clusterId: 'prod',
          name: 'web',
          workspaceId: 'team-a',
          quotaCpuMillis: 1000,
          quotaMemoryBytes: 1024 * MiB,
          defaults: { requestCpuMillis: 100, requestMemoryBytes: 64 * MiB, limitCpuMillis: 200, limitMemoryBytes: 128 * MiB },
          generation: 1,
        },
      },
      ...more,
    ],
  };
}

function template(scope: any = { kind: 'platform', sharedWith: 'all' }, ...more: TemplateEvent[]): History {
  return {
    [tpl]: [
      { type: 'TemplateCreated', data: { templateId: 'shop', displayName: 'Shop', description: '', scope } },
      { type: 'TemplateVersionSaved', data: { templateId: 'shop', version: 1, documents: DOCUMENTS, parameters: PARAMETERS as any, note: '' } },
      ...more,
    ],
  };
}

function generateCmd(overrides: Partial<GenerateApp> = {}): GenerateApp {
  return { type: 'GenerateApp', clusterId: 'prod', namespace: 'web', name: 'shop', templateId: 'shop', templateVersion: 1, values: { replicas: 2 }, ...overrides };
}

const labels = { 'app.kubernetes.io/managed-by': 'bosun', 'app.kubernetes.io/instance': 'shop' };

function manifests(replicas: number, image = 'nginx:1.27') {
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shop-config', namespace: 'web', labels }, data: { greeting: 'hello' } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'shop', namespace: 'web', labels },
      spec: {
        replicas,
        selector: { matchLabels: { app: 'shop' } },
        template: {
          metadata: { labels: { app: 'shop', ...labels } },
          spec: {
            containers: [
              { name: 'app', image, resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } } },
            ],
          },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop', namespace: 'web', labels }, spec: { selector: { app: 'shop' }, ports: [{ port: 80 }] } },
  ];
}

const amounts = (pods: number) => ({
  requests: { cpuMillis: 100 * pods, memoryBytes: 64 * MiB * pods },
  limits: { cpuMillis: 200 * pods, memoryBytes: 128 * MiB * pods },
});

function generated(replicas = 2): AppEvent {
  return {
    type: 'AppGenerated',
    data: {
      appId: APP_ID,
      clusterId: 'prod',
      namespace: 'web',
      workspaceId: 'team-a',
      name: 'shop',
      description: '',
      templateId: 'shop',
      revision: 1,
      templateVersion: 1,
      values: { image: 'nginx:1.27', replicas },
      manifests: manifests(replicas),
      ...amounts(replicas),
    },
  };
}

function reserved(pods: number, holder = 'app:shop'): NamespaceEvent {
  return { type: 'NamespaceResourcesReserved', data: { clusterId: 'prod', name: 'web', holder, ...amounts(pods) } };
}

const published = (revision = 1): AppEvent => ({ type: 'AppPublished', data: { appId: APP_ID, revision } });
const deployed = (revision = 1): AppEvent => ({ type: 'AppDeployed', data: { appId: APP_ID, revision } });
const unpublished = (revision = 1): AppEvent => ({ type: 'AppUnpublished', data: { appId: APP_ID, revision } });

function revised(revision: number, replicas: number, image: string, extra: Record<string, unknown> = {}): AppEvent {
  return {
    type: 'AppRevised',
    data: {
      appId: APP_ID,
      revision,
      templateVersion: 1,
      values: { image, replicas },
      manifests: manifests(replicas, image),
      ...amounts(replicas),
      reason: 'update',
      ...extra,
    } as any,
  };
}

/** A generated app with its reservation. */
const existing = (...appEvents: AppEvent[]) => histories(namespace(reserved(2)), template(), { [app]: [generated(2), ...appEvents] });

describe('GenerateApp', () => {
  it('renders in apply order, records revision 1 and reserves the quota', () => {
    given(histories(namespace(), template()))
      .when(generateCmd())
      .then({ [app]: [generated(2)], [ns]: [reserved(2)] });
  });

  it('refuses with the numbers when the quota left (after other reservations) is too small, writing nothing', () => {
    given(histories(namespace(reserved(3, 'devenv:box')), template()))
      .when(generateCmd({ values: { replicas: 3 } }))
      .thenError(
        'insufficient_capacity',
        'limits.cpu: the application needs 0.6 cores but namespace "web" has 0.4 cores left in its quota (Deployment/shop 3 × 0.2)',
      );
  });

  it('names the parameter of a bad value', () => {
    const error = given(histories(namespace(), template())).when(generateCmd({ values: { replicas: 'three' } })).thenError('invalid');
    expect(error.field).toBe('values.replicas');
    expect(error.message).toBe('values.replicas: must be an integer between 0 and 20, got "three"');
  });

  it('refuses a template not offered to the workspace, an unknown version, and a namespace that does not exist', () => {
    given(histories(namespace(), template({ kind: 'workspace', workspaceId: 'team-b' }))).when(generateCmd()).thenError('not_found', /^templateId: /);
    given(histories(namespace(), template({ kind: 'platform', sharedWith: ['team-b'] }))).when(generateCmd()).thenError('not_found', /^templateId: /);
    given(histories(namespace(), template())).when(generateCmd({ templateVersion: 2 })).thenError('not_found', 'templateVersion: template "shop" has no version 2 (latest is 1)');
    given(template()).when(generateCmd()).thenError('not_found', 'namespace: namespace "web" does not exist on cluster "prod"');
  });

  it('refuses a second app of the same name', () => {
    given(existing()).when(generateCmd()).thenError('already_exists', 'name: application "shop" already exists in namespace "web"');
  });
});

describe('PublishApp / UnpublishApp', () => {
  it('publishes the current revision once', () => {
    given(existing()).when({ type: 'PublishApp', appId: APP_ID }).then({ [app]: [published(1)] });
    given(existing(published())).when({ type: 'PublishApp', appId: APP_ID }).thenNothing();
  });

  it('unpublishes a published app once', () => {
    given(existing(published(), deployed())).when({ type: 'UnpublishApp', appId: APP_ID }).then({ [app]: [unpublished(1)] });
    given(existing()).when({ type: 'UnpublishApp', appId: APP_ID }).thenNothing();
  });

  it('refuses an unknown or malformed app id', () => {
    given({}).when({ type: 'PublishApp', appId: 'prod.web.nope' }).thenError('not_found', 'appId: application "prod.web.nope" does not exist');
    given({}).when({ type: 'PublishApp', appId: 'prod.web' }).thenError('invalid', /^appId: must be <clusterId>\.<namespace>\.<name>/);
  });
});

describe('ReviseApp', () => {
  it('records revision n+1 with the new manifests and replaces the reservation', () => {
    given(existing(published()))
      .when({ type: 'ReviseApp', appId: APP_ID, templateId: 'shop', templateVersion: 1, values: { replicas: 3, image: 'nginx:1.28' } })
      .then({ [app]: [revised(2, 3, 'nginx:1.28')], [ns]: [reserved(3)] });
  });

  it('checks the quota beside the others, not beside its own old reservation', () => {
    // 5 pods × 200m = 1 core: fits only because shop's own 2 pods are not counted twice.
    given(existing())
      .when({ type: 'ReviseApp', appId: APP_ID, templateId: 'shop', templateVersion: 1, values: { replicas: 5 } })
      .then({ [app]: [revised(2, 5, 'nginx:1.27')], [ns]: [reserved(5)] });
    given(existing())
      .when({ type: 'ReviseApp', appId: APP_ID, templateId: 'shop', templateVersion: 1, values: { replicas: 6 } })
      .thenError('insufficient_capacity', /limits\.cpu: the application needs 1\.2 cores but namespace "web" has 1 core left/);
  });

  it('refuses another template than the app\'s own', () => {
    given(existing()).when({ type: 'ReviseApp', appId: APP_ID, templateId: 'other', templateVersion: 1, values: {} }).thenError('conflict', /^templateId: /);
  });
});

describe('RollbackApp', () => {
  it('restores an earlier revision as a new one, naming where it came from', () => {
    given(existing(published(), revised(2, 3, 'nginx:1.28')))
      .when({ type: 'RollbackApp', appId: APP_ID, toRevision: 1 })
      .then({
        [app]: [
          {
            type: 'AppRevised',
            data: { appId: APP_ID, revision: 3, templateVersion: 1, values: { image: 'nginx:1.27', replicas: 2 }, manifests: manifests(2), ...amounts(2), reason: 'rollback', fromRevision: 1 },
          },
        ],
        [ns]: [reserved(2)],
      });
  });

  it('refuses a revision that does not exist or is current', () => {
    given(existing()).when({ type: 'RollbackApp', appId: APP_ID, toRevision: 4 }).thenError('not_found', 'toRevision: application "prod.web.shop" has no revision 4 (revisions 1 to 1)');
    given(existing()).when({ type: 'RollbackApp', appId: APP_ID, toRevision: 1 }).thenError('conflict', 'toRevision: revision 1 is already the current revision');
  });
});

describe('DeleteApp', () => {
  it('deletes an app that is not published and releases its reservation', () => {
    given(existing())
      .when({ type: 'DeleteApp', appId: APP_ID })
      .then({ [app]: [{ type: 'AppDeleted', data: { appId: APP_ID } }], [ns]: [{ type: 'NamespaceResourcesReleased', data: { clusterId: 'prod', name: 'web', holder: 'app:shop' } }] });
  });

  it('refuses while published, or while its objects are being removed', () => {
    given(existing(published())).when({ type: 'DeleteApp', appId: APP_ID }).thenError('conflict', 'appId: application "shop" is published; unpublish it first');
    given(existing(published(), unpublished())).when({ type: 'DeleteApp', appId: APP_ID }).thenError('conflict', /still being removed/);
    given(existing(published(), unpublished(), { type: 'AppUndeployed', data: { appId: APP_ID } }))
      .when({ type: 'DeleteApp', appId: APP_ID })
      .decision();
  });

  it('lets the name be generated again afterwards', () => {
    const history = histories(namespace(reserved(2), { type: 'NamespaceResourcesReleased', data: { clusterId: 'prod', name: 'web', holder: 'app:shop' } }), template(), {
      [app]: [generated(2), { type: 'AppDeleted', data: { appId: APP_ID } }],
    });
    given(history).when(generateCmd()).then({ [app]: [generated(2)], [ns]: [reserved(2)] });
  });
});

describe('reconciler outcomes', () => {
  it('records deployed once per revision, and ignores a stale revision', () => {
    given(existing(published())).when({ type: 'RecordAppDeployed', appId: APP_ID, revision: 1 }).then({ [app]: [deployed(1)] });
    given(existing(published(), deployed())).when({ type: 'RecordAppDeployed', appId: APP_ID, revision: 1 }).thenNothing();
    given(existing(published(), revised(2, 2, 'nginx:1.28'))).when({ type: 'RecordAppDeployed', appId: APP_ID, revision: 1 }).thenNothing();
    given(existing(published())).when({ type: 'RecordAppDeployed', appId: APP_ID, revision: 5 }).thenError('invalid', /^revision: /);
  });

  it('records a failure with its reason only when it changes', () => {
    const failed = (reason: string): AppEvent => ({ type: 'AppDeployFailed', data: { appId: APP_ID, revision: 1, reason } });
    given(existing(published())).when({ type: 'RecordAppDeployFailed', appId: APP_ID, revision: 1, reason: 'quota exceeded' }).then({ [app]: [failed('quota exceeded')] });
    given(existing(published(), failed('quota exceeded'))).when({ type: 'RecordAppDeployFailed', appId: APP_ID, revision: 1, reason: 'quota exceeded' }).thenNothing();
    given(existing(published(), failed('quota exceeded'))).when({ type: 'RecordAppDeployed', appId: APP_ID, revision: 1 }).then({ [app]: [deployed(1)] });
    given(existing()).when({ type: 'RecordAppDeployFailed', appId: APP_ID, revision: 1, reason: 'x' }).thenNothing();
  });

  it('records undeployed once, only while unpublished', () => {
    given(existing(published(), unpublished())).when({ type: 'RecordAppUndeployed', appId: APP_ID }).then({ [app]: [{ type: 'AppUndeployed', data: { appId: APP_ID } }] });
    given(existing(published())).when({ type: 'RecordAppUndeployed', appId: APP_ID }).thenNothing();
    given(existing(published(), unpublished(), { type: 'AppUndeployed', data: { appId: APP_ID } })).when({ type: 'RecordAppUndeployed', appId: APP_ID }).thenNothing();
  });
});
