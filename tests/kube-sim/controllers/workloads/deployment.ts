/**
 * deployment-controller: Deployment → ReplicaSets named `<deploy>-<pod-template-hash>`, rolling updates
 * (maxSurge rounded up, maxUnavailable rounded down, both 0 → 1 unavailable), Recreate, rollback by
 * template (the old ReplicaSet gets the next revision), revisionHistoryLimit, paused, proportional
 * scaling, status and the Available/Progressing conditions with progressDeadlineSeconds on the sim clock.
 * Mirrors pkg/controller/deployment (sync.go, rolling.go, recreate.go, progress.go).
 */
import type { ObjectStore } from '../../objects';
import { registerController, type Controller, type ControllerContext } from '../index';
import { computeHash, controllerOf, controllerUser, isoNow, MANAGER, ownedBy, ownerRef, recordEvent, scaledValue, selectorMatches, stableJson, tolerate, WorkQueue } from './common';

const COMPONENT = 'deployment-controller';
export const REVISION = 'deployment.kubernetes.io/revision';
const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
const DESIRED = 'deployment.kubernetes.io/desired-replicas';
const MAX = 'deployment.kubernetes.io/max-replicas';
const HASH = 'pod-template-hash';

const rev = (o: any) => parseInt(o?.metadata?.annotations?.[REVISION] ?? '0', 10) || 0;
const replicasOf = (rs: any) => rs.spec?.replicas ?? 0;
const withoutHash = (t: any) => {
  const c = structuredClone(t ?? {});
  if (c.metadata?.labels) delete c.metadata.labels[HASH];
  return stableJson(c);
};

