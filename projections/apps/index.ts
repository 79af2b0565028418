import { defineRowProjection } from '../rows';
import { appEventTypes, appUpdates } from './handlers';
import { appRevisionsTable, appsTable } from './tables';

export const appsProjection = defineRowProjection({
  name: 'apps',
  version: 1,
  tables: [appsTable, appRevisionsTable],
  eventTypes: appEventTypes,
  route: appUpdates,
});

export * from './queries';
export type { AppRow, AppRevisionRow } from './tables';
