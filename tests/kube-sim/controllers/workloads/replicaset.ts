/**
 * replicaset-controller: keeps `spec.replicas` pods matching the selector, adopting orphans, deleting
 * surplus pods ranked as controller.ActivePods (unscheduled < scheduled, Pending < Unknown < Running,
 * not ready < ready, newer first), and writing status (replicas, fullyLabeledReplicas, readyReplicas,
 * availableReplicas, observedGeneration, ReplicaFailure condition).
 */
import type { ObjectStore } from '../../objects';
import { registerController, type Controller, type ControllerContext } from '../index';
import { availableAt, controllerOf, createPod, deletePod, isPodActive, isPodAvailable, isPodReady, isoNow, MANAGER, ownedBy, ownerRef, podFromTemplate, recordEvent, selectorMatches, tolerate, WorkQueue } from './common';

const COMPONENT = 'replicaset-controller';
const BURST = 500;

const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** Sort order of pods to delete first (controller.ActivePods Less). */
export function deletionOrder(a: any, b: any): number {
  const as = a.spec?.nodeName ? 1 : 0;
  const bs = b.spec?.nodeName ? 1 : 0;
  if (as !== bs) return as - bs;
  const ap = phaseRank[a.status?.phase] ?? 0;
  const bp = phaseRank[b.status?.phase] ?? 0;
  if (ap !== bp) return ap - bp;
  const ar = isPodReady(a) ? 1 : 0;
  const br = isPodReady(b) ? 1 : 0;
  if (ar !== br) return ar - br;
  const restarts = (p: any) => (p.status?.containerStatuses ?? []).reduce((n: number, c: any) => Math.max(n, c.restartCount ?? 0), 0);
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  return (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '');
}

export function replicaSetController(): Controller {
  let queue: WorkQueue | undefined;
  return {
    name: 'replicaset',
    start(ctx: ControllerContext) {
      const { store } = ctx;
      const q = (queue = new WorkQueue(ctx, (ns, name) => sync(store, ctx, q, ns, name)));
      store.onWrite((def, type, obj) => {
        if (def.group === 'apps' && def.resource === 'replicasets') {
          if (type !== 'DELETED') q.add(obj.metadata.namespace, obj.metadata.name);
        } else if (def.group === '' && def.resource === 'pods') {
          const ref = controllerOf(obj);
          if (ref?.kind === 'ReplicaSet') q.add(obj.metadata.namespace, ref.name);
          else if (!ref && type !== 'DELETED') {
            for (const rs of store.list('apps', 'replicasets', obj.metadata.namespace)) if (selectorMatches(rs.spec?.selector, obj.metadata.labels)) q.add(rs.metadata.namespace, rs.metadata.name);
          }
        }
      });
      store.onRemoved((def, obj) => {
        if (def.group === '' && def.resource === 'pods') {
          const ref = controllerOf(obj);
          if (ref?.kind === 'ReplicaSet') q.add(obj.metadata.namespace, ref.name);
        }
      });
      for (const rs of store.list('apps', 'replicasets')) q.add(rs.metadata.namespace, rs.metadata.name);
    },
    stop() {
      queue?.stop();
    },
  };
}

function sync(store: ObjectStore, ctx: ControllerContext, q: WorkQueue, ns: string, name: string) {
  let rs = store.get('apps', 'replicasets', ns, name);
  if (!rs || rs.metadata.deletionTimestamp) return;
  const owner = { kind: 'ReplicaSet', apiVersion: 'apps/v1', obj: rs };
  // claim: owned pods, plus orphans matching the selector (adoption); release owned pods that stopped matching
  const pods: any[] = [];
  for (const p of store.list('', 'pods', ns)) {
    if (ownedBy(p, rs)) {
      if (selectorMatches(rs.spec.selector, p.metadata.labels)) pods.push(p);
      else if (!p.metadata.deletionTimestamp) {
        const next = structuredClone(p);
        next.metadata.ownerReferences = p.metadata.ownerReferences.filter((r: any) => r.uid !== rs.metadata.uid);
        if (!next.metadata.ownerReferences.length) delete next.metadata.ownerReferences;
        tolerate(() => store.update('', 'pods', ns, p.metadata.name, next, { fieldManager: MANAGER }));
      }
    } else if (!controllerOf(p) && !p.metadata.deletionTimestamp && selectorMatches(rs.spec.selector, p.metadata.labels)) {
      const next = structuredClone(p);
      next.metadata.ownerReferences = [...(p.metadata.ownerReferences ?? []), ownerRef('ReplicaSet', 'apps/v1', rs)];
      const adopted = tolerate(() => store.update('', 'pods', ns, p.metadata.name, next, { fieldManager: MANAGER }));
      if (adopted) pods.push(adopted);
    }
  }
  const active = pods.filter(isPodActive);
  const want = rs.spec.replicas ?? 1;
  const diff = active.length - want;
  let failure: string | undefined;
  if (diff < 0) {
    const n = Math.min(-diff, BURST);
    for (let i = 0; i < n; i++) {
      const body = podFromTemplate(rs.spec.template, rs, 'ReplicaSet', 'apps/v1');
      const r = createPod(store, ctx, COMPONENT, owner, body);
      if (r.error) {
        failure = r.error.message;
        break; // slow start: stop at the first error
      }
      recordEvent(store, ctx, COMPONENT, owner, 'Normal', 'SuccessfulCreate', `Created pod: ${r.pod.metadata.name}`);
      active.push(r.pod);
    }
  } else if (diff > 0) {
    const victims = [...active].sort(deletionOrder).slice(0, Math.min(diff, BURST));
    for (const p of victims) {
      deletePod(store, ctx, COMPONENT, owner, p);
      active.splice(active.indexOf(p), 1);
    }
  }

  rs = store.get('apps', 'replicasets', ns, name);
  if (!rs) return;
  const minReady = rs.spec.minReadySeconds ?? 0;
  const nowMs = ctx.clock.now();
  const tmplLabels = rs.spec.template?.metadata?.labels ?? {};
  const status: any = {
    replicas: active.length,
    fullyLabeledReplicas: active.filter((p) => Object.entries(tmplLabels).every(([k, v]) => p.metadata.labels?.[k] === v)).length,
    readyReplicas: active.filter(isPodReady).length,
    availableReplicas: active.filter((p) => isPodAvailable(p, minReady, nowMs)).length,
    observedGeneration: rs.metadata.generation,
  };
  let conds: any[] = (rs.status?.conditions ?? []).filter((c: any) => c.type !== 'ReplicaFailure');
  if (failure) {
    const prev = (rs.status?.conditions ?? []).find((c: any) => c.type === 'ReplicaFailure');
    conds = [...conds, { type: 'ReplicaFailure', status: 'True', lastTransitionTime: prev?.lastTransitionTime ?? isoNow(ctx), reason: 'FailedCreate', message: failure }];
  }
  if (conds.length) status.conditions = conds;
  for (const k of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'] as const) if (!status[k]) delete status[k];
  store.updateStatus('apps', 'replicasets', ns, name, status);
  // pods ready but not yet available: look again when minReadySeconds has passed
  const next = Math.min(...active.map((p) => availableAt(p, minReady) ?? Infinity).filter((t) => t > nowMs));
  if (Number.isFinite(next)) q.after(ns, name, next - nowMs + 1);
  if (failure) q.after(ns, name, 5_000);
}

registerController('replicaset', replicaSetController);
