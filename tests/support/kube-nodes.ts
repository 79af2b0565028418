import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';

/** Creates Ready nodes with the given allocatable on a (simulated) cluster, as a kubelet would report them. */
export async function addNodes(kubeconfig: string, count: number, allocatable = { cpu: '4', memory: '16Gi' }): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  for (let i = 0; i < count; i++) {
    const name = `node-${i + 1}`;
    await core.createNode({ body: { metadata: { name, labels: { 'kubernetes.io/hostname': name } } } });
    await core.replaceNodeStatus({
      name,
      body: {
        metadata: { name },
        status: {
          capacity: { ...allocatable, pods: '110' },
          allocatable: { ...allocatable, pods: '110' },
          conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
        },
      },
    });
  }
}
