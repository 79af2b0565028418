import { describe, expect, it } from 'vitest';
import type { ClusterEvent } from '../../../domain/cluster/events';
import { streamIds } from '../../../domain/streams';
import type { WorkspaceEvent } from '../../../domain/workspace/events';
import { fold, GiB, given, histories } from '../spec';

const teamA = streamIds.workspace('team-a');
const prod = streamIds.cluster('prod');
const dev = streamIds.cluster('dev');

describe('CreateWorkspace', () => {
  it('creates a workspace with its ceiling', () => {
    given()
      .when(createCmd())
      .then({ [teamA]: [created()] });
  });

  it('refuses a workspace that exists', () => {
    given({ [teamA]: [created()] })
      .when(createCmd())
      .thenError('already_exists', 'workspaceId: workspace "team-a" already exists');
  });

  it('creates again after deletion, continuing the same stream', () => {
    given({ [teamA]: [created(), deleted()] })
      .when(createCmd({ ceilingCpuMillis: 1000 }))
      .then({ [teamA]: [created({ ceilingCpuMillis: 1000 })] });
  });

  it('refuses invalid fields, naming them', () => {
    given().when(createCmd({ workspaceId: 'Team A' })).thenError('invalid', /^workspaceId: Invalid value: "Team A": a lowercase RFC 1123 label/);
    given().when(createCmd({ displayName: ' ' })).thenError('invalid', 'displayName: must not be blank');
    given().when(createCmd({ ceilingCpuMillis: -5 })).thenError('invalid', 'ceilingCpuMillis: must be a non-negative integer, got -5');
    given().when(createCmd({ ceilingMemoryBytes: 1.5 })).thenError('invalid', 'ceilingMemoryBytes: must be a non-negative integer, got 1.5');
  });
});

describe('ChangeWorkspaceCeiling', () => {
  it('changes the ceiling', () => {
    given({ [teamA]: [created()] })
      .when({ type: 'ChangeWorkspaceCeiling', workspaceId: 'team-a', ceilingCpuMillis: 30_000, ceilingMemoryBytes: 64 * GiB })
      .then({ [teamA]: [ceilingChanged(30_000, 64 * GiB)] });
  });

  it('records nothing when unchanged', () => {
    given({ [teamA]: [created()] })
      .when({ type: 'ChangeWorkspaceCeiling', workspaceId: 'team-a', ceilingCpuMillis: 20_000, ceilingMemoryBytes: 64 * GiB })
      .thenNothing();
  });

  it('refuses a ceiling below the bound sum, with the numbers', () => {
    given({ [teamA]: [created(), wsBound('prod', 4000, 8 * GiB), wsBound('dev', 2500, 4 * GiB)] })
      .when({ type: 'ChangeWorkspaceCeiling', workspaceId: 'team-a', ceilingCpuMillis: 6000, ceilingMemoryBytes: 64 * GiB })
      .thenError(
        'conflict',
        'ceilingCpuMillis: cpu ceiling 6 cores of workspace "team-a" is below the 6.5 cores bound to clusters (dev 2.5, prod 4)',
      );
    given({ [teamA]: [created(), wsBound('prod', 4000, 8 * GiB), wsBound('dev', 2500, 4 * GiB)] })
      .when({ type: 'ChangeWorkspaceCeiling', workspaceId: 'team-a', ceilingCpuMillis: 6500, ceilingMemoryBytes: 8 * GiB })
      .thenError(
        'conflict',
        'ceilingMemoryBytes: memory ceiling 8Gi of workspace "team-a" is below the 12Gi bound to clusters (dev 4Gi, prod 8Gi)',
      );
  });

  it('allows a ceiling equal to the bound sum', () => {
    given({ [teamA]: [created(), wsBound('prod', 4000, 8 * GiB)] })
      .when({ type: 'ChangeWorkspaceCeiling', workspaceId: 'team-a', ceilingCpuMillis: 4000, ceilingMemoryBytes: 8 * GiB })
      .then({ [teamA]: [ceilingChanged(4000, 8 * GiB)] });
  });

  it('refuses an unknown or deleted workspace', () => {
    given()
      .when({ type: 'ChangeWorkspaceCeiling', workspaceId: 'team-a', ceilingCpuMillis: 1, ceilingMemoryBytes: 1 })
      .thenError('not_found', 'workspaceId: workspace "team-a" does not exist');
    given({ [teamA]: [created(), deleted()] })
      .when({ type: 'ChangeWorkspaceCeiling', workspaceId: 'team-a', ceilingCpuMillis: 1, ceilingMemoryBytes: 1 })
      .thenError('not_found');
  });
});

