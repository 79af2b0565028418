import { describe, expect, it } from 'vitest';
import type { ClusterEvent } from '../../../domain/cluster/events';
import type { CreateNamespace } from '../../../domain/namespace/decide';
import type { ContainerDefaults, NamespaceEvent } from '../../../domain/namespace/events';
import { streamIds } from '../../../domain/streams';
import { fold, GiB, given, MiB } from '../spec';

const prod = streamIds.cluster('prod');
const web = streamIds.namespace('prod', 'web');

/** team-a bound 8 cores / 16Gi on prod; team-b bound 2 cores / 4Gi. */
function cluster(...events: ClusterEvent[]): ClusterEvent[] {
  return [clusterRegistered(), clBound('team-a', 8000, 16 * GiB), clBound('team-b', 2000, 4 * GiB), ...events];
}

describe('CreateNamespace', () => {
  it('creates the namespace at generation 1 and allocates its quota on the cluster', () => {
    given({ [prod]: cluster() })
      .when(createCmd())
      .then({ [web]: [nsCreated()], [prod]: [clAllocated('web', 'team-a', 2000, 4 * GiB)] });
  });

  it('allows a quota equal to what the binding has left', () => {
    given({ [prod]: cluster(clAllocated('api', 'team-a', 6000, 12 * GiB)) })
      .when(createCmd())
      .then({ [web]: [nsCreated()], [prod]: [clAllocated('web', 'team-a', 2000, 4 * GiB)] });
  });

  it.each(['default', 'kube-system', 'kube-public', 'kube-node-lease', 'kube-flannel'])('refuses the reserved name %s', (name) => {
    given({ [prod]: cluster() })
      .when(createCmd({ name }))
      .thenError('invalid', `name: "${name}" is reserved (default and names starting with "kube-" belong to Kubernetes)`);
  });

  it('refuses a name that is not a DNS label, in Kubernetes words', () => {
    given({ [prod]: cluster() })
      .when(createCmd({ name: 'Web.App' }))
      .thenError('invalid', /^name: Invalid value: "Web\.App": a lowercase RFC 1123 label must consist of/);
  });

  it('refuses a name taken on the cluster, also by another workspace', () => {
    given({ [prod]: cluster(clAllocated('web', 'team-b', 500, GiB)) })
      .when(createCmd())
      .thenError('already_exists', 'name: namespace "web" already exists on cluster "prod" (workspace "team-b")');
    given({ [prod]: cluster(clAllocated('web', 'team-a', 500, GiB)), [web]: [nsCreated()] })
      .when(createCmd())
      .thenError('already_exists');
  });

  it('allows the name again once its deletion is recorded, continuing the generation', () => {
    given({
      [prod]: cluster(clAllocated('web', 'team-a', 2000, 4 * GiB), clReleased('web', 'team-a')),
      [web]: [nsCreated(), quotaChanged({ generation: 2 }), nsDeleted()],
    })
      .when(createCmd({ workspaceId: 'team-b', quotaCpuMillis: 1000, quotaMemoryBytes: 2 * GiB }))
      .then({
        [web]: [nsCreated({ workspaceId: 'team-b', quotaCpuMillis: 1000, quotaMemoryBytes: 2 * GiB, generation: 3 })],
        [prod]: [clAllocated('web', 'team-b', 1000, 2 * GiB)],
      });
  });

  it('refuses a workspace without a binding on the cluster', () => {
    given({ [prod]: cluster() })
      .when(createCmd({ workspaceId: 'team-c' }))
      .thenError('precondition_failed', 'workspaceId: workspace "team-c" has no binding on cluster "prod" (bind cluster resources first)');
  });

  it('refuses a quota beyond what the binding has left, with the numbers', () => {
    given({ [prod]: cluster(clAllocated('api', 'team-a', 5000, 4 * GiB), clAllocated('db', 'team-a', 1500, 4 * GiB), clAllocated('x', 'team-b', 2000, GiB)) })
      .when(createCmd({ quotaCpuMillis: 2000 }))
      .thenError(
        'insufficient_capacity',
        'cpu: requested quota 2 cores for namespace "web" but the binding of workspace "team-a" on cluster "prod" has 1.5 cores left (binding 8, allocated to namespaces 6.5)',
      );
    given({ [prod]: cluster(clAllocated('api', 'team-a', 1000, 15 * GiB)) })
      .when(createCmd())
      .thenError(
        'insufficient_capacity',
        'memory: requested quota 4Gi for namespace "web" but the binding of workspace "team-a" on cluster "prod" has 1Gi left (binding 16Gi, allocated to namespaces 15Gi)',
      );
  });

  it('refuses default requests above default limits', () => {
    given({ [prod]: cluster() })
      .when(createCmd({ defaults: defaults({ requestCpuMillis: 600, limitCpuMillis: 500 }) }))
      .thenError('invalid', 'defaults.requestCpuMillis: default cpu request 0.6 cores exceeds the default limit 0.5 cores');
    given({ [prod]: cluster() })
      .when(createCmd({ defaults: defaults({ requestMemoryBytes: GiB, limitMemoryBytes: 512 * MiB }) }))
      .thenError('invalid', 'defaults.requestMemoryBytes: default memory request 1Gi exceeds the default limit 512Mi');
  });

  it('refuses default limits above the quota, and zero limits', () => {
    given({ [prod]: cluster() })
      .when(createCmd({ defaults: defaults({ limitCpuMillis: 3000 }) }))
      .thenError('invalid', 'defaults.limitCpuMillis: default cpu limit 3 cores exceeds the namespace quota 2 cores');
    given({ [prod]: cluster() })
      .when(createCmd({ defaults: defaults({ limitMemoryBytes: 8 * GiB }) }))
      .thenError('invalid', 'defaults.limitMemoryBytes: default memory limit 8Gi exceeds the namespace quota 4Gi');
    given({ [prod]: cluster() })
      .when(createCmd({ defaults: defaults({ requestCpuMillis: 0, limitCpuMillis: 0 }) }))
      .thenError('invalid', 'defaults.limitCpuMillis: default cpu limit must be greater than 0');
  });

  it('refuses an unregistered cluster and invalid quantities', () => {
    given().when(createCmd()).thenError('not_found', 'clusterId: cluster "prod" is not registered');
    given({ [prod]: cluster() }).when(createCmd({ quotaCpuMillis: -1 })).thenError('invalid', 'quotaCpuMillis: must be a non-negative integer, got -1');
  });
});

