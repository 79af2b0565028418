/**
 * In-process locks per stream id. Commands of one process that touch the same stream wait for each
 * other instead of racing to a revision conflict and retrying; across processes the event store's
 * expected-revision check still decides. Locks are taken in sorted order, so two commands can
 * never wait for each other.
 */
export class StreamLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async withLocks<T>(streamIds: readonly string[], work: () => Promise<T>): Promise<T> {
    const keys = [...new Set(streamIds)].sort();
    const releases: (() => void)[] = [];
    try {
      for (const key of keys) releases.push(await this.acquire(key));
      return await work();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  private async acquire(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    return () => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}
