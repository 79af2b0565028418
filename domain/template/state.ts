import type { TemplateEvent, TemplateScope } from './events';
import type { TemplateSource } from './render';

/** The saved versions of a template, by number: what an application is rendered from. */
export type TemplateVersions = Readonly<Record<number, TemplateSource>>;

export interface ExistingTemplate {
  status: 'defined';
  templateId: string;
  displayName: string;
  description: string;
  scope: TemplateScope;
  latestVersion: number;
  versions: TemplateVersions;
}

/** `latestVersion` survives deletion, so a re-created template continues the numbering of its stream. */
export type TemplateState =
  | { status: 'absent'; latestVersion: number; versions: TemplateVersions }
  | ExistingTemplate
  | { status: 'deleted'; latestVersion: number; versions: TemplateVersions };

export const initialState: TemplateState = { status: 'absent', latestVersion: 0, versions: {} };

export function evolve(state: TemplateState, event: TemplateEvent): TemplateState {
  const versions = state.versions ?? {};
  switch (event.type) {
    case 'TemplateCreated':
      return { status: 'defined', ...event.data, latestVersion: state.latestVersion, versions };
    case 'TemplateVersionSaved': {
      const { version, documents, parameters } = event.data;
      return { ...state, latestVersion: Math.max(state.latestVersion, version), versions: { ...versions, [version]: { documents, parameters } } };
    }
    case 'TemplateShared':
      if (state.status !== 'defined' || state.scope.kind !== 'platform') return state;
      return { ...state, scope: { kind: 'platform', sharedWith: event.data.sharedWith } };
    case 'TemplateDeleted':
      return { status: 'deleted', latestVersion: state.latestVersion, versions };
  }
}
