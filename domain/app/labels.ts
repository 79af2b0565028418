/**
 * The labels on everything the apps reconciler applies: Bosun's (managed-by, instance) as rendered,
 * plus `bosun.io/app` (what prune and undeploy select on) and `bosun.io/app-revision` on each
 * object's own metadata. Pod templates get `bosun.io/app` but not the revision, so a revision that
 * leaves a workload unchanged does not roll its pods.
 */
import { INSTANCE_LABEL, isRecord, isWorkloadKind, type KubernetesObject, MANAGED_BY_LABEL, MANAGED_BY_VALUE, podTemplatePath } from '../template/objects';

export const APP_LABEL = 'bosun.io/app';
export const APP_REVISION_LABEL = 'bosun.io/app-revision';

/** Label selector of every object an application put in its namespace. */
export function appSelector(appName: string): string {
  return `${APP_LABEL}=${appName}`;
}

/** A copy of a revision's manifest as the reconciler applies it. */
export function labelledForApply(object: KubernetesObject, appName: string, revision: number): KubernetesObject {
  const copy = structuredClone(object);
  copy.metadata.labels = {
    ...copy.metadata.labels,
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    [INSTANCE_LABEL]: appName,
    [APP_LABEL]: appName,
    [APP_REVISION_LABEL]: String(revision),
  };
  if (isWorkloadKind(copy.kind)) {
    const path = podTemplatePath(copy.kind);
    let parent: unknown = copy;
    for (const key of path) parent = isRecord(parent) ? parent[key] : undefined;
    if (isRecord(parent)) {
      const metadata = isRecord(parent.metadata) ? parent.metadata : {};
      const labels = isRecord(metadata.labels) ? metadata.labels : {};
      parent.metadata = { ...metadata, labels: { ...labels, [APP_LABEL]: appName } };
    }
  }
  return copy;
}
