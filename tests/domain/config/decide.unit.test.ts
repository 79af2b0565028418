import { describe, expect, it } from 'vitest';
import { given } from '../spec';
import type { DomainEvent } from '../../../domain/events';
import { streamIds } from '../../../domain/streams';
import { parseStreamId } from '../../../domain/streams';

const nsStream = streamIds.namespace('prod', 'web');
const GiB = 1024 ** 3;
const fp = (c: string) => `hmac-sha256:${c.repeat(32)}`;

const history = { [nsStream]: [namespaceCreated()] };
const cmStream = streamIds.config('prod', 'web', 'ConfigMap', 'settings.v1');

describe('config objects', () => {
  it('streams are config-<cluster>.<namespace>.<kind>.<name>, the name may hold dots', () => {
    expect(cmStream).toBe('config-prod.web.configmap.settings.v1');
    expect(parseStreamId(cmStream)).toEqual({ category: 'config', clusterId: 'prod', namespace: 'web', kind: 'configmap', name: 'settings.v1' });
  });

  it('applies a ConfigMap: the event holds the normalised object', () => {
    given(history)
      .when({ type: 'ApplyConfigObject', clusterId: 'prod', namespace: 'web', kind: 'ConfigMap', name: 'settings.v1', manifest: 'kind: ConfigMap\nmetadata:\n  name: settings.v1\ndata:\n  A: "1"\n' })
      .then({
        [cmStream]: [
          {
            type: 'ConfigObjectApplied',
            data: {
              clusterId: 'prod',
              namespace: 'web',
              kind: 'ConfigMap',
              name: 'settings.v1',
              manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings.v1', namespace: 'web', labels: { 'app.kubernetes.io/managed-by': 'bosun' } }, data: { A: '1' } },
            },
          },
        ],
      });
  });

  it('applies a Secret with keys, fingerprints and type, never values', () => {
    const stream = streamIds.config('prod', 'web', 'Secret', 'db');
    const decision = given(history)
      .when({ type: 'ApplyConfigObject', clusterId: 'prod', namespace: 'web', kind: 'Secret', name: 'db', manifest: { kind: 'Secret', metadata: { name: 'db' }, type: 'kubernetes.io/basic-auth' }, secretFingerprints: { username: fp('a'), password: fp('b') } })
      .decision();
    expect(decision[stream][0].data).toMatchObject({
      kind: 'Secret',
      secret: { type: 'kubernetes.io/basic-auth', keys: [{ key: 'password', fingerprint: fp('b') }, { key: 'username', fingerprint: fp('a') }] },
    });
    expect(decision[stream][0].data).not.toHaveProperty('manifest.data');
    expect(JSON.stringify((decision[stream][0].data as { manifest: unknown }).manifest)).not.toMatch(/"data"|stringData/);
  });

  it('refuses a Secret command that still holds values (the command is copied into the audit trail)', () => {
    for (const field of ['data', 'stringData']) {
      given(history)
        .when({ type: 'ApplyConfigObject', clusterId: 'prod', namespace: 'web', kind: 'Secret', name: 'db', manifest: { kind: 'Secret', metadata: { name: 'db' }, [field]: { password: field === 'data' ? 'aHVudGVyMg==' : 'hunter2' } } })
        .thenError('invalid', new RegExp(`^manifest\\.${field}: a Secret's values never enter`));
    }
    given(history)
      .when({ type: 'ApplyConfigObject', clusterId: 'prod', namespace: 'web', kind: 'Secret', name: 'db', manifest: 'kind: Secret\nmetadata: {name: db}\n' })
      .thenError('invalid', /^manifest:/);
    given(history)
      .when({ type: 'ApplyConfigObject', clusterId: 'prod', namespace: 'web', kind: 'Secret', name: 'db', manifest: { kind: 'Secret', metadata: { name: 'db' } }, secretFingerprints: { password: 'sha256:abc' } })
      .thenError('invalid', /^secretFingerprints\.password: must be an hmac-sha256 fingerprint/);
  });

  it('refuses a kind outside the allowlist, a bad name, an unknown namespace', () => {
    given(history).when({ type: 'ApplyConfigObject', clusterId: 'prod', namespace: 'web', kind: 'Deployment', name: 'x', manifest: {} }).thenError('invalid', /^kind: kind "Deployment" is not managed here/);
    given(history).when({ type: 'DeleteConfigObject', clusterId: 'prod', namespace: 'web', kind: 'Service', name: 'Web' }).thenError('invalid', /^name: Invalid value: "Web"/);
    given({}).when({ type: 'DeleteConfigObject', clusterId: 'prod', namespace: 'web', kind: 'Service', name: 'web' }).thenError('not_found', /^namespace: namespace "web" does not exist/);
    given(history)
      .when({ type: 'ApplyConfigObject', clusterId: 'prod', namespace: 'web', kind: 'ConfigMap', name: 'a', workspaceId: 'team-b', manifest: { kind: 'ConfigMap', metadata: { name: 'a' } } })
      .thenError('invalid', /^workspaceId:/);
  });

  it('deletes, and records a failure of either operation', () => {
    const stream = streamIds.config('prod', 'web', 'Service', 'web');
    given(history)
      .when({ type: 'DeleteConfigObject', clusterId: 'prod', namespace: 'web', kind: 'Service', name: 'web' })
      .then({ [stream]: [{ type: 'ConfigObjectDeleted', data: { clusterId: 'prod', namespace: 'web', kind: 'Service', name: 'web' } }] });
    given(history)
      .when({ type: 'RecordConfigObjectFailed', clusterId: 'prod', namespace: 'web', kind: 'Service', name: 'web', operation: 'apply', reason: 'field is immutable', status: 422 })
      .then({ [stream]: [{ type: 'ConfigObjectApplyFailed', data: { clusterId: 'prod', namespace: 'web', kind: 'Service', name: 'web', reason: 'field is immutable', status: 422 } }] });
  });
});

function namespaceCreated(): DomainEvent {
  return {
    type: 'NamespaceCreated',
    data: {
      clusterId: 'prod',
      name: 'web',
      workspaceId: 'team-a',
      quotaCpuMillis: 2000,
      quotaMemoryBytes: 4 * GiB,
      defaults: { requestCpuMillis: 100, requestMemoryBytes: 128 * 1024 ** 2, limitCpuMillis: 500, limitMemoryBytes: 512 * 1024 ** 2 },
      generation: 1,
    },
  } as DomainEvent;
}
