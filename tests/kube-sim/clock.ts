/**
 * The simulator's clock. Runs with real time, and tests can jump it forward (`advance`), which fires
 * every timer that falls due, in order: CronJob schedules, kubelet delays, job durations, metrics
 * drift all read this clock, so a test can make an hour pass in a moment.
 */
export class SimClock {
  private offsetMs = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { dueAt: number; fn: () => void; handle: NodeJS.Timeout }>();

  now(): number {
    return Date.now() + this.offsetMs;
  }

  date(): Date {
    return new Date(this.now());
  }

  setTimeout(fn: () => void, delayMs: number): number {
    const id = this.nextId++;
    const dueAt = this.now() + Math.max(0, delayMs);
    const handle = setTimeout(() => this.fire(id), Math.max(0, delayMs));
    handle.unref?.();
    this.timers.set(id, { dueAt, fn, handle });
    return id;
  }

  clearTimeout(id: number): void {
    const timer = this.timers.get(id);
    if (!timer) return;
    clearTimeout(timer.handle);
    this.timers.delete(id);
  }

  /** Moves time forward by `ms`, firing due timers in due order (timers they set that fall due fire too). */
  advance(ms: number): void {
    const target = this.now() + ms;
    for (;;) {
      let next: [number, { dueAt: number }] | undefined;
      for (const entry of this.timers) if (entry[1].dueAt <= target && (!next || entry[1].dueAt < next[1].dueAt)) next = entry;
      if (!next) break;
      this.offsetMs = Math.max(this.offsetMs, next[1].dueAt - Date.now());
      this.fire(next[0]);
    }
    this.offsetMs = Math.max(this.offsetMs, target - Date.now());
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer.handle);
    this.timers.clear();
  }

  private fire(id: number): void {
    const timer = this.timers.get(id);
    if (!timer) return;
    this.timers.delete(id);
    clearTimeout(timer.handle);
    timer.fn();
  }
}
