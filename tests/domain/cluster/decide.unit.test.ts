import { describe, expect, it } from 'vitest';
import type { RegisterCluster } from '../../../domain/cluster/decide';
import type { ClusterEvent, ClusterInventory } from '../../../domain/cluster/events';
import { DNS1123_LABEL_ERROR } from '../../../domain/names';
import { streamIds } from '../../../domain/streams';
import { fold, GiB, given } from '../spec';

const prod = streamIds.cluster('prod');

describe('RegisterCluster', () => {
  it('registers with default over-commit ratios 1/1', () => {
    given()
      .when(registerCmd())
      .then({ [prod]: [registered()] });
  });

  it('refuses a cluster already registered', () => {
    given({ [prod]: [registered()] })
      .when(registerCmd())
      .thenError('already_exists', 'clusterId: cluster "prod" is already registered');
  });

  it('registers again after removal, continuing the same stream', () => {
    given({ [prod]: [registered(), removed()] })
      .when(registerCmd({ credentialRef: 'cred-2' }))
      .then({ [prod]: [registered({ credentialRef: 'cred-2' })] });
  });

  it('refuses an id that is not a DNS label, in Kubernetes words', () => {
    given()
      .when(registerCmd({ clusterId: 'Prod_1' }))
      .thenError('invalid', `clusterId: Invalid value: "Prod_1": ${DNS1123_LABEL_ERROR}`);
  });

  it('refuses a server URL that carries credentials, or is not an http(s) URL', () => {
    given()
      .when(registerCmd({ server: 'https://admin:secret@k8s.example.com:6443' }))
      .thenError('invalid', /^server: must not carry credentials/);
    given().when(registerCmd({ server: 'k8s.example.com' })).thenError('invalid', 'server: "k8s.example.com" is not a URL');
    given().when(registerCmd({ server: 'ftp://k8s.example.com' })).thenError('invalid', /^server: must be an http\(s\) URL/);
  });

  it('refuses an invalid inventory or missing fields, naming the field', () => {
    given()
      .when(registerCmd({ inventory: inventory({ allocatableCpuMillis: -1 }) }))
      .thenError('invalid', 'inventory.allocatableCpuMillis: must be a non-negative integer, got -1');
    given().when(registerCmd({ contextName: '' })).thenError('invalid', 'contextName: Required value');
    given().when(registerCmd({ displayName: '' })).thenError('invalid', 'displayName: Required value');
  });
});

describe('RefreshClusterInventory', () => {
  it('records a changed inventory', () => {
    given({ [prod]: [registered()] })
      .when({ type: 'RefreshClusterInventory', clusterId: 'prod', inventory: inventory({ nodeCount: 4 }) })
      .then({ [prod]: [inventoryRefreshed(inventory({ nodeCount: 4 }))] });
  });

  it('records nothing when the inventory is unchanged', () => {
    given({ [prod]: [registered()] })
      .when({ type: 'RefreshClusterInventory', clusterId: 'prod', inventory: inventory() })
      .thenNothing();
  });

  it('records a shrunken inventory even when it leaves the cluster over-bound (a fact about nodes)', () => {
    const smaller = inventory({ allocatableCpuMillis: 2000 });
    given({ [prod]: [registered(), bound('team-a', 6000, 8 * GiB)] })
      .when({ type: 'RefreshClusterInventory', clusterId: 'prod', inventory: smaller })
      .then({ [prod]: [inventoryRefreshed(smaller)] });
  });

  it('refuses an unknown or removed cluster', () => {
    given()
      .when({ type: 'RefreshClusterInventory', clusterId: 'prod', inventory: inventory() })
      .thenError('not_found', 'clusterId: cluster "prod" is not registered');
    given({ [prod]: [registered(), removed()] })
      .when({ type: 'RefreshClusterInventory', clusterId: 'prod', inventory: inventory() })
      .thenError('not_found');
  });
});

