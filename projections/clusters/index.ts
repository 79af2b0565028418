import { defineRowProjection } from '../rows';
import { clusterEventTypes, clusterUpdates } from './handlers';
import { clustersTable } from './tables';

export const clustersProjection = defineRowProjection({
  name: 'clusters',
  version: 1,
  tables: [clustersTable],
  eventTypes: clusterEventTypes,
  route: clusterUpdates,
});

export * from './queries';
export type { ClusterRow } from './tables';
