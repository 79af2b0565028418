/**
 * The single lookup a generic command handler needs: for a command, the streams to load and the
 * decider; for a stream id, its initial state and evolve (chosen by prefix).
 *
 *   const ids = streamsFor(cmd);
 *   const states = Object.fromEntries(ids.map((id) => [id, foldStream(id, eventsOf(id))]));
 *   const decision = decide(cmd, states); // Record<streamId, DomainEvent[]>, or throws DomainError
 */
import { assertNever, type CommandDecider, type Decision, type StreamStates } from './decider';
import { DomainError } from './errors';
import type { DomainEvent } from './events';
import { type ClusterCommand, clusterDecider } from './cluster/decide';
import { clusterEventDataSchemas, type ClusterEvent } from './cluster/events';
import * as cluster from './cluster/state';
import { type NamespaceCommand, namespaceDecider } from './namespace/decide';
import { namespaceEventDataSchemas, type NamespaceEvent } from './namespace/events';
import * as namespace from './namespace/state';
import { type WorkspaceCommand, workspaceDecider } from './workspace/decide';
import { workspaceEventDataSchemas, type WorkspaceEvent } from './workspace/events';
import * as workspace from './workspace/state';
import { parseStreamId } from './streams';
import { type UserCommand, userDecider } from './user/decide';
import { userEventDataSchemas, type UserEvent } from './user/events';
import * as user from './user/state';
import { type GrantCommand, grantDecider } from './grant/decide';
import { grantEventDataSchemas, type GrantEvent } from './grant/events';
import * as group from './group/state';
import { type RoleCommand, roleDecider } from './role/decide';
import { roleEventDataSchemas, type RoleEvent } from './role/events';
import * as role from './role/state';
import { type TemplateCommand, templateDecider } from './template/decide';
import { templateEventDataSchemas, type TemplateEvent } from './template/events';
import * as template from './template/state';
import { type AppCommand, appDecider } from './app/decide';
import { appEventDataSchemas, type AppEvent } from './app/events';
import * as app from './app/state';
import { type WorkloadCommand, workloadDecider } from './workload/decide';
import { workloadEventDataSchemas, type WorkloadEvent } from './workload/events';
import * as workload from './workload/state';
import { type TerminalCommand, terminalDecider } from './terminal/decide';
import { terminalEventDataSchemas, type TerminalEvent } from './terminal/events';
import * as terminal from './terminal/state';
import { type DevEnvCommand, devEnvDecider } from './devenv/decide';
import { devEnvEventDataSchemas, type DevEnvEvent } from './devenv/events';
import * as devenv from './devenv/state';
import { type ConfigCommand, configDecider } from './config/decide';
import { configEventDataSchemas, type ConfigEvent } from './config/events';
import * as config from './config/state';

export type { ClusterCommand, NamespaceCommand, WorkspaceCommand, UserCommand, GrantCommand, RoleCommand, TemplateCommand, TerminalCommand, DevEnvCommand };
export type { CommandDecider, Decision, StreamStates };
export type { WorkloadCommand };
export type { AppCommand };
export type { ConfigCommand };
export type Command = ConfigCommand | AppCommand | WorkloadCommand | ClusterCommand | WorkspaceCommand | NamespaceCommand | UserCommand | GrantCommand | RoleCommand | TemplateCommand | TerminalCommand | DevEnvCommand;
export type CommandType = Command['type'];
export type AggregateState =
  | config.ConfigState
  | app.AppState
  | workload.WorkloadState
  | cluster.ClusterState
  | workspace.WorkspaceState
  | namespace.NamespaceState
  | user.UserState
  | group.GroupState
  | role.RoleState
  | template.TemplateState
  | terminal.TerminalState
  | devenv.DevEnvState;

type DeciderFor<K extends CommandType> = CommandDecider<Extract<Command, { type: K }>, DomainEvent>;

