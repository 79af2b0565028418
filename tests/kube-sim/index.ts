/**
 * kube-sim: a Kubernetes API server simulator speaking the real wire protocol over HTTP(S).
 *
 *   const sim = await startKubeSim();            // HTTPS, self-signed CA in the kubeconfig
 *   const kc = new KubeConfig(); kc.loadFromString(sim.kubeconfig);
 *   ...
 *   await sim.stop();
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createAdmissionPlugins } from './admission/index';
import { bootstrapRbacObjects, createAuthenticator, createAuthorizer, defaultUsers, type SimUser } from './auth/index';
import { startControllers } from './controllers/index';
import './controllers/gc';
import './controllers/namespace';
import './controllers/crd';
import './controllers/workloads/index';
import { createFaults, type FaultController, type FaultOptions } from './faults';
import { bindExecRuntime } from './exec/index';
import { buildKubeconfig } from './kubeconfig';
import { ObjectStore } from './objects';
import { Registry } from './registry';
import { KubeSimServer } from './server';
import { generateServingCert } from './tls';
import { SimClock } from './clock';
// part 2, nodes side: scheduler, kubelet, metrics-server, pod logs, PDB-aware eviction
import './controllers/scheduler';
import './controllers/kubelet';
import './controllers/nodelifecycle';
import './nodes/eviction';
import './nodes/binding';
import './nodes/disruption';
import { logsFor, type SimLogs } from './logs/index';
import { metricsFor, type SimMetrics } from './metrics/index';
import { createNodePools, type NodePool } from './nodes/pools';
import { configureNodeSim, type KubeletOptions } from './nodes/util';

export type { SimUser } from './auth/index';
export { ObjectStore } from './objects';
export { registerController } from './controllers/index';
export { registerSubresource, setPodLogSource } from './subresources';
export { emitContainerOutput } from './exec/index';

export interface KubeSimOptions {
  /** 0 / undefined = a free port */
  port?: number;
  host?: string;
  /** HTTPS with a generated self-signed certificate (default true); false = plain HTTP. */
  tls?: boolean;
  /** Bearer-token users (default: admin in system:masters, alice). */
  users?: SimUser[];
  /** Fault injection at start (rules, seed, latencyMs); switch at run time with `sim.faults`. */
  faults?: FaultOptions;
  /** Watch events retained per resource for watches/continue tokens (default 10,000). */
  watchWindow?: number;
  /** Interval of watch BOOKMARK events (default 60 s). */
  bookmarkIntervalMs?: number;
  /** Controllers to run (default: all registered). */
  controllers?: string[];
  /** Ready nodes created at start, named kube-sim-node-1.. (default 1, like a one-node cluster). */
  nodes?: number;
  /** Node pools created at start instead of `nodes` (see nodes/pools.ts; nodes named `<pool>-<i>`). */
  nodePools?: NodePool[];
  /** Simulated kubelet timings (startDelayMs default 200, defaultRunSeconds 1, logLinesPerSecond 1). */
  kubelet?: KubeletOptions;
  /** Seed of everything generated (container IDs, log lines, metrics), default 1. */
  seed?: number;
}

