import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type Filter,
  type ReadPosition,
  type RecordedEvent,
} from '@eventstore/db-client';
import {
  UnsupportedOperationError,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventFilter,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type StreamWrite,
  type Subscription,
} from './types';

function toEsdbExpected(x: ExpectedRevision): AppendExpectedRevision {
  if (x === 'no_stream') return NO_STREAM;
  if (x === 'stream_exists') return STREAM_EXISTS;
  if (x === 'any') return ANY;
  return BigInt(x);
}

/** ESDB's position as one number: the commit position (safe integer for any log below 8 PiB). */
function toPosition(commit: bigint): number {
  const n = Number(commit);
  if (!Number.isSafeInteger(n)) throw new RangeError(`EventStoreDB commit position ${commit} exceeds Number.MAX_SAFE_INTEGER`);
  return n;
}

/**
 * Older servers report no real commit position for events read from a stream (the field is absent
 * or 2^64-1; only $all reads carry it): then the prepare position if usable, else -1 (unknown).
 */
function eventPosition(e: RecordedEvent): number {
  const p = e.position;
  if (!p) return -1;
  if (p.commit <= BigInt(Number.MAX_SAFE_INTEGER)) return toPosition(p.commit);
  if (p.prepare <= BigInt(Number.MAX_SAFE_INTEGER)) return toPosition(p.prepare);
  return -1;
}

function fromPosition(after: number): ReadPosition {
  return after <= 0 ? START : { commit: BigInt(after), prepare: BigInt(after) };
}

function isSystem(e: RecordedEvent): boolean {
  return e.streamId.startsWith('$') || e.type.startsWith('$');
}

function toStoredEvent(e: RecordedEvent): StoredEvent {
  if (!e.isJson) throw new Error(`event ${e.id} in ${e.streamId} is not JSON`);
  return {
    id: e.id,
    type: e.type,
    data: e.data as Record<string, unknown>,
    metadata: e.metadata as unknown as StoredEvent['metadata'],
    streamId: e.streamId,
    revision: Number(e.revision),
    position: eventPosition(e),
    recordedAt: e.created instanceof Date ? e.created.toISOString() : new Date(e.created as unknown as string).toISOString(),
  };
}

