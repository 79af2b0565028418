/**
 * In-process locks per stream id. Commands of one process that touch the same stream wait for each
 * other instead of racing to a revision conflict and retrying; across processes the event store's
 * expected-revision check still decides. Locks are taken in sorted order, so two commands can
 * never wait for each other.
 */
export class StreamLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async withLocks<T>(streamIds: readonly string[], work: () => Promise<T>): Promise<T> {
    const keys = streamIds.length === 1 ? [streamIds[0]] : [...new Set(streamIds)].sort();
    const releases: (() => void)[] = [];
    try {
      // A free stream is taken at once (no await); a held one waits for the holder before it.
      for (const key of keys) {
        const previous = this.tails.get(key);
        let release!: () => void;
        const current = new Promise<void>((resolve) => (release = resolve));
        const tail = previous ? previous.then(() => current) : current;
        this.tails.set(key, tail);
        releases.push(() => {
          release();
          if (this.tails.get(key) === tail) this.tails.delete(key);
        });
        if (previous) await previous;
      }
      return await work();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }
}
