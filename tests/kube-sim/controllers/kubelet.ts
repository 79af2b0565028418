/**
 * The kubelets of every simulated node, as one controller. For each pod bound to an existing node:
 * Pending/ContainerCreating (image pull events, pod IP from the node's podCIDR) → after
 * `kubelet.startDelayMs` on the sim clock, init containers complete and containers run
 * (Created/Started events, running.startedAt, Ready) → exits, restarts with CrashLoopBackOff back-off
 * (10s, 20s, ... capped at 5 min), completion (Succeeded/Failed) by restartPolicy. Status fields and
 * conditions are written as the real kubelet writes them. Behaviour conventions (images, annotations)
 * are documented in README.part2-nodes.md.
 */
import { logsFor, type SimLogs } from '../logs/index';
import { ANN, hexId, isTerminal, nodeSimConfig, recordEvent, rfc3339, unit, type NodeSimConfig } from '../nodes/util';
import type { SimClock } from '../clock';
import { matchesNodeAffinity } from './scheduler';
import { registerController, type Controller, type ControllerContext } from './index';

const MAX_BACKOFF_MS = 300_000;
const BASE_BACKOFF_MS = 10_000;

interface Ctr {
  name: string;
  spec: any;
  init: boolean;
  restartCount: number;
  state: any; // {waiting}|{running}|{terminated}
  lastState: any;
  ready: boolean;
  started: boolean;
  containerID?: string;
  imageID: string;
  image: string;
  timers: number[];
  /** the image cannot be pulled (image name contains `notfound`) */
  pullFailed?: string;
}

interface PodRun {
  uid: string;
  ns: string;
  name: string;
  node: string;
  pod: any;
  podIP: string;
  hostIP: string;
  startTime: string;
  sandboxReady: boolean;
  initialized: boolean;
  init: Ctr[];
  ctrs: Ctr[];
  timers: Set<number>;
  done: boolean;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
}

/** `nginx` → `docker.io/library/nginx:latest`, as containerd reports status.image. */
export function normalizeImage(image: string): string {
  let ref = image;
  const first = ref.split('/')[0];
  const hasRegistry = ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) ref = ref.includes('/') ? `docker.io/${ref}` : `docker.io/library/${ref}`;
  const lastPart = ref.split('/').pop()!;
  if (!lastPart.includes(':') && !lastPart.includes('@')) ref += ':latest';
  return ref;
}

export function imageIdOf(image: string): string {
  const n = normalizeImage(image);
  const repo = n.replace(/@.*$/, '').replace(/:[^:/]+$/, '');
  return `${repo}@sha256:${hexId(64, 'image', n)}`;
}

const has = (image: string, word: string) => image.toLowerCase().includes(word);

