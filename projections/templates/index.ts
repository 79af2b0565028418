import { defineRowProjection } from '../rows';
import { templateEventTypes, templateUpdates } from './handlers';
import { templatesTable, templateVersionsTable } from './tables';

export const templatesProjection = defineRowProjection({
  name: 'templates',
  version: 1,
  tables: [templatesTable, templateVersionsTable],
  eventTypes: templateEventTypes,
  route: templateUpdates,
});

export * from './queries';
export type { TemplateRow, TemplateVersionRow } from './tables';
