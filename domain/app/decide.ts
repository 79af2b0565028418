/**
 * Commands on an application (应用). Generating and revising render a template version for the
 * namespace and reserve what the result asks of the namespace quota, so they decide over the app,
 * namespace and template streams together: two generates cannot over-commit a namespace, and a
 * template version is read as it is. Publishing (run) and unpublishing (undeploy) only flip what the
 * reconciler should do; it reports the outcome back (RecordApp*), recorded only when it changes.
 */
import { DomainError, invalid } from '../errors';
import { validateDescription, validateDnsLabel } from '../names';
import { showValue } from '../quantity';
import { streamIds } from '../streams';
import { assertNever, type CommandDecider, type Decision, stateOf, type StreamStates } from '../decider';
import type { NamespaceEvent } from '../namespace/events';
import { initialState as namespaceInitial, isLive, type LiveNamespace, type NamespaceState } from '../namespace/state';
import { appHolder, quotaRemaining } from '../namespace/reservations';
import { SECRET_IN_TEMPLATE } from '../template/decide';
import { type KubernetesObject, describeRef, refOf } from '../template/objects';
import { applyOrder } from '../template/order';
import { type ParameterValues, validateValues } from '../template/parameters';
import { renderTemplate, type TemplateSource } from '../template/render';
import { checkQuota, requestedResources, type RequestedResources } from '../template/resources';
import { initialState as templateInitial, type ExistingTemplate, type TemplateState } from '../template/state';
import type { AppEvent } from './events';
import { appIdOf, requireAppId, type AppKey } from './ids';
import { type ExistingApp, initialState, type AppState } from './state';

export interface GenerateApp {
  type: 'GenerateApp';
  clusterId: string;
  namespace: string;
  name: string;
  templateId: string;
  templateVersion: number;
  values: unknown;
  description?: string;
}

/** The "run" button: the reconciler applies the current revision. */
export interface PublishApp {
  type: 'PublishApp';
  appId: string;
}

/**
 * A new revision from a template version and values. `templateId` is the app's own (the API reads
 * it from the app); it names the template stream the decision reads, and must match.
 */
export interface ReviseApp {
  type: 'ReviseApp';
  appId: string;
  templateId: string;
  templateVersion: number;
  values: unknown;
}

/** A new revision restoring the content of an earlier one. */
export interface RollbackApp {
  type: 'RollbackApp';
  appId: string;
  toRevision: number;
}

/** Undeploy: the reconciler removes everything the app created. */
export interface UnpublishApp {
  type: 'UnpublishApp';
  appId: string;
}

/** Only when not published and nothing is left on the cluster; releases the quota reservation. */
export interface DeleteApp {
  type: 'DeleteApp';
  appId: string;
}

/** Issued by the reconciler (system actor). */
export interface RecordAppDeployed {
  type: 'RecordAppDeployed';
  appId: string;
  revision: number;
}

export interface RecordAppDeployFailed {
  type: 'RecordAppDeployFailed';
  appId: string;
  revision: number;
  reason: string;
}

export interface RecordAppUndeployed {
  type: 'RecordAppUndeployed';
  appId: string;
}

export type AppCommand =
  | GenerateApp
  | PublishApp
  | ReviseApp
  | RollbackApp
  | UnpublishApp
  | DeleteApp
  | RecordAppDeployed
  | RecordAppDeployFailed
  | RecordAppUndeployed;

export const MAX_APP_REASON_LENGTH = 1000;

type Outcome = Decision<AppEvent | NamespaceEvent>;

/** The namespace an app lives in, by its key. */
function keyOf(cmd: AppCommand): AppKey {
  if (cmd.type === 'GenerateApp') {
    return {
      clusterId: validateDnsLabel(cmd.clusterId, 'clusterId'),
      namespace: validateDnsLabel(cmd.namespace, 'namespace'),
      name: validateDnsLabel(cmd.name, 'name'),
    };
  }
  return requireAppId(cmd.appId);
}

function liveNamespace(state: NamespaceState, key: AppKey): LiveNamespace {
  if (!isLive(state)) {
    throw new DomainError('not_found', `namespace: namespace "${key.namespace}" does not exist on cluster "${key.clusterId}"`, {
      field: 'namespace',
      details: { clusterId: key.clusterId, namespace: key.namespace },
    });
  }
  return state;
}

