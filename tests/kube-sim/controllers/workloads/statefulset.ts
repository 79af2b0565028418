/**
 * statefulset-controller: pods `<sts>-<ordinal>` created in order and one at a time waiting for
 * Running+Ready (OrderedReady) or all at once (Parallel); PVCs `<template>-<sts>-<ordinal>` from
 * volumeClaimTemplates (kept on scale-down unless persistentVolumeClaimRetentionPolicy says Delete);
 * scale-down from the highest ordinal; ControllerRevisions `<sts>-<hash>` and rolling updates in
 * reverse ordinal order down to the partition (OnDelete leaves pods alone); status replicas/
 * readyReplicas/availableReplicas/currentReplicas/updatedReplicas/currentRevision/updateRevision.
 */
import type { ObjectStore } from '../../objects';
import { registerController, type Controller, type ControllerContext } from '../index';
import { computeHash, controllerOf, controllerUser, createPod, isPodAvailable, isPodReady, MANAGER, ownedBy, ownerRef, podFromTemplate, recordEvent, tolerate, WorkQueue } from './common';

const COMPONENT = 'statefulset-controller';
const REV_LABEL = 'controller-revision-hash';

const ordinalOf = (sts: any, p: any): number => {
  const m = p.metadata.name.match(/-(\d+)$/);
  return m && p.metadata.name === `${sts.metadata.name}-${m[1]}` ? parseInt(m[1], 10) : -1;
};
const runningAndReady = (p: any) => p.status?.phase === 'Running' && isPodReady(p);

export function statefulSetController(): Controller {
  let queue: WorkQueue | undefined;
  return {
    name: 'statefulset',
    start(ctx: ControllerContext) {
      const { store } = ctx;
      const q = (queue = new WorkQueue(ctx, (ns, name) => sync(store, ctx, q, ns, name)));
      store.onWrite((def, type, obj) => {
        if (def.group === 'apps' && def.resource === 'statefulsets') {
          if (type !== 'DELETED') q.add(obj.metadata.namespace, obj.metadata.name);
        } else if (def.group === '' && def.resource === 'pods') {
          const ref = controllerOf(obj);
          if (ref?.kind === 'StatefulSet') q.add(obj.metadata.namespace, ref.name);
        }
      });
      for (const s of store.list('apps', 'statefulsets')) q.add(s.metadata.namespace, s.metadata.name);
    },
    stop() {
      queue?.stop();
    },
  };
}

/** The ControllerRevision of a template (created when missing). */
function revisionFor(store: ObjectStore, sts: any, template: any, number: number): any {
  const hash = computeHash(template, sts.status?.collisionCount ?? 0);
  const name = `${sts.metadata.name}-${hash}`;
  const existing = store.get('apps', 'controllerrevisions', sts.metadata.namespace, name);
  if (existing) {
    if (existing.revision < number) {
      const next = structuredClone(existing);
      next.revision = number;
      return tolerate(() => store.update('apps', 'controllerrevisions', sts.metadata.namespace, name, next)) ?? existing;
    }
    return existing;
  }
  return store.create('apps', 'controllerrevisions', sts.metadata.namespace, {
    metadata: { name, namespace: sts.metadata.namespace, labels: { ...(sts.spec.template?.metadata?.labels ?? {}), 'controller.kubernetes.io/hash': hash }, ownerReferences: [ownerRef('StatefulSet', 'apps/v1', sts)] },
    data: { spec: { template: { ...structuredClone(template), $patch: 'replace' } } },
    revision: number,
  }, { fieldManager: MANAGER });
}

