/**
 * The names Bosun's users and groups carry inside Kubernetes. The proxy impersonates them and the
 * RBAC reconciler binds them, so both must agree; the prefix keeps them apart from the cluster's own
 * users and groups (`system:…`, cloud IAM names).
 */
export const kubeUserName = (userId: string) => `bosun:${userId}`;
export const kubeGroupName = (group: string) => `bosun:group:${group}`;
/** Every impersonated Bosun caller is also in this group, so cluster-wide read-only basics (discovery) can be granted once. */
export const KUBE_ALL_USERS_GROUP = 'bosun:authenticated';
