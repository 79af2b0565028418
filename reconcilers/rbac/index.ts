export { startRbacReconciler, type RbacReconciler, type RbacReconcilerOptions, type RbacDesiredStateSource, type RbacMetrics } from './reconciler';
export { rbacDesiredState } from './source';
export { nudgeRbac, rbacNudgeFor, type RbacNudge } from './triggers';
export { desiredRbac, rulesFor, PERMISSION_RULES, RBAC_SELECTOR, type DesiredObject, type RbacGrant, type CustomRole, type RbacInputs } from './desired';
