/**
 * Storage of kube-sim: objects per group/resource → namespace → name, one global resourceVersion
 * counter, and a bounded per-resource event window for watches (like kube-apiserver's watch cache).
 *
 * Stored objects are deep-frozen and never mutated: readers get the stored object itself (no copy),
 * writers build a new object. This keeps reads of large lists cheap.
 */
import { gone } from './errors';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredEvent {
  type: EventType;
  object: any; // frozen
  rv: number;
  /** object before this change (MODIFIED/DELETED), so watchers with selectors can emit DELETED when an object leaves their selection. */
  prev?: any;
  /** JSON of `{"type":..,"object":..}` computed once, shared by all watchers. */
  json?: string;
}

export type EventListener = (ev: StoredEvent) => void;

class Bucket {
  objects = new Map<string, Map<string, any>>();
  /** sorted names per namespace, invalidated when names are added or removed */
  sorted = new Map<string, string[]>();
  sortedNamespaces: string[] | undefined;
  count = 0;
  events: StoredEvent[] = [];
  head = 0; // index of the oldest event in the ring once full
  evicted = false;
  /** resourceVersion of the oldest event still retained (valid when evicted). */
  oldestRv = 0;
  listeners = new Set<EventListener>();

  constructor(private window: number) {}

  record(ev: StoredEvent) {
    if (this.window <= 0) {
      this.evicted = true;
      this.oldestRv = ev.rv + 1;
      return;
    }
    if (this.events.length < this.window) this.events.push(ev);
    else {
      this.events[this.head] = ev;
      this.head = (this.head + 1) % this.window;
      this.evicted = true;
      this.oldestRv = this.events[this.head].rv;
    }
  }

  /** Events in order. */
  ordered(): StoredEvent[] {
    if (this.events.length < this.window) return this.events;
    return [...this.events.slice(this.head), ...this.events.slice(0, this.head)];
  }
}

export function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as any)) deepFreeze(v);
  }
  return o;
}

/** Structural copy of a frozen object for modification. */
export const thaw = <T>(o: T): T => (o === undefined ? o : structuredClone(o));

export interface ObjRef {
  key: string; // group/resource
  namespace: string;
  name: string;
}

export class Storage {
  private buckets = new Map<string, Bucket>();
  private rv = 1;
  /** uid → where the object lives */
  readonly byUid = new Map<string, ObjRef>();
  /** owner uid → dependents' uids */
  readonly dependents = new Map<string, Set<string>>();
  /** explicit compaction point: resourceVersions below it are expired for every resource. */
  private compactedRv = 0;

  constructor(readonly watchWindow = 10_000) {}

