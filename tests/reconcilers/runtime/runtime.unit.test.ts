import { afterEach, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime, type RuntimeOptions } from '../../../reconcilers/runtime/runtime';

const runtimes: Runtime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.stop()));
});

function start(overrides: Partial<RuntimeOptions> & Pick<RuntimeOptions, 'reconcile'>): Runtime {
  const r = startRuntime({
    listClusters: async () => [],
    listKeys: async () => [],
    resyncMs: 60_000,
    backoff: { baseMs: 5, capMs: 40, jitter: 0 },
    onError: () => {},
    ...overrides,
  });
  runtimes.push(r);
  return r;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('reconciler runtime', () => {
  it('never reconciles one key twice at once, and does not lose an enqueue made meanwhile', async () => {
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    let release!: () => void;
    const firstBlocked = new Promise<void>((r) => (release = r));
    const r = start({
      async reconcile() {
        running++;
        maxRunning = Math.max(maxRunning, running);
        calls++;
        if (calls === 1) await firstBlocked;
        running--;
      },
    });
    r.enqueue('c1', 'ns-a');
    await until(() => calls === 1);
    r.enqueue('c1', 'ns-a');
    r.enqueue('c1', 'ns-a');
    await sleep(20);
    expect(calls).toBe(1);
    release();
    await until(() => calls === 2);
    await sleep(20);
    expect(calls).toBe(2); // the two enqueues while in flight collapse into one re-run
    expect(maxRunning).toBe(1);
  });

  it('reconciles distinct keys of a cluster in parallel', async () => {
    let running = 0;
    let maxRunning = 0;
    const r = start({
      workersPerCluster: 3,
      async reconcile() {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(30);
        running--;
      },
    });
    for (const k of ['a', 'b', 'c']) r.enqueue('c1', k);
    await until(() => r.metrics()[0].reconciles === 3 && running === 0);
    expect(maxRunning).toBe(3);
  });

  it('a hung cluster does not delay another', async () => {
    const done: string[] = [];
    const r = start({
      workersPerCluster: 2,
      async reconcile({ clusterId, key }) {
        if (clusterId === 'dead') await new Promise(() => {}); // never answers
        done.push(`${clusterId}/${key}`);
      },
    });
    for (const k of ['a', 'b', 'c']) r.enqueue('dead', k);
    for (const k of ['a', 'b', 'c']) r.enqueue('live', k);
    await until(() => done.length === 3);
    expect(done.sort()).toEqual(['live/a', 'live/b', 'live/c']);
    // stop() would wait for the hung reconciles; this test leaves them be.
    runtimes.splice(runtimes.indexOf(r), 1);
  });

  it('backs off exponentially per key and resets after a success', async () => {
    const times: number[] = [];
    const failuresSeen: number[] = [];
    const errors: Array<number | undefined> = [];
    const r = start({
      backoff: { baseMs: 20, capMs: 80, jitter: 0 },
      onError: (e) => errors.push(e.retryInMs),
      async reconcile({ failures }) {
        times.push(Date.now());
        failuresSeen.push(failures);
        if (times.length <= 4) throw new Error('boom');
      },
    });
    r.enqueue('c1', 'k');
    await until(() => times.length === 5);
    expect(failuresSeen).toEqual([0, 1, 2, 3, 4]);
    expect(errors).toEqual([20, 40, 80, 80]);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    expect(gaps[2]).toBeGreaterThanOrEqual(78);
    const m = r.metrics()[0];
    expect(m).toMatchObject({ clusterId: 'c1', reconciles: 5, failures: 4, backingOff: 0 });
    r.enqueue('c1', 'k');
    await until(() => times.length === 6);
    expect(failuresSeen[5]).toBe(0);
  });

  it('a resync does not cut a backoff short; an enqueue does', async () => {
    let calls = 0;
    const r = start({
      backoff: { baseMs: 10_000, capMs: 10_000, jitter: 0 },
      listClusters: async () => ['c1'],
      listKeys: async () => ['k'],
      async reconcile() {
        calls++;
        throw new Error('down');
      },
    });
    await until(() => calls === 1);
    await r.resync();
    await sleep(20);
    expect(calls).toBe(1);
    expect(r.metrics()[0].backingOff).toBe(1);
    r.enqueue('c1', 'k');
    await until(() => calls === 2);
  });

  it('resyncs periodically from the listed clusters and keys', async () => {
    const seen: string[] = [];
    let resyncs = 0;
    start({
      resyncMs: 15,
      listClusters: async () => ['c1', 'c2'],
      async listKeys(clusterId) {
        resyncs++;
        return [`${clusterId}-x`];
      },
      async reconcile({ clusterId, key }) {
        seen.push(`${clusterId}/${key}`);
      },
    });
    await until(() => resyncs >= 6);
    expect(new Set(seen)).toEqual(new Set(['c1/c1-x', 'c2/c2-x']));
  });

  it('reports a failed listKeys and keeps going', async () => {
    const phases: string[] = [];
    let n = 0;
    start({
      resyncMs: 10,
      onError: (e) => phases.push(e.phase),
      listClusters: async () => ['c1'],
      async listKeys() {
        if (++n === 1) throw new Error('read model down');
        return ['k'];
      },
      async reconcile() {},
    });
    await until(() => n >= 3);
    expect(phases[0]).toBe('resync');
  });

  it('stop waits for in-flight reconciles and then runs nothing more', async () => {
    let finished = 0;
    let started = 0;
    const r = start({
      async reconcile() {
        started++;
        await sleep(30);
        finished++;
      },
    });
    r.enqueue('c1', 'a');
    await until(() => started === 1);
    r.enqueue('c1', 'b');
    await r.stop();
    expect(finished).toBe(started);
    r.enqueue('c1', 'c');
    await sleep(20);
    expect(started).toBe(finished);
  });
});