describe('DeleteWorkspace', () => {
  it('deletes a workspace without bindings', () => {
    given({ [teamA]: [created(), wsBound('prod', 1000, GiB), wsUnbound('prod')] })
      .when({ type: 'DeleteWorkspace', workspaceId: 'team-a' })
      .then({ [teamA]: [deleted()] });
  });

  it('refuses while it has bindings, naming the clusters', () => {
    given({ [teamA]: [created(), wsBound('prod', 1000, GiB), wsBound('dev', 1000, GiB)] })
      .when({ type: 'DeleteWorkspace', workspaceId: 'team-a' })
      .thenError('conflict', 'workspaceId: workspace "team-a" still has bindings on clusters dev, prod (unbind first)');
  });

  it('refuses an unknown workspace', () => {
    given().when({ type: 'DeleteWorkspace', workspaceId: 'team-a' }).thenError('not_found');
  });
});

describe('BindClusterResources', () => {
  const world = () => ({ [teamA]: [created()], [prod]: [clusterRegistered('prod')] });

  it('binds to both streams', () => {
    given(world())
      .when(bindCmd(4000, 8 * GiB))
      .then({ [teamA]: [wsBound('prod', 4000, 8 * GiB)], [prod]: [clBound('team-a', 4000, 8 * GiB)] });
  });

  it('binds exactly the room left on the cluster and under the ceiling', () => {
    given({ [teamA]: [created({ ceilingCpuMillis: 8000, ceilingMemoryBytes: 32 * GiB })], [prod]: [clusterRegistered('prod')] })
      .when(bindCmd(8000, 32 * GiB))
      .then({ [teamA]: [wsBound('prod', 8000, 32 * GiB)], [prod]: [clBound('team-a', 8000, 32 * GiB)] });
  });

  it('refuses a second binding of the same workspace on the cluster', () => {
    given(histories(world(), { [teamA]: [wsBound('prod', 1000, GiB)], [prod]: [clBound('team-a', 1000, GiB)] }))
      .when(bindCmd(1000, GiB))
      .thenError('already_exists', 'clusterId: workspace "team-a" is already bound to cluster "prod" (change the binding instead)');
  });

  it('refuses when the cluster lacks bindable cpu, with the numbers', () => {
    // allocatable 8 × over-commit 1.5 = 12 cores, 9.5 bound by others: 2.5 left
    given({
      [teamA]: [created()],
      [prod]: [clusterRegistered('prod'), overcommit('prod', 1.5, 1), clBound('team-b', 6000, GiB), clBound('team-c', 3500, GiB)],
    })
      .when(bindCmd(4000, GiB))
      .thenError(
        'insufficient_capacity',
        'cpu: requested 4 cores but cluster "prod" has 2.5 cores bindable left (allocatable 8 × over-commit 1.5 = 12, bound 9.5)',
      );
  });

  it('refuses when the cluster lacks bindable memory, with the numbers', () => {
    given({ [teamA]: [created()], [prod]: [clusterRegistered('prod'), clBound('team-b', 1000, 30 * GiB)] })
      .when(bindCmd(1000, 4 * GiB))
      .thenError(
        'insufficient_capacity',
        'memory: requested 4Gi but cluster "prod" has 2Gi bindable left (allocatable 32Gi × over-commit 1 = 32Gi, bound 30Gi)',
      );
  });

  it('reports no room (not negative room) on a cluster over-bound after its nodes shrank', () => {
    given({
      [teamA]: [created()],
      [prod]: [clusterRegistered('prod'), clBound('team-b', 6000, GiB), inventoryShrunk('prod', 4000)],
    })
      .when(bindCmd(1000, GiB))
      .thenError(
        'insufficient_capacity',
        'cpu: requested 1 core but cluster "prod" has 0 cores bindable left (allocatable 4 × over-commit 1 = 4, bound 6)',
      );
  });

  it('refuses when the workspace ceiling lacks room, with the numbers', () => {
    given({
      [teamA]: [created({ ceilingCpuMillis: 10_000 }), wsBound('dev', 7000, GiB)],
      [prod]: [clusterRegistered('prod')],
    })
      .when(bindCmd(4000, GiB))
      .thenError(
        'insufficient_capacity',
        'cpu: requested 4 cores but workspace "team-a" has 3 cores left under its ceiling (ceiling 10, bound 7)',
      );
  });

  it('refuses an unknown workspace or cluster', () => {
    given({ [prod]: [clusterRegistered('prod')] }).when(bindCmd(1000, GiB)).thenError('not_found', 'workspaceId: workspace "team-a" does not exist');
    given({ [teamA]: [created()] }).when(bindCmd(1000, GiB)).thenError('not_found', 'clusterId: cluster "prod" is not registered');
  });

  it('refuses invalid quantities', () => {
    given(world()).when(bindCmd(-1, GiB)).thenError('invalid', 'cpuMillis: must be a non-negative integer, got -1');
  });

  it('appends to the cluster stream, so concurrent binds on one cluster conflict on its revision', () => {
    const other = streamIds.workspace('team-b');
    const history = { [teamA]: [created()], [other]: [created({ workspaceId: 'team-b' })], [prod]: [clusterRegistered('prod')] };
    const a = given(history).when(bindCmd(6000, GiB)).decision();
    const b = given(history).when({ ...bindCmd(6000, GiB), workspaceId: 'team-b' }).decision();
    // Each fits alone (8 cores); together they would not. Both write the cluster stream, which the
    // handler appends with its expected revision: the second append fails and is re-decided.
    expect(Object.keys(a)).toContain(prod);
    expect(Object.keys(b)).toContain(prod);
    given(histories(history, a))
      .when({ ...bindCmd(6000, GiB), workspaceId: 'team-b' })
      .thenError('insufficient_capacity', /^cpu: requested 6 cores but cluster "prod" has 2 cores bindable left/);
  });
});

