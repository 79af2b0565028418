import type { TemplateEvent, TemplateScope } from './events';

export interface ExistingTemplate {
  status: 'defined';
  templateId: string;
  displayName: string;
  description: string;
  scope: TemplateScope;
  latestVersion: number;
}

/** `latestVersion` survives deletion, so a re-created template continues the numbering of its stream. */
export type TemplateState = { status: 'absent'; latestVersion: number } | ExistingTemplate | { status: 'deleted'; latestVersion: number };

export const initialState: TemplateState = { status: 'absent', latestVersion: 0 };

export function evolve(state: TemplateState, event: TemplateEvent): TemplateState {
  switch (event.type) {
    case 'TemplateCreated':
      return { status: 'defined', ...event.data, latestVersion: state.latestVersion };
    case 'TemplateVersionSaved':
      return { ...state, latestVersion: Math.max(state.latestVersion, event.data.version) };
    case 'TemplateShared':
      if (state.status !== 'defined' || state.scope.kind !== 'platform') return state;
      return { ...state, scope: { kind: 'platform', sharedWith: event.data.sharedWith } };
    case 'TemplateDeleted':
      return { status: 'deleted', latestVersion: state.latestVersion };
  }
}
