/**
 * node-lifecycle (kube-controller-manager's node lifecycle controller + pod GC, simplified):
 * - TaintNodesByCondition: `node.kubernetes.io/unschedulable:NoSchedule` on cordoned nodes,
 *   `node.kubernetes.io/not-ready` (Ready=False) / `node.kubernetes.io/unreachable` (Ready=Unknown) as
 *   NoSchedule and NoExecute taints, removed when the node is Ready again;
 * - taint-based eviction: pods on a node with a NoExecute taint they do not tolerate are deleted, those
 *   tolerating it for `tolerationSeconds` after that time (sim clock); a `TaintManagerEviction` event is recorded;
 * - pod GC: pods bound to a node that no longer exists are deleted.
 * Node conditions are changed by tests (patch nodes/status); nothing here simulates heartbeats.
 */
import { StatusError } from '../errors';
import { recordEvent, rfc3339 } from '../nodes/util';
import { tolerates } from './scheduler';
import { registerController, type Controller, type ControllerContext } from './index';

const UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';
const MANAGED = [UNSCHEDULABLE, NOT_READY, UNREACHABLE];

export function nodeLifecycle(): Controller {
  let stopped = false;
  const timers = new Map<string, number>(); // pod uid -> eviction timer
  let clockRef: import('../clock').SimClock | undefined;
  return {
    name: 'node-lifecycle',
    stop() {
      stopped = true;
      for (const t of timers.values()) clockRef?.clearTimeout(t);
      timers.clear();
    },
    start(ctx: ControllerContext) {
      const { store, clock } = ctx;
      clockRef = clock;

      const wantedTaints = (node: any, existing: any[]): any[] => {
        const ready = (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
        const keep = existing.filter((t) => !MANAGED.includes(t.key));
        const managed: any[] = [];
        const find = (key: string, effect: string) => existing.find((t) => t.key === key && t.effect === effect);
        const add = (key: string, effect: string) => managed.push(find(key, effect) ?? { key, effect, timeAdded: rfc3339(clock.now()) });
        if (node.spec?.unschedulable) add(UNSCHEDULABLE, 'NoSchedule');
        if (ready && ready.status === 'False') {
          add(NOT_READY, 'NoSchedule');
          add(NOT_READY, 'NoExecute');
        } else if (ready && ready.status === 'Unknown') {
          add(UNREACHABLE, 'NoSchedule');
          add(UNREACHABLE, 'NoExecute');
        }
        return [...keep, ...managed];
      };

      const syncNode = (name: string) => {
        const node = store.get('', 'nodes', '', name);
        if (!node) return;
        const existing: any[] = node.spec?.taints ?? [];
        const want = wantedTaints(node, existing);
        if (JSON.stringify(want) !== JSON.stringify(existing)) {
          const next = structuredClone(node);
          next.spec ??= {};
          if (want.length) next.spec.taints = want;
          else delete next.spec.taints;
          try {
            store.update('', 'nodes', '', name, next);
          } catch (e) {
            if (!(e instanceof StatusError)) throw e;
          }
          return; // the write comes back through the hook
        }
        evictFrom(node);
      };

      const evictFrom = (node: any) => {
        const noExecute = (node.spec?.taints ?? []).filter((t: any) => t.effect === 'NoExecute');
        for (const pod of store.list('', 'pods').filter((p) => p.spec?.nodeName === node.metadata.name)) {
          const uid = pod.metadata.uid;
          let delayMs = -1; // -1: no eviction
          for (const taint of noExecute) {
            const tols = (pod.spec?.tolerations ?? []).filter((t: any) => tolerates([t], taint));
            if (tols.length === 0) {
              delayMs = 0;
              break;
            }
            const secs = tols.map((t: any) => (t.tolerationSeconds === undefined || t.tolerationSeconds === null ? Infinity : Math.max(0, t.tolerationSeconds)));
            const s = Math.min(...secs);
            if (s !== Infinity) {
              const since = Date.parse(taint.timeAdded ?? '') || clock.now();
              const ms = Math.max(0, since + s * 1000 - clock.now());
              delayMs = delayMs < 0 ? ms : Math.min(delayMs, ms);
            }
          }
          const old = timers.get(uid);
          if (old !== undefined) {
            clock.clearTimeout(old);
            timers.delete(uid);
          }
          if (delayMs < 0) continue;
          const ns = pod.metadata.namespace;
          const name = pod.metadata.name;
          timers.set(
            uid,
            clock.setTimeout(() => {
              timers.delete(uid);
              if (stopped) return;
              const cur = store.get('', 'pods', ns, name);
              if (!cur || cur.metadata.uid !== uid) return;
              recordEvent(store, clock, cur, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${ns}/${name}`, { component: 'taint-eviction-controller' });
              try {
                store.delete('', 'pods', ns, name);
              } catch (e) {
                if (!(e instanceof StatusError)) throw e;
              }
            }, delayMs),
          );
        }
      };

      const podGC = (nodeName: string) => {
        for (const pod of store.list('', 'pods').filter((p) => p.spec?.nodeName === nodeName)) {
          try {
            store.delete('', 'pods', pod.metadata.namespace, pod.metadata.name);
          } catch (e) {
            if (!(e instanceof StatusError)) throw e;
          }
        }
      };

      const prints = new Map<string, string>();
      store.onWrite((def, type, obj) => {
        if (stopped || def.group !== '') return;
        if (def.resource === 'nodes') {
          const name = obj.metadata.name;
          if (type === 'DELETED') {
            prints.delete(name);
            ctx.defer(() => podGC(name));
            return;
          }
          const ready = (obj.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
          const fp = JSON.stringify([obj.spec?.unschedulable ?? false, ready?.status, obj.spec?.taints ?? []]);
          if (prints.get(name) === fp) return;
          prints.set(name, fp);
          ctx.defer(() => syncNode(name));
        } else if (def.resource === 'pods' && type === 'ADDED' && obj.spec?.nodeName) {
          const node = store.get('', 'nodes', '', obj.spec.nodeName);
          if (node && (node.spec?.taints ?? []).some((t: any) => t.effect === 'NoExecute')) ctx.defer(() => syncNode(node.metadata.name));
        }
      });
      store.onRemoved((def, obj) => {
        if (def.group === '' && def.resource === 'pods') {
          const t = timers.get(obj.metadata.uid);
          if (t !== undefined) clock.clearTimeout(t);
          timers.delete(obj.metadata.uid);
        }
      });
      for (const n of store.list('', 'nodes')) ctx.defer(() => syncNode(n.metadata.name));
    },
  };
}

registerController('node-lifecycle', nodeLifecycle);
