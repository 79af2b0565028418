import { defineRowProjection } from '../rows';
import { identityEventTypes, identityUpdates } from './handlers';
import { apiKeysTable, grantsTable, roleDefinitionsTable, usersTable } from './tables';

export const identityProjection = defineRowProjection({
  name: 'identity',
  version: 1,
  tables: [usersTable, roleDefinitionsTable, grantsTable, apiKeysTable],
  eventTypes: identityEventTypes,
  route: identityUpdates,
});

export * from './queries';
export type { UserRow, GrantRow, ApiKeyRow, RoleDefinitionRow } from './tables';
