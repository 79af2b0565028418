/**
 * daemonset-controller: one pod per eligible node. A node is eligible when the pod's nodeSelector and
 * required node affinity match it and its NoSchedule/NoExecute taints are tolerated (the controller adds
 * the daemon tolerations: not-ready/unreachable NoExecute, disk/memory/pid-pressure and unschedulable
 * NoSchedule, network-unavailable for hostNetwork). Each pod is pinned with the required node affinity
 * `matchFields metadata.name In [node]`, as the real controller does (the scheduler then binds it).
 * Rolling update by maxUnavailable (old pods deleted, then recreated from the new template).
 * Status: desiredNumberScheduled, currentNumberScheduled, numberMisscheduled, numberReady,
 * updatedNumberScheduled, numberAvailable, numberUnavailable, observedGeneration.
 */
import type { ObjectStore } from '../../objects';
import { registerController, type Controller, type ControllerContext } from '../index';
import { computeHash, controllerOf, createPod, deletePod, isPodActive, isPodAvailable, isPodReady, MANAGER, ownedBy, ownerRef, podFromTemplate, recordEvent, scaledValue, tolerate, WorkQueue } from './common';

const COMPONENT = 'daemonset-controller';

const DAEMON_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

function tolerated(tolerations: any[], taint: any): boolean {
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

function matchExpr(e: any, value: string | undefined): boolean {
  switch (e.operator) {
    case 'In':
      return value !== undefined && (e.values ?? []).includes(value);
    case 'NotIn':
      return value === undefined || !(e.values ?? []).includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && parseInt(value, 10) > parseInt(e.values?.[0], 10);
    case 'Lt':
      return value !== undefined && parseInt(value, 10) < parseInt(e.values?.[0], 10);
  }
  return false;
}

/** Would a pod with this spec run on the node (nodeShouldRunDaemonPod: predicates + taints)? */
export function shouldRun(spec: any, node: any): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms: any[] = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (terms.length && !terms.some((t) => (t.matchExpressions ?? []).every((e: any) => matchExpr(e, labels[e.key])) && (t.matchFields ?? []).every((e: any) => matchExpr(e, e.key === 'metadata.name' ? node.metadata.name : undefined)))) return false;
  const tolerations = [...(spec.tolerations ?? []), ...DAEMON_TOLERATIONS];
  for (const taint of node.spec?.taints ?? []) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tolerated(tolerations, taint)) return false;
  }
  return true;
}

/** Target node of a daemon pod: spec.nodeName, else the pinned node affinity. */
const targetNode = (p: any): string | undefined =>
  p.spec?.nodeName ||
  p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.find((f: any) => f.key === 'metadata.name')?.values?.[0];

export function daemonSetController(): Controller {
  let queue: WorkQueue | undefined;
  return {
    name: 'daemonset',
    start(ctx: ControllerContext) {
      const { store } = ctx;
      const q = (queue = new WorkQueue(ctx, (ns, name) => sync(store, ctx, q, ns, name)));
      const all = () => {
        for (const ds of store.list('apps', 'daemonsets')) q.add(ds.metadata.namespace, ds.metadata.name);
      };
      store.onWrite((def, type, obj) => {
        if (def.group === 'apps' && def.resource === 'daemonsets') {
          if (type !== 'DELETED') q.add(obj.metadata.namespace, obj.metadata.name);
        } else if (def.group === '' && def.resource === 'pods') {
          const ref = controllerOf(obj);
          if (ref?.kind === 'DaemonSet') q.add(obj.metadata.namespace, ref.name);
        } else if (def.group === '' && def.resource === 'nodes') all();
      });
      all();
    },
    stop() {
      queue?.stop();
    },
  };
}

