import { defineRowProjection } from '../rows';
import { workspaceEventTypes, workspaceUpdates } from './handlers';
import { workspaceBindingAllocationsTable, workspaceBindingsTable, workspacesTable } from './tables';

export const workspacesProjection = defineRowProjection({
  name: 'workspaces',
  // 2: namespace allocations in rows of their own (workspace_binding_allocations), summed by queries.
  version: 2,
  tables: [workspacesTable, workspaceBindingsTable, workspaceBindingAllocationsTable],
  eventTypes: workspaceEventTypes,
  route: workspaceUpdates,
});

export * from './queries';
export type { WorkspaceBindingAllocationRow, WorkspaceBindingRow, WorkspaceRow } from './tables';
