import type { StoredEvent } from '../eventstore/types';

export interface Folded<S = unknown> {
  state: S;
  /** Last revision folded into `state`, or null when the stream did not exist. */
  revision: number | null;
}

/**
 * Folded stream states kept between commands, so a command reads only the events appended since
 * its stream was last folded instead of replaying a long stream (a cluster's stream grows with
 * every namespace on it). Bounded; least recently used entries are evicted.
 */
export class StateCache {
  private readonly entries = new Map<string, Folded>();

  constructor(private readonly capacity = 10_000) {}

  get(streamId: string): Folded | undefined {
    const entry = this.entries.get(streamId);
    if (entry) {
      this.entries.delete(streamId);
      this.entries.set(streamId, entry);
    }
    return entry;
  }

  set(streamId: string, folded: Folded): void {
    const current = this.entries.get(streamId);
    if (current && current.revision !== null && folded.revision !== null && current.revision > folded.revision) return;
    this.entries.delete(streamId);
    this.entries.set(streamId, folded);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}

export function foldEvents<S>(
  start: Folded<S>,
  events: StoredEvent[],
  evolve: (state: S, event: { type: string; data: any }) => S,
): Folded<S> {
  let { state, revision } = start;
  for (const event of events) {
    state = evolve(state, event);
    revision = event.revision;
  }
  return { state, revision };
}
