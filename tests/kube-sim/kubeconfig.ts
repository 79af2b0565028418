/** kubeconfig YAML for a kube-sim server, one user per bearer token. */
import { stringify } from 'yaml';

export interface KubeconfigUser {
  name: string;
  token: string;
}

export function buildKubeconfig(opts: { server: string; caPem?: string; users: KubeconfigUser[]; currentUser: string; clusterName?: string; namespace?: string }): string {
  const cluster = opts.clusterName ?? 'kube-sim';
  const cl: any = { server: opts.server };
  if (opts.caPem) cl['certificate-authority-data'] = Buffer.from(opts.caPem).toString('base64');
  // @kubernetes/client-node refuses plain http:// unless the cluster is marked insecure-skip-tls-verify
  else if (opts.server.startsWith('http:')) cl['insecure-skip-tls-verify'] = true;
  const ctxName = (u: string) => `${u}@${cluster}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: cl }],
    users: opts.users.map((u) => ({ name: u.name, user: { token: u.token } })),
    contexts: opts.users.map((u) => ({ name: ctxName(u.name), context: { cluster, user: u.name, ...(opts.namespace ? { namespace: opts.namespace } : {}) } })),
    'current-context': ctxName(opts.currentUser),
    preferences: {},
  });
}