function sync(store: ObjectStore, ctx: ControllerContext, q: WorkQueue, ns: string, name: string) {
  const sts = store.get('apps', 'statefulsets', ns, name);
  if (!sts || sts.metadata.deletionTimestamp) return;
  const ev = { kind: 'StatefulSet', apiVersion: 'apps/v1', obj: sts };
  const revisions = store.list('apps', 'controllerrevisions', ns).filter((r) => ownedBy(r, sts));
  const maxRev = Math.max(0, ...revisions.map((r) => r.revision ?? 0));
  const updateHash = computeHash(sts.spec.template, sts.status?.collisionCount ?? 0);
  let updateRev = revisions.find((r) => r.metadata.name === `${name}-${updateHash}`);
  if (!updateRev || (updateRev.revision < maxRev && sts.status?.updateRevision !== updateRev.metadata.name)) updateRev = revisionFor(store, sts, sts.spec.template, maxRev + (updateRev && updateRev.revision === maxRev ? 0 : 1));
  const currentRev = (sts.status?.currentRevision && store.get('apps', 'controllerrevisions', ns, sts.status.currentRevision)) || updateRev;
  const templateOf = (rev: any) => {
    const t = structuredClone(rev.data?.spec?.template ?? sts.spec.template);
    delete t.$patch;
    return t;
  };

  const replicas = sts.spec.replicas ?? 1;
  const monotonic = (sts.spec.podManagementPolicy ?? 'OrderedReady') === 'OrderedReady';
  const start = sts.spec.ordinals?.start ?? 0;
  const partition = sts.spec.updateStrategy?.type === 'OnDelete' ? Infinity : (sts.spec.updateStrategy?.rollingUpdate?.partition ?? 0);
  const pods = store.list('', 'pods', ns).filter((p) => ownedBy(p, sts) && ordinalOf(sts, p) >= 0);
  const byOrd = new Map(pods.map((p) => [ordinalOf(sts, p), p]));
  const retention = sts.spec.persistentVolumeClaimRetentionPolicy ?? {};

  const createReplica = (ord: number): boolean => {
    const rev = ord - start < partition && currentRev.metadata.name !== updateRev.metadata.name ? currentRev : updateRev;
    const podName = `${name}-${ord}`;
    const body = podFromTemplate(templateOf(rev), sts, 'StatefulSet', 'apps/v1', {
      name: podName,
      labels: { [REV_LABEL]: rev.metadata.name, 'statefulset.kubernetes.io/pod-name': podName, 'apps.kubernetes.io/pod-index': String(ord) },
    });
    body.spec.hostname = podName;
    if (sts.spec.serviceName) body.spec.subdomain = sts.spec.serviceName;
    const volumes: any[] = (body.spec.volumes ?? []).filter((v: any) => !(sts.spec.volumeClaimTemplates ?? []).some((t: any) => t.metadata?.name === v.name));
    for (const t of sts.spec.volumeClaimTemplates ?? []) {
      const claimName = `${t.metadata.name}-${name}-${ord}`;
      volumes.push({ name: t.metadata.name, persistentVolumeClaim: { claimName } });
      if (!store.get('', 'persistentvolumeclaims', ns, claimName)) {
        const owners = retention.whenDeleted === 'Delete' ? [ownerRef('StatefulSet', 'apps/v1', sts)] : undefined;
        try {
          store.create('', 'persistentvolumeclaims', ns, {
            metadata: { name: claimName, namespace: ns, labels: { ...(t.metadata.labels ?? {}), ...(sts.spec.selector?.matchLabels ?? {}) }, annotations: t.metadata.annotations, ...(owners ? { ownerReferences: owners } : {}) },
            spec: structuredClone(t.spec),
          }, { user: controllerUser(COMPONENT), fieldManager: MANAGER });
          recordEvent(store, ctx, COMPONENT, ev, 'Normal', 'SuccessfulCreate', `create Claim ${claimName} Pod ${podName} in StatefulSet ${name} success`);
        } catch (e: any) {
          recordEvent(store, ctx, COMPONENT, ev, 'Warning', 'FailedCreate', `create Claim ${claimName} for Pod ${podName} in StatefulSet ${name} failed error: ${e.message}`);
          return false;
        }
      }
    }
    if (volumes.length) body.spec.volumes = volumes;
    const r = createPod(store, ctx, COMPONENT, ev, body);
    if (r.error) return false;
    recordEvent(store, ctx, COMPONENT, ev, 'Normal', 'SuccessfulCreate', `create Pod ${podName} in StatefulSet ${name} successful`);
    byOrd.set(ord, r.pod);
    return true;
  };
  const deleteReplica = (p: any) => {
    if (tolerate(() => store.delete('', 'pods', ns, p.metadata.name, {}, { user: controllerUser(COMPONENT) }))) {
      recordEvent(store, ctx, COMPONENT, ev, 'Normal', 'SuccessfulDelete', `delete Pod ${p.metadata.name} in StatefulSet ${name} successful`);
      if (retention.whenScaled === 'Delete' && ordinalOf(sts, p) - start >= replicas)
        for (const t of sts.spec.volumeClaimTemplates ?? []) tolerate(() => store.delete('', 'persistentvolumeclaims', ns, `${t.metadata.name}-${name}-${ordinalOf(sts, p)}`));
    }
    byOrd.delete(ordinalOf(sts, p));
  };

  run: {
    for (let i = 0; i < replicas; i++) {
      const ord = start + i;
      const p = byOrd.get(ord);
      if (!p) {
        const ok = createReplica(ord);
        if (!ok || monotonic) break run;
        continue;
      }
      if ((p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded') && !p.metadata.deletionTimestamp) {
        recordEvent(store, ctx, COMPONENT, ev, 'Warning', 'RecreatingFailedPod', `StatefulSet ${ns}/${name} is recreating failed Pod ${p.metadata.name}`);
        deleteReplica(p);
        if (monotonic) break run;
        continue;
      }
      if (monotonic && (p.metadata.deletionTimestamp || !runningAndReady(p))) break run;
    }
    const condemned = [...byOrd.entries()].filter(([ord]) => ord < start || ord >= start + replicas).sort((a, b) => b[0] - a[0]);
    const unhealthy = [...byOrd.entries()].some(([ord, p]) => ord >= start && ord < start + replicas && !runningAndReady(p));
    for (const [, p] of condemned) {
      if (monotonic && (p.metadata.deletionTimestamp || unhealthy)) break run;
      deleteReplica(p);
      if (monotonic) break run;
    }
    if (sts.spec.updateStrategy?.type === 'OnDelete') break run;
    // rolling update: highest ordinal first, one at a time, each waiting for the previous to be ready
    for (let i = replicas - 1; i >= 0 && i >= partition; i--) {
      const p = byOrd.get(start + i);
      if (!p) break;
      if (p.metadata.labels?.[REV_LABEL] !== updateRev.metadata.name && !p.metadata.deletionTimestamp) {
        if ([...byOrd.values()].every(runningAndReady)) deleteReplica(p);
        break;
      }
      if (!runningAndReady(p)) break;
    }
  }

  // status
  const now = ctx.clock.now();
  const cur = store.get('apps', 'statefulsets', ns, name);
  if (!cur) return;
  const live = store.list('', 'pods', ns).filter((p) => ownedBy(p, sts) && ordinalOf(sts, p) >= 0 && !p.metadata.deletionTimestamp);
  const st: any = {
    observedGeneration: cur.metadata.generation,
    replicas: live.length,
    readyReplicas: live.filter(isPodReady).length,
    currentReplicas: live.filter((p) => p.metadata.labels?.[REV_LABEL] === currentRev.metadata.name).length,
    updatedReplicas: live.filter((p) => p.metadata.labels?.[REV_LABEL] === updateRev.metadata.name).length,
    currentRevision: currentRev.metadata.name,
    updateRevision: updateRev.metadata.name,
    collisionCount: cur.status?.collisionCount ?? 0,
    availableReplicas: live.filter((p) => isPodAvailable(p, cur.spec.minReadySeconds ?? 0, now)).length,
  };
  if (st.updatedReplicas === replicas && st.readyReplicas === replicas && st.replicas === replicas && sts.spec.updateStrategy?.type !== 'OnDelete') {
    st.currentRevision = st.updateRevision;
    st.currentReplicas = st.updatedReplicas;
  }
  for (const k of ['readyReplicas', 'currentReplicas', 'updatedReplicas'] as const) if (!st[k]) delete st[k];
  if (cur.status?.conditions) st.conditions = cur.status.conditions;
  store.updateStatus('apps', 'statefulsets', ns, name, st);
  // revision history
  const limit = cur.spec.revisionHistoryLimit ?? 10;
  const live2 = new Set([st.currentRevision, st.updateRevision, ...live.map((p) => p.metadata.labels?.[REV_LABEL])]);
  const prunable = store.list('apps', 'controllerrevisions', ns).filter((r) => ownedBy(r, sts) && !live2.has(r.metadata.name)).sort((a, b) => a.revision - b.revision);
  for (const r of prunable.slice(0, Math.max(0, prunable.length - limit))) tolerate(() => store.delete('apps', 'controllerrevisions', ns, r.metadata.name));
  const minReady = cur.spec.minReadySeconds ?? 0;
  if (minReady && st.availableReplicas < st.readyReplicas) q.after(ns, name, minReady * 1000);
}

registerController('statefulset', statefulSetController);