describe('SetClusterOvercommit', () => {
  it('sets the ratios', () => {
    given({ [prod]: [registered()] })
      .when({ type: 'SetClusterOvercommit', clusterId: 'prod', cpuRatio: 1.5, memoryRatio: 1.25 })
      .then({ [prod]: [overcommitSet(1.5, 1.25)] });
  });

  it('records nothing when the ratios are unchanged', () => {
    given({ [prod]: [registered(), overcommitSet(2, 1)] })
      .when({ type: 'SetClusterOvercommit', clusterId: 'prod', cpuRatio: 2, memoryRatio: 1 })
      .thenNothing();
  });

  it.each([
    [0.5, 'cpuRatio: over-commit ratio must be between 1 and 10, got 0.5'],
    [10.5, 'cpuRatio: over-commit ratio must be between 1 and 10, got 10.5'],
    [1.255, 'cpuRatio: over-commit ratio must have at most 2 decimals, got 1.255'],
    [Number.NaN, 'cpuRatio: must be a number, got NaN'],
  ])('refuses cpu ratio %d', (cpuRatio, message) => {
    given({ [prod]: [registered()] })
      .when({ type: 'SetClusterOvercommit', clusterId: 'prod', cpuRatio, memoryRatio: 1 })
      .thenError('invalid', message);
  });

  it('accepts the bounds 1 and 10', () => {
    given({ [prod]: [registered(), overcommitSet(2, 2)] })
      .when({ type: 'SetClusterOvercommit', clusterId: 'prod', cpuRatio: 1, memoryRatio: 10 })
      .then({ [prod]: [overcommitSet(1, 10)] });
  });

  it('refuses a ratio whose bindable capacity falls below what is bound, with the numbers', () => {
    // allocatable 8 cores × 1.2 = 9.6 < 10 bound
    given({ [prod]: [registered(), overcommitSet(2, 1), bound('team-a', 6000, GiB), bound('team-b', 4000, GiB)] })
      .when({ type: 'SetClusterOvercommit', clusterId: 'prod', cpuRatio: 1.2, memoryRatio: 1 })
      .thenError(
        'conflict',
        'cpuRatio: over-commit 1.2 would make cpu bindable on cluster "prod" 9.6 cores (allocatable 8 × 1.2), below the 10 cores already bound',
      );
  });

  it('refuses lowering the memory ratio below what is bound', () => {
    given({ [prod]: [registered(), overcommitSet(1, 2), bound('team-a', 1000, 50 * GiB)] })
      .when({ type: 'SetClusterOvercommit', clusterId: 'prod', cpuRatio: 1, memoryRatio: 1.5 })
      .thenError(
        'conflict',
        'memoryRatio: over-commit 1.5 would make memory bindable on cluster "prod" 48Gi (allocatable 32Gi × 1.5), below the 50Gi already bound',
      );
  });

  it('allows lowering to exactly what is bound, and raising on an over-bound cluster', () => {
    given({ [prod]: [registered(), overcommitSet(2, 1), bound('team-a', 12_000, GiB)] })
      .when({ type: 'SetClusterOvercommit', clusterId: 'prod', cpuRatio: 1.5, memoryRatio: 1 })
      .then({ [prod]: [overcommitSet(1.5, 1)] });
    const shrunk = inventory({ allocatableCpuMillis: 2000 });
    given({ [prod]: [registered(), bound('team-a', 6000, GiB), inventoryRefreshed(shrunk)] })
      .when({ type: 'SetClusterOvercommit', clusterId: 'prod', cpuRatio: 2, memoryRatio: 1 })
      .then({ [prod]: [overcommitSet(2, 1)] });
  });
});

describe('RemoveCluster', () => {
  it('removes an unused cluster, naming the credentials to destroy', () => {
    given({ [prod]: [registered()] })
      .when({ type: 'RemoveCluster', clusterId: 'prod' })
      .then({ [prod]: [removed()] });
  });

  it('removes a cluster whose bindings and namespaces are all gone', () => {
    given({
      [prod]: [
        registered(),
        bound('team-a', 1000, GiB),
        allocated('web', 'team-a', 500, GiB),
        released('web', 'team-a'),
        { type: 'ClusterBindingRemoved', data: { clusterId: 'prod', workspaceId: 'team-a' } },
      ],
    })
      .when({ type: 'RemoveCluster', clusterId: 'prod' })
      .then({ [prod]: [removed()] });
  });

  it('refuses while namespaces and bindings use it, naming them', () => {
    given({
      [prod]: [
        registered(),
        bound('team-b', 1000, GiB),
        bound('team-a', 1000, GiB),
        allocated('web', 'team-a', 500, GiB),
        allocated('api', 'team-a', 500, GiB),
      ],
    })
      .when({ type: 'RemoveCluster', clusterId: 'prod' })
      .thenError(
        'conflict',
        'clusterId: cluster "prod" is still in use: namespaces api, web (delete them first); bindings of workspaces team-a, team-b (unbind first)',
      );
  });

  it('refuses while only bindings remain', () => {
    given({ [prod]: [registered(), bound('team-a', 1000, GiB)] })
      .when({ type: 'RemoveCluster', clusterId: 'prod' })
      .thenError('conflict', 'clusterId: cluster "prod" is still in use: bindings of workspaces team-a (unbind first)');
  });

  it('refuses an unknown or already removed cluster', () => {
    given().when({ type: 'RemoveCluster', clusterId: 'prod' }).thenError('not_found');
    given({ [prod]: [registered(), removed()] })
      .when({ type: 'RemoveCluster', clusterId: 'prod' })
      .thenError('not_found');
  });
});