export function kubelet(): Controller {
  let stopped = false;
  const runs = new Map<string, PodRun>(); // by uid
  let clockRef: SimClock | undefined;
  return {
    name: 'kubelet',
    stop() {
      stopped = true;
      for (const r of runs.values()) for (const t of r.timers) clockRef?.clearTimeout(t);
      runs.clear();
    },
    start(ctx: ControllerContext) {
      const { store, clock } = ctx;
      clockRef = clock;
      const cfg: NodeSimConfig = nodeSimConfig(store);
      cfg.clock ??= clock;
      const logs: SimLogs = logsFor(store, clock);
      const pulled = new Set<string>(); // node|image
      const ipsByNode = new Map<string, Set<number>>();

      const nowTs = () => rfc3339(clock.now());
      const later = (run: PodRun, ms: number, fn: () => void) => {
        const id = clock.setTimeout(() => {
          run.timers.delete(id);
          if (stopped) return;
          fn();
        }, ms);
        run.timers.add(id);
        return id;
      };
      const src = (run: PodRun) => ({ component: 'kubelet', host: run.node, reportingInstance: run.node });
      const event = (run: PodRun, type: 'Normal' | 'Warning', reason: string, message: string, c?: Ctr) =>
        recordEvent(store, clock, run.pod, type, reason, message, src(run), c ? `spec.${c.init ? 'initContainers' : 'containers'}{${c.name}}` : undefined);

      const allocIP = (node: any): string => {
        const cidr: string = node.spec?.podCIDR ?? '10.244.0.0/24';
        const base = cidr.split('/')[0].split('.').slice(0, 3).join('.');
        const used = ipsByNode.get(node.metadata.name) ?? new Set<number>();
        ipsByNode.set(node.metadata.name, used);
        for (let i = 2; i < 255; i++)
          if (!used.has(i)) {
            used.add(i);
            return `${base}.${i}`;
          }
        return `${base}.254`;
      };
      const freeIP = (run: PodRun) => {
        const last = Number(run.podIP.split('.').pop());
        if (!run.pod.spec?.hostNetwork) ipsByNode.get(run.node)?.delete(last);
      };

      const annotations = (run: PodRun) => run.pod.metadata.annotations ?? {};
      const restartPolicy = (run: PodRun) => run.pod.spec?.restartPolicy ?? 'Always';

      // ---- status ----
      const ctrStatus = (run: PodRun, c: Ctr) => {
        const s: any = { name: c.name, state: c.state, lastState: c.lastState ?? {}, ready: c.ready, restartCount: c.restartCount, image: c.image, imageID: c.imageID };
        if (c.containerID) s.containerID = c.containerID;
        s.started = c.started;
        return s;
      };

      const writeStatus = (run: PodRun) => {
        const cur = store.get('', 'pods', run.ns, run.name);
        if (!cur || cur.metadata.uid !== run.uid) return;
        const ts = nowTs();
        const old = cur.status ?? {};
        const prev = new Map<string, any>((old.conditions ?? []).map((c: any) => [c.type, c]));
        const cond = (type: string, ok: boolean, reason?: string, message?: string) => {
          const status = ok ? 'True' : 'False';
          const o = prev.get(type);
          const c: any = { type, status, lastProbeTime: null, lastTransitionTime: o && o.status === status ? o.lastTransitionTime : ts };
          if (reason) c.reason = reason;
          if (message) c.message = message;
          return c;
        };
        const completed = run.phase === 'Succeeded' || run.phase === 'Failed';
        const unready = run.ctrs.filter((c) => !c.ready).map((c) => c.name);
        const incompleteInit = run.init.filter((c) => !c.state.terminated || c.state.terminated.exitCode !== 0).map((c) => c.name);
        const conditions: any[] = [
          cond('PodReadyToStartContainers', run.sandboxReady && !completed),
          run.initialized ? cond('Initialized', true) : cond('Initialized', false, 'ContainersNotInitialized', `containers with incomplete status: [${incompleteInit.join(' ')}]`),
        ];
        if (completed) conditions.push(cond('Ready', false, 'PodCompleted'), cond('ContainersReady', false, 'PodCompleted'));
        else if (unready.length) {
          const msg = `containers with unready status: [${unready.join(' ')}]`;
          conditions.push(cond('Ready', false, 'ContainersNotReady', msg), cond('ContainersReady', false, 'ContainersNotReady', msg));
        } else conditions.push(cond('Ready', true), cond('ContainersReady', true));
        conditions.push(prev.get('PodScheduled') ?? cond('PodScheduled', true));
        const status: any = { phase: run.phase, conditions, hostIP: run.hostIP, hostIPs: [{ ip: run.hostIP }] };
        if (run.sandboxReady) {
          status.podIP = run.podIP;
          status.podIPs = [{ ip: run.podIP }];
        }
        status.startTime = run.startTime;
        if (run.init.length) status.initContainerStatuses = run.init.map((c) => ctrStatus(run, c));
        status.containerStatuses = run.ctrs.map((c) => ctrStatus(run, c));
        status.qosClass = old.qosClass;
        if (status.qosClass === undefined) delete status.qosClass;
        store.updateStatus('', 'pods', run.ns, run.name, status);
      };

      // ---- lifecycle ----
      const admit = (pod: any) => {
        if (stopped || runs.has(pod.metadata.uid)) return;
        const node = store.get('', 'nodes', '', pod.spec.nodeName);
        if (!node) return;
        const hostIP = (node.status?.addresses ?? []).find((a: any) => a.type === 'InternalIP')?.address ?? '10.0.0.2';
        if (!matchesNodeAffinity(pod, node)) {
          // kubelet admission: a pod bound to a node its selector/affinity refuses is rejected
          runs.set(pod.metadata.uid, { uid: pod.metadata.uid, ns: pod.metadata.namespace, name: pod.metadata.name, node: node.metadata.name, pod, podIP: '', hostIP, startTime: nowTs(), sandboxReady: false, initialized: false, init: [], ctrs: [], timers: new Set(), done: true, phase: 'Failed' });
          const status = { ...structuredClone(pod.status ?? {}), phase: 'Failed', reason: 'NodeAffinity', message: 'Pod was rejected: Predicate NodeAffinity failed', startTime: nowTs() };
          store.updateStatus('', 'pods', pod.metadata.namespace, pod.metadata.name, status);
          recordEvent(store, clock, pod, 'Warning', 'NodeAffinity', 'Predicate NodeAffinity failed', { component: 'kubelet', host: node.metadata.name, reportingInstance: node.metadata.name });
          return;
        }
        const mk = (spec: any, init: boolean): Ctr => ({
          name: spec.name,
          spec,
          init,
          restartCount: 0,
          state: { waiting: { reason: init ? 'PodInitializing' : 'ContainerCreating' } },
          lastState: {},
          ready: false,
          started: false,
          image: String(spec.image ?? ''), // as in the spec until the container is created
          imageID: '',
          timers: [],
        });
        const run: PodRun = {
          uid: pod.metadata.uid,
          ns: pod.metadata.namespace,
          name: pod.metadata.name,
          node: node.metadata.name,
          pod,
          podIP: '',
          hostIP,
          startTime: nowTs(),
          sandboxReady: false,
          initialized: !(pod.spec?.initContainers ?? []).length,
          init: (pod.spec?.initContainers ?? []).map((c: any) => mk(c, true)),
          ctrs: (pod.spec?.containers ?? []).map((c: any) => mk(c, false)),
          timers: new Set(),
          done: false,
          phase: 'Pending',
        };
        if (run.init.length) run.init[0].state = { waiting: { reason: 'PodInitializing' } };
        runs.set(run.uid, run);
        writeStatus(run);
        // sandbox: the pod gets its IP
        later(run, Math.min(50, cfg.kubelet.startDelayMs / 2), () => {
          run.sandboxReady = true;
          run.podIP = pod.spec?.hostNetwork ? run.hostIP : allocIP(node);
          for (const c of [...run.init, ...run.ctrs]) pull(run, c);
          writeStatus(run);
        });
        later(run, cfg.kubelet.startDelayMs + cfg.kubelet.pullDelayMs, () => startNext(run));
      };

      const pull = (run: PodRun, c: Ctr) => {
        const image = String(c.spec.image ?? '');
        const key = `${run.node}|${normalizeImage(image)}`;
        const policy = c.spec.imagePullPolicy ?? 'IfNotPresent';
        if (policy === 'Never') return;
        if (has(image, 'notfound')) {
          const ref = normalizeImage(image);
          c.pullFailed = `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
          event(run, 'Normal', 'Pulling', `Pulling image "${image}"`, c);
          event(run, 'Warning', 'Failed', `Failed to pull image "${image}": ${c.pullFailed}`, c);
          event(run, 'Warning', 'Failed', 'Error: ErrImagePull', c);
          return;
        }
        if (policy === 'IfNotPresent' && pulled.has(key)) {
          event(run, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, c);
          return;
        }
        pulled.add(key);
        event(run, 'Normal', 'Pulling', `Pulling image "${image}"`, c);
        const secs = (0.5 + unit(cfg.seed, 'pull', image) * 4).toFixed(3);
        const size = 5_000_000 + Math.floor(unit(cfg.seed, 'size', image) * 200_000_000);
        event(run, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${secs}s (${secs}s including waiting). Image size: ${size} bytes.`, c);
      };

      /** init containers one by one, then all app containers */
      const startNext = (run: PodRun) => {
        if (run.done) return;
        const pendingInit = run.init.find((c) => !c.state.terminated || c.state.terminated.exitCode !== 0);
        if (pendingInit) {
          if (pendingInit.pullFailed) pullBackOff(run, pendingInit);
          else if (!pendingInit.state.running) startContainer(run, pendingInit);
          return;
        }
        if (!run.initialized) run.initialized = true;
        for (const c of run.ctrs) {
          if (c.pullFailed) pullBackOff(run, c);
          else if (!c.state.running && !c.state.terminated) startContainer(run, c);
        }
        // Running once a container has started (a pod whose only image cannot be pulled stays Pending)
        if (run.ctrs.some((c) => c.started)) run.phase = 'Running';
        writeStatus(run);
      };

      /** ErrImagePull, then ImagePullBackOff (the pull is never retried successfully) */
      const pullBackOff = (run: PodRun, c: Ctr) => {
        if (c.state.waiting?.reason === 'ImagePullBackOff' || c.state.waiting?.reason === 'ErrImagePull') return;
        const image = String(c.spec.image ?? '');
        c.state = { waiting: { reason: 'ErrImagePull', message: c.pullFailed } };
        writeStatus(run);
        later(run, 0, () => {
          c.state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } };
          event(run, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, c);
          event(run, 'Warning', 'Failed', 'Error: ImagePullBackOff', c);
          writeStatus(run);
        });
      };

      const exitPlan = (run: PodRun, c: Ctr): { code: number; afterMs: number } | undefined => {
        const ann = annotations(run);
        const image = String(c.spec.image ?? '');
        const failing = has(image, 'crash') || has(image, 'fail');
        let code = failing ? 1 : 0;
        if (ann[ANN.exitCode] !== undefined && !c.init) code = Number(ann[ANN.exitCode]) || 0;
        const runSecs = ann[ANN.runSeconds] !== undefined && !c.init ? Number(ann[ANN.runSeconds]) : undefined;
        if (c.init) return { code: failing ? 1 : 0, afterMs: failing ? 1000 : 0 };
        if (runSecs !== undefined && Number.isFinite(runSecs) && runSecs >= 0) return { code, afterMs: runSecs * 1000 };
        if (code !== 0) return { code, afterMs: 1000 };
        if (restartPolicy(run) === 'Always') return undefined;
        return { code, afterMs: cfg.kubelet.defaultRunSeconds * 1000 };
      };

      const startContainer = (run: PodRun, c: Ctr) => {
        const id = hexId(64, cfg.seed, run.ns, run.name, c.name, c.restartCount, run.uid);
        c.containerID = `containerd://${id}`;
        c.image = normalizeImage(String(c.spec.image ?? ''));
        c.imageID = imageIdOf(String(c.spec.image ?? ''));
        const startedAt = nowTs();
        c.state = { running: { startedAt } };
        c.started = true;
        event(run, 'Normal', 'Created', `Created container ${c.name}`, c);
        event(run, 'Normal', 'Started', `Started container ${c.name}`, c);
        const rate = Number(annotations(run)[ANN.logRate] ?? cfg.kubelet.logLinesPerSecond);
        logs.containerStarted(run.ns, run.name, c.name, c.containerID, String(c.spec.image ?? ''), Number.isFinite(rate) ? rate : 1);
        const myRestart = c.restartCount;
        const alive = () => c.restartCount === myRestart && !!c.state.running && !run.done;
        // readiness
        if (!c.init) {
          const ann = annotations(run);
          const neverReady = has(String(c.spec.image ?? ''), 'unready') || ann[ANN.ready] === 'false';
          const rp = c.spec.readinessProbe;
          if (neverReady) {
            c.ready = false;
            if (rp)
              later(run, ((rp.initialDelaySeconds ?? 0) + (rp.periodSeconds ?? 10)) * 1000, () => {
                if (alive()) event(run, 'Warning', 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503', c);
              });
          } else if (rp && (rp.initialDelaySeconds ?? 0) > 0) {
            c.ready = false;
            later(run, rp.initialDelaySeconds * 1000, () => {
              if (!alive()) return;
              c.ready = true;
              writeStatus(run);
            });
          } else c.ready = true;
          // liveness
          const lp = c.spec.livenessProbe;
          if (lp && (has(String(c.spec.image ?? ''), 'unhealthy') || ann[ANN.liveness] === 'fail')) {
            const period = (lp.periodSeconds ?? 10) * 1000;
            const threshold = lp.failureThreshold ?? 3;
            const first = (lp.initialDelaySeconds ?? 0) * 1000 + period;
            for (let i = 0; i < threshold; i++)
              later(run, first + i * period, () => {
                if (alive()) event(run, 'Warning', 'Unhealthy', 'Liveness probe failed: HTTP probe failed with statuscode: 500', c);
              });
            later(run, first + (threshold - 1) * period, () => {
              if (!alive()) return;
              event(run, 'Normal', 'Killing', `Container ${c.name} failed liveness probe, will be restarted`, c);
              exitContainer(run, c, 137, 'Error');
            });
          }
        }
        const plan = exitPlan(run, c);
        if (plan) {
          if (c.init && plan.afterMs === 0) {
            // init containers that succeed finish at once
            exitContainer(run, c, 0, 'Completed', true);
            return;
          }
          later(run, plan.afterMs, () => {
            if (alive()) exitContainer(run, c, plan.code, plan.code === 0 ? 'Completed' : 'Error');
          });
        }
        writeStatus(run);
      };

      const backoffFor = (restarts: number) => (restarts <= 0 ? 0 : Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (restarts - 1)));

      const exitContainer = (run: PodRun, c: Ctr, exitCode: number, reason: string, quiet = false) => {
        const startedAt = c.state.running?.startedAt ?? nowTs();
        c.state = { terminated: { exitCode, reason, startedAt, finishedAt: nowTs(), containerID: c.containerID } };
        c.ready = false;
        logs.containerStopped(c.containerID!, exitCode, exitCode !== 0 ? `${new Date(clock.now()).toISOString()} error ${c.name}: fatal error, exiting with status ${exitCode}` : undefined);
        const policy = restartPolicy(run);
        const restart = policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0) || (c.init && exitCode !== 0 && policy !== 'Never');
        if (c.init) {
          if (exitCode === 0) {
            if (!quiet) writeStatus(run);
            startNext(run);
            return;
          }
          if (!restart) {
            run.phase = 'Failed';
            complete(run);
            return;
          }
        }
        if (!restart) {
          if (run.ctrs.every((x) => x.state.terminated)) {
            run.phase = run.ctrs.every((x) => x.state.terminated.exitCode === 0) ? 'Succeeded' : 'Failed';
            complete(run);
          } else writeStatus(run);
          return;
        }
        const delay = backoffFor(c.restartCount);
        const doRestart = () => {
          if (run.done) return;
          c.lastState = { terminated: c.state.terminated ?? c.lastState.terminated };
          c.restartCount++;
          startContainer(run, c);
        };
        if (delay === 0) {
          writeStatus(run);
          later(run, 0, doRestart);
          return;
        }
        later(run, 0, () => {
          // the next sync finds the container in back-off
          c.lastState = { terminated: c.state.terminated };
          c.state = { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.round(delay / 1000) >= 60 ? `${Math.floor(delay / 60000)}m${(delay % 60000) / 1000}s` : `${delay / 1000}s`} restarting failed container=${c.name} pod=${run.name}_${run.ns}(${run.uid})` } };
          event(run, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${run.name}_${run.ns}(${run.uid})`, c);
          writeStatus(run);
          later(run, delay, () => {
            if (run.done) return;
            c.restartCount++;
            startContainer(run, c);
          });
        });
        writeStatus(run);
      };

      const complete = (run: PodRun) => {
        run.done = true;
        for (const t of run.timers) clock.clearTimeout(t);
        run.timers.clear();
        for (const c of run.ctrs) c.ready = false;
        writeStatus(run);
        freeIP(run);
      };

      const removed = (pod: any) => {
        const run = runs.get(pod.metadata.uid);
        if (!run) return;
        runs.delete(run.uid);
        for (const t of run.timers) clock.clearTimeout(t);
        run.timers.clear();
        if (!run.done) {
          for (const c of run.ctrs) if (c.state.running) recordEvent(store, clock, pod, 'Normal', 'Killing', `Stopping container ${c.name}`, src(run), `spec.containers{${c.name}}`);
          freeIP(run);
        }
        run.done = true;
        logs.podRemoved(run.ns, run.name);
      };

      store.onWrite((def, type, obj) => {
        if (stopped || def.group !== '' || def.resource !== 'pods') return;
        if (type === 'DELETED') return;
        if (!obj.spec?.nodeName || runs.has(obj.metadata.uid) || isTerminal(obj) || obj.metadata.deletionTimestamp) return;
        const pod = obj;
        ctx.defer(() => {
          const cur = store.get('', 'pods', pod.metadata.namespace, pod.metadata.name);
          if (cur && cur.metadata.uid === pod.metadata.uid && cur.spec?.nodeName) admit(cur);
        });
      });
      store.onRemoved((def, obj) => {
        if (def.group === '' && def.resource === 'pods') removed(obj);
      });
      for (const p of store.list('', 'pods')) if (p.spec?.nodeName && !isTerminal(p)) ctx.defer(() => admit(p));
    },
  };
}

registerController('kubelet', kubelet);
