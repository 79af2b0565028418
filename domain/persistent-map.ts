/**
 * An immutable map (a hash array mapped trie): `with`/`without` copy the path of 32-slot nodes to
 * the key (about log32 n of them) instead of the map, so a cluster with tens of thousands of
 * namespaces folds each allocation event in near-constant time. It is a ReadonlyMap, so code that
 * reads states cannot tell it from a Map. Iteration follows the keys' hashes, not insertion.
 */
const BITS = 5;
const MASK = (1 << BITS) - 1;

class Leaf<V> {
  constructor(
    readonly hash: number,
    readonly key: string,
    readonly value: V,
  ) {}
}

/** Keys whose 32-bit hashes are equal, below the last level that could tell them apart. */
class Collision<V> {
  constructor(
    readonly hash: number,
    readonly leaves: readonly Leaf<V>[],
  ) {}
}

class Branch<V> {
  constructor(readonly slots: readonly (Slot<V> | undefined)[]) {}
}

type Slot<V> = Leaf<V> | Collision<V> | Branch<V>;

/** FNV-1a: well spread over all 32 bits, which the trie consumes five at a time. */
function hashOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const indexAt = (hash: number, shift: number) => (hash >>> shift) & MASK;

function find<V>(slot: Slot<V> | undefined, hash: number, key: string): Leaf<V> | undefined {
  for (let shift = 0; slot !== undefined; shift += BITS) {
    if (slot instanceof Branch) slot = slot.slots[indexAt(hash, shift)];
    else if (slot instanceof Leaf) return slot.key === key ? slot : undefined;
    else return slot.hash === hash ? slot.leaves.find((l) => l.key === key) : undefined;
  }
  return undefined;
}

/** A branch holding two slots whose hashes differ (a and b are leaves or collisions). */
function split<V>(a: Leaf<V> | Collision<V>, b: Leaf<V>, shift: number): Branch<V> {
  const slots = new Array<Slot<V> | undefined>(1 << BITS).fill(undefined);
  const ia = indexAt(a.hash, shift);
  const ib = indexAt(b.hash, shift);
  if (ia === ib) slots[ia] = split(a, b, shift + BITS);
  else {
    slots[ia] = a;
    slots[ib] = b;
  }
  return new Branch(slots);
}

function put<V>(slot: Slot<V> | undefined, leaf: Leaf<V>, shift: number): Slot<V> {
  if (slot === undefined) return leaf;
  if (slot instanceof Branch) {
    const slots = slot.slots.slice();
    const i = indexAt(leaf.hash, shift);
    slots[i] = put(slots[i], leaf, shift + BITS);
    return new Branch(slots);
  }
  if (slot.hash !== leaf.hash) return split(slot, leaf, shift);
  if (slot instanceof Leaf) return slot.key === leaf.key ? leaf : new Collision(leaf.hash, [slot, leaf]);
  const others = slot.leaves.filter((l) => l.key !== leaf.key);
  return new Collision(leaf.hash, [...others, leaf]);
}

function remove<V>(slot: Slot<V> | undefined, hash: number, key: string, shift: number): Slot<V> | undefined {
  if (slot === undefined) return undefined;
  if (slot instanceof Leaf) return slot.key === key ? undefined : slot;
  if (slot instanceof Collision) {
    const rest = slot.leaves.filter((l) => l.key !== key);
    return rest.length === 1 ? rest[0] : new Collision(slot.hash, rest);
  }
  const i = indexAt(hash, shift);
  const child = remove(slot.slots[i], hash, key, shift + BITS);
  const slots = slot.slots.slice();
  slots[i] = child;
  const left = slots.filter((s) => s !== undefined);
  if (left.length === 0) return undefined;
  // A branch left with one leaf folds into it, so the trie does not keep empty paths.
  if (left.length === 1 && !(left[0] instanceof Branch)) return left[0];
  return new Branch(slots);
}

function* walk<V>(slot: Slot<V> | undefined): Generator<Leaf<V>> {
  if (slot === undefined) return;
  if (slot instanceof Leaf) yield slot;
  else if (slot instanceof Collision) yield* slot.leaves;
  else for (const child of slot.slots) yield* walk(child);
}

export class PersistentMap<V> implements ReadonlyMap<string, V> {
  private constructor(
    private readonly root: Slot<V> | undefined,
    readonly size: number,
  ) {}

  static empty<V>(): PersistentMap<V> {
    return new PersistentMap<V>(undefined, 0);
  }

  static from<V>(entries: Iterable<readonly [string, V]>): PersistentMap<V> {
    let map = PersistentMap.empty<V>();
    for (const [k, v] of entries) map = map.with(k, v);
    return map;
  }

  get(key: string): V | undefined {
    return find(this.root, hashOf(key), key)?.value;
  }

  has(key: string): boolean {
    return find(this.root, hashOf(key), key) !== undefined;
  }

  with(key: string, value: V): PersistentMap<V> {
    const hash = hashOf(key);
    const added = find(this.root, hash, key) === undefined;
    return new PersistentMap(put(this.root, new Leaf(hash, key, value), 0), this.size + (added ? 1 : 0));
  }

  without(key: string): PersistentMap<V> {
    const hash = hashOf(key);
    if (find(this.root, hash, key) === undefined) return this;
    return new PersistentMap(remove(this.root, hash, key, 0), this.size - 1);
  }

  *entries(): MapIterator<[string, V]> {
    for (const leaf of walk(this.root)) yield [leaf.key, leaf.value];
  }

  *keys(): MapIterator<string> {
    for (const leaf of walk(this.root)) yield leaf.key;
  }

  *values(): MapIterator<V> {
    for (const leaf of walk(this.root)) yield leaf.value;
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  forEach(fn: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    for (const leaf of walk(this.root)) fn(leaf.value, leaf.key, this);
  }
}