describe('ChangeNamespaceQuota', () => {
  const history = () => ({ [prod]: cluster(clAllocated('web', 'team-a', 2000, 4 * GiB), clAllocated('api', 'team-a', 4000, 8 * GiB)), [web]: [nsCreated()] });

  it('changes the quota on both streams and bumps the generation, keeping the defaults', () => {
    given(history())
      .when({ type: 'ChangeNamespaceQuota', clusterId: 'prod', name: 'web', quotaCpuMillis: 4000, quotaMemoryBytes: 8 * GiB })
      .then({
        [web]: [quotaChanged({ quotaCpuMillis: 4000, quotaMemoryBytes: 8 * GiB, generation: 2 })],
        [prod]: [{ type: 'ClusterNamespaceAllocationChanged', data: { clusterId: 'prod', namespace: 'web', workspaceId: 'team-a', cpuMillis: 4000, memoryBytes: 8 * GiB } }],
      });
  });

  it('refuses growth beyond what the binding has left for it, counting other namespaces', () => {
    given(history())
      .when({ type: 'ChangeNamespaceQuota', clusterId: 'prod', name: 'web', quotaCpuMillis: 5000, quotaMemoryBytes: 4 * GiB })
      .thenError(
        'insufficient_capacity',
        'cpu: requested quota 5 cores for namespace "web" but the binding of workspace "team-a" on cluster "prod" has 4 cores left (binding 8, allocated to other namespaces 4)',
      );
  });

  it('changes only the defaults on the namespace stream', () => {
    const next = defaults({ requestCpuMillis: 200 });
    given(history())
      .when({ type: 'ChangeNamespaceQuota', clusterId: 'prod', name: 'web', quotaCpuMillis: 2000, quotaMemoryBytes: 4 * GiB, defaults: next })
      .then({ [web]: [quotaChanged({ defaults: next, generation: 2 })] });
  });

  it('refuses a smaller quota that the kept defaults no longer fit', () => {
    given(history())
      .when({ type: 'ChangeNamespaceQuota', clusterId: 'prod', name: 'web', quotaCpuMillis: 400, quotaMemoryBytes: 4 * GiB })
      .thenError('invalid', 'defaults.limitCpuMillis: default cpu limit 0.5 cores exceeds the namespace quota 0.4 cores');
  });

  it('records nothing when unchanged', () => {
    given(history())
      .when({ type: 'ChangeNamespaceQuota', clusterId: 'prod', name: 'web', quotaCpuMillis: 2000, quotaMemoryBytes: 4 * GiB, defaults: defaults() })
      .thenNothing();
  });

  it('refuses an unknown or deleted namespace', () => {
    const cmd = { type: 'ChangeNamespaceQuota', clusterId: 'prod', name: 'web', quotaCpuMillis: 1000, quotaMemoryBytes: GiB } as const;
    given({ [prod]: cluster() }).when(cmd).thenError('not_found', 'name: namespace "web" does not exist on cluster "prod"');
    given({ [prod]: cluster(), [web]: [nsCreated(), nsDeleted()] }).when(cmd).thenError('not_found');
  });
});

