/** Authentication, RBAC authorization, impersonation and access reviews for kube-sim. */
export { type SimUser, defaultUsers, createAuthenticator, ALL_AUTHENTICATED, ALL_UNAUTHENTICATED } from './authn';
export { createAuthorizer, authorize, rbacAuthorize, ruleAllows, clusterRoleRules, serviceAccountUsername, serviceAccountGroups, splitServiceAccountUsername, RBAC_GROUP } from './rbac';
export { bootstrapRbacObjects } from './bootstrap';
export { forbiddenError, forbiddenMessage } from './forbidden';
export { resolveImpersonation } from './impersonation';
export { handleAccessReview, attributesFrom } from './access-review';
export { signServiceAccountToken, verifyServiceAccountToken, SA_TOKEN_ISSUER, type ServiceAccountTokenOptions } from './sa-token';
