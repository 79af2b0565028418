/**
 * A small populated cluster for people (`npm run kube-sim -- --demo`) and tests: namespaces `shop`,
 * `payments`, `monitoring` with Deployments, a StatefulSet, a Job, a CronJob, ConfigMaps, Secrets,
 * Services, a ServiceAccount and a NetworkPolicy. Only the objects a user would apply are created: the
 * workload controllers (when they run) make the ReplicaSets and Pods.
 */
import type { ObjectStore } from './objects';

export const DEMO_NAMESPACES = ['shop', 'payments', 'monitoring'] as const;

const labels = (app: string, extra: Record<string, string> = {}) => ({ 'app.kubernetes.io/name': app, 'app.kubernetes.io/part-of': 'kube-sim-demo', ...extra });

function container(name: string, image: string, port?: number, extra: any = {}): any {
  return {
    name,
    image,
    ...(port ? { ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }] } : {}),
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    ...extra,
  };
}

function deployment(name: string, replicas: number, c: any, extra: any = {}): any {
  return {
    metadata: { name, labels: labels(name) },
    spec: {
      replicas,
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      template: { metadata: { labels: labels(name) }, spec: { containers: [c], ...(extra.podSpec ?? {}) } },
    },
  };
}

function service(name: string, port: number, targetPort: number | string = 'http', extra: any = {}): any {
  return {
    metadata: { name, labels: labels(name) },
    spec: { selector: { 'app.kubernetes.io/name': name }, ports: [{ name: 'http', port, targetPort, protocol: 'TCP' }], ...extra },
  };
}