describe('ChangeClusterBinding', () => {
  const world = (...clusterEvents: ClusterEvent[]) => ({
    [teamA]: [created({ ceilingCpuMillis: 10_000 }), wsBound('prod', 4000, 8 * GiB)],
    [prod]: [clusterRegistered('prod'), clBound('team-a', 4000, 8 * GiB), ...clusterEvents],
  });

  it('grows a binding on both streams', () => {
    given(world())
      .when(changeCmd(6000, 8 * GiB))
      .then({ [teamA]: [wsChanged('prod', 6000, 8 * GiB)], [prod]: [clChanged('team-a', 6000, 8 * GiB)] });
  });

  it('shrinks a binding down to what its namespaces hold', () => {
    given(world(allocated('web', 'team-a', 2000, 4 * GiB)))
      .when(changeCmd(2000, 4 * GiB))
      .then({ [teamA]: [wsChanged('prod', 2000, 4 * GiB)], [prod]: [clChanged('team-a', 2000, 4 * GiB)] });
  });

  it('records nothing when unchanged', () => {
    given(world()).when(changeCmd(4000, 8 * GiB)).thenNothing();
  });

  it('refuses shrinking below what its namespaces hold, with the numbers', () => {
    given(world(allocated('web', 'team-a', 2000, 4 * GiB), allocated('api', 'team-a', 1500, GiB), allocated('x', 'team-b', 9000, GiB)))
      .when(changeCmd(3000, 8 * GiB))
      .thenError(
        'conflict',
        'cpu: cannot shrink the binding of workspace "team-a" on cluster "prod" to 3 cores: its namespaces hold 3.5 cores (api 1.5, web 2)',
      );
    given(world(allocated('web', 'team-a', 2000, 4 * GiB)))
      .when(changeCmd(4000, 2 * GiB))
      .thenError(
        'conflict',
        'memory: cannot shrink the binding of workspace "team-a" on cluster "prod" to 2Gi: its namespaces hold 4Gi (web 4Gi)',
      );
  });

  it('refuses growth beyond the cluster, counting only other workspaces', () => {
    given(world(clBound('team-b', 3000, GiB)))
      .when(changeCmd(6000, 8 * GiB))
      .thenError(
        'insufficient_capacity',
        'cpu: requested 6 cores but cluster "prod" has 5 cores bindable left (allocatable 8 × over-commit 1 = 8, bound to other workspaces 3)',
      );
  });

  it('refuses growth beyond the ceiling, counting only other clusters', () => {
    given({
      [teamA]: [created({ ceilingCpuMillis: 10_000 }), wsBound('prod', 4000, 8 * GiB), wsBound('dev', 5000, GiB)],
      [prod]: [clusterRegistered('prod'), clBound('team-a', 4000, 8 * GiB)],
    })
      .when(changeCmd(6000, 8 * GiB))
      .thenError(
        'insufficient_capacity',
        'cpu: requested 6 cores but workspace "team-a" has 5 cores left under its ceiling (ceiling 10, bound on other clusters 5)',
      );
  });

  it('allows shrinking on an over-bound cluster', () => {
    given(world(clBound('team-b', 4000, GiB), inventoryShrunk('prod', 4000)))
      .when(changeCmd(3000, 8 * GiB))
      .then({ [teamA]: [wsChanged('prod', 3000, 8 * GiB)], [prod]: [clChanged('team-a', 3000, 8 * GiB)] });
  });

  it('refuses when there is no binding', () => {
    given({ [teamA]: [created()], [dev]: [clusterRegistered('dev')] })
      .when({ ...changeCmd(1000, GiB), clusterId: 'dev' })
      .thenError('not_found', 'clusterId: workspace "team-a" has no binding on cluster "dev"');
  });
});

