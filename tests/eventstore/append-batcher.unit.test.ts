/** The append batcher alone (no database): outcomes go to their own callers, and concurrent callers share statements. */
import { describe, expect, it } from 'vitest';
import { AppendBatcher } from '../../eventstore/append-batcher';

const tick = (ms = 1) => new Promise((r) => setTimeout(r, ms));

describe('AppendBatcher', () => {
  it('gives each caller its own outcome, batches concurrent callers, and never runs more than maxInFlight at once', async () => {
    const sizes: number[] = [];
    let running = 0;
    let maxRunning = 0;
    const batcher = new AppendBatcher<number, string>(
      async (ops) => {
        sizes.push(ops.length);
        maxRunning = Math.max(maxRunning, ++running);
        await tick();
        running--;
        return ops.map((o) => `done ${o}`);
      },
      { maxInFlight: 2, maxBatch: 32 },
    );
    // 8 callers, each submitting its next op as soon as the last one is done.
    const results = await Promise.all(
      Array.from({ length: 8 }, async (_, caller) => {
        const got: string[] = [];
        for (let i = 0; i < 25; i++) got.push(await batcher.submit(caller * 100 + i));
        return got;
      }),
    );
    results.forEach((got, caller) => expect(got).toEqual(Array.from({ length: 25 }, (_, i) => `done ${caller * 100 + i}`)));
    expect(maxRunning).toBeLessThanOrEqual(2);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(200);
    // Far fewer statements than appends: the callers settle into two groups of about four.
    expect(sizes.length).toBeLessThan(80);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(8);
  });

  it('a batch that fails as a whole rejects its own callers only', async () => {
    let calls = 0;
    const batcher = new AppendBatcher<string, string>(async (ops) => {
      calls++;
      await tick();
      if (ops.includes('boom')) throw new Error('connection lost');
      return ops.map((o) => o.toUpperCase());
    }, { maxInFlight: 1 });
    const first = batcher.submit('a');
    await tick(0); // 'a' goes out alone; the next two wait for it and go out together
    const settled = await Promise.allSettled([first, batcher.submit('boom'), batcher.submit('c'), tick(5).then(() => batcher.submit('d'))]);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual(['A', 'connection lost', 'connection lost', 'D']);
    expect(calls).toBe(3);
  });

  it('rejects an op the batch returned no outcome for', async () => {
    const batcher = new AppendBatcher<number, number>(async (ops) => ops.slice(1), { maxInFlight: 1 });
    const settled = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected']);
  });
});
