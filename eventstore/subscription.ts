import type { EventFilter, StoredEvent, Subscription } from './types';

/** Wake-ups: "something was appended" (in-process emit, LISTEN/NOTIFY, ...). Returns an unsubscribe. */
export type ChangeSource = (listener: () => void) => () => void;

export interface PagedSource {
  /** Events with after < position <= upTo, in position order. */
  readPage(after: number, limit: number, filter: EventFilter | undefined, upTo: number): Promise<StoredEvent[]>;
  /** A horizon: every event at or below it is visible, none can appear below it later. */
  headPosition(): Promise<number>;
}

export interface PollingSubscriptionOptions {
  after: number;
  filter?: EventFilter;
  pageSize: number;
  /** Fallback poll interval when no wake-up arrives. */
  pollMs: number;
}

/**
 * Catch-up in pages, then live: re-reads when woken by the change source, or after pollMs.
 * Each round first takes the source's horizon and reads only up to it, so an event that commits
 * late below a visible higher position is never skipped; after a short page the cursor jumps to the
 * horizon (nothing at or below it can still appear), which keeps filtered subscriptions cheap.
 */
export class PollingSubscription implements Subscription {
  private closed = false;
  private dirty = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly source: PagedSource,
    private readonly changes: ChangeSource,
    private readonly options: PollingSubscriptionOptions,
    private readonly onClose: (s: PollingSubscription) => void = () => {},
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<StoredEvent> {
    let after = this.options.after;
    const { filter, pageSize } = this.options;
    const unsubscribe = this.changes(() => {
      this.dirty = true;
      this.wake?.();
    });
    try {
      while (!this.closed) {
        this.dirty = false;
        let head: number;
        let page: StoredEvent[];
        try {
          head = await this.source.headPosition();
          page = await this.source.readPage(after, pageSize, filter, head);
        } catch (err) {
          if (this.closed) return; // the store closed under a read in flight
          throw err;
        }
        for (const event of page) {
          if (this.closed) return;
          yield event;
          after = event.position;
        }
        if (page.length === pageSize) continue;
        if (head > after) after = head;
        if (this.dirty || this.closed) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.pollMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    } finally {
      unsubscribe();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    this.onClose(this);
  }
}

/** A tiny in-process fan-out used as a ChangeSource. */
export class ChangeNotifier {
  private listeners = new Set<() => void>();
  readonly source: ChangeSource = (listener) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  notify(): void {
    for (const l of [...this.listeners]) l();
  }
}