/** Every command type and its decider. */
export const commandDeciders: { readonly [K in CommandType]: DeciderFor<K> } = {
  RegisterCluster: clusterDecider,
  RefreshClusterInventory: clusterDecider,
  SetClusterOvercommit: clusterDecider,
  RemoveCluster: clusterDecider,
  CreateWorkspace: workspaceDecider,
  ChangeWorkspaceCeiling: workspaceDecider,
  DeleteWorkspace: workspaceDecider,
  BindClusterResources: workspaceDecider,
  ChangeClusterBinding: workspaceDecider,
  RemoveClusterBinding: workspaceDecider,
  CreateNamespace: namespaceDecider,
  ChangeNamespaceQuota: namespaceDecider,
  DeleteNamespace: namespaceDecider,
  RecordNamespaceProvisioned: namespaceDecider,
  RecordNamespaceProvisioningFailed: namespaceDecider,
  CreateUser: userDecider,
  SyncUserProfile: userDecider,
  DisableUser: userDecider,
  EnableUser: userDecider,
  RecordPasswordReset: userDecider,
  RecordPasswordChanged: userDecider,
  CreateApiKey: userDecider,
  RevokeApiKey: userDecider,
  GrantRole: grantDecider,
  RevokeRole: grantDecider,
  DefineRole: roleDecider,
  UpdateRole: roleDecider,
  DeleteRole: roleDecider,
  CreateTemplate: templateDecider,
  SaveTemplateVersion: templateDecider,
  ShareTemplate: templateDecider,
  DeleteTemplate: templateDecider,
  GenerateApp: appDecider,
  PublishApp: appDecider,
  ReviseApp: appDecider,
  RollbackApp: appDecider,
  UnpublishApp: appDecider,
  DeleteApp: appDecider,
  RecordAppDeployed: appDecider,
  RecordAppDeployFailed: appDecider,
  RecordAppUndeployed: appDecider,
  ScaleWorkload: workloadDecider,
  SetWorkloadAutoscaler: workloadDecider,
  RemoveWorkloadAutoscaler: workloadDecider,
  UpdateWorkloadImage: workloadDecider,
  RestartWorkload: workloadDecider,
  RollbackWorkload: workloadDecider,
  DeleteWorkload: workloadDecider,
  RecordWorkloadOperationFailed: workloadDecider,
  OpenTerminal: terminalDecider,
  CloseTerminal: terminalDecider,
  StartDevEnv: devEnvDecider,
  StopDevEnv: devEnvDecider,
  ResumeDevEnv: devEnvDecider,
  DeleteDevEnv: devEnvDecider,
  RecordDevEnvReady: devEnvDecider,
  RecordDevEnvFailed: devEnvDecider,
  ApplyConfigObject: configDecider,
  DeleteConfigObject: configDecider,
  RecordConfigObjectFailed: configDecider,
};

export const commandTypes = Object.keys(commandDeciders) as CommandType[];

export function isCommandType(type: string): type is CommandType {
  return Object.hasOwn(commandDeciders, type);
}

function deciderOf(cmd: Command): CommandDecider<Command, DomainEvent> {
  if (!isCommandType(cmd.type)) {
    throw new DomainError('invalid', `type: unknown command type "${String(cmd.type)}"`, { field: 'type' });
  }
  // The mapped type guarantees commandDeciders[cmd.type] accepts exactly this command.
  return commandDeciders[cmd.type] as CommandDecider<Command, DomainEvent>;
}

/** Stream ids the command reads and may append to. */
export function streamsFor(cmd: Command): string[] {
  return deciderOf(cmd).streams(cmd);
}

/** Events per stream, or throws DomainError. `states` holds each stream of streamsFor(cmd), folded. */
export function decide(cmd: Command, states: StreamStates): Decision<DomainEvent> {
  return deciderOf(cmd).decide(cmd, states);
}

export interface StreamAggregate {
  category: 'config' | 'app' | 'workload' | 'cluster' | 'workspace' | 'namespace' | 'user' | 'group' | 'role' | 'template' | 'terminal' | 'devenv';
  initialState: AggregateState;
  evolve(state: AggregateState, event: DomainEvent): AggregateState;
}

