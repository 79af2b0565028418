/**
 * CustomResourceDefinitions: serving the resources they define (registering them in the registry, so
 * they appear in discovery and are served generically), establishing them (status conditions), and
 * cleaning up their custom resources on deletion (finalizer customresourcecleanup.apiextensions.k8s.io).
 */
import { StatusError } from '../errors';
import { ALL_VERBS, type Registry, type ResourceDef, type SubresourceDef } from '../registry';
import { registerController, type Controller, type ControllerContext } from './index';

export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

/** ResourceDefs for every served version of a CRD. */
export function crdDefs(crd: any): ResourceDef[] {
  const s = crd.spec ?? {};
  const names = s.names ?? {};
  return (s.versions ?? [])
    .filter((v: any) => v.served !== false)
    .map((v: any): ResourceDef => {
      const subs: SubresourceDef[] = [];
      if (v.subresources?.status) subs.push({ name: 'status', kind: names.kind, verbs: ['get', 'patch', 'update'] });
      if (v.subresources?.scale) subs.push({ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] });
      return {
        group: s.group,
        version: v.name,
        resource: names.plural,
        singular: names.singular ?? String(names.kind).toLowerCase(),
        kind: names.kind,
        listKind: names.listKind ?? `${names.kind}List`,
        namespaced: s.scope === 'Namespaced',
        shortNames: names.shortNames ?? [],
        categories: names.categories,
        verbs: ALL_VERBS,
        subresources: subs,
        hasStatus: !!v.subresources?.status,
        generation: true,
        nameRule: 'subdomain',
        fieldLabels: (v.selectableFields ?? []).map((f: any) => String(f.jsonPath).replace(/^\./, '')),
        returnDeletedObject: true,
        scale: v.subresources?.scale,
        custom: true,
        schema: v.schema?.openAPIV3Schema,
      };
    });
}

export function registerCrd(registry: Registry, crd: any) {
  const s = crd.spec ?? {};
  if (!s.group || !s.names?.plural) return;
  for (const d of registry.all()) if (d.custom && d.group === s.group && d.resource === s.names.plural) registry.remove(d.group, d.resource);
  for (const d of crdDefs(crd)) registry.add(d);
}

export function crdController(): Controller {
  return {
    name: 'crd',
    start(ctx: ControllerContext) {
      const { store, registry } = ctx;
      const G = 'apiextensions.k8s.io';
      const R = 'customresourcedefinitions';

      const establish = (name: string) => {
        const crd = store.get(G, R, '', name);
        if (!crd || crd.metadata.deletionTimestamp) return;
        const s = crd.spec;
        const ts = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        const accepted = { ...s.names, singular: s.names.singular ?? s.names.kind.toLowerCase(), listKind: s.names.listKind ?? `${s.names.kind}List` };
        const status = {
          conditions: [
            { type: 'NamesAccepted', status: 'True', lastTransitionTime: ts, reason: 'NoConflicts', message: 'no conflicts found' },
            { type: 'Established', status: 'True', lastTransitionTime: ts, reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
          ],
          acceptedNames: accepted,
          storedVersions: [...new Set([...(crd.status?.storedVersions ?? []), ...s.versions.filter((v: any) => v.storage).map((v: any) => v.name)])],
        };
        try {
          if (!(crd.metadata.finalizers ?? []).includes(CLEANUP_FINALIZER)) {
            const next = structuredClone(crd);
            next.metadata.finalizers = [...(crd.metadata.finalizers ?? []), CLEANUP_FINALIZER];
            store.update(G, R, '', name, next);
          }
          const cur = store.get(G, R, '', name);
          if (cur && JSON.stringify(cur.status?.conditions?.map((c: any) => c.type)) !== JSON.stringify(['NamesAccepted', 'Established']))
            store.updateStatus(G, R, '', name, status);
          else if (cur && JSON.stringify(cur.status?.acceptedNames) !== JSON.stringify(accepted)) store.updateStatus(G, R, '', name, { ...cur.status, acceptedNames: accepted, storedVersions: status.storedVersions });
        } catch (e) {
          if (!(e instanceof StatusError)) throw e;
        }
      };

      const cleanup = (crd: any) => {
        const s = crd.spec;
        const def = registry.find(s.group, s.names.plural);
        let left = 0;
        if (def) {
          for (const o of store.list(def.group, def.resource)) {
            left++;
            if (o.metadata.deletionTimestamp) continue;
            try {
              store.delete(def.group, def.resource, o.metadata.namespace ?? '', o.metadata.name, { propagationPolicy: 'Background' });
            } catch (e) {
              if (!(e instanceof StatusError)) throw e;
            }
          }
          left = store.list(def.group, def.resource).length;
        }
        if (left > 0) return ctx.defer(() => cleanup(crd), 50);
        const cur = store.get(G, R, '', crd.metadata.name);
        if (!cur) return;
        const next = structuredClone(cur);
        next.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((f: string) => f !== CLEANUP_FINALIZER);
        try {
          store.update(G, R, '', cur.metadata.name, next);
        } catch (e) {
          if (!(e instanceof StatusError)) throw e;
        }
      };

      store.onWrite((def, type, obj) => {
        if (def.group !== G || def.resource !== R) return;
        if (obj.metadata.deletionTimestamp) {
          if (type === 'MODIFIED' && (obj.metadata.finalizers ?? []).includes(CLEANUP_FINALIZER)) ctx.defer(() => cleanup(obj));
          return;
        }
        registerCrd(registry, obj);
        ctx.defer(() => establish(obj.metadata.name));
      });
      store.onRemoved((def, obj) => {
        if (def.group !== G || def.resource !== R) return;
        const s = obj.spec ?? {};
        if (s.group && s.names?.plural) registry.remove(s.group, s.names.plural);
      });
    },
  };
}

registerController('crd', crdController);
