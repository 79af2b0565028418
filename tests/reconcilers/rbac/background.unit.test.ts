import { describe, expect, it } from 'vitest';
import { BackgroundKeys } from '../../../reconcilers/rbac/background';

describe('BackgroundKeys', () => {
  it('hands out changed keys (forced) before resync keys, each once, in insertion order, per cluster', () => {
    const keys = new BackgroundKeys();
    keys.addResync('c1', ['a', 'b', 'c']);
    keys.addChanged('c1', ['c', 'd']);
    keys.addResync('c2', ['x']);
    expect(keys.size('c1')).toBe(4);
    expect(keys.resyncing('c1')).toBe(true);
    const taken = [];
    for (let k = keys.take('c1'); k; k = keys.take('c1')) taken.push(k);
    expect(taken).toEqual([
      { key: 'c', force: true },
      { key: 'd', force: true },
      { key: 'a', force: false },
      { key: 'b', force: false },
    ]);
    expect(keys.resyncing('c1')).toBe(false);
    expect(keys.take('c2')).toEqual({ key: 'x', force: false });
  });

  it('forgets a key that is reconciled on its own', () => {
    const keys = new BackgroundKeys();
    keys.addResync('c1', ['a', 'b']);
    keys.addChanged('c1', ['a']);
    keys.remove('c1', 'a');
    expect(keys.size('c1')).toBe(1);
    expect(keys.take('c1')).toEqual({ key: 'b', force: false });
    expect(keys.take('c1')).toBeUndefined();
  });
});