function guarded<S extends AggregateState, E extends DomainEvent>(
  category: StreamAggregate['category'],
  initialState: S,
  evolve: (state: S, event: E) => S,
  types: Record<string, unknown>,
): StreamAggregate {
  return {
    category,
    initialState,
    evolve(state, event) {
      if (!Object.hasOwn(types, event.type)) {
        throw new DomainError('invalid', `type: ${event.type} does not belong to a ${category} stream`, { field: 'type' });
      }
      return evolve(state as S, event as E);
    },
  };
}

const aggregates = {
  cluster: guarded<cluster.ClusterState, ClusterEvent>('cluster', cluster.initialState, cluster.evolve, clusterEventDataSchemas),
  workspace: guarded<workspace.WorkspaceState, WorkspaceEvent>('workspace', workspace.initialState, workspace.evolve, workspaceEventDataSchemas),
  namespace: guarded<namespace.NamespaceState, NamespaceEvent>('namespace', namespace.initialState, namespace.evolve, namespaceEventDataSchemas),
  user: guarded<user.UserState, UserEvent>('user', user.initialState, user.evolve, userEventDataSchemas),
  group: guarded<group.GroupState, GrantEvent>('group', group.initialState, group.evolve, grantEventDataSchemas),
  role: guarded<role.RoleState, RoleEvent>('role', role.initialState, role.evolve, roleEventDataSchemas),
  template: guarded<template.TemplateState, TemplateEvent>('template', template.initialState, template.evolve, templateEventDataSchemas),
  app: guarded<app.AppState, AppEvent>('app', app.initialState, app.evolve, appEventDataSchemas),
  workload: guarded<workload.WorkloadState, WorkloadEvent>('workload', workload.initialState, workload.evolve, workloadEventDataSchemas),
  terminal: guarded<terminal.TerminalState, TerminalEvent>('terminal', terminal.initialState, terminal.evolve, terminalEventDataSchemas),
  devenv: guarded<devenv.DevEnvState, DevEnvEvent>('devenv', devenv.initialState, devenv.evolve, devEnvEventDataSchemas),
  config: guarded<config.ConfigState, ConfigEvent>('config', config.initialState, config.evolve, configEventDataSchemas),
} satisfies Record<StreamAggregate['category'], StreamAggregate>;

/** The aggregate (initial state and evolve) of a stream, chosen by the stream id's prefix. */
export function aggregateForStream(streamId: string): StreamAggregate {
  const parsed = parseStreamId(streamId);
  if (parsed === null) {
    throw new DomainError('invalid', `streamId: "${streamId}" is not a domain stream`, {
      field: 'streamId',
    });
  }
  switch (parsed.category) {
    case 'cluster':
      return aggregates.cluster;
    case 'workspace':
      return aggregates.workspace;
    case 'namespace':
      return aggregates.namespace;
    case 'user':
      return aggregates.user;
    case 'group':
      return aggregates.group;
    case 'role':
      return aggregates.role;
    case 'template':
      return aggregates.template;
    case 'app':
      return aggregates.app;
    case 'workload':
      return aggregates.workload;
    case 'terminal':
      return aggregates.terminal;
    case 'devenv':
      return aggregates.devenv;
    case 'config':
      return aggregates.config;
    default:
      return assertNever(parsed);
  }
}

export function evolveForStream(streamId: string): StreamAggregate['evolve'] {
  return aggregateForStream(streamId).evolve;
}

export function initialStateForStream(streamId: string): AggregateState {
  return aggregateForStream(streamId).initialState;
}

/** Folds a stream's events (already parsed/upcast) into its state. */
export function foldStream(streamId: string, events: Iterable<DomainEvent>): AggregateState {
  const { initialState, evolve } = aggregateForStream(streamId);
  let state = initialState;
  for (const event of events) state = evolve(state, event);
  return state;
}
