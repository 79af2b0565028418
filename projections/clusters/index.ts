import { defineRowProjection } from '../rows';
import { clusterEventTypes, clusterUpdates } from './handlers';
import { clusterAllocationsTable, clustersTable } from './tables';

export const clustersProjection = defineRowProjection({
  name: 'clusters',
  version: 1,
  tables: [clustersTable, clusterAllocationsTable],
  eventTypes: clusterEventTypes,
  route: clusterUpdates,
});

export * from './queries';
export type { ClusterAllocationRow, ClusterRow } from './tables';
