import { defineRowProjection } from '../rows';
import { devEnvEventTypes, devEnvUpdates } from './handlers';
import { devEnvsTable } from './tables';

export const devEnvsProjection = defineRowProjection({
  name: 'devenvs',
  version: 1,
  tables: [devEnvsTable],
  eventTypes: devEnvEventTypes,
  route: devEnvUpdates,
});

export * from './queries';
export type { DevEnvRow, DevEnvStatus } from './tables';