function existingApp(state: AppState, appId: string): ExistingApp {
  if (state.status !== 'defined') throw new DomainError('not_found', `appId: application "${appId}" does not exist`, { field: 'appId' });
  return state;
}

/** Whether a template may be used in a workspace: its own, or a platform template offered to it. */
export function templateVisibleTo(template: Pick<ExistingTemplate, 'scope'>, workspaceId: string): boolean {
  if (template.scope.kind === 'workspace') return template.scope.workspaceId === workspaceId;
  return template.scope.sharedWith === 'all' || template.scope.sharedWith.includes(workspaceId);
}

/** The source of a template version usable in the namespace's workspace; refuses naming the field. */
export function templateSourceFor(state: TemplateState, templateId: string, version: unknown, workspaceId: string): TemplateSource {
  if (state.status !== 'defined' || !templateVisibleTo(state, workspaceId)) {
    throw new DomainError('not_found', `templateId: template "${templateId}" does not exist or is not offered to workspace "${workspaceId}"`, {
      field: 'templateId',
    });
  }
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw invalid('templateVersion', `must be a positive integer, got ${showValue(version)}`);
  }
  const source = state.versions[version];
  if (!source) {
    throw new DomainError('not_found', `templateVersion: template "${templateId}" has no version ${version} (latest is ${state.latestVersion})`, {
      field: 'templateVersion',
    });
  }
  return source;
}

export interface PlannedRevision {
  values: ParameterValues;
  /** Rendered, in apply order. */
  manifests: KubernetesObject[];
  requested: RequestedResources;
}

/**
 * Renders a template version for an app (values checked per parameter, each refusal under
 * `values.<name>`), in apply order, with what it asks of the quota. Pure; writes nothing.
 */
export function planRevision(source: TemplateSource, values: unknown, namespace: LiveNamespace, appName: string): PlannedRevision {
  const typed = validateValues(source.parameters, values);
  const rendered = renderTemplate(source, typed, { namespace: namespace.name, appName });
  for (const object of rendered.objects) {
    // Templates cannot hold Secret data; a value must not smuggle it in either.
    if (object.kind === 'Secret' && (object.data !== undefined || object.stringData !== undefined)) {
      throw invalid(describeRef(refOf(object)), SECRET_IN_TEMPLATE);
    }
  }
  const manifests = applyOrder(rendered.objects);
  return { values: typed, manifests, requested: requestedResources(manifests, namespace.defaults) };
}

/** Refuses, with the numbers, what does not fit in the quota left beside the other holders' reservations. */
export function checkAppQuota(requested: RequestedResources, namespace: LiveNamespace, appName: string): void {
  checkQuota(requested, quotaRemaining(namespace, appHolder(appName)));
}

function reserve(namespace: LiveNamespace, appName: string, amounts: { requests: RequestedResources['requests']; limits: RequestedResources['limits'] }): NamespaceEvent {
  return {
    type: 'NamespaceResourcesReserved',
    data: { clusterId: namespace.clusterId, name: namespace.name, holder: appHolder(appName), requests: amounts.requests, limits: amounts.limits },
  };
}

function validateRevisionNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw invalid(field, `must be a positive integer, got ${showValue(value)}`);
  return value;
}

function validateReason(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid('reason', 'is required');
  const chars = [...value];
  return chars.length > MAX_APP_REASON_LENGTH ? `${chars.slice(0, MAX_APP_REASON_LENGTH - 1).join('')}…` : value;
}

