/**
 * kube-scheduler (default-scheduler): binds pending pods without spec.nodeName to a feasible node.
 *
 * Filters, in the default plugin order, each node stopping at its first failing plugin:
 * NodeUnschedulable, NodeName, TaintToleration (NoSchedule/NoExecute), NodeAffinity (nodeSelector +
 * required node affinity), NodeResourcesFit (pods count, then every requested resource against
 * allocatable minus the requests of the node's non-terminal pods). Among feasible nodes the least
 * requested one wins (ties by name). Binding sets spec.nodeName and PodScheduled=True and records a
 * `Scheduled` Event; a pod that fits nowhere gets PodScheduled=False/Unschedulable and a
 * `FailedScheduling` Event with kube-scheduler's FitError message, and is retried when nodes or pods change.
 */
import { StatusError } from '../errors';
import { isTerminal, podRequests, quantity, recordEvent, rfc3339, type Resources } from '../nodes/util';
import { bindPod } from '../nodes/binding';
import { registerController, type Controller, type ControllerContext } from './index';

export const SCHEDULER_NAME = 'default-scheduler';

const ERR_UNSCHEDULABLE = 'node(s) were unschedulable';
const ERR_NODE_NAME = "node(s) didn't match the requested node name";
const ERR_AFFINITY = "node(s) didn't match Pod's node affinity/selector";

/** A failing filter: reasons, and whether preemption could help (Unschedulable vs UnschedulableAndUnresolvable). */
export interface FilterFailure {
  reasons: string[];
  resolvable: boolean;
}