describe('RemoveClusterBinding', () => {
  const remove = { type: 'RemoveClusterBinding', workspaceId: 'team-a', clusterId: 'prod' } as const;

  it('removes the binding from both streams', () => {
    given({
      [teamA]: [created(), wsBound('prod', 4000, 8 * GiB)],
      [prod]: [clusterRegistered('prod'), clBound('team-a', 4000, 8 * GiB), allocated('web', 'team-a', 1000, GiB), released('web', 'team-a')],
    })
      .when(remove)
      .then({ [teamA]: [wsUnbound('prod')], [prod]: [{ type: 'ClusterBindingRemoved', data: { clusterId: 'prod', workspaceId: 'team-a' } }] });
  });

  it("refuses while the workspace's namespaces exist on the cluster, naming them", () => {
    given({
      [teamA]: [created(), wsBound('prod', 4000, 8 * GiB)],
      [prod]: [
        clusterRegistered('prod'),
        clBound('team-a', 4000, 8 * GiB),
        allocated('web', 'team-a', 1000, GiB),
        allocated('db', 'team-a', 1000, GiB),
        allocated('other', 'team-b', 1000, GiB),
      ],
    })
      .when(remove)
      .thenError('conflict', 'clusterId: workspace "team-a" still has namespaces on cluster "prod": db, web (delete them first)');
  });

  it('refuses when there is no binding', () => {
    given({ [teamA]: [created()], [prod]: [clusterRegistered('prod')] })
      .when(remove)
      .thenError('not_found', 'clusterId: workspace "team-a" has no binding on cluster "prod"');
  });
});

describe('workspace state', () => {
  it('folds ceiling and bindings by cluster', () => {
    const state = fold(teamA, [created(), wsBound('prod', 4000, GiB), wsChanged('prod', 5000, GiB), wsBound('dev', 1000, GiB), wsUnbound('dev')]);
    expect(state).toMatchObject({ status: 'active', ceiling: { cpuMillis: 20_000, memoryBytes: 64 * GiB } });
    if (state.status !== 'active' || !('bindings' in state)) throw new Error('expected an active workspace');
    expect([...state.bindings]).toEqual([['prod', { cpuMillis: 5000, memoryBytes: GiB }]]);
    expect(fold(teamA, [created(), deleted()])).toEqual({ status: 'deleted', workspaceId: 'team-a' });
  });
});

// ---- factories ----

type CreateCmd = Extract<Parameters<ReturnType<typeof given>['when']>[0], { type: 'CreateWorkspace' }>;