describe('DeleteNamespace', () => {
  it('deletes the namespace and releases its allocation', () => {
    given({ [prod]: cluster(clAllocated('web', 'team-a', 2000, 4 * GiB)), [web]: [nsCreated(), provisioned(1)] })
      .when({ type: 'DeleteNamespace', clusterId: 'prod', name: 'web' })
      .then({ [web]: [nsDeleted()], [prod]: [clReleased('web', 'team-a')] });
  });

  it('frees the quota for other namespaces of the binding', () => {
    given({ [prod]: cluster(clAllocated('api', 'team-a', 8000, 16 * GiB), clReleased('api', 'team-a')) })
      .when(createCmd({ quotaCpuMillis: 8000, quotaMemoryBytes: 16 * GiB }))
      .then({ [web]: [nsCreated({ quotaCpuMillis: 8000, quotaMemoryBytes: 16 * GiB })], [prod]: [clAllocated('web', 'team-a', 8000, 16 * GiB)] });
  });

  it('refuses an unknown or already deleted namespace', () => {
    given({ [prod]: cluster() }).when({ type: 'DeleteNamespace', clusterId: 'prod', name: 'web' }).thenError('not_found');
    given({ [prod]: cluster(), [web]: [nsCreated(), nsDeleted()] })
      .when({ type: 'DeleteNamespace', clusterId: 'prod', name: 'web' })
      .thenError('not_found');
  });
});

describe('RecordNamespaceProvisioned', () => {
  const cmd = (generation: number) => ({ type: 'RecordNamespaceProvisioned', clusterId: 'prod', name: 'web', generation }) as const;

  it('records the outcome for the current generation', () => {
    given({ [web]: [nsCreated()] }).when(cmd(1)).then({ [web]: [provisioned(1)] });
    given({ [web]: [nsCreated(), failed(1, 'quota rejected')] }).when(cmd(1)).then({ [web]: [provisioned(1)] });
  });

  it('records nothing when already recorded for that generation', () => {
    given({ [web]: [nsCreated(), provisioned(1)] }).when(cmd(1)).thenNothing();
  });

  it('records nothing for an older generation or a deleted namespace', () => {
    given({ [web]: [nsCreated(), quotaChanged({ generation: 2 })] }).when(cmd(1)).thenNothing();
    given({ [web]: [nsCreated(), nsDeleted()] }).when(cmd(1)).thenNothing();
  });

  it('refuses a generation the namespace has not reached, and an unknown namespace', () => {
    given({ [web]: [nsCreated()] }).when(cmd(2)).thenError('invalid', 'generation: namespace "web" is at generation 1, not 2');
    given({ [web]: [nsCreated()] }).when(cmd(0)).thenError('invalid', 'generation: must be a positive integer, got 0');
    given().when(cmd(1)).thenError('not_found');
  });
});

describe('RecordNamespaceProvisioningFailed', () => {
  const cmd = (generation: number, reason: string) =>
    ({ type: 'RecordNamespaceProvisioningFailed', clusterId: 'prod', name: 'web', generation, reason }) as const;

  it('records a failure, and a failure with a new reason', () => {
    given({ [web]: [nsCreated()] }).when(cmd(1, 'connection refused')).then({ [web]: [failed(1, 'connection refused')] });
    given({ [web]: [nsCreated(), failed(1, 'connection refused')] }).when(cmd(1, 'forbidden')).then({ [web]: [failed(1, 'forbidden')] });
    given({ [web]: [nsCreated(), provisioned(1)] }).when(cmd(1, 'namespace deleted out of band')).then({ [web]: [failed(1, 'namespace deleted out of band')] });
  });

  it('records nothing when the same failure is reported again, or for an older generation', () => {
    given({ [web]: [nsCreated(), failed(1, 'connection refused')] }).when(cmd(1, 'connection refused')).thenNothing();
    given({ [web]: [nsCreated(), quotaChanged({ generation: 2 })] }).when(cmd(1, 'x')).thenNothing();
  });

  it('refuses an empty reason and cuts an overlong one', () => {
    given({ [web]: [nsCreated()] }).when(cmd(1, ' ')).thenError('invalid', 'reason: Required value');
    const decision = given({ [web]: [nsCreated()] }).when(cmd(1, 'x'.repeat(5000))).decision();
    const event = decision[web][0];
    expect(event.type === 'NamespaceProvisioningFailed' && [...event.data.reason].length).toBe(1000);
  });
});