export function tolerates(tolerations: any[] | undefined, taint: any): boolean {
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    const op = t.operator || 'Equal';
    if (op === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

function matchExpression(e: any, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, e.key);
  const v = labels[e.key];
  const values: string[] = e.values ?? [];
  switch (e.operator) {
    case 'In':
      return has && values.includes(v);
    case 'NotIn':
      return !has || !values.includes(v);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || values.length !== 1) return false;
      const a = Number.parseInt(v, 10);
      const b = Number.parseInt(values[0], 10);
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      return e.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

function matchFieldExpression(e: any, node: any): boolean {
  if (e.key !== 'metadata.name') return false;
  return matchExpression(e, { 'metadata.name': node.metadata.name });
}

/** nodeSelector and requiredDuringSchedulingIgnoredDuringExecution (terms ORed, expressions ANDed). */
export function matchesNodeAffinity(pod: any, node: any): boolean {
  const labels: Record<string, string> = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const req = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!req) return true;
  const terms: any[] = req.nodeSelectorTerms ?? [];
  return terms.some((t) => {
    const exprs: any[] = t.matchExpressions ?? [];
    const fields: any[] = t.matchFields ?? [];
    if (exprs.length === 0 && fields.length === 0) return false;
    return exprs.every((e) => matchExpression(e, labels)) && fields.every((e) => matchFieldExpression(e, node));
  });
}

export interface NodeUsage {
  requested: Resources;
  pods: number;
}

/** Runs the filters for one node; undefined = feasible. */
export function filterNode(pod: any, req: Resources, node: any, usage: NodeUsage): FilterFailure | undefined {
  if (node.spec?.unschedulable) {
    const tolerated = tolerates(pod.spec?.tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' });
    if (!tolerated) return { reasons: [ERR_UNSCHEDULABLE], resolvable: false };
  }
  if (pod.spec?.nodeName && pod.spec.nodeName !== node.metadata.name) return { reasons: [ERR_NODE_NAME], resolvable: false };
  for (const taint of node.spec?.taints ?? []) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tolerates(pod.spec?.tolerations, taint)) return { reasons: [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`], resolvable: false };
  }
  if (!matchesNodeAffinity(pod, node)) return { reasons: [ERR_AFFINITY], resolvable: false };
  const alloc = node.status?.allocatable ?? {};
  const reasons: string[] = [];
  const maxPods = quantity(alloc.pods ?? '110');
  if (usage.pods + 1 > maxPods) reasons.push('Too many pods');
  for (const [name, amount] of Object.entries(req)) {
    if (amount <= 0) continue;
    const have = alloc[name] === undefined ? 0 : quantity(alloc[name]);
    if ((usage.requested[name] ?? 0) + amount > have + 1e-9) reasons.push(`Insufficient ${name}`);
  }
  return reasons.length ? { reasons, resolvable: true } : undefined;
}

/** FitError.Error() of kube-scheduler, with DefaultPreemption's post-filter message. */
export function fitErrorMessage(numNodes: number, failures: FilterFailure[]): string {
  if (numNodes === 0) return 'no nodes available to schedule pods';
  const hist = new Map<string, number>();
  for (const f of failures) for (const r of f.reasons) hist.set(r, (hist.get(r) ?? 0) + 1);
  const parts = [...hist].map(([r, n]) => `${n} ${r}`).sort();
  let msg = `0/${numNodes} nodes are available:`;
  if (parts.length) msg += ` ${parts.join(', ')}.`;
  const post = new Map<string, number>();
  for (const f of failures) {
    const r = f.resolvable ? 'No preemption victims found for incoming pod' : 'Preemption is not helpful for scheduling';
    post.set(r, (post.get(r) ?? 0) + 1);
  }
  const postParts = [...post].map(([r, n]) => `${n} ${r}`).sort();
  msg += ` preemption: 0/${numNodes} nodes are available: ${postParts.join(', ')}.`;
  return msg;
}

const podKey = (p: any) => `${p.metadata.namespace}/${p.metadata.name}`;
const isReadyNode = (n: any) => (n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');

function setCondition(conditions: any[], cond: any): any[] {
  const out = conditions.filter((c) => c.type !== cond.type);
  const old = conditions.find((c) => c.type === cond.type);
  const c = { ...cond };
  if (old && old.status === c.status && old.lastTransitionTime) c.lastTransitionTime = old.lastTransitionTime;
  out.push(c);
  return out;
}

export function scheduler(): Controller {
  let stopped = false;
  return {
    name: 'scheduler',
    stop() {
      stopped = true;
    },
    start(ctx: ControllerContext) {
      const { store, clock } = ctx;
      const queue = new Set<string>();
      const specs = new Map<string, string>();
      let scheduled = false;
      const source = { component: SCHEDULER_NAME, reportingInstance: `${SCHEDULER_NAME}-kube-sim` };

      const ours = (p: any) => !p.spec?.nodeName && !p.metadata.deletionTimestamp && !isTerminal(p) && (p.spec?.schedulerName ?? SCHEDULER_NAME) === SCHEDULER_NAME;
      const gated = (p: any) => (p.spec?.schedulingGates ?? []).length > 0;
      const wants = (p: any) => ours(p) && !gated(p);
      /** what kube-apiserver writes for a pod created with scheduling gates */
      const markGated = (p: any) => {
        if ((p.status?.conditions ?? []).some((c: any) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) return;
        ctx.defer(() => {
          const cur = store.get('', 'pods', p.metadata.namespace, p.metadata.name);
          if (!cur || !ours(cur) || !gated(cur)) return;
          const status = structuredClone(cur.status ?? {});
          status.phase ??= 'Pending';
          status.conditions = setCondition(status.conditions ?? [], { type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: rfc3339(clock.now()), reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' });
          store.updateStatus('', 'pods', cur.metadata.namespace, cur.metadata.name, status);
        });
      };

      const kick = () => {
        if (scheduled || stopped) return;
        scheduled = true;
        ctx.defer(() => {
          scheduled = false;
          pass();
        });
      };
      // pods waiting for a node, and what bound pods take from their nodes (kept incrementally)
      const unscheduled = new Set<string>();
      const usage = new Map<string, NodeUsage>();
      const contrib = new Map<string, { node: string; req: Resources }>(); // by uid
      const account = (uid: string, next?: { node: string; req: Resources }) => {
        const prev = contrib.get(uid);
        if (prev && next && prev.node === next.node) return;
        const apply = (c: { node: string; req: Resources }, sign: number) => {
          const u = usage.get(c.node) ?? { requested: {}, pods: 0 };
          u.pods += sign;
          for (const [k, v] of Object.entries(c.req)) u.requested[k] = (u.requested[k] ?? 0) + sign * v;
          usage.set(c.node, u);
        };
        if (prev) apply(prev, -1);
        if (next) apply(next, 1);
        if (next) contrib.set(uid, next);
        else contrib.delete(uid);
      };
      const requeueAll = () => {
        for (const k of unscheduled) queue.add(k);
        if (queue.size) kick();
      };

      const pass = () => {
        if (stopped || queue.size === 0) return;
        const pods = [...queue]
          .map((k) => {
            const [ns, name] = k.split('/');
            return store.get('', 'pods', ns, name);
          })
          .filter((p) => p && wants(p));
        queue.clear();
        // PrioritySort: priority desc, then FIFO
        pods.sort((a, b) => (b.spec?.priority ?? 0) - (a.spec?.priority ?? 0) || String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)) || podKey(a).localeCompare(podKey(b)));
        const nodes = store.list('', 'nodes').filter((n) => !n.metadata.deletionTimestamp);
        for (const pod of pods) {
          const req = podRequests(pod);
          const feasible: any[] = [];
          const failures: FilterFailure[] = [];
          for (const node of nodes) {
            // a node that is not Ready carries the not-ready taint in a real cluster (NoSchedule)
            if (!isReadyNode(node) && !tolerates(pod.spec?.tolerations, { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' })) {
              failures.push({ reasons: ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }'], resolvable: false });
              continue;
            }
            const u = usage.get(node.metadata.name) ?? { requested: {}, pods: 0 };
            const f = filterNode(pod, req, node, u);
            if (f) failures.push(f);
            else feasible.push(node);
          }
          if (feasible.length === 0) {
            unschedulable(pod, fitErrorMessage(nodes.length, failures));
            continue;
          }
          // NodeResourcesFit LeastAllocated score
          const score = (n: any) => {
            const alloc = n.status?.allocatable ?? {};
            const u = usage.get(n.metadata.name) ?? { requested: {}, pods: 0 };
            const frac = (r: string) => {
              const cap = quantity(alloc[r] ?? '0');
              return cap > 0 ? ((u.requested[r] ?? 0) + (req[r] ?? 0)) / cap : 1;
            };
            return (frac('cpu') + frac('memory')) / 2;
          };
          feasible.sort((a, b) => score(a) - score(b) || a.metadata.name.localeCompare(b.metadata.name));
          bind(pod, feasible[0].metadata.name); // the write hook accounts the pod to the node
        }
      };

      const bind = (pod: any, nodeName: string): boolean => {
        const cur = store.get('', 'pods', pod.metadata.namespace, pod.metadata.name);
        if (!cur || cur.metadata.uid !== pod.metadata.uid || cur.spec?.nodeName) return false;
        try {
          bindPod(store, cur.metadata.namespace, cur.metadata.name, nodeName, { uid: cur.metadata.uid });
        } catch (e) {
          if (e instanceof StatusError) return false;
          throw e;
        }
        recordEvent(store, clock, cur, 'Normal', 'Scheduled', `Successfully assigned ${cur.metadata.namespace}/${cur.metadata.name} to ${nodeName}`, { ...source, action: 'Binding' });
        return true;
      };

      const unschedulable = (pod: any, message: string) => {
        const cur = store.get('', 'pods', pod.metadata.namespace, pod.metadata.name);
        if (!cur) return;
        const ts = rfc3339(clock.now());
        const status = structuredClone(cur.status ?? {});
        status.phase ??= 'Pending';
        status.conditions = setCondition(status.conditions ?? [], { type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: ts, reason: 'Unschedulable', message });
        store.updateStatus('', 'pods', cur.metadata.namespace, cur.metadata.name, status);
        recordEvent(store, clock, cur, 'Warning', 'FailedScheduling', message, { ...source, action: 'Scheduling' });
      };

      const nodeFingerprint = (n: any) => JSON.stringify([n.metadata.labels, n.spec, n.status?.allocatable, (n.status?.conditions ?? []).map((c: any) => [c.type, c.status])]);
      const nodePrints = new Map<string, string>();

      store.onWrite((def, type, obj) => {
        if (stopped || def.group !== '') return;
        if (def.resource === 'pods') {
          const k = podKey(obj);
          const uid = obj.metadata.uid;
          const takes = type !== 'DELETED' && !!obj.spec?.nodeName && !isTerminal(obj);
          const freed = contrib.has(uid) && !takes;
          account(uid, takes ? { node: obj.spec.nodeName, req: contrib.get(uid)?.req ?? podRequests(obj) } : undefined);
          if (type !== 'DELETED' && ours(obj) && gated(obj)) markGated(obj);
          if (type === 'DELETED' || !wants(obj)) {
            specs.delete(k);
            unscheduled.delete(k);
            if (freed) requeueAll(); // resources freed
            return;
          }
          unscheduled.add(k);
          const spec = JSON.stringify(obj.spec);
          if (type === 'ADDED' || specs.get(k) !== spec) {
            specs.set(k, spec);
            queue.add(k);
            kick();
          }
        } else if (def.resource === 'nodes') {
          const fp = type === 'DELETED' ? '' : nodeFingerprint(obj);
          if (nodePrints.get(obj.metadata.name) === fp) return;
          if (type === 'DELETED') nodePrints.delete(obj.metadata.name);
          else nodePrints.set(obj.metadata.name, fp);
          requeueAll();
        }
      });
      store.onRemoved((def, obj) => {
        if (stopped || def.group !== '' || def.resource !== 'pods') return;
        const k = podKey(obj);
        specs.delete(k);
        unscheduled.delete(k);
        if (contrib.has(obj.metadata.uid)) {
          account(obj.metadata.uid, undefined);
          requeueAll();
        }
      });
      // pods that exist before the scheduler starts
      for (const n of store.list('', 'nodes')) nodePrints.set(n.metadata.name, nodeFingerprint(n));
      for (const p of store.list('', 'pods')) {
        if (p.spec?.nodeName && !isTerminal(p)) account(p.metadata.uid, { node: p.spec.nodeName, req: podRequests(p) });
        if (wants(p)) unscheduled.add(podKey(p));
      }
      requeueAll();
    },
  };
}

registerController('scheduler', scheduler);
