/**
 * The disruption controller: keeps PodDisruptionBudget status (expectedPods, currentHealthy,
 * desiredHealthy, disruptionsAllowed, observedGeneration, the DisruptionAllowed condition) current as
 * pods come, go and change readiness. The eviction subresource computes the same numbers (eviction.ts).
 */
import { registerController, type Controller, type ControllerContext } from '../controllers/index';
import { pdbState } from './eviction';
import { rfc3339 } from './util';

export function disruptionController(): Controller {
  let stopped = false;
  return {
    name: 'disruption',
    stop() {
      stopped = true;
    },
    start(ctx: ControllerContext) {
      const { store, clock } = ctx;
      const dirty = new Set<string>();
      let queued = false;
      const sync = (ns: string) => {
        for (const pdb of store.list('policy', 'poddisruptionbudgets', ns)) {
          if (pdb.metadata.deletionTimestamp) continue;
          const st = pdbState(store, pdb);
          const allowed = st.disruptionsAllowed > 0;
          const old = pdb.status ?? {};
          const oldCond = (old.conditions ?? []).find((c: any) => c.type === 'DisruptionAllowed');
          const status = allowed ? 'True' : 'False';
          const cond = {
            type: 'DisruptionAllowed',
            status,
            observedGeneration: pdb.metadata.generation ?? 1,
            lastTransitionTime: oldCond && oldCond.status === status ? oldCond.lastTransitionTime : rfc3339(clock.now()),
            reason: allowed ? 'SufficientPods' : 'InsufficientPods',
            message: '',
          };
          const next: any = {
            observedGeneration: pdb.metadata.generation ?? 1,
            disruptionsAllowed: st.disruptionsAllowed,
            currentHealthy: st.currentHealthy,
            desiredHealthy: st.desiredHealthy,
            expectedPods: st.expectedPods,
            conditions: [cond],
          };
          if (old.disruptedPods) next.disruptedPods = old.disruptedPods;
          store.updateStatus('policy', 'poddisruptionbudgets', ns, pdb.metadata.name, next);
        }
      };
      const mark = (ns: string) => {
        dirty.add(ns);
        if (queued || stopped) return;
        queued = true;
        ctx.defer(() => {
          queued = false;
          const all = [...dirty];
          dirty.clear();
          for (const n of all) sync(n);
        });
      };
      const hasPdb = (ns: string) => store.list('policy', 'poddisruptionbudgets', ns).length > 0;
      store.onWrite((def, type, obj) => {
        if (stopped) return;
        if (def.group === 'policy' && def.resource === 'poddisruptionbudgets' && type !== 'DELETED') {
          if ((obj.status?.observedGeneration ?? 0) !== (obj.metadata.generation ?? 1) || obj.status?.expectedPods === undefined) mark(obj.metadata.namespace);
        } else if (def.group === '' && def.resource === 'pods' && hasPdb(obj.metadata.namespace)) mark(obj.metadata.namespace);
      });
      store.onRemoved((def, obj) => {
        if (def.group === '' && def.resource === 'pods' && !stopped && hasPdb(obj.metadata.namespace)) mark(obj.metadata.namespace);
      });
    },
  };
}

registerController('disruption', disruptionController);
