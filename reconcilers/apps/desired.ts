/**
 * What the apps reconciler wants on a cluster, as pure data: per published application, its
 * current revision's objects labelled for apply, in apply order; per unpublished one, nothing.
 */
import { appSelector, labelledForApply } from '../../domain/app/labels';
import { ALLOWED_KINDS, type KubernetesObject } from '../../domain/template/objects';
import { applyOrder, deleteOrder } from '../../domain/template/order';

export const FIELD_MANAGER = 'bosun';

/** A published app: deploy revision `revision` (its manifests, as rendered). */
export interface PublishedApp {
  kind: 'published';
  namespace: string;
  name: string;
  revision: number;
  manifests: KubernetesObject[];
  /** The read model says this revision is already deployed: only repair what is missing. */
  deployed: boolean;
}

/** An unpublished app whose objects are still to be removed. */
export interface UndeployingApp {
  kind: 'undeploying';
  namespace: string;
  name: string;
}

export type AppTarget = PublishedApp | UndeployingApp;

/** Reconciler key of an app on its cluster. */
export const appKey = (namespace: string, name: string): string => `${namespace}/${name}`;

export function parseAppKey(key: string): { namespace: string; name: string } | null {
  const [namespace, name, ...rest] = key.split('/');
  return namespace && name && rest.length === 0 ? { namespace, name } : null;
}

/** The objects to apply, in apply order, each labelled with the app and the revision. */
export function desiredObjects(app: PublishedApp): KubernetesObject[] {
  return applyOrder(app.manifests).map((m) => labelledForApply({ ...m, metadata: { ...m.metadata, namespace: app.namespace } }, app.name, app.revision));
}

/** Every kind an app may hold, for listing what it has on the cluster. */
export const APP_KINDS: ReadonlyArray<{ apiVersion: string; kind: string }> = deleteOrder(
  Object.entries(ALLOWED_KINDS).map(([kind, apiVersion]) => ({ kind: kind as keyof typeof ALLOWED_KINDS, apiVersion })),
);

export { appSelector };