describe('cluster state', () => {
  it('folds registration, ratios, bindings and namespace allocations', () => {
    const state = fold(prod, [
      registered(),
      overcommitSet(1.5, 1),
      bound('team-a', 4000, 8 * GiB),
      { type: 'ClusterBindingChanged', data: { clusterId: 'prod', workspaceId: 'team-a', cpuMillis: 5000, memoryBytes: 8 * GiB } },
      allocated('web', 'team-a', 1000, GiB),
      { type: 'ClusterNamespaceAllocationChanged', data: { clusterId: 'prod', namespace: 'web', workspaceId: 'team-a', cpuMillis: 2000, memoryBytes: GiB } },
    ]);
    expect(state.status).toBe('registered');
    if (state.status !== 'registered') return;
    expect(state.cpuRatio).toBe(1.5);
    expect(state.bindings.get('team-a')).toEqual({ cpuMillis: 5000, memoryBytes: 8 * GiB });
    expect(state.namespaces.get('web')).toEqual({ workspaceId: 'team-a', cpuMillis: 2000, memoryBytes: GiB });
  });

  it('does not see Object.prototype names as bindings or namespaces', () => {
    given({ [prod]: [registered(), bound('constructor', 1000, GiB)] })
      .when({ type: 'RemoveCluster', clusterId: 'prod' })
      .thenError('conflict', 'clusterId: cluster "prod" is still in use: bindings of workspaces constructor (unbind first)');
    const state = fold(prod, [registered()]);
    if (state.status !== 'registered') throw new Error('expected registered');
    expect(state.bindings.has('constructor')).toBe(false);
  });
});

// ---- factories ----

function inventory(overrides: Partial<ClusterInventory> = {}): ClusterInventory {
  return {
    kubernetesVersion: 'v1.31.2',
    nodeCount: 3,
    allocatableCpuMillis: 8000,
    allocatableMemoryBytes: 32 * GiB,
    ...overrides,
  };
}

function registerCmd(overrides: Partial<RegisterCluster> = {}): RegisterCluster {
  return {
    type: 'RegisterCluster',
    clusterId: 'prod',
    displayName: 'Production',
    server: 'https://k8s.example.com:6443',
    contextName: 'prod-admin',
    credentialRef: 'cred-1',
    credentialFingerprint: 'sha256:ab12',
    inventory: inventory(),
    ...overrides,
  };
}

function registered(overrides: Partial<Omit<RegisterCluster, 'type'>> = {}): ClusterEvent {
  const { type: _type, ...cmd } = registerCmd(overrides);
  return { type: 'ClusterRegistered', data: { ...cmd, cpuRatio: 1, memoryRatio: 1 } };
}

function removed(credentialRef = 'cred-1'): ClusterEvent {
  return { type: 'ClusterRemoved', data: { clusterId: 'prod', credentialRef } };
}

function inventoryRefreshed(inv: ClusterInventory): ClusterEvent {
  return { type: 'ClusterInventoryRefreshed', data: { clusterId: 'prod', inventory: inv } };
}

function overcommitSet(cpuRatio: number, memoryRatio: number): ClusterEvent {
  return { type: 'ClusterOvercommitSet', data: { clusterId: 'prod', cpuRatio, memoryRatio } };
}

function bound(workspaceId: string, cpuMillis: number, memoryBytes: number): ClusterEvent {
  return { type: 'ClusterResourcesBound', data: { clusterId: 'prod', workspaceId, cpuMillis, memoryBytes } };
}

function allocated(namespace: string, workspaceId: string, cpuMillis: number, memoryBytes: number): ClusterEvent {
  return { type: 'ClusterNamespaceAllocated', data: { clusterId: 'prod', namespace, workspaceId, cpuMillis, memoryBytes } };
}

function released(namespace: string, workspaceId: string): ClusterEvent {
  return { type: 'ClusterNamespaceReleased', data: { clusterId: 'prod', namespace, workspaceId } };
}
