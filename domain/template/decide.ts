/**
 * Application templates: YAML documents with placeholders plus parameter definitions, saved as
 * numbered versions (older versions stay readable and usable). A template belongs to the platform
 * (offered to chosen workspaces, or all) or to one workspace. Documents are stored in events
 * forever, so a template never carries a Secret's data.
 */
import { parseAllDocuments } from 'yaml';
import { DomainError, invalid } from '../errors';
import { streamIds } from '../streams';
import { stateOf, type CommandDecider } from '../decider';
import { validateDescription, validateDisplayName, validateDnsLabel } from '../names';
import type { SharedWith, TemplateEvent, TemplateScope } from './events';
import { initialState, type ExistingTemplate, type TemplateState } from './state';
import { ALLOWED_KINDS, isAllowedKind, isRecord } from './objects';
import { parseParameterDefinitions, type ParameterDefinition } from './parameters';
import { findMarkers, markPlaceholders } from './placeholders';
import { Problems } from './problems';
import { checkTemplate, MAX_TEMPLATE_LENGTH } from './render';

export const SECRET_IN_TEMPLATE =
  'Secrets are created in the namespace\'s configuration, not in templates: a template is kept forever, so it must not hold data or stringData';

export interface CreateTemplate {
  type: 'CreateTemplate';
  templateId: string;
  displayName: string;
  description: string;
  scope: TemplateScope;
  documents: string;
  parameters: unknown;
}
export interface SaveTemplateVersion {
  type: 'SaveTemplateVersion';
  templateId: string;
  documents: string;
  parameters: unknown;
  note: string;
}
export interface ShareTemplate {
  type: 'ShareTemplate';
  templateId: string;
  sharedWith: SharedWith;
}
export interface DeleteTemplate {
  type: 'DeleteTemplate';
  templateId: string;
}
export type TemplateCommand = CreateTemplate | SaveTemplateVersion | ShareTemplate | DeleteTemplate;

function checkSharedWith(sharedWith: SharedWith, field: string): SharedWith {
  if (sharedWith === 'all') return 'all';
  if (!Array.isArray(sharedWith)) throw invalid(field, 'must be "all" or a list of workspace ids');
  sharedWith.forEach((id, i) => validateDnsLabel(id, `${field}[${i}]`));
  return [...new Set(sharedWith)].sort();
}

function checkScope(scope: TemplateScope): TemplateScope {
  if (!isRecord(scope)) throw invalid('scope', 'must be a platform or a workspace scope');
  if (scope.kind === 'workspace') return { kind: 'workspace', workspaceId: validateDnsLabel(scope.workspaceId, 'scope.workspaceId') };
  if (scope.kind === 'platform') return { kind: 'platform', sharedWith: checkSharedWith(scope.sharedWith, 'scope.sharedWith') };
  throw invalid('scope.kind', `must be "platform" or "workspace", got ${JSON.stringify((scope as { kind?: unknown }).kind)}`);
}

/**
 * What can be known of the objects before values are in: a literal kind must be allowed, a
 * Secret must not carry data, and there must be at least one object.
 */
function checkObjects(documents: string): void {
  const problems = new Problems();
  const marked = markPlaceholders(documents);
  const literal = (value: unknown): value is string => typeof value === 'string' && findMarkers(marked, value).length === 0;
  let objects = 0;
  parseAllDocuments(marked.text).forEach((document, index) => {
    const field = `documents[${index}]`;
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: 100 });
    } catch {
      return; // rendering reports it with the values in
    }
    if (value === null || value === undefined) return;
    objects++;
    if (!isRecord(value)) return;
    const kind = value.kind;
    if (literal(kind) && !isAllowedKind(kind)) {
      problems.add(field, `kind ${kind} is not allowed in an application template (allowed: ${Object.keys(ALLOWED_KINDS).join(', ')})`, { kind });
    }
    const maybeSecret = kind === 'Secret' || (typeof kind === 'string' && !literal(kind));
    if (maybeSecret && (value.data !== undefined || value.stringData !== undefined)) problems.add(field, SECRET_IN_TEMPLATE, { kind: 'Secret' });
  });
  if (problems.count === 0 && objects === 0) problems.add('documents', 'must contain at least one Kubernetes object');
  problems.throwIfAny();
}

/** The checked source of one version. */
export function checkVersion(documents: unknown, parameters: unknown): { documents: string; parameters: ParameterDefinition[] } {
  if (typeof documents !== 'string' || documents.trim() === '') throw invalid('documents', 'is required: the YAML of the template');
  if (documents.length > MAX_TEMPLATE_LENGTH) throw invalid('documents', `must be no more than ${MAX_TEMPLATE_LENGTH} characters`);
  const definitions = parseParameterDefinitions(parameters ?? [], 'parameters');
  checkTemplate({ documents, parameters: definitions });
  checkObjects(documents);
  return { documents, parameters: definitions };
}

function existing(state: TemplateState, templateId: string): ExistingTemplate {
  if (state.status !== 'defined') {
    throw new DomainError('not_found', `templateId: template "${templateId}" does not exist`, { field: 'templateId' });
  }
  return state;
}

export const templateDecider: CommandDecider<TemplateCommand, TemplateEvent> = {
  streams: (cmd) => [streamIds.template(cmd.templateId)],
  decide(cmd, states) {
    const templateId = validateDnsLabel(cmd.templateId, 'templateId');
    const stream = streamIds.template(templateId);
    const state = stateOf<TemplateState>(states, stream, initialState);
    switch (cmd.type) {
      case 'CreateTemplate': {
        if (state.status === 'defined') {
          throw new DomainError('already_exists', `templateId: template "${templateId}" already exists`, { field: 'templateId' });
        }
        const displayName = validateDisplayName(cmd.displayName, 'displayName');
        const description = validateDescription(cmd.description, 'description');
        const scope = checkScope(cmd.scope);
        const source = checkVersion(cmd.documents, cmd.parameters);
        return {
          [stream]: [
            { type: 'TemplateCreated', data: { templateId, displayName, description, scope } },
            { type: 'TemplateVersionSaved', data: { templateId, version: state.latestVersion + 1, ...source, note: '' } },
          ],
        };
      }
      case 'SaveTemplateVersion': {
        existing(state, templateId);
        const note = validateDescription(cmd.note, 'note');
        const source = checkVersion(cmd.documents, cmd.parameters);
        return { [stream]: [{ type: 'TemplateVersionSaved', data: { templateId, version: state.latestVersion + 1, ...source, note } }] };
      }
      case 'ShareTemplate': {
        const template = existing(state, templateId);
        if (template.scope.kind !== 'platform') {
          throw new DomainError('conflict', `sharedWith: template "${templateId}" belongs to workspace "${template.scope.workspaceId}"; only platform templates are shared`, {
            field: 'sharedWith',
          });
        }
        const sharedWith = checkSharedWith(cmd.sharedWith, 'sharedWith');
        if (JSON.stringify(sharedWith) === JSON.stringify(template.scope.sharedWith)) return {};
        return { [stream]: [{ type: 'TemplateShared', data: { templateId, sharedWith } }] };
      }
      case 'DeleteTemplate':
        existing(state, templateId);
        return { [stream]: [{ type: 'TemplateDeleted', data: { templateId } }] };
    }
  },
};
