import { defineRowProjection } from '../rows';
import { workspaceEventTypes, workspaceUpdates } from './handlers';
import { workspaceBindingsTable, workspacesTable } from './tables';

export const workspacesProjection = defineRowProjection({
  name: 'workspaces',
  version: 1,
  tables: [workspacesTable, workspaceBindingsTable],
  eventTypes: workspaceEventTypes,
  route: workspaceUpdates,
});

export * from './queries';
export type { WorkspaceBindingRow, WorkspaceRow } from './tables';
