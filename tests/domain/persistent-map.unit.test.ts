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
});
