/**
 * The event store contract shared by every adapter (PostgreSQL, PGlite, EventStoreDB).
 * Positions are global, strictly increasing, start at 1, and are safe JS integers.
 * Revisions are per stream and start at 0 (the first event of a stream has revision 0).
 */

export interface Actor {
  kind: 'user' | 'apiKey' | 'system';
  id: string;
  name: string;
}

export interface EventMetadata {
  actor: Actor;
  commandId: string;
  correlationId: string;
  causationId: string | null;
  /** ISO-8601 time at which the command was decided (comes with the command; the domain never reads a clock). */
  occurredAt: string;
  clientIp: string | null;
  schemaVersion: number;
}

export interface NewEvent {
  /** UUID; adapters must reject a second event with the same id (idempotent writes). */
  id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
}

export interface StoredEvent extends NewEvent {
  streamId: string;
  revision: number;
  position: number;
  /** ISO-8601 time the store committed it. */
  recordedAt: string;
}

/** 'no_stream': the stream must not exist; 'stream_exists': it must; 'any': no check; n: its last revision must be n. */
export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | number;

export interface StreamWrite {
  streamId: string;
  events: NewEvent[];
  expectedRevision: ExpectedRevision;
}

export interface AppendResult {
  /** Global position of the last event written. */
  position: number;
  /** Last revision of each written stream after the append. */
  revisions: Record<string, number>;
}

export interface EventFilter {
  /** Only events whose streamId starts with one of these (e.g. 'cluster-'). */
  streamPrefixes?: string[];
  /** Only events of these types. */
  types?: string[];
}

export interface ReadAllOptions {
  /** Exclusive: deliver events with position > after. 0 (default) = from the beginning. */
  after?: number;
  limit?: number;
  filter?: EventFilter;
}

export interface ReadStreamOptions {
  fromRevision?: number;
  /** Inclusive upper bound on the global position (time travel: "as of position P"). */
  toPosition?: number;
}

/**
 * A live subscription: yields every matching event exactly once, in global order, first the
 * historical ones after `after`, then new ones as they commit. Never skips an event whose
 * transaction committed after a higher position became visible.
 */
export interface Subscription extends AsyncIterable<StoredEvent> {
  close(): Promise<void>;
}

export interface EventStore {
  readonly kind: 'postgres' | 'pglite' | 'eventstoredb';
  /** Atomic for all events; throws WrongExpectedRevisionError when the revision check fails. */
  append(streamId: string, events: NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult>;
  /** Atomic across all writes: either every stream's check passes and all events are written, or nothing is. */
  appendMulti(writes: StreamWrite[]): Promise<AppendResult>;
  /** Events of one stream in revision order; [] for a stream that does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  /** The event with this id (ids are unique across the store), or null. */
  readEvent(eventId: string): Promise<StoredEvent | null>;
  /** Last revision of a stream, or null when it does not exist. */
  streamRevision(streamId: string): Promise<number | null>;
  /** One page of $all in global order. */
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  subscribeAll(options?: Omit<ReadAllOptions, 'limit'>): Subscription;
  /** Position of the last committed event that readers may see (0 when empty). */
  headPosition(): Promise<number>;
  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  readonly code = 'WRONG_EXPECTED_REVISION';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

export class DuplicateEventIdError extends Error {
  readonly code = 'DUPLICATE_EVENT_ID';
  constructor(readonly eventId: string) {
    super(`event id ${eventId} was already written`);
    this.name = 'DuplicateEventIdError';
  }
}

/** The adapter cannot do this operation safely (e.g. an atomic multi-stream append on EventStoreDB). */
export class UnsupportedOperationError extends Error {
  readonly code = 'UNSUPPORTED_OPERATION';
  constructor(
    readonly operation: string,
    message: string,
  ) {
    super(message);
    this.name = 'UnsupportedOperationError';
  }
}
