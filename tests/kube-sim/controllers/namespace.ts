/**
 * Namespace lifecycle, as kube-controller-manager's namespace controller and the service-account and
 * root-CA publishers do it: a new namespace gets the `default` ServiceAccount and the
 * `kube-root-ca.crt` ConfigMap; a namespace being deleted (phase Terminating) has its contents deleted,
 * then its `kubernetes` finalizer removed, after which it disappears.
 */
import { StatusError } from '../errors';
import { registerController, type Controller, type ControllerContext } from './index';

const RETRY_MS = 50;

export function namespaceController(): Controller {
  return {
    name: 'namespace',
    start(ctx: ControllerContext) {
      const { store, registry } = ctx;
      const pending = new Set<string>();

      const populate = (ns: string) => {
        const nsObj = store.get('', 'namespaces', '', ns);
        if (!nsObj || nsObj.metadata.deletionTimestamp) return;
        try {
          if (!store.get('', 'serviceaccounts', ns, 'default')) store.create('', 'serviceaccounts', ns, { metadata: { name: 'default' } });
          if (ctx.caCert && !store.get('', 'configmaps', ns, 'kube-root-ca.crt'))
            store.create('', 'configmaps', ns, { metadata: { name: 'kube-root-ca.crt', annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } }, data: { 'ca.crt': ctx.caCert } });
        } catch (e) {
          if (!(e instanceof StatusError)) throw e;
        }
      };

      const cleanup = (ns: string) => {
        const nsObj = store.get('', 'namespaces', '', ns);
        if (!nsObj || !nsObj.metadata.deletionTimestamp) {
          pending.delete(ns);
          return;
        }
        let remaining = 0;
        for (const def of registry.all()) {
          if (!def.namespaced || def.virtual) continue;
          if (registry.find(def.group, def.resource) !== def) continue; // one version per resource
          for (const o of store.list(def.group, def.resource, ns)) {
            remaining++;
            if (o.metadata.deletionTimestamp) continue;
            try {
              store.delete(def.group, def.resource, ns, o.metadata.name, { propagationPolicy: 'Background' });
            } catch (e) {
              if (!(e instanceof StatusError)) throw e;
            }
          }
        }
        const left = registry
          .all()
          .filter((d) => d.namespaced && !d.virtual && registry.find(d.group, d.resource) === d)
          .reduce((n, d) => n + store.list(d.group, d.resource, ns).length, 0);
        if (left > 0 || remaining < 0) {
          ctx.defer(() => cleanup(ns), RETRY_MS);
          return;
        }
        pending.delete(ns);
        const fins: string[] = nsObj.spec?.finalizers ?? [];
        try {
          store.update('', 'namespaces', '', ns, { ...nsObj, spec: { ...(nsObj.spec ?? {}), finalizers: fins.filter((f) => f !== 'kubernetes') } }, {}, 'finalize');
        } catch (e) {
          if (!(e instanceof StatusError)) throw e;
        }
      };

      store.onWrite((def, type, obj) => {
        if (def.group !== '' || def.resource !== 'namespaces') return;
        const ns = obj.metadata.name;
        if (type === 'ADDED') ctx.defer(() => populate(ns));
        if (type === 'MODIFIED' && obj.metadata.deletionTimestamp && !pending.has(ns)) {
          pending.add(ns);
          ctx.defer(() => cleanup(ns));
        }
      });
    },
  };
}

registerController('namespace', namespaceController);
