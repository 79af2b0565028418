import { describe, expect, it } from 'vitest';
import {
  aggregateForStream,
  type Command,
  commandDeciders,
  commandTypes,
  decide,
  evolveForStream,
  foldStream,
  initialStateForStream,
  streamsFor,
} from '../../domain/commands';
import { DomainError } from '../../domain/errors';
import { GiB } from './spec';

describe('command lookup', () => {
  it('has a decider for every command type', () => {
    expect(commandTypes.sort()).toEqual(
      [
        'BindClusterResources',
        'ChangeClusterBinding',
        'ChangeNamespaceQuota',
        'ChangeWorkspaceCeiling',
        'CreateNamespace',
        'CreateWorkspace',
        'DeleteNamespace',
        'DeleteWorkspace',
        'RecordNamespaceProvisioned',
        'RecordNamespaceProvisioningFailed',
        'RefreshClusterInventory',
        'RegisterCluster',
        'RemoveCluster',
        'RemoveClusterBinding',
        'SetClusterOvercommit',
        'CreateUser',
        'SyncUserProfile',
        'DisableUser',
        'EnableUser',
        'RecordPasswordReset',
        'RecordPasswordChanged',
        'CreateApiKey',
        'RevokeApiKey',
        'GrantRole',
        'RevokeRole',
        'DefineRole',
        'UpdateRole',
        'DeleteRole',
        'CreateTemplate',
        'SaveTemplateVersion',
        'ShareTemplate',
        'DeleteTemplate',
        'GenerateApp',
        'PublishApp',
        'ReviseApp',
        'RollbackApp',
        'UnpublishApp',
        'DeleteApp',
        'RecordAppDeployed',
        'RecordAppDeployFailed',
        'RecordAppUndeployed',
        'ApplyConfigObject',
        'DeleteConfigObject',
        'RecordConfigObjectFailed',
        'OpenTerminal',
        'CloseTerminal',
        'StartDevEnv',
        'StopDevEnv',
        'ResumeDevEnv',
        'DeleteDevEnv',
        'RecordDevEnvReady',
        'RecordDevEnvFailed',
        'ScaleWorkload',
        'SetWorkloadAutoscaler',
        'RemoveWorkloadAutoscaler',
        'UpdateWorkloadImage',
        'RestartWorkload',
        'RollbackWorkload',
        'DeleteWorkload',
        'RecordWorkloadOperationFailed',
      ].sort(),
    );
    for (const type of commandTypes) {
      expect(typeof commandDeciders[type].streams).toBe('function');
      expect(typeof commandDeciders[type].decide).toBe('function');
    }
  });

  it('names the streams each command spans', () => {
    expect(streamsFor({ type: 'RemoveCluster', clusterId: 'prod' })).toEqual(['cluster-prod']);
    expect(streamsFor({ type: 'DeleteWorkspace', workspaceId: 'team-a' })).toEqual(['workspace-team-a']);
    expect(streamsFor({ type: 'BindClusterResources', workspaceId: 'team-a', clusterId: 'prod', cpuMillis: 1, memoryBytes: 1 })).toEqual([
      'workspace-team-a',
      'cluster-prod',
    ]);
    expect(streamsFor({ type: 'DeleteNamespace', clusterId: 'prod', name: 'web' })).toEqual(['namespace-prod.web', 'cluster-prod']);
    expect(streamsFor({ type: 'RecordNamespaceProvisioned', clusterId: 'prod', name: 'web', generation: 1 })).toEqual(['namespace-prod.web']);
  });

  it('decides with missing states treated as initial', () => {
    expect(decide({ type: 'CreateWorkspace', workspaceId: 'team-a', displayName: 'A', description: '', ceilingCpuMillis: 1000, ceilingMemoryBytes: GiB }, {})).toEqual({
      'workspace-team-a': [
        { type: 'WorkspaceCreated', data: { workspaceId: 'team-a', displayName: 'A', description: '', ceilingCpuMillis: 1000, ceilingMemoryBytes: GiB } },
      ],
    });
  });

  it('refuses an unknown command type', () => {
    expect(() => decide({ type: 'LaunchRockets' } as unknown as Command, {})).toThrow(DomainError);
  });
});

describe('evolve per stream', () => {
  it('chooses the aggregate by stream prefix', () => {
    expect(aggregateForStream('cluster-prod').category).toBe('cluster');
    expect(aggregateForStream('workspace-team-a').category).toBe('workspace');
    expect(aggregateForStream('namespace-prod.web').category).toBe('namespace');
    expect(initialStateForStream('cluster-prod')).toEqual({ status: 'absent' });
    expect(aggregateForStream('user-alice').category).toBe('user');
    expect(aggregateForStream('group-ops').category).toBe('group');
    expect(aggregateForStream('role-auditor-lite').category).toBe('role');
    expect(aggregateForStream('template-web').category).toBe('template');
    expect(() => aggregateForStream('command-123')).toThrow('streamId: "command-123" is not a domain stream');
  });

  it('folds a stream and refuses an event of another aggregate', () => {
    const state = foldStream('workspace-team-a', [
      { type: 'WorkspaceCreated', data: { workspaceId: 'team-a', displayName: 'A', description: '', ceilingCpuMillis: 1, ceilingMemoryBytes: 1 } },
    ]);
    expect(state.status).toBe('active');
    expect(() => evolveForStream('workspace-team-a')(state, { type: 'ClusterRemoved', data: { clusterId: 'prod', credentialRef: 'c' } })).toThrow(
      'type: ClusterRemoved does not belong to a workspace stream',
    );
  });
});
