import { defineRowProjection } from '../rows';
import { namespaceEventTypes, namespaceUpdates } from './handlers';
import { namespacesTable } from './tables';

export const namespacesProjection = defineRowProjection({
  name: 'namespaces',
  version: 1,
  tables: [namespacesTable],
  eventTypes: namespaceEventTypes,
  route: namespaceUpdates,
});

export * from './queries';
export type { NamespaceRow, NamespaceStatus } from './tables';
