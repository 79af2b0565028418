/**
 * pods/eviction honouring PodDisruptionBudgets (policy/v1), as kube-apiserver's eviction REST does:
 * a pod that is terminal, pending or already terminating is deleted at once; a pod covered by one PDB
 * is deleted only if the budget allows a disruption, else 429 TooManyRequests; more than one PDB is a 500.
 * The budget is computed from the pods the PDB selects (the disruption controller's view without
 * scale subresources: expected pods = selected pods).
 */
import { StatusError, notFound } from '../errors';
import type { ObjectStore } from '../objects';
import { registerSubresource } from '../subresources';
import { labelSelectorToString, matchLabels, parseLabelSelector } from '../selectors';

const selects = (sel: any, pod: any) => matchLabels(parseLabelSelector(labelSelectorToString(sel)), pod.metadata.labels ?? {});

const isReady = (p: any) => (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');

function intOrPercent(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(String(v ?? ''));
  if (!m) return Number(v) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

export interface PdbState {
  expectedPods: number;
  currentHealthy: number;
  desiredHealthy: number;
  disruptionsAllowed: number;
}

export function selectedPods(store: ObjectStore, pdb: any): any[] {
  const sel = pdb.spec?.selector;
  if (!sel) return [];
  return store.list('', 'pods', pdb.metadata.namespace).filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && selects(sel, p));
}

/**
 * Expected pods as the disruption controller counts them: an integer minAvailable counts the selected
 * pods; maxUnavailable and percentages use the scale of the pods' controllers (ReplicaSet,
 * StatefulSet, ReplicationController), pods without one counting once.
 */
function expectedCount(store: ObjectStore, pdb: any, pods: any[]): number {
  const min = pdb.spec?.minAvailable;
  if (pdb.spec?.maxUnavailable == null && (typeof min === 'number' || (min != null && !String(min).endsWith('%')))) return pods.length;
  const controllers = new Map<string, number>();
  let loose = 0;
  for (const p of pods) {
    const ref = (p.metadata.ownerReferences ?? []).find((o: any) => o.controller);
    const where = ref && ({ ReplicaSet: ['apps', 'replicasets'], StatefulSet: ['apps', 'statefulsets'], ReplicationController: ['', 'replicationcontrollers'] } as Record<string, string[]>)[ref.kind];
    const owner = where && store.get(where[0], where[1], p.metadata.namespace, ref.name);
    if (owner && owner.metadata.uid === ref.uid) controllers.set(ref.uid, owner.spec?.replicas ?? 1);
    else loose++;
  }
  let n = loose;
  for (const r of controllers.values()) n += r;
  return n;
}

/** The disruption controller's arithmetic for a PDB. */
export function pdbState(store: ObjectStore, pdb: any): PdbState {
  const pods = selectedPods(store, pdb);
  const expectedPods = expectedCount(store, pdb, pods);
  const currentHealthy = pods.filter(isReady).length;
  let desiredHealthy: number;
  if (pdb.spec?.maxUnavailable !== undefined && pdb.spec?.maxUnavailable !== null) desiredHealthy = Math.max(0, expectedPods - intOrPercent(pdb.spec.maxUnavailable, expectedPods, true));
  else if (pdb.spec?.minAvailable !== undefined && pdb.spec?.minAvailable !== null) desiredHealthy = intOrPercent(pdb.spec.minAvailable, expectedPods, true);
  else desiredHealthy = 0;
  return { expectedPods, currentHealthy, desiredHealthy, disruptionsAllowed: Math.max(0, currentHealthy - desiredHealthy) };
}

export function pdbsFor(store: ObjectStore, pod: any): any[] {
  return store.list('policy', 'poddisruptionbudgets', pod.metadata.namespace).filter((pdb) => {
    const sel = pdb.spec?.selector;
    // policy/v1: a null selector selects nothing, an empty one every pod of the namespace
    return !!sel && selects(sel, pod);
  });
}

const success = (code: number) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code });

registerSubresource('pods', 'eviction', (r) => {
  if (r.method.toUpperCase() !== 'POST') throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const pod = r.store.get('', 'pods', r.namespace, r.name);
  if (!pod) throw notFound('', 'pods', r.name);
  const del = () => {
    r.store.delete('', 'pods', r.namespace, r.name, r.body?.deleteOptions ?? {}, { user: r.user, dryRun: (r.body?.deleteOptions?.dryRun ?? []).includes('All') || r.query.getAll('dryRun').includes('All') });
    return { status: 201, body: success(201) };
  };
  const phase = pod.status?.phase;
  if (pod.metadata.deletionTimestamp || phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending') return del();
  const pdbs = pdbsFor(r.store, pod);
  if (pdbs.length === 0) return del();
  if (pdbs.length > 1) throw new StatusError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  const pdb = pdbs[0];
  const st = pdbState(r.store, pdb);
  const refuse = () => {
    throw new StatusError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
      causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdb.metadata.name} needs ${st.desiredHealthy} healthy pods and has ${st.currentHealthy} currently` }],
    } as any);
  };
  if (!isReady(pod)) {
    // unhealthyPodEvictionPolicy: IfHealthyBudget (default) or AlwaysAllow
    if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' || st.currentHealthy >= st.desiredHealthy) return del();
    refuse();
  }
  if (st.disruptionsAllowed < 1) refuse();
  return del();
});
