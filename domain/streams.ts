/**
 * Stream ids. Aggregate ids are DNS labels (cluster name, workspace name), so a re-created
 * aggregate continues its old stream. A namespace is identified by cluster and name, joined by '.',
 * which cannot occur in a DNS label, so the id is unambiguous.
 */
export const streamCategories = {
  cluster: 'cluster-',
  workspace: 'workspace-',
  namespace: 'namespace-',
  user: 'user-',
  group: 'group-',
  role: 'role-',
  template: 'template-',
  app: 'app-',
  workload: 'workload-',
  terminal: 'terminal-',
  devenv: 'devenv-',
  config: 'config-',
} as const;

export type StreamCategory = keyof typeof streamCategories;

export const streamIds = {
  cluster: (clusterId: string): string => streamCategories.cluster + clusterId,
  workspace: (workspaceId: string): string => streamCategories.workspace + workspaceId,
  namespace: (clusterId: string, name: string): string => `${streamCategories.namespace}${clusterId}.${name}`,
  user: (userId: string): string => streamCategories.user + userId,
  group: (name: string): string => streamCategories.group + name,
  role: (roleId: string): string => streamCategories.role + roleId,
  template: (templateId: string): string => streamCategories.template + templateId,
  /** appId = `<clusterId>.<namespace>.<name>` (domain/app/ids.ts). */
  app: (appId: string): string => streamCategories.app + appId,
  /** A workload's name may contain dots: the first three segments are cluster, namespace and kind. */
  workload: (clusterId: string, namespace: string, kind: string, name: string): string =>
    `${streamCategories.workload}${clusterId}.${namespace}.${kind.toLowerCase()}.${name}`,
  terminal: (sessionId: string): string => streamCategories.terminal + sessionId,
  devenv: (clusterId: string, namespace: string, name: string): string => `${streamCategories.devenv}${clusterId}.${namespace}.${name}`,
  /** A config object's name may contain dots: the first three segments are cluster, namespace and kind (lowercase). */
  config: (clusterId: string, namespace: string, kind: string, name: string): string =>
    `${streamCategories.config}${clusterId}.${namespace}.${kind.toLowerCase()}.${name}`,
};

export type ParsedStreamId =
  | { category: 'cluster'; clusterId: string }
  | { category: 'workspace'; workspaceId: string }
  | { category: 'namespace'; clusterId: string; name: string }
  | { category: 'user'; userId: string }
  | { category: 'group'; name: string }
  | { category: 'role'; roleId: string }
  | { category: 'template'; templateId: string }
  | { category: 'app'; appId: string }
  | { category: 'workload'; clusterId: string; namespace: string; kind: string; name: string }
  | { category: 'devenv'; clusterId: string; namespace: string; name: string }
  | { category: 'terminal'; sessionId: string }
  | { category: 'config'; clusterId: string; namespace: string; kind: string; name: string };

/** Inverse of `streamIds`; null for a stream that is not a domain stream (e.g. `command-…`). */
export function parseStreamId(streamId: string): ParsedStreamId | null {
  if (streamId.startsWith(streamCategories.cluster)) {
    return { category: 'cluster', clusterId: streamId.slice(streamCategories.cluster.length) };
  }
  if (streamId.startsWith(streamCategories.workspace)) {
    return { category: 'workspace', workspaceId: streamId.slice(streamCategories.workspace.length) };
  }
  if (streamId.startsWith(streamCategories.namespace)) {
    const rest = streamId.slice(streamCategories.namespace.length);
    const dot = rest.indexOf('.');
    if (dot <= 0 || dot === rest.length - 1) return null;
    return { category: 'namespace', clusterId: rest.slice(0, dot), name: rest.slice(dot + 1) };
  }
  if (streamId.startsWith(streamCategories.user)) return { category: 'user', userId: streamId.slice(streamCategories.user.length) };
  if (streamId.startsWith(streamCategories.group)) return { category: 'group', name: streamId.slice(streamCategories.group.length) };
  if (streamId.startsWith(streamCategories.role)) return { category: 'role', roleId: streamId.slice(streamCategories.role.length) };
  if (streamId.startsWith(streamCategories.app)) return { category: 'app', appId: streamId.slice(streamCategories.app.length) };
  if (streamId.startsWith(streamCategories.config)) {
    const parts = streamId.slice(streamCategories.config.length).split('.');
    if (parts.length < 4 || parts.slice(0, 3).some((p) => p === '')) return null;
    return { category: 'config', clusterId: parts[0], namespace: parts[1], kind: parts[2], name: parts.slice(3).join('.') };
  }
  if (streamId.startsWith(streamCategories.workload)) {
    const parts = streamId.slice(streamCategories.workload.length).split('.');
    if (parts.length < 4 || parts.slice(0, 3).some((p) => p === '')) return null;
    return { category: 'workload', clusterId: parts[0], namespace: parts[1], kind: parts[2], name: parts.slice(3).join('.') };
  }
  if (streamId.startsWith(streamCategories.template)) {
    return { category: 'template', templateId: streamId.slice(streamCategories.template.length) };
  }
  if (streamId.startsWith(streamCategories.terminal)) return { category: 'terminal', sessionId: streamId.slice(streamCategories.terminal.length) };
  if (streamId.startsWith(streamCategories.devenv)) {
    // Cluster, namespace and name are DNS labels: no dots of their own.
    const parts = streamId.slice(streamCategories.devenv.length).split('.');
    if (parts.length !== 3 || parts.some((p) => p === '')) return null;
    return { category: 'devenv', clusterId: parts[0], namespace: parts[1], name: parts[2] };
  }
  return null;
}