describe('namespace state', () => {
  it('moves pending → failed → ready → pending (on change) → deleted, keeping the last reason', () => {
    expect(fold(web, [nsCreated()])).toMatchObject({ status: 'pending', generation: 1, lastReason: null });
    expect(fold(web, [nsCreated(), failed(1, 'boom')])).toMatchObject({ status: 'failed', lastReason: 'boom' });
    expect(fold(web, [nsCreated(), failed(1, 'boom'), quotaChanged({ generation: 2 })])).toMatchObject({
      status: 'pending',
      generation: 2,
      lastReason: 'boom',
    });
    expect(fold(web, [nsCreated(), failed(1, 'boom'), provisioned(1)])).toMatchObject({ status: 'ready', lastReason: null });
    expect(fold(web, [nsCreated(), quotaChanged({ generation: 2 }), provisioned(1)])).toMatchObject({ status: 'pending', generation: 2 });
    expect(fold(web, [nsCreated(), nsDeleted()])).toEqual({ status: 'deleted', clusterId: 'prod', name: 'web', workspaceId: 'team-a', generation: 1 });
  });
});

// ---- factories ----

function defaults(overrides: Partial<ContainerDefaults> = {}): ContainerDefaults {
  return { requestCpuMillis: 100, requestMemoryBytes: 128 * MiB, limitCpuMillis: 500, limitMemoryBytes: 512 * MiB, ...overrides };
}

function createCmd(overrides: Partial<CreateNamespace> = {}): CreateNamespace {
  return {
    type: 'CreateNamespace',
    clusterId: 'prod',
    name: 'web',
    workspaceId: 'team-a',
    quotaCpuMillis: 2000,
    quotaMemoryBytes: 4 * GiB,
    defaults: defaults(),
    ...overrides,
  };
}

type NamespaceData = Extract<NamespaceEvent, { type: 'NamespaceCreated' }>['data'];

function nsData(overrides: Partial<NamespaceData>): NamespaceData {
  return {
    clusterId: 'prod',
    name: 'web',
    workspaceId: 'team-a',
    quotaCpuMillis: 2000,
    quotaMemoryBytes: 4 * GiB,
    defaults: defaults(),
    generation: 1,
    ...overrides,
  };
}

function nsCreated(overrides: Partial<NamespaceData> = {}): NamespaceEvent {
  return { type: 'NamespaceCreated', data: nsData(overrides) };
}

function quotaChanged(overrides: Partial<NamespaceData> = {}): NamespaceEvent {
  return { type: 'NamespaceQuotaChanged', data: nsData(overrides) };
}

function nsDeleted(): NamespaceEvent {
  return { type: 'NamespaceDeleted', data: { clusterId: 'prod', name: 'web', workspaceId: 'team-a' } };
}

function provisioned(generation: number): NamespaceEvent {
  return { type: 'NamespaceProvisioned', data: { clusterId: 'prod', name: 'web', generation } };
}

function failed(generation: number, reason: string): NamespaceEvent {
  return { type: 'NamespaceProvisioningFailed', data: { clusterId: 'prod', name: 'web', generation, reason } };
}

function clusterRegistered(): ClusterEvent {
  return {
    type: 'ClusterRegistered',
    data: {
      clusterId: 'prod',
      displayName: 'Production',
      server: 'https://prod.example.com:6443',
      contextName: 'prod',
      credentialRef: 'cred-prod',
      credentialFingerprint: 'sha256:ab12',
      inventory: { kubernetesVersion: 'v1.31.2', nodeCount: 3, allocatableCpuMillis: 16_000, allocatableMemoryBytes: 64 * GiB },
      cpuRatio: 1,
      memoryRatio: 1,
    },
  };
}

function clBound(workspaceId: string, cpuMillis: number, memoryBytes: number): ClusterEvent {
  return { type: 'ClusterResourcesBound', data: { clusterId: 'prod', workspaceId, cpuMillis, memoryBytes } };
}

function clAllocated(namespace: string, workspaceId: string, cpuMillis: number, memoryBytes: number): ClusterEvent {
  return { type: 'ClusterNamespaceAllocated', data: { clusterId: 'prod', namespace, workspaceId, cpuMillis, memoryBytes } };
}

function clReleased(namespace: string, workspaceId: string): ClusterEvent {
  return { type: 'ClusterNamespaceReleased', data: { clusterId: 'prod', namespace, workspaceId } };
}