export function resolveFenceposts(d: any): { surge: number; unavailable: number } {
  const n = d.spec.replicas ?? 1;
  const ru = d.spec.strategy?.rollingUpdate ?? {};
  const surge = scaledValue(ru.maxSurge ?? '25%', n, true);
  let unavailable = scaledValue(ru.maxUnavailable ?? '25%', n, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function deploymentController(): Controller {
  let queue: WorkQueue | undefined;
  return {
    name: 'deployment',
    start(ctx: ControllerContext) {
      const { store } = ctx;
      const q = (queue = new WorkQueue(ctx, (ns, name) => sync(store, ctx, q, ns, name)));
      store.onWrite((def, type, obj) => {
        if (def.group === 'apps' && def.resource === 'deployments') {
          if (type !== 'DELETED') q.add(obj.metadata.namespace, obj.metadata.name);
        } else if (def.group === 'apps' && def.resource === 'replicasets') {
          const ref = controllerOf(obj);
          if (ref?.kind === 'Deployment') q.add(obj.metadata.namespace, ref.name);
        } else if (def.group === '' && def.resource === 'pods' && type === 'DELETED') {
          // Recreate waits for old pods to be gone
          const ref = controllerOf(obj);
          const rs = ref?.kind === 'ReplicaSet' ? store.get('apps', 'replicasets', obj.metadata.namespace, ref.name) : undefined;
          const dref = controllerOf(rs);
          if (dref?.kind === 'Deployment') q.add(obj.metadata.namespace, dref.name);
        }
      });
      store.onRemoved((def, obj) => {
        if (def.group === 'apps' && def.resource === 'replicasets') {
          const ref = controllerOf(obj);
          if (ref?.kind === 'Deployment') q.add(obj.metadata.namespace, ref.name);
        }
      });
      for (const d of store.list('apps', 'deployments')) q.add(d.metadata.namespace, d.metadata.name);
    },
    stop() {
      queue?.stop();
    },
  };
}

interface Sync {
  store: ObjectStore;
  ctx: ControllerContext;
  d: any;
  ev: { kind: string; apiVersion: string; obj: any };
}

function scaleRS(s: Sync, rs: any, newScale: number, surge: number): any {
  const { store, d } = s;
  const cur = replicasOf(rs);
  const desired = String(d.spec.replicas ?? 1);
  const max = String((d.spec.replicas ?? 1) + surge);
  if (cur === newScale && rs.metadata.annotations?.[DESIRED] === desired && rs.metadata.annotations?.[MAX] === max) return rs;
  const next = structuredClone(rs);
  next.spec.replicas = newScale;
  next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [DESIRED]: desired, [MAX]: max };
  const updated = tolerate(() => store.update('apps', 'replicasets', rs.metadata.namespace, rs.metadata.name, next, { fieldManager: MANAGER, user: controllerUser(COMPONENT) }));
  if (updated && cur !== newScale) {
    recordEvent(store, s.ctx, COMPONENT, s.ev, 'Normal', 'ScalingReplicaSet', `Scaled ${cur < newScale ? 'up' : 'down'} replica set ${rs.metadata.name} to ${newScale} from ${cur}`);
  }
  return updated ?? rs;
}

function sync(store: ObjectStore, ctx: ControllerContext, q: WorkQueue, ns: string, name: string) {
  let d = store.get('apps', 'deployments', ns, name);
  if (!d || d.metadata.deletionTimestamp) return;
  const s: Sync = { store, ctx, d, ev: { kind: 'Deployment', apiVersion: 'apps/v1', obj: d } };
  const replicas = d.spec.replicas ?? 1;
  const { surge, unavailable } = resolveFenceposts(d);
  const recreate = d.spec.strategy?.type === 'Recreate';

  // ReplicaSets: owned ones, plus orphans the selector matches (adoption)
  let all: any[] = [];
  for (const rs of store.list('apps', 'replicasets', ns)) {
    if (ownedBy(rs, d)) all.push(rs);
    else if (!controllerOf(rs) && !rs.metadata.deletionTimestamp && selectorMatches(d.spec.selector, rs.metadata.labels)) {
      const next = structuredClone(rs);
      next.metadata.ownerReferences = [...(rs.metadata.ownerReferences ?? []), ownerRef('Deployment', 'apps/v1', d)];
      const a = tolerate(() => store.update('apps', 'replicasets', ns, rs.metadata.name, next, { fieldManager: MANAGER }));
      if (a) all.push(a);
    }
  }
  all.sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || rev(a) - rev(b));
  const tmpl = withoutHash(d.spec.template);
  let newRS = all.find((rs) => withoutHash(rs.spec.template) === tmpl && !rs.metadata.deletionTimestamp);
  let olds = all.filter((rs) => rs !== newRS);
  const maxOldRev = Math.max(0, ...olds.map(rev));
  let progressing: { reason: string; message: string } | undefined;

  if (!d.spec.paused) {
    if (!newRS) {
      const hash = computeHash(d.spec.template, d.status?.collisionCount ?? 0);
      const template = structuredClone(d.spec.template);
      template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [HASH]: hash } };
      const selector = structuredClone(d.spec.selector);
      selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH]: hash };
      // the new RS starts at its rolling-update share (NewRSNewReplicas), Recreate starts it at 0
      const current = olds.reduce((n, rs) => n + replicasOf(rs), 0);
      const start = recreate ? 0 : olds.length === 0 ? replicas : Math.max(0, Math.min(replicas + surge - current, replicas));
      const annotations = { ...(d.metadata.annotations ?? {}) };
      delete annotations[REVISION];
      delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
      const body = {
        metadata: {
          name: `${d.metadata.name}-${hash}`,
          namespace: ns,
          labels: template.metadata.labels,
          annotations: { ...annotations, [DESIRED]: String(replicas), [MAX]: String(replicas + surge), [REVISION]: String(maxOldRev + 1) },
          ownerReferences: [ownerRef('Deployment', 'apps/v1', d)],
        },
        spec: { replicas: start, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
      };
      newRS = tolerate(() => store.create('apps', 'replicasets', ns, body, { fieldManager: MANAGER, user: controllerUser(COMPONENT) }));
      if (!newRS) {
        // hash collision with a ReplicaSet of another template: bump status.collisionCount and retry with a new hash
        const existing = store.get('apps', 'replicasets', ns, body.metadata.name);
        if (existing && !(ownedBy(existing, d) && withoutHash(existing.spec.template) === tmpl)) {
          store.updateStatus('apps', 'deployments', ns, name, { ...(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 });
          q.add(ns, name);
        }
        return;
      }
      all.push(newRS);
      if (start > 0) recordEvent(store, ctx, COMPONENT, s.ev, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${newRS.metadata.name} to ${start}`);
      progressing = { reason: 'NewReplicaSetCreated', message: `Created new replica set "${newRS.metadata.name}"` };
    } else if (rev(newRS) <= maxOldRev || rev(newRS) === 0) {
      // rollback (or a template applied again): the existing RS becomes the newest revision
      const next = structuredClone(newRS);
      const oldRev = newRS.metadata.annotations?.[REVISION];
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [REVISION]: String(maxOldRev + 1) };
      if (oldRev) next.metadata.annotations[REVISION_HISTORY] = [...(newRS.metadata.annotations?.[REVISION_HISTORY] ?? '').split(',').filter(Boolean), oldRev].join(',');
      next.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
      newRS = tolerate(() => store.update('apps', 'replicasets', ns, newRS.metadata.name, next, { fieldManager: MANAGER })) ?? newRS;
    } else if ((newRS.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0)) {
      const next = structuredClone(newRS);
      next.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
      newRS = tolerate(() => store.update('apps', 'replicasets', ns, newRS.metadata.name, next, { fieldManager: MANAGER })) ?? newRS;
    } else if (!(d.status?.conditions ?? []).some((c: any) => c.type === 'Progressing')) {
      // an existing new RS seen for the first time (e.g. a Deployment adopting its RS)
      progressing = { reason: 'FoundNewReplicaSet', message: `Found new replica set "${newRS.metadata.name}"` };
    }
    olds = all.filter((rs) => rs.metadata.uid !== newRS.metadata.uid);
    // the Deployment carries its new RS's revision
    if (d.metadata.annotations?.[REVISION] !== String(rev(newRS))) {
      const next = structuredClone(d);
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [REVISION]: String(rev(newRS)) };
      d = tolerate(() => store.update('apps', 'deployments', ns, name, next, { fieldManager: MANAGER })) ?? d;
      s.d = d;
      s.ev.obj = d;
    }
  }

  const isScaling = !!newRS && all.some((rs) => replicasOf(rs) > 0 && rs.metadata.annotations?.[DESIRED] !== undefined && rs.metadata.annotations[DESIRED] !== String(replicas));
  if (d.spec.paused || !newRS) {
    proportionalScale(s, newRS, olds, surge);
  } else if (isScaling) {
    proportionalScale(s, newRS, olds, surge);
  } else if (recreate) {
    let scaled = false;
    for (const rs of olds) if (replicasOf(rs) > 0) {
      scaleRS(s, rs, 0, surge);
      scaled = true;
    }
    const oldPods = store.list('', 'pods', ns).filter((p) => olds.some((rs) => ownedBy(p, rs)) && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    if (!scaled && oldPods.length === 0) newRS = scaleRS(s, newRS, replicas, surge);
  } else {
    // rolling.go: reconcileNewReplicaSet, then reconcileOldReplicaSets
    const cur = replicasOf(newRS);
    if (cur > replicas) newRS = scaleRS(s, newRS, replicas, surge);
    else if (cur < replicas) {
      const total = all.reduce((n, rs) => n + (rs.metadata.uid === newRS.metadata.uid ? cur : replicasOf(rs)), 0);
      const maxTotal = replicas + surge;
      if (total < maxTotal) newRS = scaleRS(s, newRS, cur + Math.min(maxTotal - total, replicas - cur), surge);
    }
    const oldCount = olds.reduce((n, rs) => n + replicasOf(rs), 0);
    if (oldCount > 0) {
      const allCount = oldCount + replicasOf(newRS);
      const minAvailable = replicas - unavailable;
      const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
      let maxScaledDown = allCount - minAvailable - newUnavailable;
      if (maxScaledDown > 0) {
        // cleanupUnhealthyReplicas: old pods that are not available go first
        for (const rs of olds) {
          if (maxScaledDown <= 0) break;
          const unhealthy = replicasOf(rs) - (rs.status?.availableReplicas ?? 0);
          if (replicasOf(rs) === 0 || unhealthy <= 0) continue;
          const down = Math.min(maxScaledDown, unhealthy);
          const after = scaleRS(s, rs, replicasOf(rs) - down, surge);
          olds[olds.indexOf(rs)] = after;
          maxScaledDown -= down;
        }
        // scaleDownOldReplicaSetsForRollingUpdate
        const available = [...olds, newRS].reduce((n, rs) => n + Math.min(rs.status?.availableReplicas ?? 0, replicasOf(rs)), 0);
        if (available > minAvailable) {
          let remaining = available - minAvailable;
          for (const rs of olds) {
            if (remaining <= 0) break;
            if (replicasOf(rs) === 0) continue;
            const down = Math.min(replicasOf(rs), remaining);
            olds[olds.indexOf(rs)] = scaleRS(s, rs, replicasOf(rs) - down, surge);
            remaining -= down;
          }
        }
      }
    }
  }

  // status (sync.go calculateStatus) and conditions (progress.go)
  d = store.get('apps', 'deployments', ns, name);
  if (!d) return;
  all = store.list('apps', 'replicasets', ns).filter((rs) => ownedBy(rs, d));
  newRS = newRS && all.find((rs) => rs.metadata.uid === newRS.metadata.uid);
  const sum = (f: (rs: any) => number) => all.reduce((n, rs) => n + f(rs), 0);
  const st: any = {
    observedGeneration: d.metadata.generation,
    replicas: sum((rs) => rs.status?.replicas ?? 0),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sum((rs) => rs.status?.readyReplicas ?? 0),
    availableReplicas: sum((rs) => rs.status?.availableReplicas ?? 0),
  };
  st.unavailableReplicas = Math.max(0, replicas - st.availableReplicas);
  const ts = isoNow(ctx);
  const old = d.status ?? {};
  let conds: any[] = structuredClone(old.conditions ?? []);
  const set = (c: any, keepTransition = true) => {
    const i = conds.findIndex((x) => x.type === c.type);
    const prev = i >= 0 ? conds[i] : undefined;
    const nc = { type: c.type, status: c.status, lastUpdateTime: ts, lastTransitionTime: keepTransition && prev?.status === c.status ? prev.lastTransitionTime : ts, reason: c.reason, message: c.message };
    if (prev && prev.status === c.status && prev.reason === c.reason && prev.message === c.message) return;
    if (i >= 0) conds[i] = nc;
    else conds.push(nc);
  };
  if (st.availableReplicas >= replicas - unavailable) set({ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
  else set({ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' });

  const deadline = d.spec.progressDeadlineSeconds;
  const prog = conds.find((c) => c.type === 'Progressing');
  if (d.spec.paused) {
    if (prog?.reason !== 'DeploymentPaused') set({ type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' });
  } else if (prog?.reason === 'DeploymentPaused') {
    set({ type: 'Progressing', status: 'Unknown', reason: 'DeploymentResumed', message: 'Deployment is resumed' });
  }
  if (!d.spec.paused && newRS && deadline !== undefined && deadline !== null && deadline !== 2147483647) {
    const complete = st.updatedReplicas === replicas && st.replicas === replicas && st.availableReplicas === replicas && st.observedGeneration >= d.metadata.generation;
    const progressed =
      st.updatedReplicas > (old.updatedReplicas ?? 0) ||
      st.readyReplicas > (old.readyReplicas ?? 0) ||
      st.availableReplicas > (old.availableReplicas ?? 0) ||
      (old.replicas ?? 0) - (old.updatedReplicas ?? 0) > st.replicas - st.updatedReplicas;
    const cur = conds.find((c) => c.type === 'Progressing');
    if (complete) {
      set({ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${newRS.metadata.name}" has successfully progressed.` });
    } else if (progressing) {
      set({ type: 'Progressing', status: 'True', ...progressing });
    } else if (progressed || !cur) {
      // every step of progress refreshes lastUpdateTime (the deadline counts from the last progress)
      const i = conds.findIndex((c) => c.type === 'Progressing');
      const nc = { type: 'Progressing', status: 'True', lastUpdateTime: ts, lastTransitionTime: cur?.status === 'True' ? cur.lastTransitionTime : ts, reason: 'ReplicaSetUpdated', message: `ReplicaSet "${newRS.metadata.name}" is progressing.` };
      if (i >= 0) conds[i] = nc;
      else conds.push(nc);
    } else if (cur && cur.reason !== 'NewReplicaSetAvailable' && cur.reason !== 'ProgressDeadlineExceeded' && cur.status !== 'Unknown') {
      const last = Date.parse(cur.lastUpdateTime);
      if (last + deadline * 1000 <= ctx.clock.now()) {
        set({ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${newRS.metadata.name}" has timed out progressing.` });
      }
    }
    const now2 = conds.find((c) => c.type === 'Progressing');
    if (!complete && now2 && now2.status === 'True' && now2.reason !== 'NewReplicaSetAvailable') {
      const due = Date.parse(now2.lastUpdateTime) + deadline * 1000 - ctx.clock.now();
      q.after(ns, name, Math.max(0, due) + 1);
    }
    if (complete) cleanup(s, all, newRS);
  }
  // keep Available first, then Progressing, as the controller writes them
  conds.sort((a, b) => (a.type === 'Available' ? -1 : b.type === 'Available' ? 1 : 0));
  st.conditions = conds;
  if (!st.replicas) delete st.replicas;
  if (!st.updatedReplicas) delete st.updatedReplicas;
  if (!st.readyReplicas) delete st.readyReplicas;
  if (!st.availableReplicas) delete st.availableReplicas;
  if (!st.unavailableReplicas) delete st.unavailableReplicas;
  if (old.collisionCount) st.collisionCount = old.collisionCount;
  store.updateStatus('apps', 'deployments', ns, name, st);
}

