/**
 * Garbage collector: deletes dependents whose owners are all gone (background propagation),
 * orphans dependents of owners deleted with propagationPolicy=Orphan (finalizer "orphan"), and
 * deletes dependents first for Foreground (finalizer "foregroundDeletion").
 */
import { StatusError } from '../errors';
import type { ResourceDef } from '../registry';
import { registerController, type Controller, type ControllerContext } from './index';

const ORPHAN = 'orphan';
const FOREGROUND = 'foregroundDeletion';

const ignore404 = (fn: () => void) => {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) throw e;
  }
};

export function garbageCollector(): Controller {
  return {
    name: 'garbage-collector',
    start(ctx: ControllerContext) {
      const { store } = ctx;
      const storage = store.storage;
      const refOf = (uid: string) => storage.byUid.get(uid);
      const defOf = (key: string): ResourceDef | undefined => {
        const [group, resource] = key.split('/');
        return store.registry.find(group, resource);
      };

      const dependentsOf = (uid: string) =>
        [...(storage.dependents.get(uid) ?? [])].map((d) => ({ uid: d, ref: refOf(d) })).filter((d) => d.ref) as Array<{ uid: string; ref: { key: string; namespace: string; name: string } }>;

      const removeFinalizer = (def: ResourceDef, obj: any, fin: string) => {
        ignore404(() => {
          const cur = store.get(def.group, def.resource, obj.metadata.namespace ?? '', obj.metadata.name);
          if (!cur || !(cur.metadata.finalizers ?? []).includes(fin)) return;
          const next = structuredClone(cur);
          next.metadata.finalizers = cur.metadata.finalizers.filter((f: string) => f !== fin);
          if (next.metadata.finalizers.length === 0) delete next.metadata.finalizers;
          store.update(def.group, def.resource, next.metadata.namespace ?? '', next.metadata.name, next, {}, '');
        });
      };

      /** an owner is gone: delete dependents that have no other live owner */
      const collect = (ownerUid: string) => {
        for (const { ref } of dependentsOf(ownerUid)) {
          const def = defOf(ref.key);
          if (!def) continue;
          const dep = storage.get(ref.key, ref.namespace, ref.name);
          if (!dep || dep.metadata.deletionTimestamp) continue;
          const live = (dep.metadata.ownerReferences ?? []).some((o: any) => storage.byUid.has(o.uid));
          if (live) continue;
          ignore404(() => store.delete(def.group, def.resource, ref.namespace, ref.name, { propagationPolicy: 'Background' }));
        }
      };

      const orphan = (def: ResourceDef, owner: any) => {
        const uid = owner.metadata.uid;
        for (const { ref } of dependentsOf(uid)) {
          const ddef = defOf(ref.key);
          const dep = storage.get(ref.key, ref.namespace, ref.name);
          if (!ddef || !dep) continue;
          const next = structuredClone(dep);
          next.metadata.ownerReferences = dep.metadata.ownerReferences.filter((o: any) => o.uid !== uid);
          if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
          ignore404(() => store.update(ddef.group, ddef.resource, ref.namespace, ref.name, next));
        }
        removeFinalizer(def, owner, ORPHAN);
      };

      const foreground = (def: ResourceDef, owner: any) => {
        const deps = dependentsOf(owner.metadata.uid);
        for (const { ref } of deps) {
          const ddef = defOf(ref.key);
          const dep = storage.get(ref.key, ref.namespace, ref.name);
          if (!ddef || !dep || dep.metadata.deletionTimestamp) continue;
          ignore404(() => store.delete(ddef.group, ddef.resource, ref.namespace, ref.name, { propagationPolicy: 'Foreground' }));
        }
        if (dependentsOf(owner.metadata.uid).length === 0) removeFinalizer(def, owner, FOREGROUND);
      };

      const examine = (def: ResourceDef, obj: any) => {
        if (!obj.metadata.deletionTimestamp) return;
        const fins: string[] = obj.metadata.finalizers ?? [];
        if (fins.includes(ORPHAN)) ctx.defer(() => orphan(def, obj));
        else if (fins.includes(FOREGROUND)) ctx.defer(() => foreground(def, obj));
      };

      /** a dependent created (or updated) with owners that do not exist is collected, as the real GC does */
      const dangling = (def: ResourceDef, obj: any) => {
        const refs: any[] = obj.metadata.ownerReferences ?? [];
        if (refs.length === 0 || obj.metadata.deletionTimestamp) return;
        if (refs.some((o) => storage.byUid.has(o.uid))) return;
        ctx.defer(() => {
          const cur = store.get(def.group, def.resource, obj.metadata.namespace ?? '', obj.metadata.name);
          if (!cur || cur.metadata.uid !== obj.metadata.uid || cur.metadata.deletionTimestamp) return;
          const owners: any[] = cur.metadata.ownerReferences ?? [];
          if (owners.length === 0 || owners.some((o) => storage.byUid.has(o.uid))) return;
          ignore404(() => store.delete(def.group, def.resource, cur.metadata.namespace ?? '', cur.metadata.name, { propagationPolicy: 'Background' }));
        });
      };

      store.onWrite((def, type, obj) => {
        if (type === 'MODIFIED') examine(def, obj);
        if (type !== 'DELETED') dangling(def, obj);
      });
      store.onRemoved((_def, obj) => {
        const uid = obj.metadata.uid;
        if (storage.dependents.has(uid)) ctx.defer(() => collect(uid));
        // a dependent went away: an owner waiting in foreground deletion may now finish
        for (const o of obj.metadata.ownerReferences ?? []) {
          const ref = refOf(o.uid);
          const owner = ref && storage.get(ref.key, ref.namespace, ref.name);
          const odef = ref && defOf(ref.key);
          if (owner && odef && owner.metadata.deletionTimestamp && (owner.metadata.finalizers ?? []).includes(FOREGROUND)) ctx.defer(() => foreground(odef, owner));
        }
      });
    },
  };
}

registerController('garbage-collector', garbageCollector);