function createCmd(overrides: Partial<CreateCmd> = {}): CreateCmd {
  return {
    type: 'CreateWorkspace',
    workspaceId: 'team-a',
    displayName: 'Team A',
    description: 'Payments',
    ceilingCpuMillis: 20_000,
    ceilingMemoryBytes: 64 * GiB,
    ...overrides,
  };
}

function created(overrides: Partial<Omit<CreateCmd, 'type'>> = {}): WorkspaceEvent {
  const { type: _type, ...data } = createCmd(overrides);
  return { type: 'WorkspaceCreated', data };
}

function deleted(): WorkspaceEvent {
  return { type: 'WorkspaceDeleted', data: { workspaceId: 'team-a' } };
}

function ceilingChanged(ceilingCpuMillis: number, ceilingMemoryBytes: number): WorkspaceEvent {
  return { type: 'WorkspaceCeilingChanged', data: { workspaceId: 'team-a', ceilingCpuMillis, ceilingMemoryBytes } };
}

function wsBound(clusterId: string, cpuMillis: number, memoryBytes: number): WorkspaceEvent {
  return { type: 'WorkspaceResourcesBound', data: { workspaceId: 'team-a', clusterId, cpuMillis, memoryBytes } };
}

function wsChanged(clusterId: string, cpuMillis: number, memoryBytes: number): WorkspaceEvent {
  return { type: 'WorkspaceBindingChanged', data: { workspaceId: 'team-a', clusterId, cpuMillis, memoryBytes } };
}

function wsUnbound(clusterId: string): WorkspaceEvent {
  return { type: 'WorkspaceBindingRemoved', data: { workspaceId: 'team-a', clusterId } };
}

function bindCmd(cpuMillis: number, memoryBytes: number) {
  return { type: 'BindClusterResources', workspaceId: 'team-a', clusterId: 'prod', cpuMillis, memoryBytes } as const;
}

function changeCmd(cpuMillis: number, memoryBytes: number) {
  return { type: 'ChangeClusterBinding', workspaceId: 'team-a', clusterId: 'prod', cpuMillis, memoryBytes } as const;
}

function clusterRegistered(clusterId: string): ClusterEvent {
  return {
    type: 'ClusterRegistered',
    data: {
      clusterId,
      displayName: clusterId,
      server: `https://${clusterId}.example.com:6443`,
      contextName: clusterId,
      credentialRef: `cred-${clusterId}`,
      credentialFingerprint: 'sha256:ab12',
      inventory: { kubernetesVersion: 'v1.31.2', nodeCount: 3, allocatableCpuMillis: 8000, allocatableMemoryBytes: 32 * GiB },
      cpuRatio: 1,
      memoryRatio: 1,
    },
  };
}

function overcommit(clusterId: string, cpuRatio: number, memoryRatio: number): ClusterEvent {
  return { type: 'ClusterOvercommitSet', data: { clusterId, cpuRatio, memoryRatio } };
}

function inventoryShrunk(clusterId: string, allocatableCpuMillis: number): ClusterEvent {
  return {
    type: 'ClusterInventoryRefreshed',
    data: { clusterId, inventory: { kubernetesVersion: 'v1.31.2', nodeCount: 2, allocatableCpuMillis, allocatableMemoryBytes: 32 * GiB } },
  };
}

function clBound(workspaceId: string, cpuMillis: number, memoryBytes: number): ClusterEvent {
  return { type: 'ClusterResourcesBound', data: { clusterId: 'prod', workspaceId, cpuMillis, memoryBytes } };
}

function clChanged(workspaceId: string, cpuMillis: number, memoryBytes: number): ClusterEvent {
  return { type: 'ClusterBindingChanged', data: { clusterId: 'prod', workspaceId, cpuMillis, memoryBytes } };
}

function allocated(namespace: string, workspaceId: string, cpuMillis: number, memoryBytes: number): ClusterEvent {
  return { type: 'ClusterNamespaceAllocated', data: { clusterId: 'prod', namespace, workspaceId, cpuMillis, memoryBytes } };
}

function released(namespace: string, workspaceId: string): ClusterEvent {
  return { type: 'ClusterNamespaceReleased', data: { clusterId: 'prod', namespace, workspaceId } };
}

