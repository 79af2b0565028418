/**
 * Controllers: in-process loops that act on the object store like kube-controller-manager's do.
 * Part 1 ships the garbage collector, namespace lifecycle and CRD establishment; part 2 adds
 * more (deployments, replica sets, scheduler, kubelet...) by registering here.
 */
import type { ObjectStore } from '../objects';
import type { Registry } from '../registry';
import type { SimClock } from '../clock';

export interface ControllerContext {
  store: ObjectStore;
  registry: Registry;
  /** PEM of the cluster CA (published in kube-root-ca.crt ConfigMaps). */
  caCert?: string;
  /** The simulator's clock: read time from it and schedule on it, so tests can advance it. */
  clock: SimClock;
  /** Run soon, outside the current write (controllers never write synchronously from a write hook). */
  defer(fn: () => void, delayMs?: number): void;
}

export interface Controller {
  name: string;
  start(ctx: ControllerContext): void;
  stop?(): void;
}

export type ControllerFactory = () => Controller;

const factories = new Map<string, ControllerFactory>();

export function registerController(name: string, factory: ControllerFactory) {
  factories.set(name, factory);
}

export function controllerNames(): string[] {
  return [...factories.keys()];
}

/** Starts the named controllers (default: all registered); returns a stopper. */
export function startControllers(ctx: Omit<ControllerContext, 'defer'>, names = controllerNames()): () => void {
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const defer = (fn: () => void, delayMs = 0) => {
    if (stopped) return;
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) fn();
    }, delayMs);
    timers.add(t);
  };
  const started: Controller[] = [];
  for (const n of names) {
    const f = factories.get(n);
    if (!f) throw new Error(`unknown controller ${n}`);
    const c = f();
    c.start({ ...ctx, defer });
    started.push(c);
  }
  return () => {
    stopped = true;
    for (const t of timers) clearTimeout(t);
    for (const c of started) c.stop?.();
  };
}
