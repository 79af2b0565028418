import { commandDeciders, aggregateForStream, type Command, type CommandType } from '../domain/commands';
import { parseEvent, readEvent, type DomainEvent } from '../domain/events';
import { isDomainError } from '../domain/errors';
import { parseAppId } from '../domain/app/ids';
import type { CommandDefinition, StreamModel } from './handler';
import type { AuditModule, AuditTarget } from './audit-events';

/** How the generic handler folds and validates the tenancy streams (cluster-, workspace-, namespace-). */
export const tenancyModel: StreamModel = {
  initialStateFor: (streamId) => aggregateForStream(streamId).initialState,
  evolve(streamId, state, event) {
    const schemaVersion = (event as { metadata?: { schemaVersion?: number } }).metadata?.schemaVersion ?? 1;
    return aggregateForStream(streamId).evolve(state, readEvent(event.type, event.data, schemaVersion));
  },
  evolveWritten: (streamId, state, event) => aggregateForStream(streamId).evolve(state, event as DomainEvent),
  validateEvent: (type, data) => parseEvent(type, data).data as Record<string, unknown>,
};

export { isDomainError };

const moduleOf: Record<CommandType, AuditModule> = {
  RegisterCluster: 'clusters',
  RefreshClusterInventory: 'clusters',
  SetClusterOvercommit: 'clusters',
  RemoveCluster: 'clusters',
  CreateWorkspace: 'workspaces',
  ChangeWorkspaceCeiling: 'workspaces',
  DeleteWorkspace: 'workspaces',
  BindClusterResources: 'workspaces',
  ChangeClusterBinding: 'workspaces',
  RemoveClusterBinding: 'workspaces',
  CreateNamespace: 'namespaces',
  ChangeNamespaceQuota: 'namespaces',
  DeleteNamespace: 'namespaces',
  RecordNamespaceProvisioned: 'namespaces',
  RecordNamespaceProvisioningFailed: 'namespaces',
  CreateUser: 'users',
  SyncUserProfile: 'users',
  DisableUser: 'users',
  EnableUser: 'users',
  RecordPasswordReset: 'users',
  RecordPasswordChanged: 'users',
  CreateApiKey: 'users',
  RevokeApiKey: 'users',
  GrantRole: 'roles',
  RevokeRole: 'roles',
  DefineRole: 'roles',
  UpdateRole: 'roles',
  DeleteRole: 'roles',
  CreateTemplate: 'apps',
  SaveTemplateVersion: 'apps',
  ShareTemplate: 'apps',
  DeleteTemplate: 'apps',
  GenerateApp: 'apps',
  PublishApp: 'apps',
  ReviseApp: 'apps',
  RollbackApp: 'apps',
  UnpublishApp: 'apps',
  DeleteApp: 'apps',
  RecordAppDeployed: 'apps',
  RecordAppDeployFailed: 'apps',
  RecordAppUndeployed: 'apps',
  ScaleWorkload: 'workloads',
  SetWorkloadAutoscaler: 'workloads',
  RemoveWorkloadAutoscaler: 'workloads',
  UpdateWorkloadImage: 'workloads',
  RestartWorkload: 'workloads',
  RollbackWorkload: 'workloads',
  DeleteWorkload: 'workloads',
  RecordWorkloadOperationFailed: 'workloads',
  OpenTerminal: 'containers',
  CloseTerminal: 'containers',
  StartDevEnv: 'devenv',
  StopDevEnv: 'devenv',
  ResumeDevEnv: 'devenv',
  DeleteDevEnv: 'devenv',
  RecordDevEnvReady: 'devenv',
  RecordDevEnvFailed: 'devenv',
  ApplyConfigObject: 'config',
  DeleteConfigObject: 'config',
  RecordConfigObjectFailed: 'config',
};

function targetOf(command: Command): AuditTarget {
  const c = command as Record<string, any>;
  if (command.type === 'GrantRole' || command.type === 'RevokeRole') {
    // A grant is filed under the scope it opens, so "what happened on namespace N" lists it.
    const s = command.scope;
    if (s.kind === 'platform') return { kind: 'platform', id: 'platform' };
    if (s.kind === 'workspace') return { kind: 'workspace', id: s.workspaceId, workspaceId: s.workspaceId };
    return { kind: 'namespace', id: `${s.clusterId}/${s.namespace}`, clusterId: s.clusterId, namespace: s.namespace, workspaceId: s.workspaceId };
  }
  switch (moduleOf[command.type]) {
    case 'users':
      return { kind: 'user', id: c.userId };
    case 'roles':
      return { kind: 'role', id: c.roleId };
    case 'apps': {
      // An application is filed under its namespace.
      const app = command.type === 'GenerateApp' ? { clusterId: command.clusterId, namespace: command.namespace } : typeof c.appId === 'string' ? parseAppId(c.appId) : null;
      if (app) return { kind: 'namespace', id: `${app.clusterId}/${app.namespace}`, clusterId: app.clusterId, namespace: app.namespace };
      // A template is filed under the scope it belongs to.
      if (command.type === 'CreateTemplate' && command.scope.kind === 'workspace') {
        return { kind: 'workspace', id: command.scope.workspaceId, workspaceId: command.scope.workspaceId };
      }
      return { kind: 'platform', id: 'platform' };
    }
    case 'clusters':
      return { kind: 'cluster', id: c.clusterId, clusterId: c.clusterId };
    case 'workloads':
      // A workload operation is filed under the namespace the workload runs in.
      return { kind: 'namespace', id: `${c.clusterId}/${c.namespace}`, clusterId: c.clusterId, namespace: c.namespace };
    case 'containers':
      // A terminal is filed under the namespace its container runs in.
      return { kind: 'namespace', id: `${c.clusterId}/${c.namespace}`, clusterId: c.clusterId, namespace: c.namespace, ...(c.workspaceId ? { workspaceId: c.workspaceId } : {}) };
    case 'devenv':
      // A dev environment is filed under its namespace.
      return { kind: 'namespace', id: `${c.clusterId}/${c.namespace}`, clusterId: c.clusterId, namespace: c.namespace };
    case 'config':
      // A config or storage object is filed under its namespace.
      return { kind: 'namespace', id: `${c.clusterId}/${c.namespace}`, clusterId: c.clusterId, namespace: c.namespace, ...(c.workspaceId ? { workspaceId: c.workspaceId } : {}) };
    case 'namespaces':
      return { kind: 'namespace', id: `${c.clusterId}/${c.name}`, clusterId: c.clusterId, namespace: c.name, workspaceId: c.workspaceId };
    default:
      return c.clusterId
        ? { kind: 'binding', id: `${c.workspaceId}/${c.clusterId}`, workspaceId: c.workspaceId, clusterId: c.clusterId }
        : { kind: 'workspace', id: c.workspaceId, workspaceId: c.workspaceId };
  }
}

const definitions = new Map<CommandType, CommandDefinition<any>>();

/** The handler's definition of a tenancy command: the domain decider plus its audit module and target. */
export function tenancyCommand<K extends CommandType>(type: K): CommandDefinition<Extract<Command, { type: K }>> {
  let definition = definitions.get(type);
  if (!definition) {
    const decider = commandDeciders[type] as unknown as { streams(c: Command): string[]; decide(c: Command, s: Record<string, unknown>): any };
    definition = {
      type,
      module: moduleOf[type],
      target: (command: Command) => targetOf(command),
      streams: (command: Command) => decider.streams(command),
      decide: (command: Command, states: Record<string, unknown>) => decider.decide(command, states),
    };
    definitions.set(type, definition);
  }
  return definition;
}
