import { startKubeSim } from './index';
const sim = await startKubeSim({ tls: false, controllers: [] });
const s = sim.store;
let t = Date.now();
for (let i = 0; i < 5000; i++) s.create('', 'nodes', '', { metadata: { name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}` } }, status: { capacity: { cpu: '8', memory: '32Gi', pods: '110' } } });
console.log('nodes', Date.now() - t);
for (let n = 0; n < 50; n++) s.create('', 'namespaces', '', { metadata: { name: `ns-${n}` } });
t = Date.now();
for (let i = 0; i < 150000; i++) {
  s.create('', 'pods', `ns-${i % 50}`, { metadata: { name: `pod-${i}`, labels: { app: `app-${i % 100}`, 'pod-template-hash': 'abcde12345' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: `uid-${i % 1000}`, controller: true }] }, spec: { nodeName: `node-${i % 5000}`, containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '100m', memory: '128Mi' } } }] } });
}
console.log('pods', Date.now() - t);
global.gc?.();
console.log('heap MB', Math.round(process.memoryUsage().heapUsed / 1e6), 'rss MB', Math.round(process.memoryUsage().rss / 1e6));
t = Date.now();
const r = await fetch(sim.url + '/api/v1/pods?limit=500', { headers: { Authorization: 'Bearer admin-token' } });
const j: any = await r.json();
console.log('list 500 all-ns', Date.now() - t, j.items.length, j.metadata.remainingItemCount);
t = Date.now();
const r2 = await fetch(sim.url + '/api/v1/namespaces/ns-1/pods', { headers: { Authorization: 'Bearer admin-token' } });
const txt = await r2.text();
console.log('list ns-1 full', Date.now() - t, txt.length);
t = Date.now();
const r3 = await fetch(sim.url + '/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-7', { headers: { Authorization: 'Bearer admin-token' } });
const j3: any = await r3.json();
console.log('field sel node', Date.now() - t, j3.items.length);
for (let k = 0; k < 3; k++) { t = Date.now(); const q = s.query('', 'pods', { limit: 500 }); console.log('query', Date.now() - t, q.items.length); }
t = Date.now(); const all = s.storage.list('/pods'); console.log('storage.list', Date.now() - t, all.length);
t = Date.now(); JSON.stringify(all.slice(0, 500)); console.log('stringify500', Date.now() - t);
for (let k = 0; k < 2; k++) { t = Date.now(); const r = await fetch(sim.url + '/api/v1/pods?limit=500', { headers: { Authorization: 'Bearer admin-token' } }); await r.json(); console.log('http list 500', Date.now() - t); }
await sim.stop();
