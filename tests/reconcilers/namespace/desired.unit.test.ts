import { describe, expect, it } from 'vitest';
import {
  buildLimitRange,
  buildNamespace,
  buildNamespaceObjects,
  buildResourceQuota,
  type NamespaceSpec,
} from '../../../reconcilers/namespace/desired';

const Mi = 1024 * 1024;
const Gi = 1024 * Mi;

describe('Kubernetes quantities in the objects', () => {
  it.each([
    [500, '500m'],
    [1000, '1'],
    [1500, '1500m'],
    [2000, '2'],
  ])('cpu %i millicores → %s', (millis, expected) => {
    const quota = buildResourceQuota(aSpec({ quotaCpuMillis: millis })) as any;
    expect(quota.spec.hard['requests.cpu']).toBe(expected);
  });

  it.each([
    [512 * Mi, '512Mi'],
    [Gi, '1Gi'],
    [1536 * Mi, '1536Mi'],
    [1024 * Gi, '1Ti'],
    [12345, '12345'],
  ])('memory %i bytes → %s', (bytes, expected) => {
    const quota = buildResourceQuota(aSpec({ quotaMemoryBytes: bytes })) as any;
    expect(quota.spec.hard['limits.memory']).toBe(expected);
  });
});

describe('namespace desired state', () => {
  it('builds a labelled Namespace', () => {
    expect(buildNamespace(aSpec())).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'team-a-dev',
        labels: {
          'app.kubernetes.io/managed-by': 'bosun',
          'bosun.io/workspace': 'ws-1',
          'bosun.io/cluster': 'c-1',
        },
      },
    });
  });

  it('builds the ResourceQuota from the quota', () => {
    const quota = buildResourceQuota(aSpec({ quotaCpuMillis: 2000, quotaMemoryBytes: 4 * Gi })) as any;
    expect(quota.metadata).toEqual({ name: 'bosun-quota', namespace: 'team-a-dev', labels: expect.objectContaining({ 'app.kubernetes.io/managed-by': 'bosun' }) });
    expect(quota.spec).toEqual({
      hard: { 'requests.cpu': '2', 'requests.memory': '4Gi', 'limits.cpu': '2', 'limits.memory': '4Gi' },
    });
  });

  it('builds the LimitRange from the defaults', () => {
    const lr = buildLimitRange(aSpec()) as any;
    expect(lr.metadata.name).toBe('bosun-defaults');
    expect(lr.metadata.namespace).toBe('team-a-dev');
    expect(lr.spec).toEqual({
      limits: [
        {
          type: 'Container',
          defaultRequest: { cpu: '100m', memory: '128Mi' },
          default: { cpu: '500m', memory: '512Mi' },
        },
      ],
    });
  });

  it('applies the Namespace first and adds a NetworkPolicy only when isolation is on', () => {
    expect(buildNamespaceObjects(aSpec()).map((o) => o.kind)).toEqual(['Namespace', 'ResourceQuota', 'LimitRange']);
    const isolated = buildNamespaceObjects(aSpec({ isolation: true }));
    expect(isolated.map((o) => o.kind)).toEqual(['Namespace', 'ResourceQuota', 'LimitRange', 'NetworkPolicy']);
    expect((isolated[3] as any).spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'bosun.io/workspace': 'ws-1' } } }] }]);
  });

  it('is deterministic and carries no timestamp', () => {
    const a = JSON.stringify(buildNamespaceObjects(aSpec({ isolation: true })));
    const b = JSON.stringify(buildNamespaceObjects(aSpec({ isolation: true })));
    expect(a).toBe(b);
    expect(a).not.toMatch(/timestamp|\d{4}-\d{2}-\d{2}T/i);
    // generation is for outcomes, never written into objects (it would change them on every edit).
    expect(a).not.toContain('"generation"');
  });

  it('does not let builders share mutable label objects', () => {
    const [ns, quota] = buildNamespaceObjects(aSpec());
    ns.metadata.labels.extra = 'x';
    expect(quota.metadata.labels.extra).toBeUndefined();
  });
});

function aSpec(overrides: Partial<NamespaceSpec> = {}): NamespaceSpec {
  return {
    clusterId: 'c-1',
    name: 'team-a-dev',
    workspaceId: 'ws-1',
    generation: 3,
    quotaCpuMillis: 4000,
    quotaMemoryBytes: 8 * Gi,
    defaults: { requestCpuMillis: 100, requestMemoryBytes: 128 * Mi, limitCpuMillis: 500, limitMemoryBytes: 512 * Mi },
    ...overrides,
  };
}