export interface KubeSim {
  url: string;
  /** kubeconfig YAML for the first user (the admin by default). */
  kubeconfig: string;
  kubeconfigFor(userName: string): string;
  /** CA certificate PEM (undefined with tls: false). */
  caPem?: string;
  users: SimUser[];
  /** In-process object API (controllers, fixtures, part 2). */
  store: ObjectStore;
  /** The simulated clock; `clock.advance(ms)` makes time pass for controllers (CronJobs, kubelet delays). */
  clock: SimClock;
  /** Fault injection at run time: set/add/clear rules, down()/recover() (see faults.ts). */
  faults: FaultController;
  /** Container logs: `append(ns, pod, container, line)` (see logs/index.ts). */
  logs: SimLogs;
  /** metrics.k8s.io usage: `setPodUsage(ns, pod, container?, {cpu, memory})`, `clearPodUsage` (see metrics/index.ts). */
  metrics: SimMetrics;
  stop(): Promise<void>;
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function startKubeSim(opts: KubeSimOptions = {}): Promise<KubeSim> {
  const useTls = opts.tls ?? true;
  const host = opts.host ?? '127.0.0.1';
  const users = opts.users ?? defaultUsers;
  const registry = new Registry();
  const store = new ObjectStore(registry, createAdmissionPlugins(), opts.watchWindow ?? 10_000);
  const cert = useTls ? await generateServingCert(['localhost', '127.0.0.1', '::1', ...(host !== '127.0.0.1' ? [host] : [])]) : undefined;

  const clock = new SimClock();
  bindExecRuntime(store, { clock });
  configureNodeSim(store, opts.seed ?? 1, opts.kubelet, clock);
  const stopControllers = startControllers({ store, registry, caCert: cert?.ca, clock }, opts.controllers);
  seed(store, opts.nodePools ? 0 : (opts.nodes ?? 1));
  if (opts.nodePools) createNodePools(store, opts.nodePools, clock.now());

  let address = '';
  const faults = createFaults(opts.faults);
  const app = new KubeSimServer({
    store,
    authenticator: createAuthenticator(users),
    authorizer: createAuthorizer(),
    watch: { bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000, defaultTimeoutSeconds: 1800, maxBufferedBytes: 64 * 1024 * 1024 },
    faults,
    address: () => address,
  });
  const server = cert ? https.createServer({ cert: cert.cert, key: cert.key }, app.handle) : http.createServer(app.handle);
  server.on('upgrade', app.handleUpgrade);
  server.keepAliveTimeout = 60_000;
  const sockets = new Set<import('node:net').Socket>();
  // The raw TCP socket, also for HTTPS: a connection still in its TLS handshake must be destroyed on stop too.
  server.on('connection', (s: import('node:net').Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  faults.bindServer?.({
    stopListening: () => new Promise<void>((resolve) => server.close(() => resolve())),
    startListening: () =>
      new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      }),
    destroySockets: () => {
      for (const s of sockets) s.destroy();
    },
  });
  address = `${host}:${port}`;
  const url = `${useTls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const kubeconfigFor = (userName: string) => {
    if (!users.some((u) => u.name === userName)) throw new Error(`kube-sim: unknown user ${userName}`);
    return buildKubeconfig({ server: url, caPem: cert?.ca, users, currentUser: userName });
  };

  return {
    url,
    kubeconfig: kubeconfigFor(users[0].name),
    kubeconfigFor,
    caPem: cert?.ca,
    users,
    store,
    clock,
    logs: logsFor(store, clock),
    metrics: metricsFor(store, clock),
    faults: faults.controller!,
    async stop() {
      stopControllers();
      clock.stop();
      await faults.controller!.recover().catch(() => {});
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        (server as any).closeAllConnections?.();
      });
    },
  };
}

/** What a fresh cluster has: system namespaces, the kubernetes Service, bootstrap RBAC. */
function seed(store: ObjectStore, nodes: number) {
  for (let i = 1; i <= nodes; i++) store.create('', 'nodes', '', simNode(`kube-sim-node-${i}`, i));
  for (const ns of SYSTEM_NAMESPACES) store.create('', 'namespaces', '', { metadata: { name: ns } });
  for (const o of bootstrapRbacObjects()) {
    const resource = o.kind === 'ClusterRole' ? 'clusterroles' : o.kind === 'ClusterRoleBinding' ? 'clusterrolebindings' : o.kind === 'Role' ? 'roles' : 'rolebindings';
    store.create('rbac.authorization.k8s.io', resource, o.metadata.namespace ?? '', o);
  }
  store.create('', 'services', 'default', {
    metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], clusterIP: store.allocateClusterIP(), type: 'ClusterIP', sessionAffinity: 'None' },
  });
}

/** A Ready node as a kubelet registers it. */
export function simNode(name: string, index = 1): any {
  const ts = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const resources = { cpu: '4', memory: '16331164Ki', pods: '110', 'ephemeral-storage': '102350Mi' };
  return {
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64' },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: { podCIDR: `10.244.${index}.0/24`, podCIDRs: [`10.244.${index}.0/24`] },
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: [
        { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: ts, lastTransitionTime: ts, reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
        { type: 'DiskPressure', status: 'False', lastHeartbeatTime: ts, lastTransitionTime: ts, reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
        { type: 'PIDPressure', status: 'False', lastHeartbeatTime: ts, lastTransitionTime: ts, reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
        { type: 'Ready', status: 'True', lastHeartbeatTime: ts, lastTransitionTime: ts, reason: 'KubeletReady', message: 'kubelet is posting ready status' },
      ],
      addresses: [
        { type: 'InternalIP', address: `10.0.0.${(index % 250) + 2}` },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: '', systemUUID: '', bootID: '', kernelVersion: '6.1.0', osImage: 'kube-sim', containerRuntimeVersion: 'containerd://1.7.20',
        kubeletVersion: 'v1.31.0', kubeProxyVersion: 'v1.31.0', operatingSystem: 'linux', architecture: 'amd64',
      },
    },
  };
}
