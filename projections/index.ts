/** Bosun's read models and the machinery that feeds them. */
import { auditProjection } from './audit';
import { accessHistoryProjection } from './access-history';
import { clustersProjection } from './clusters';
import { namespacesProjection } from './namespaces';
import { identityProjection } from './identity';
import { templatesProjection } from './templates';
import { appsProjection } from './apps';
import { devEnvsProjection } from './devenvs';
import type { Projection } from './types';
import { workspacesProjection } from './workspaces';

/** Every projection the runner starts by default, by name. */
export const allProjections: readonly Projection[] = [clustersProjection, workspacesProjection, namespacesProjection, identityProjection, templatesProjection, appsProjection, auditProjection, accessHistoryProjection, devEnvsProjection];

export function projectionByName(name: string): Projection | undefined {
  return allProjections.find((p) => p.name === name);
}

export * from './types';
export * from './runner';
export * from './rebuild';
export { clustersProjection, workspacesProjection, namespacesProjection, identityProjection, templatesProjection, auditProjection, accessHistoryProjection };
export * as templateQueries from './templates/queries';
export * as appQueries from './apps/queries';
export { appsProjection };
export * as identityQueries from './identity/queries';
export * as clusterQueries from './clusters/queries';
export * as workspaceQueries from './workspaces/queries';
export * as namespaceQueries from './namespaces/queries';
export * as auditQueries from './audit/queries';
export * as accessHistoryQueries from './access-history/queries';
export * as devEnvQueries from './devenvs/queries';
