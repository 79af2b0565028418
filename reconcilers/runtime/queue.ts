/**
 * A FIFO work queue of keys with the guarantees a controller needs:
 * - a key waiting in the queue is held once (adding it again is a no-op);
 * - a key being processed is never handed out a second time; if it is added meanwhile,
 *   it is queued again once `done` is called, so the change is not lost;
 * - a key can be scheduled for later (backoff); adding it now cancels the wait.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  /** Keys that need processing and have not been handed out yet. */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly takers: Array<(key: string | undefined) => void> = [];
  private closed = false;

  /** Queue now (cancels a pending delayed retry). */
  add(key: string): void {
    if (this.closed) return;
    this.cancelDelay(key);
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /** Queue now unless the key is waiting out a backoff (used by periodic resync). */
  addUnlessDelayed(key: string): void {
    if (this.delayed.has(key)) return;
    this.add(key);
  }

  /** Queue after `ms`, unless the key is already pending (it will run sooner anyway). */
  addAfter(key: string, ms: number): void {
    if (this.closed || this.dirty.has(key)) return;
    this.cancelDelay(key);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, timer);
  }

  /** Next key, waiting if none; `undefined` once the queue is shut down. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.takers.push(resolve));
  }

  /** Processing of `key` finished; re-queues it if it was added meanwhile. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.closed) this.push(key);
  }

  isDelayed(key: string): boolean {
    return this.delayed.has(key);
  }

  /** Keys waiting to be handed out. */
  get depth(): number {
    return this.queue.length;
  }
  get inFlight(): number {
    return this.processing.size;
  }
  get delayedCount(): number {
    return this.delayed.size;
  }

  /** Stop handing out keys; waiting `get` calls resolve with `undefined`. */
  shutDown(): void {
    this.closed = true;
    for (const timer of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.queue.length = 0;
    this.dirty.clear();
    for (const take of this.takers.splice(0)) take(undefined);
  }

  private push(key: string): void {
    const take = this.takers.shift();
    if (take) {
      this.dirty.delete(key);
      this.processing.add(key);
      take(key);
    } else {
      this.queue.push(key);
    }
  }

  private cancelDelay(key: string): void {
    const timer = this.delayed.get(key);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.delayed.delete(key);
    }
  }
}
