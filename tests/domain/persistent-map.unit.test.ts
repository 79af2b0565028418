import { describe, expect, it } from 'vitest';
import { PersistentMap } from '../../domain/persistent-map';

describe('PersistentMap', () => {
  it('behaves like a Map under random with/without, and never changes an older version', () => {
    let map = PersistentMap.empty<number>();
    const reference = new Map<string, number>();
    let seed = 3;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let i = 0; i < 3000; i++) {
      const key = `k${random(300)}`;
      const before = map;
      const beforeEntries = [...before].sort();
      if (random(3) === 0) {
        map = map.without(key);
        reference.delete(key);
      } else {
        map = map.with(key, i);
        reference.set(key, i);
      }
      expect([...before].sort()).toEqual(beforeEntries);
      expect(map.size).toBe(reference.size);
      expect(map.get(key)).toBe(reference.get(key));
      expect(map.has(key)).toBe(reference.has(key));
    }
    expect([...map.entries()].sort()).toEqual([...reference.entries()].sort());
    expect([...map.keys()].sort()).toEqual([...reference.keys()].sort());
    expect([...map.values()].sort()).toEqual([...reference.values()].sort());
  });

  it('keeps keys whose 32-bit hashes are equal apart, and folds paths back when they are removed', () => {
    // FNV-1a gives each pair the same hash: they share every trie level down to a collision node.
    const pairs = [['ns-877252', 'ns-1440110'], ['ns-877253', 'ns-1440111'], ['ns-877250', 'ns-1440112']];
    let map = PersistentMap.empty<string>();
    for (const [a, b] of pairs) map = map.with(a, `${a}!`).with(b, `${b}!`);
    for (let i = 0; i < 5000; i++) map = map.with(`k${i}`, `v${i}`);
    expect(map.size).toBe(5006);
    for (const [a, b] of pairs) {
      expect(map.get(a)).toBe(`${a}!`);
      expect(map.get(b)).toBe(`${b}!`);
    }
    const replaced = map.with('ns-1440110', 'new');
    expect(replaced.size).toBe(5006);
    expect(replaced.get('ns-1440110')).toBe('new');
    expect(replaced.get('ns-877252')).toBe('ns-877252!');
    let emptied = replaced;
    for (const key of [...replaced.keys()]) emptied = emptied.without(key);
    expect(emptied.size).toBe(0);
    expect([...emptied]).toEqual([]);
    expect(replaced.without('ns-877252').get('ns-1440110')).toBe('new');
    expect(replaced.without('ns-877252').has('ns-877252')).toBe(false);
    expect(map.get('k4999')).toBe('v4999');
  });
});
