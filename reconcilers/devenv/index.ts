export { startDevEnvReconciler, devEnvKey, type DevEnvReconciler, type DevEnvReconcilerOptions, type DevEnvDesiredStateSource, type DevEnvOutcomeReport } from './reconciler';
export { devEnvDesiredState } from './source';
export { buildDeployment, observe, deploymentName, devEnvSelector, CONTAINER_NAME, type DevEnvSpec } from './desired';
