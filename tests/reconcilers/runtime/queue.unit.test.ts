import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../../reconcilers/runtime/queue';
import { backoffDelay } from '../../../reconcilers/runtime/backoff';

describe('WorkQueue', () => {
  it('hands keys out in FIFO order and holds a pending key once', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.depth).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.depth).toBe(0);
  });

  it('never hands out a key being processed; an add meanwhile runs it again after done', async () => {
    const q = new WorkQueue();
    q.add('a');
    expect(await q.get()).toBe('a');
    q.add('a');
    q.add('a');
    expect(q.depth).toBe(0); // not handed out while in flight
    q.done('a');
    expect(q.depth).toBe(1);
    expect(await q.get()).toBe('a');
    q.done('a');
    expect(q.depth).toBe(0);
  });

  it('wakes a waiting taker', async () => {
    const q = new WorkQueue();
    const next = q.get();
    q.add('x');
    expect(await next).toBe('x');
    expect(q.inFlight).toBe(1);
  });

  it('delays a key; a plain add cuts the delay short, a resync add does not', async () => {
    const q = new WorkQueue();
    q.addAfter('a', 10_000);
    expect(q.isDelayed('a')).toBe(true);
    q.addUnlessDelayed('a');
    expect(q.depth).toBe(0);
    q.add('a');
    expect(q.isDelayed('a')).toBe(false);
    expect(q.depth).toBe(1);
    q.shutDown();
  });

  it('runs a delayed key when its time comes', async () => {
    const q = new WorkQueue();
    q.addAfter('a', 5);
    expect(await q.get()).toBe('a');
  });

  it('shutDown releases waiting takers', async () => {
    const q = new WorkQueue();
    const next = q.get();
    q.shutDown();
    expect(await next).toBeUndefined();
    q.add('a');
    expect(await q.get()).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  const opts = { baseMs: 100, capMs: 1000, jitter: 0.5 };
  it('doubles per failure up to the cap', () => {
    const none = () => 0;
    expect([1, 2, 3, 4, 5, 6, 100, 5000].map((n) => backoffDelay(n, opts, none))).toEqual([100, 200, 400, 800, 1000, 1000, 1000, 1000]);
  });
  it('adds up to `jitter` of random extra delay', () => {
    expect(backoffDelay(1, opts, () => 0.999)).toBe(150);
    expect(backoffDelay(10, opts, () => 1)).toBe(1500);
  });
});