function matches(e: StoredEvent, filter: EventFilter | undefined): boolean {
  if (filter?.streamPrefixes?.length && !filter.streamPrefixes.some((p) => e.streamId.startsWith(p))) return false;
  if (filter?.types?.length && !filter.types.includes(e.type)) return false;
  return true;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Server-side filter: ESDB filters on stream names OR event types; the other one is applied here. */
function serverFilter(filter: EventFilter | undefined): Filter {
  if (filter?.streamPrefixes?.length) return streamNameFilter({ prefixes: filter.streamPrefixes });
  if (filter?.types?.length) return eventTypeFilter({ regex: `^(${filter.types.map(escapeRegex).join('|')})$` });
  return excludeSystemEvents();
}

class EsdbSubscription implements Subscription {
  private closed = false;
  private readonly subscription;

  constructor(
    client: EventStoreDBClient,
    private readonly after: number,
    private readonly filter: EventFilter | undefined,
    private readonly onClose: (s: EsdbSubscription) => void,
  ) {
    this.subscription = client.subscribeToAll({ fromPosition: fromPosition(after), filter: serverFilter(filter) });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StoredEvent> {
    try {
      for await (const resolved of this.subscription as AsyncIterable<AllStreamResolvedEvent>) {
        if (this.closed) return;
        const e = resolved.event;
        if (!e || isSystem(e)) continue;
        const stored = toStoredEvent(e);
        if (stored.position <= this.after || !matches(stored, this.filter)) continue;
        yield stored;
      }
    } catch (err) {
      if (!this.closed) throw err;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
    await this.subscription.unsubscribe().catch(() => {});
  }
}

/**
 * EventStoreDB adapter (`@eventstore/db-client` 6.x). Limits (see eventstore/README.md):
 * - appendMulti over more than one stream throws UnsupportedOperationError: this client has no
 *   atomic multi-stream append (KurrentDB >= 25.1's multiStreamAppend is in @kurrent/kurrentdb-client).
 * - Event ids are idempotency keys per stream (a retried append is ignored), not rejected globally,
 *   and cannot be looked up (readEvent throws UnsupportedOperationError).
 */
export class EventStoreDBStore implements EventStore {
  readonly kind = 'eventstoredb' as const;
  private readonly subscriptions = new Set<EsdbSubscription>();

  constructor(private readonly client: EventStoreDBClient) {}

  async append(streamId: string, events: NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    try {
      const result = await this.client.appendToStream(
        streamId,
        events.map((e) => jsonEvent({ id: e.id, type: e.type, data: e.data as any, metadata: e.metadata as any })),
        { expectedRevision: toEsdbExpected(options.expectedRevision) },
      );
      return {
        position: result.position ? toPosition(result.position.commit) : await this.headPosition(),
        revisions: { [streamId]: Number(result.nextExpectedRevision) },
      };
    } catch (err) {
      if (err instanceof WrongExpectedVersionError) {
        const actual = err.actualVersion;
        throw new WrongExpectedRevisionError(streamId, options.expectedRevision, typeof actual === 'bigint' ? Number(actual) : 'no_stream');
      }
      throw err;
    }
  }

  async appendMulti(writes: StreamWrite[]): Promise<AppendResult> {
    const streams = new Set(writes.map((w) => w.streamId));
    if (writes.length === 1) return this.append(writes[0]!.streamId, writes[0]!.events, { expectedRevision: writes[0]!.expectedRevision });
    throw new UnsupportedOperationError(
      'appendMulti',
      `EventStoreDB (@eventstore/db-client) cannot append atomically to ${streams.size} streams (${[...streams].join(', ')}); ` +
        'multi-stream decisions need the PostgreSQL or PGlite event store, or KurrentDB >= 25.1 (multiStreamAppend, @kurrent/kurrentdb-client).',
    );
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const out: StoredEvent[] = [];
    try {
      const read = this.client.readStream(streamId, { fromRevision: options.fromRevision ? BigInt(options.fromRevision) : START, direction: FORWARDS });
      for await (const resolved of read) {
        if (!resolved.event) continue;
        const e = toStoredEvent(resolved.event);
        if (options.toPosition !== undefined && e.position > options.toPosition) break; // unknown (-1) positions pass
        out.push(e);
      }
    } catch (err) {
      if (err instanceof StreamNotFoundError) return [];
      throw err;
    }
    return out;
  }

  /** EventStoreDB keeps no index of event ids: finding one would mean scanning $all. */
  async readEvent(eventId: string): Promise<StoredEvent | null> {
    throw new UnsupportedOperationError('readEvent', `EventStoreDB cannot look up event ${eventId} by id (it has no index of event ids)`);
  }

  async streamRevision(streamId: string): Promise<number | null> {
    try {
      for await (const resolved of this.client.readStream(streamId, { fromRevision: END, direction: BACKWARDS, maxCount: 1 })) {
        if (resolved.event) return Number(resolved.event.revision);
      }
      return null;
    } catch (err) {
      if (err instanceof StreamNotFoundError) return null;
      throw err;
    }
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const limit = options.limit ?? 1000;
    const after = options.after ?? 0;
    const out: StoredEvent[] = [];
    for await (const resolved of this.client.readAll({ fromPosition: fromPosition(after), direction: FORWARDS, maxCount: Number.MAX_SAFE_INTEGER })) {
      const e = resolved.event;
      if (!e || isSystem(e)) continue;
      const stored = toStoredEvent(e);
      if (stored.position <= after || !matches(stored, options.filter)) continue;
      out.push(stored);
      if (out.length >= limit) break;
    }
    return out;
  }

  subscribeAll(options: Omit<ReadAllOptions, 'limit'> = {}): Subscription {
    const s = new EsdbSubscription(this.client, options.after ?? 0, options.filter, (x) => this.subscriptions.delete(x));
    this.subscriptions.add(s);
    return s;
  }

  async headPosition(): Promise<number> {
    for await (const resolved of this.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1000 })) {
      const e = resolved.event;
      if (e && !isSystem(e)) return toPosition(e.position.commit);
    }
    return 0;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
  }
}

/** `url`: an esdb:// connection string, e.g. esdb://localhost:2113?tls=false */
export async function openEventStoreDB(url: string): Promise<EventStore> {
  return new EventStoreDBStore(EventStoreDBClient.connectionString(url));
}
