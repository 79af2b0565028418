/**
 * Standalone kube-sim: `npm run kube-sim -- --port 6443 [--http] [--host 127.0.0.1] [--kubeconfig-out FILE] [--user NAME] [--demo]`.
 * `--demo`: 3 nodes and the demo namespaces/workloads of demo.ts.
 * Prints the URL, writes the kubeconfig (admin user by default), runs until killed.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startKubeSim } from './index';
import { populateDemo } from './demo';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '6443' },
    host: { type: 'string', default: '127.0.0.1' },
    http: { type: 'boolean', default: false },
    'kubeconfig-out': { type: 'string' },
    user: { type: 'string' },
    demo: { type: 'boolean', default: false },
  },
  allowPositionals: false,
});

const sim = await startKubeSim({ port: Number(values.port), host: values.host, tls: !values.http, ...(values.demo ? { nodes: 3 } : {}) });
if (values.demo) console.log(`kube-sim demo: ${populateDemo(sim.store)} objects in namespaces shop, payments, monitoring`);
const kubeconfig = values.user ? sim.kubeconfigFor(values.user) : sim.kubeconfig;
if (values['kubeconfig-out']) writeFileSync(values['kubeconfig-out'], kubeconfig, { mode: 0o600 });
console.log(`kube-sim listening on ${sim.url}`);
if (values['kubeconfig-out']) console.log(`kubeconfig written to ${values['kubeconfig-out']}`);
else console.log(kubeconfig);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await sim.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