function sync(store: ObjectStore, ctx: ControllerContext, q: WorkQueue, ns: string, name: string) {
  const ds = store.get('apps', 'daemonsets', ns, name);
  if (!ds || ds.metadata.deletionTimestamp) return;
  const ev = { kind: 'DaemonSet', apiVersion: 'apps/v1', obj: ds };
  const hash = computeHash(ds.spec.template, ds.status?.collisionCount ?? 0);
  // the ControllerRevision of the current template
  const revName = `${name}-${hash}`;
  if (!store.get('apps', 'controllerrevisions', ns, revName)) {
    const revs = store.list('apps', 'controllerrevisions', ns).filter((r) => ownedBy(r, ds));
    tolerate(() =>
      store.create('apps', 'controllerrevisions', ns, {
        metadata: { name: revName, namespace: ns, labels: { ...(ds.spec.template?.metadata?.labels ?? {}), 'controller-revision-hash': hash }, ownerReferences: [ownerRef('DaemonSet', 'apps/v1', ds)] },
        data: { spec: { template: { ...structuredClone(ds.spec.template), $patch: 'replace' } } },
        revision: Math.max(0, ...revs.map((r) => r.revision ?? 0)) + 1,
      }, { fieldManager: MANAGER }),
    );
  }
  const nodes = store.list('', 'nodes');
  const pods = store.list('', 'pods', ns).filter((p) => ownedBy(p, ds));
  const byNode = new Map<string, any[]>();
  for (const p of pods) {
    const n = targetNode(p);
    if (!n) continue;
    byNode.set(n, [...(byNode.get(n) ?? []), p]);
  }
  const eligible = nodes.filter((n) => shouldRun(ds.spec.template?.spec ?? {}, n));
  const eligibleNames = new Set(eligible.map((n) => n.metadata.name));
  const isUpdated = (p: any) => p.metadata.labels?.['controller-revision-hash'] === hash;

  // delete: pods on nodes that should not run one, failed pods, duplicates
  for (const [node, ps] of byNode) {
    const live = ps.filter((p) => !p.metadata.deletionTimestamp);
    if (!eligibleNames.has(node)) {
      for (const p of live) deletePod(store, ctx, COMPONENT, ev, p);
      continue;
    }
    for (const p of live.filter((x) => x.status?.phase === 'Failed')) {
      deletePod(store, ctx, COMPONENT, ev, p);
      recordEvent(store, ctx, COMPONENT, ev, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${ns}/${p.metadata.name} on node ${node}, will try to kill it`);
    }
    const running = live.filter((x) => x.status?.phase !== 'Failed');
    if (running.length > 1) for (const p of running.slice(1)) deletePod(store, ctx, COMPONENT, ev, p);
  }
  // rolling update: delete old pods up to maxUnavailable (counting pods already unavailable)
  if ((ds.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
    const maxUnavailable = Math.max(1, scaledValue(ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1, eligible.length, true));
    let unavailable = eligible.filter((n) => !(byNode.get(n.metadata.name) ?? []).some((p) => isPodActive(p) && isPodAvailable(p, ds.spec.minReadySeconds ?? 0, ctx.clock.now()))).length;
    for (const n of eligible) {
      if (unavailable >= maxUnavailable) break;
      const old = (byNode.get(n.metadata.name) ?? []).find((p) => isPodActive(p) && !isUpdated(p));
      if (!old) continue;
      deletePod(store, ctx, COMPONENT, ev, old);
      byNode.set(n.metadata.name, (byNode.get(n.metadata.name) ?? []).filter((p) => p !== old));
      unavailable++;
    }
  }
  // create: eligible nodes without a (live) daemon pod
  const gen = String(ds.metadata.generation ?? 1);
  for (const n of eligible) {
    const has = (byNode.get(n.metadata.name) ?? []).some((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed' && store.get('', 'pods', ns, p.metadata.name));
    if (has) continue;
    const body = podFromTemplate(ds.spec.template, ds, 'DaemonSet', 'apps/v1', { labels: { 'controller-revision-hash': hash, 'pod-template-generation': gen } });
    body.spec.affinity = {
      ...(body.spec.affinity ?? {}),
      nodeAffinity: {
        ...(body.spec.affinity?.nodeAffinity ?? {}),
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [n.metadata.name] }] }] },
      },
    };
    const tol: any[] = [...(body.spec.tolerations ?? [])];
    const daemon = [...DAEMON_TOLERATIONS, ...(body.spec.hostNetwork ? [{ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' }] : [])];
    for (const t of daemon) if (!tol.some((x) => x.key === t.key && x.effect === t.effect)) tol.push(t);
    body.spec.tolerations = tol;
    const r = createPod(store, ctx, COMPONENT, ev, body);
    if (r.error) {
      q.after(ns, name, 5_000);
      break;
    }
    recordEvent(store, ctx, COMPONENT, ev, 'Normal', 'SuccessfulCreate', `Created pod: ${r.pod.metadata.name}`);
  }

  // status
  const now = ctx.clock.now();
  const cur = store.get('apps', 'daemonsets', ns, name);
  if (!cur) return;
  const livePods = store.list('', 'pods', ns).filter((p) => ownedBy(p, ds) && !p.metadata.deletionTimestamp);
  const on = (node: string) => livePods.filter((p) => targetNode(p) === node);
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  for (const node of new Set(livePods.map(targetNode).filter(Boolean) as string[])) if (!eligibleNames.has(node)) misscheduled++;
  for (const n of eligible) {
    const ps = on(n.metadata.name);
    if (!ps.length) continue;
    current++;
    if (ps.some(isPodReady)) ready++;
    if (ps.some((p) => isPodAvailable(p, cur.spec.minReadySeconds ?? 0, now))) available++;
    if (ps.some(isUpdated)) updated++;
  }
  const st: any = {
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: eligible.length,
    numberReady: ready,
    observedGeneration: cur.metadata.generation,
    updatedNumberScheduled: updated,
    numberAvailable: available,
    numberUnavailable: eligible.length - available,
  };
  if (!st.updatedNumberScheduled) delete st.updatedNumberScheduled;
  if (!st.numberAvailable) delete st.numberAvailable;
  if (!st.numberUnavailable) delete st.numberUnavailable;
  store.updateStatus('apps', 'daemonsets', ns, name, st);
  if ((cur.spec.minReadySeconds ?? 0) > 0 && available < ready) q.after(ns, name, cur.spec.minReadySeconds * 1000);
}

registerController('daemonset', daemonSetController);