function generate(cmd: GenerateApp, key: AppKey, states: StreamStates): Outcome {
  const appId = appIdOf(key);
  const app = stateOf<AppState>(states, streamIds.app(appId), initialState);
  if (app.status === 'defined') {
    throw new DomainError('already_exists', `name: application "${key.name}" already exists in namespace "${key.namespace}"`, { field: 'name' });
  }
  const description = validateDescription(cmd.description ?? '', 'description');
  const templateId = validateDnsLabel(cmd.templateId, 'templateId');
  const namespace = liveNamespace(stateOf<NamespaceState>(states, streamIds.namespace(key.clusterId, key.namespace), namespaceInitial), key);
  const template = stateOf<TemplateState>(states, streamIds.template(templateId), templateInitial);
  const source = templateSourceFor(template, templateId, cmd.templateVersion, namespace.workspaceId);
  const plan = planRevision(source, cmd.values, namespace, key.name);
  checkAppQuota(plan.requested, namespace, key.name);
  const { requests, limits } = plan.requested;
  return {
    [streamIds.app(appId)]: [
      {
        type: 'AppGenerated',
        data: {
          appId,
          clusterId: key.clusterId,
          namespace: key.namespace,
          workspaceId: namespace.workspaceId,
          name: key.name,
          description,
          templateId,
          revision: 1,
          templateVersion: cmd.templateVersion,
          values: plan.values,
          manifests: plan.manifests,
          requests,
          limits,
        },
      },
    ],
    [streamIds.namespace(key.clusterId, key.namespace)]: [reserve(namespace, key.name, plan.requested)],
  };
}

function revise(cmd: ReviseApp, key: AppKey, states: StreamStates): Outcome {
  const appId = appIdOf(key);
  const app = existingApp(stateOf<AppState>(states, streamIds.app(appId), initialState), appId);
  if (cmd.templateId !== app.templateId) {
    throw new DomainError('conflict', `templateId: application "${appId}" is made from template "${app.templateId}", not "${String(cmd.templateId)}"`, {
      field: 'templateId',
    });
  }
  const namespace = liveNamespace(stateOf<NamespaceState>(states, streamIds.namespace(key.clusterId, key.namespace), namespaceInitial), key);
  const template = stateOf<TemplateState>(states, streamIds.template(app.templateId), templateInitial);
  const source = templateSourceFor(template, app.templateId, cmd.templateVersion, namespace.workspaceId);
  const plan = planRevision(source, cmd.values, namespace, key.name);
  checkAppQuota(plan.requested, namespace, key.name);
  const { requests, limits } = plan.requested;
  return {
    [streamIds.app(appId)]: [
      {
        type: 'AppRevised',
        data: {
          appId,
          revision: app.revision + 1,
          templateVersion: cmd.templateVersion,
          values: plan.values,
          manifests: plan.manifests,
          requests,
          limits,
          reason: 'update',
        },
      },
    ],
    [streamIds.namespace(key.clusterId, key.namespace)]: [reserve(namespace, key.name, plan.requested)],
  };
}

function rollback(cmd: RollbackApp, key: AppKey, states: StreamStates): Outcome {
  const appId = appIdOf(key);
  const app = existingApp(stateOf<AppState>(states, streamIds.app(appId), initialState), appId);
  const to = validateRevisionNumber(cmd.toRevision, 'toRevision');
  const target = app.revisions[to];
  if (!target) throw new DomainError('not_found', `toRevision: application "${appId}" has no revision ${to} (revisions 1 to ${app.revision})`, { field: 'toRevision' });
  if (to === app.revision) throw new DomainError('conflict', `toRevision: revision ${to} is already the current revision`, { field: 'toRevision' });
  const namespace = liveNamespace(stateOf<NamespaceState>(states, streamIds.namespace(key.clusterId, key.namespace), namespaceInitial), key);
  // The quota may have been taken by others since: check again, with the revision's own numbers.
  const requested = requestedResources(target.manifests, namespace.defaults);
  checkAppQuota(requested, namespace, key.name);
  return {
    [streamIds.app(appId)]: [
      {
        type: 'AppRevised',
        data: {
          appId,
          revision: app.revision + 1,
          templateVersion: target.templateVersion,
          values: target.values,
          manifests: target.manifests,
          requests: requested.requests,
          limits: requested.limits,
          reason: 'rollback',
          fromRevision: to,
        },
      },
    ],
    [streamIds.namespace(key.clusterId, key.namespace)]: [reserve(namespace, key.name, requested)],
  };
}

