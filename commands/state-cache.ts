import type { StoredEvent } from '../eventstore/types';

export interface Folded<S = unknown> {
  state: S;
  /** Last revision folded into `state`, or null when the stream did not exist. */
  revision: number | null;
}

/**
 * Folded stream states kept between commands, so a command reads only the events appended since
 * its stream was last folded instead of replaying a long stream (a cluster's stream grows with
 * every namespace on it). Bounded, approximately least recently used: two generations of up to
 * `capacity / 2` entries each; an entry used while in the old generation moves to the young one,
 * and when the young one is full the old one is dropped whole. (A single Map used as an LRU, by
 * delete and re-insert, leaves holes that its oldest-key lookup walks over: that cost grew with
 * every command.)
 */
export class StateCache {
  private young = new Map<string, Folded>();
  private old = new Map<string, Folded>();
  private readonly generation: number;

  constructor(capacity = 10_000) {
    this.generation = Math.max(1, Math.ceil(capacity / 2));
  }

  get(streamId: string): Folded | undefined {
    const entry = this.young.get(streamId);
    if (entry !== undefined) return entry;
    const aged = this.old.get(streamId);
    if (aged !== undefined) {
      this.old.delete(streamId);
      this.put(streamId, aged);
    }
    return aged;
  }

  set(streamId: string, folded: Folded): void {
    const current = this.young.get(streamId) ?? this.old.get(streamId);
    if (current && current.revision !== null && folded.revision !== null && current.revision > folded.revision) return;
    this.old.delete(streamId);
    this.put(streamId, folded);
  }

  private put(streamId: string, folded: Folded): void {
    if (!this.young.has(streamId) && this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(streamId, folded);
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