/** The demo objects, in creation order: [group, resource, namespace, body]. */
export function demoObjects(): Array<[string, string, string, any]> {
  const out: Array<[string, string, string, any]> = [];
  for (const ns of DEMO_NAMESPACES) out.push(['', 'namespaces', '', { metadata: { name: ns, labels: { 'kube-sim/demo': 'true', team: ns } } }]);

  // shop: storefront, cart, catalog + a postgres StatefulSet
  out.push(['', 'configmaps', 'shop', { metadata: { name: 'storefront-config', labels: labels('storefront') }, data: { 'CATALOG_URL': 'http://catalog.shop.svc.cluster.local', 'CART_URL': 'http://cart.shop.svc.cluster.local', 'FEATURE_FLAGS': 'new-checkout=true' } }]);
  out.push(['', 'secrets', 'shop', { metadata: { name: 'postgres-credentials', labels: labels('postgres') }, type: 'Opaque', stringData: { POSTGRES_USER: 'shop', POSTGRES_PASSWORD: 'demo-password' } }]);
  out.push(['apps', 'deployments', 'shop', deployment('storefront', 3, container('storefront', 'ghcr.io/kube-sim/storefront:1.4.2', 8080, { envFrom: [{ configMapRef: { name: 'storefront-config' } }] }))]);
  out.push(['apps', 'deployments', 'shop', deployment('cart', 2, container('cart', 'ghcr.io/kube-sim/cart:2.0.1', 8080))]);
  out.push(['apps', 'deployments', 'shop', deployment('catalog', 2, container('catalog', 'ghcr.io/kube-sim/catalog:0.9.7', 8080, { env: [{ name: 'DB_HOST', value: 'postgres.shop.svc.cluster.local' }, { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-credentials', key: 'POSTGRES_PASSWORD' } } }] }))]);
  out.push(['', 'services', 'shop', service('storefront', 80, 'http', { type: 'ClusterIP' })]);
  out.push(['', 'services', 'shop', service('cart', 80)]);
  out.push(['', 'services', 'shop', service('catalog', 80)]);
  out.push(['', 'services', 'shop', { ...service('postgres', 5432, 5432), spec: { ...service('postgres', 5432, 5432).spec, clusterIP: 'None' } }]);
  out.push([
    'apps',
    'statefulsets',
    'shop',
    {
      metadata: { name: 'postgres', labels: labels('postgres') },
      spec: {
        serviceName: 'postgres',
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'postgres' } },
        template: {
          metadata: { labels: labels('postgres') },
          spec: { containers: [container('postgres', 'postgres:16-alpine', undefined, { ports: [{ name: 'pg', containerPort: 5432, protocol: 'TCP' }], envFrom: [{ secretRef: { name: 'postgres-credentials' } }], volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }] })] },
        },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    },
  ]);
  out.push([
    'networking.k8s.io',
    'networkpolicies',
    'shop',
    { metadata: { name: 'postgres-from-catalog' }, spec: { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'postgres' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'catalog' } } }] }] } },
  ]);

  // payments: an API, a ledger migration Job, a nightly CronJob
  out.push(['', 'serviceaccounts', 'payments', { metadata: { name: 'payments-api' } }]);
  out.push(['', 'secrets', 'payments', { metadata: { name: 'stripe-api-key', labels: labels('payments-api') }, type: 'Opaque', stringData: { STRIPE_API_KEY: 'sk_test_kube_sim_demo' } }]);
  out.push(['', 'configmaps', 'payments', { metadata: { name: 'payments-config', labels: labels('payments-api') }, data: { CURRENCY: 'EUR', 'payments.yaml': 'retries: 3\ntimeoutSeconds: 10\n' } }]);
  out.push(['apps', 'deployments', 'payments', deployment('payments-api', 2, container('payments-api', 'ghcr.io/kube-sim/payments-api:3.1.0', 8443, { envFrom: [{ configMapRef: { name: 'payments-config' } }, { secretRef: { name: 'stripe-api-key' } }] }), { podSpec: { serviceAccountName: 'payments-api' } })]);
  out.push(['', 'services', 'payments', service('payments-api', 443)]);
  out.push([
    'batch',
    'jobs',
    'payments',
    {
      metadata: { name: 'ledger-migrate', labels: labels('ledger-migrate') },
      spec: { backoffLimit: 2, completions: 1, parallelism: 1, template: { metadata: { labels: labels('ledger-migrate') }, spec: { restartPolicy: 'Never', containers: [container('migrate', 'ghcr.io/kube-sim/ledger-migrate:3.1.0', undefined, { command: ['/bin/migrate', '--to=latest'] })] } } },
    },
  ]);
  out.push([
    'batch',
    'cronjobs',
    'payments',
    {
      metadata: { name: 'nightly-reconcile', labels: labels('nightly-reconcile') },
      spec: { schedule: '0 2 * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [container('reconcile', 'ghcr.io/kube-sim/reconcile:1.0.0')] } } } } },
    },
  ]);

  // monitoring: prometheus + grafana
  out.push(['', 'configmaps', 'monitoring', { metadata: { name: 'prometheus-config', labels: labels('prometheus') }, data: { 'prometheus.yml': 'global:\n  scrape_interval: 30s\nscrape_configs:\n  - job_name: kubernetes-pods\n    kubernetes_sd_configs:\n      - role: pod\n' } }]);
  out.push(['', 'secrets', 'monitoring', { metadata: { name: 'grafana-admin', labels: labels('grafana') }, type: 'Opaque', stringData: { 'admin-user': 'admin', 'admin-password': 'demo' } }]);
  out.push(['apps', 'deployments', 'monitoring', deployment('prometheus', 1, container('prometheus', 'prom/prometheus:v2.54.1', 9090, { volumeMounts: [{ name: 'config', mountPath: '/etc/prometheus' }] }), { podSpec: { volumes: [{ name: 'config', configMap: { name: 'prometheus-config' } }] } })]);
  out.push(['apps', 'deployments', 'monitoring', deployment('grafana', 1, container('grafana', 'grafana/grafana:11.2.0', 3000, { env: [{ name: 'GF_SECURITY_ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: 'grafana-admin', key: 'admin-password' } } }] }))]);
  out.push(['', 'services', 'monitoring', service('prometheus', 9090)]);
  out.push(['', 'services', 'monitoring', service('grafana', 80)]);
  return out;
}

/** Creates the demo objects in `store` (idempotent: objects that exist are left alone). Returns how many were created. */
export function populateDemo(store: ObjectStore): number {
  let n = 0;
  for (const [group, resource, ns, body] of demoObjects()) {
    if (store.get(group, resource, ns, body.metadata.name)) continue;
    store.create(group, resource, ns, body, { fieldManager: 'kube-sim-demo' });
    n++;
  }
  return n;
}