function decide(cmd: AppCommand, states: StreamStates): Outcome {
  const key = keyOf(cmd);
  const appId = appIdOf(key);
  const stream = streamIds.app(appId);
  switch (cmd.type) {
    case 'GenerateApp':
      return generate(cmd, key, states);
    case 'ReviseApp':
      return revise(cmd, key, states);
    case 'RollbackApp':
      return rollback(cmd, key, states);
    case 'PublishApp': {
      const app = existingApp(stateOf<AppState>(states, stream, initialState), appId);
      if (app.published) return {};
      return { [stream]: [{ type: 'AppPublished', data: { appId, revision: app.revision } }] };
    }
    case 'UnpublishApp': {
      const app = existingApp(stateOf<AppState>(states, stream, initialState), appId);
      if (!app.published) return {};
      return { [stream]: [{ type: 'AppUnpublished', data: { appId, revision: app.revision } }] };
    }
    case 'DeleteApp': {
      const app = existingApp(stateOf<AppState>(states, stream, initialState), appId);
      if (app.published) {
        throw new DomainError('conflict', `appId: application "${key.name}" is published; unpublish it first`, { field: 'appId' });
      }
      if (app.deploy === 'undeploying') {
        throw new DomainError('conflict', `appId: application "${key.name}" is still being removed from the cluster; delete it once it is undeployed`, {
          field: 'appId',
        });
      }
      const namespaceStream = streamIds.namespace(key.clusterId, key.namespace);
      const namespace = stateOf<NamespaceState>(states, namespaceStream, namespaceInitial);
      const holder = appHolder(key.name);
      const release: Outcome = isLive(namespace) && Object.hasOwn(namespace.reservations ?? {}, holder)
        ? { [namespaceStream]: [{ type: 'NamespaceResourcesReleased', data: { clusterId: key.clusterId, name: key.namespace, holder } }] }
        : {};
      return { [stream]: [{ type: 'AppDeleted', data: { appId } }], ...release };
    }
    case 'RecordAppDeployed': {
      const app = existingApp(stateOf<AppState>(states, stream, initialState), appId);
      const revision = validateRevisionNumber(cmd.revision, 'revision');
      if (revision > app.revision) throw invalid('revision', `application "${appId}" is at revision ${app.revision}, not ${revision}`);
      // A stale report (older revision, or unpublished since) records nothing.
      if (!app.published || revision !== app.revision || app.deploy === 'deployed') return {};
      return { [stream]: [{ type: 'AppDeployed', data: { appId, revision } }] };
    }
    case 'RecordAppDeployFailed': {
      const app = existingApp(stateOf<AppState>(states, stream, initialState), appId);
      const revision = validateRevisionNumber(cmd.revision, 'revision');
      const reason = validateReason(cmd.reason);
      if (revision > app.revision) throw invalid('revision', `application "${appId}" is at revision ${app.revision}, not ${revision}`);
      if (!app.published || revision !== app.revision) return {};
      if (app.deploy === 'failed' && app.lastReason === reason) return {};
      return { [stream]: [{ type: 'AppDeployFailed', data: { appId, revision, reason } }] };
    }
    case 'RecordAppUndeployed': {
      const app = existingApp(stateOf<AppState>(states, stream, initialState), appId);
      if (app.published || app.deploy !== 'undeploying') return {};
      return { [stream]: [{ type: 'AppUndeployed', data: { appId } }] };
    }
    default:
      return assertNever(cmd);
  }
}

function streams(cmd: AppCommand): string[] {
  const key = keyOf(cmd);
  const app = streamIds.app(appIdOf(key));
  const namespace = streamIds.namespace(key.clusterId, key.namespace);
  switch (cmd.type) {
    case 'GenerateApp':
    case 'ReviseApp':
      return [app, namespace, streamIds.template(validateDnsLabel(cmd.templateId, 'templateId'))];
    case 'RollbackApp':
    case 'DeleteApp':
      return [app, namespace];
    case 'PublishApp':
    case 'UnpublishApp':
    case 'RecordAppDeployed':
    case 'RecordAppDeployFailed':
    case 'RecordAppUndeployed':
      return [app];
    default:
      return assertNever(cmd);
  }
}

export const appDecider: CommandDecider<AppCommand, AppEvent | NamespaceEvent> = { streams, decide };

