export { startAppsReconciler, deploy, undeploy, labelledObjects, appKey, type AppsReconciler, type AppsReconcilerOptions, type AppsSource, type AppTarget, type AppOutcomeReport } from './reconciler';
export { appsDesiredState } from './source';
export { desiredObjects, FIELD_MANAGER } from './desired';