/** sync.go scale(): a replicas change goes to the one active RS, or proportionally (max-replicas annotation) over several. */
function proportionalScale(s: Sync, newRS: any, olds: any[], surge: number) {
  const d = s.d;
  const replicas = d.spec.replicas ?? 1;
  const active = [...(newRS ? [newRS] : []), ...olds].filter((rs) => replicasOf(rs) > 0);
  // FindActiveOrLatest
  const activeOrLatest = active.length === 1 ? active[0] : active.length === 0 ? newRS ?? [...olds].sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''))[0] : undefined;
  if (activeOrLatest) {
    scaleRS(s, activeOrLatest, replicas, surge);
    return;
  }
  // IsSaturated: the new RS has all the replicas and they are available → old ones go to 0
  if (newRS && replicasOf(newRS) === replicas && parseInt(newRS.metadata.annotations?.[DESIRED] ?? '', 10) === replicas && (newRS.status?.availableReplicas ?? 0) === replicas) {
    for (const rs of olds) if (replicasOf(rs) > 0) scaleRS(s, rs, 0, surge);
    return;
  }
  if (d.spec.strategy?.type === 'Recreate') return;
  const allowed = replicas > 0 ? replicas + surge : 0;
  const toAdd = allowed - active.reduce((n, rs) => n + replicasOf(rs), 0);
  const created = (rs: any) => rs.metadata.creationTimestamp ?? '';
  // ReplicaSetsBySizeNewer (up) / ReplicaSetsBySizeOlder (down): larger first, then newer/older
  const ordered = [...active].sort((a, b) => replicasOf(b) - replicasOf(a) || (toAdd > 0 ? created(b).localeCompare(created(a)) : created(a).localeCompare(created(b))));
  const sizes = new Map<any, number>();
  let added = 0;
  for (const rs of ordered) {
    let proportion = 0;
    if (toAdd !== 0 && replicasOf(rs) !== 0 && added !== toAdd) {
      // getReplicaSetFraction
      let fraction: number;
      if (replicas === 0) fraction = -replicasOf(rs);
      else {
        const before = parseInt(rs.metadata.annotations?.[MAX] ?? '', 10);
        const annotated = Number.isFinite(before) && before > 0 ? before : d.status?.replicas ?? 0;
        fraction = annotated > 0 ? Math.round((replicasOf(rs) * (replicas + surge)) / annotated) - replicasOf(rs) : 0;
      }
      const allowedLeft = toAdd - added;
      proportion = toAdd > 0 ? Math.min(fraction, allowedLeft) : Math.max(fraction, allowedLeft);
    }
    sizes.set(rs, replicasOf(rs) + proportion);
    added += proportion;
  }
  ordered.forEach((rs, i) => {
    let size = sizes.get(rs)!;
    if (i === 0 && toAdd !== 0) size = Math.max(0, size + (toAdd - added));
    scaleRS(s, rs, size, surge);
  });
}

/** revisionHistoryLimit: delete the oldest fully scaled-down old ReplicaSets beyond the limit. */
function cleanup(s: Sync, all: any[], newRS: any) {
  const limit = s.d.spec.revisionHistoryLimit ?? 10;
  const candidates = all.filter((rs) => rs.metadata.uid !== newRS.metadata.uid && replicasOf(rs) === 0 && (rs.status?.replicas ?? 0) === 0 && !rs.metadata.deletionTimestamp).sort((a, b) => rev(a) - rev(b));
  const excess = candidates.length - limit;
  for (let i = 0; i < excess; i++) {
    const rs = candidates[i];
    tolerate(() => s.store.delete('apps', 'replicasets', rs.metadata.namespace, rs.metadata.name, { propagationPolicy: 'Background' }));
  }
}

registerController('deployment', deploymentController);
