/**
 * Standalone kube-sim: `npm run kube-sim -- --port 6443 [--http] [--host 127.0.0.1] [--kubeconfig-out FILE] [--user NAME]`.
 * Prints the URL, writes the kubeconfig (admin user by default), runs until killed.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startKubeSim } from './index';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '6443' },
    host: { type: 'string', default: '127.0.0.1' },
    http: { type: 'boolean', default: false },
    'kubeconfig-out': { type: 'string' },
    user: { type: 'string' },
  },
  allowPositionals: false,
});

const sim = await startKubeSim({ port: Number(values.port), host: values.host, tls: !values.http });
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