  private bucket(key: string): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = new Bucket(this.watchWindow);
      this.buckets.set(key, b);
    }
    return b;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  nextResourceVersion(): number {
    return ++this.rv;
  }

  get(key: string, namespace: string, name: string): any | undefined {
    return this.buckets.get(key)?.objects.get(namespace)?.get(name);
  }

  getByUid(uid: string): any | undefined {
    const ref = this.byUid.get(uid);
    return ref && this.get(ref.key, ref.namespace, ref.name);
  }

  count(key: string): number {
    return this.buckets.get(key)?.count ?? 0;
  }

  /** Objects of a resource, in namespace/name order when `sorted`. namespace undefined = all namespaces. */
  list(key: string, namespace?: string): any[] {
    const b = this.buckets.get(key);
    if (!b) return [];
    const out: any[] = [];
    const nss = namespace === undefined ? (b.sortedNamespaces ??= [...b.objects.keys()].sort()) : [namespace];
    for (const ns of nss) {
      const m = b.objects.get(ns);
      if (!m) continue;
      let names = b.sorted.get(ns);
      if (!names) {
        names = [...m.keys()].sort();
        b.sorted.set(ns, names);
      }
      for (const n of names) out.push(m.get(n));
    }
    return out;
  }

  private sortedNames(b: Bucket, ns: string, m: Map<string, any>): string[] {
    let names = b.sorted.get(ns);
    if (!names) {
      names = [...m.keys()].sort();
      b.sorted.set(ns, names);
    }
    return names;
  }

  /**
   * Objects in namespace/name order starting at (startNs, startName) inclusive, without materializing
   * the whole list. `remaining()` on the result counts objects after the last one yielded.
   */
  *scan(key: string, namespace?: string, startNs = '', startName = ''): Generator<any, void, undefined> {
    const b = this.buckets.get(key);
    if (!b) return;
    const nss = namespace === undefined ? (b.sortedNamespaces ??= [...b.objects.keys()].sort()) : [namespace];
    for (const ns of nss) {
      if (ns < startNs) continue;
      const m = b.objects.get(ns);
      if (!m) continue;
      const names = this.sortedNames(b, ns, m);
      let i = 0;
      if (ns === startNs && startName) {
        let lo = 0;
        let hi = names.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (names[mid] < startName) lo = mid + 1;
          else hi = mid;
        }
        i = lo;
      }
      for (; i < names.length; i++) {
        const o = m.get(names[i]);
        if (o) yield o;
      }
    }
  }

  /** Number of objects strictly after (ns, name) in scan order. */
  countAfter(key: string, namespace: string | undefined, ns: string, name: string): number {
    const b = this.buckets.get(key);
    if (!b) return 0;
    let n = 0;
    const nss = namespace === undefined ? (b.sortedNamespaces ??= [...b.objects.keys()].sort()) : [namespace];
    for (const x of nss) {
      const m = b.objects.get(x);
      if (!m || x < ns) continue;
      if (x > ns) {
        n += m.size;
        continue;
      }
      const names = this.sortedNames(b, x, m);
      let lo = 0;
      let hi = names.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (names[mid] <= name) lo = mid + 1;
        else hi = mid;
      }
      n += names.length - lo;
    }
    return n;
  }

  namespacesOf(key: string): string[] {
    const b = this.buckets.get(key);
    return b ? [...b.objects.keys()].filter((ns) => (b.objects.get(ns)?.size ?? 0) > 0) : [];
  }

  keys(): string[] {
    return [...this.buckets.keys()];
  }

  /**
   * Store (create or replace) an object: assigns the next resourceVersion, freezes it and emits an event.
   * The caller has done all validation and metadata handling.
   */
  put(key: string, obj: any, type: 'ADDED' | 'MODIFIED'): any {
    const b = this.bucket(key);
    const ns = obj.metadata.namespace ?? '';
    const name = obj.metadata.name;
    let m = b.objects.get(ns);
    if (!m) {
      m = new Map();
      b.objects.set(ns, m);
      b.sortedNamespaces = undefined;
    }
    const prev = m.get(name);
    obj.metadata.resourceVersion = String(this.nextResourceVersion());
    deepFreeze(obj);
    m.set(name, obj);
    if (!prev) {
      b.count++;
      b.sorted.delete(ns);
    }
    this.index(key, obj, prev);
    this.emit(b, { type, object: obj, rv: this.rv, prev });
    return obj;
  }

  /** Remove an object; the DELETED event carries it with a fresh resourceVersion, as kube-apiserver's does. */
  remove(key: string, namespace: string, name: string): any | undefined {
    const b = this.buckets.get(key);
    const m = b?.objects.get(namespace);
    const prev = m?.get(name);
    if (!b || !m || !prev) return undefined;
    m.delete(name);
    b.sorted.delete(namespace);
    if (m.size === 0) {
      b.objects.delete(namespace);
      b.sortedNamespaces = undefined;
    }
    b.count--;
    const rv = this.nextResourceVersion();
    const last = deepFreeze({ ...prev, metadata: { ...prev.metadata, resourceVersion: String(rv) } });
    this.unindex(prev);
    this.emit(b, { type: 'DELETED', object: last, rv, prev });
    return last;
  }

  private index(key: string, obj: any, prev: any) {
    const uid = obj.metadata.uid;
    if (uid) this.byUid.set(uid, { key, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name });
    if (prev) this.unindexOwners(prev);
    for (const o of obj.metadata.ownerReferences ?? []) {
      let s = this.dependents.get(o.uid);
      if (!s) this.dependents.set(o.uid, (s = new Set()));
      s.add(uid);
    }
  }

  private unindexOwners(obj: any) {
    for (const o of obj.metadata.ownerReferences ?? []) {
      const s = this.dependents.get(o.uid);
      if (s) {
        s.delete(obj.metadata.uid);
        if (s.size === 0) this.dependents.delete(o.uid);
      }
    }
  }

  private unindex(obj: any) {
    this.byUid.delete(obj.metadata.uid);
    this.unindexOwners(obj);
  }

  private emit(b: Bucket, ev: StoredEvent) {
    b.record(ev);
    for (const l of b.listeners) {
      try {
        l(ev);
      } catch {
        // a broken watcher must not break writes
      }
    }
  }

  subscribe(key: string, fn: EventListener): () => void {
    const b = this.bucket(key);
    b.listeners.add(fn);
    return () => b.listeners.delete(fn);
  }

  watcherCount(): number {
    let n = 0;
    for (const b of this.buckets.values()) n += b.listeners.size;
    return n;
  }

  /** Oldest resourceVersion a watch or continue token on this resource may start from. */
  oldestAvailable(key: string): number {
    const b = this.buckets.get(key);
    let oldest = b && b.evicted ? b.oldestRv - 1 : 0;
    if (this.compactedRv > oldest) oldest = this.compactedRv;
    return oldest;
  }

  /** Events with rv > from; throws 410 Expired when `from` is older than the retained window. */
  eventsSince(key: string, from: number): StoredEvent[] {
    const oldest = this.oldestAvailable(key);
    if (from < oldest) throw gone(`too old resource version: ${from} (${oldest})`);
    const b = this.buckets.get(key);
    if (!b) return [];
    const evs = b.ordered();
    // binary search the first event with rv > from
    let lo = 0;
    let hi = evs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (evs[mid].rv <= from) lo = mid + 1;
      else hi = mid;
    }
    return evs.slice(lo);
  }

  /** Forget all retained events (like an etcd compaction): older resourceVersions become 410 Gone. */
  compact() {
    this.compactedRv = this.rv;
    for (const b of this.buckets.values()) {
      b.events = [];
      b.head = 0;
    }
  }
}
