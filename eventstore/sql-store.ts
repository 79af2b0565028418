import { AppendBatcher } from './append-batcher';
import { isUuid } from './event-id';
import { ReadCoalescer } from './read-coalescer';
import type { SqlClient } from './sql-client';
import { ChangeNotifier, PollingSubscription, type ChangeSource } from './subscription';
import {
  DuplicateEventIdError,
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

/**
 * An event row as read: named as StoredEvent names them, so a page's rows become its events in
 * place; recorded_at as epoch milliseconds (float8, exact), which is cheaper to turn into an ISO
 * string than the driver's timestamp text.
 */
const COLUMNS = `position, stream_id as "streamId", revision, id, type, data, metadata, floor(extract(epoch from recorded_at) * 1000)::float8 as "recordedAt"`;
/** How often an append whose expectation is 'any'/'stream_exists' is retried after losing a race on a stream. */
const RACE_RETRIES = 10;

export interface SqlEventStoreOptions {
  kind: 'postgres' | 'pglite';
  client: SqlClient;
  /** Extra wake-ups for live subscriptions (e.g. LISTEN/NOTIFY from other processes). */
  externalChanges?: ChangeSource;
  /** Called after each successful append (e.g. to NOTIFY other processes). */
  afterAppend?: () => void;
  /** In-process notifier; share one between stores over the same database to wake each other. */
  notifier?: ChangeNotifier;
  pollMs?: number;
  pageSize?: number;
  /** Append batches running at once (default 2); more ops than that are coalesced into batches. */
  maxAppendsInFlight?: number;
  /** Appends that must be waiting before a batch starts while another runs (default 2; see AppendBatcher). */
  appendBatchFill?: number;
  /** Most appends in one batch statement (default 32). */
  appendBatchMax?: number;
  onClose?: () => Promise<void>;
}

interface EventRow {
  position: string | number;
  streamId: string;
  revision: number;
  id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: any;
  /** Epoch milliseconds as read; the ISO string once the row became a StoredEvent. */
  recordedAt: number | string;
}

interface AppendRow {
  ok: boolean;
  error: 'wrong_expected_revision' | 'unique_violation' | null;
  detail: any;
  last_position: string | number | null;
  revisions: Record<string, number> | null;
}

interface StreamReadKey {
  streamId: string;
  fromRevision: number;
  toPosition: number | null;
}

/** Turns a row as read into a StoredEvent, in place (the row is not used otherwise). */
function toStoredEvent(row: EventRow): StoredEvent {
  row.position = Number(row.position);
  row.recordedAt = new Date(row.recordedAt as number).toISOString();
  return row as unknown as StoredEvent;
}

/** An append as the batcher holds it: the compact JSON of event_store_append_ops, and what the fallback needs. */
interface AppendOp {
  json: string;
  writes: StreamWrite[];
}

const EXPECTED_CODE = { no_stream: -1, stream_exists: -2, any: -3 } as const;

/**
 * One append in event_store_append_ops' format (migrations/2026_11_22_0410_event_store_append_ops.ts):
 * the metadata once per append (commands give all their events the same), not once per event.
 */
function compactJson(writes: StreamWrite[]): string {
  let metadata: NewEvent['metadata'] | undefined;
  let metadataJson = 'null';
  let out = '';
  for (const w of writes) {
    const x = typeof w.expectedRevision === 'number' ? w.expectedRevision : EXPECTED_CODE[w.expectedRevision];
    let events = '';
    for (const e of w.events) {
      let own = '';
      if (metadata === undefined) {
        metadata = e.metadata;
        metadataJson = JSON.stringify(metadata ?? null);
      } else if (e.metadata !== metadata) {
        const json = JSON.stringify(e.metadata ?? null);
        if (json !== metadataJson) own = `,"m":${json}`;
      }
      events += `${events ? ',' : ''}{"i":"${e.id.toLowerCase()}","t":${JSON.stringify(e.type)},"d":${JSON.stringify(e.data)}${own}}`;
    }
    out += `${out ? ',' : ''}{"s":${JSON.stringify(w.streamId)},"x":${x},"e":[${events}]}`;
  }
  return `{"m":${metadataJson},"w":[${out}]}`;
}

/** The same append in event_store_append()'s format (one element of event_store_append_batch's ops). */
function legacyJson(writes: StreamWrite[]): string {
  return JSON.stringify(
    writes.map((w) => ({
      s: w.streamId,
      x: w.expectedRevision,
      e: w.events.map((e) => ({ id: e.id.toLowerCase(), type: e.type, data: e.data, metadata: e.metadata })),
    })),
  );
}

function likePrefix(prefix: string): string {
  return prefix.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
}

function checkWrite(write: StreamWrite): void {
  if (typeof write.streamId !== 'string' || write.streamId.length === 0) throw new TypeError('streamId must be a non-empty string');
  const x = write.expectedRevision;
  if (!(x === 'no_stream' || x === 'stream_exists' || x === 'any' || (Number.isSafeInteger(x) && (x as number) >= 0)))
    throw new TypeError(`invalid expectedRevision ${String(x)}`);
  if (!Array.isArray(write.events)) throw new TypeError('events must be an array');
  for (const e of write.events) {
    if (!isUuid(e.id)) throw new TypeError(`event id ${String(e.id)} is not a UUID`);
    if (typeof e.type !== 'string' || e.type.length === 0) throw new TypeError('event type must be a non-empty string');
  }
}


/**
 * The event store over SQL (PostgreSQL or PGlite), on the table and functions of
 * migrations/2026_11_22_0001_event_store.ts (see there for the gap-free horizon).
 */
export class SqlEventStore implements EventStore {
  readonly kind: 'postgres' | 'pglite';
  private readonly client: SqlClient;
  private readonly notifier: ChangeNotifier;
  private readonly changes: ChangeSource;
  private readonly subscriptions = new Set<PollingSubscription>();
  private readonly streamReader = new ReadCoalescer<StreamReadKey, StoredEvent[]>((keys) => this.readStreams(keys));
  /** Concurrent horizon requests share one round trip (each still gets a horizon taken after it asked). */
  private readonly horizon = new ReadCoalescer<void, number>(async (keys) => {
    const rows = await this.client.query<{ head: string | number }>('select event_store_safe_head() as head', [], 'bosun_es_safe_head');
    const head = Number(rows[0]?.head ?? 0);
    if (head > this.knownHorizon) this.knownHorizon = head;
    return keys.map(() => head);
  }, { maxInFlight: 1 });
  /** The highest horizon seen: everything at or below it is final, so pages below it need no new one. */
  private knownHorizon = 0;
  private readonly batcher: AppendBatcher<AppendOp, AppendRow>;
  private closed = false;

  constructor(private readonly options: SqlEventStoreOptions) {
    this.kind = options.kind;
    this.client = options.client;
    this.notifier = options.notifier ?? new ChangeNotifier();
    this.batcher = new AppendBatcher<AppendOp, AppendRow>((ops) => this.appendBatch(ops), {
      maxBatch: options.appendBatchMax ?? 32,
      maxInFlight: options.maxAppendsInFlight ?? 2,
      fillTo: options.appendBatchFill ?? 2,
    });
    const external = options.externalChanges;
    this.changes = (listener) => {
      const offLocal = this.notifier.source(listener);
      const offExternal = external?.(listener);
      return () => {
        offLocal();
        offExternal?.();
      };
    };
  }

  append(streamId: string, events: NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    return this.appendMulti([{ streamId, events, expectedRevision: options.expectedRevision }]);
  }

  appendMulti(writes: StreamWrite[]): Promise<AppendResult> {
    this.assertOpen();
    return this.track(this.appendNow(writes));
  }

  private async appendNow(writes: StreamWrite[]): Promise<AppendResult> {
    if (!Array.isArray(writes) || writes.length === 0) throw new TypeError('appendMulti needs at least one write');
    writes.forEach(checkWrite);
    const payload: AppendOp = { json: compactJson(writes), writes };
    for (let attempt = 0; ; attempt++) {
      let row: Awaited<ReturnType<typeof this.batcher.submit>>;
      try {
        row = await this.batcher.submit(payload);
      } catch (error) {
        // A deadlock or serialization failure rolled the whole batch back: nothing was written, so retry.
        if (isTransientConflict(error) && attempt < RACE_RETRIES) continue;
        throw error;
      }
      if (row.error === 'unique_violation') {
        const { constraint, detail } = row.detail as { constraint: string; detail: string };
        if (constraint === 'events_id_unique') throw new DuplicateEventIdError(/=\(([0-9a-fA-F-]+)\)/.exec(detail)?.[1] ?? 'unknown');
        // events_stream_revision_unique: lost a race, another append to one of these streams committed first.
        const racy = writes.every((w) => w.expectedRevision === 'any' || w.expectedRevision === 'stream_exists');
        if (racy && attempt < RACE_RETRIES) continue;
        throw await this.conflictAfterRace(writes);
      }
      if (!row.ok) {
        const { stream, actual } = row.detail as { stream: string; actual: number };
        const expected = writes.find((w) => w.streamId === stream)?.expectedRevision ?? 'any';
        throw new WrongExpectedRevisionError(stream, expected, actual < 0 ? 'no_stream' : actual);
      }
      const wrote = row.last_position !== null;
      if (wrote) {
        this.notifier.notify();
        this.options.afterAppend?.();
      }
      return { position: wrote ? Number(row.last_position) : await this.headPosition(), revisions: row.revisions ?? {} };
    }
  }

  /**
   * One statement for a batch of appends. Usually event_store_append_ops (set-based, no
   * subtransactions); a batch that writes one stream twice, or whose statement failed on a unique
   * index (an event id taken, a race with another writer: nothing was written), goes through
   * event_store_append_batch, which runs each append in its own subtransaction and reports per append.
   */
  private async appendBatch(ops: AppendOp[]): Promise<AppendRow[]> {
    const streams = new Set<string>();
    let disjoint = true;
    for (const op of ops) {
      for (const w of op.writes) {
        if (streams.has(w.streamId)) disjoint = false;
        streams.add(w.streamId);
      }
    }
    if (disjoint) {
      try {
        return await this.client.query<AppendRow>('select * from event_store_append_ops($1::jsonb)', [`[${ops.map((o) => o.json).join(',')}]`], 'bosun_es_append_ops');
      } catch (error) {
        if ((error as { code?: unknown })?.code !== '23505') throw error;
      }
    }
    return this.client.query<AppendRow>('select * from event_store_append_batch($1::jsonb)', [`[${ops.map((o) => legacyJson(o.writes)).join(',')}]`], 'bosun_es_append_batch');
  }

  /** After a lost race, the typed conflict for the first stream whose expectation no longer holds. */
  private async conflictAfterRace(writes: StreamWrite[]): Promise<WrongExpectedRevisionError> {
    for (const w of writes) {
      const actual = await this.streamRevision(w.streamId);
      const x = w.expectedRevision;
      const holds = x === 'any' || (x === 'no_stream' ? actual === null : x === 'stream_exists' ? actual !== null : actual === x);
      if (!holds) return new WrongExpectedRevisionError(w.streamId, x, actual ?? 'no_stream');
    }
    const w = writes.find((w) => typeof w.expectedRevision === 'number' || w.expectedRevision === 'no_stream') ?? writes[0]!;
    const actual = await this.streamRevision(w.streamId);
    return new WrongExpectedRevisionError(w.streamId, w.expectedRevision, actual ?? 'no_stream');
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    return this.track(this.streamReader.load({ streamId, fromRevision: options.fromRevision ?? 0, toPosition: options.toPosition ?? null }));
  }

  /** Several stream reads in one statement (concurrent readStream calls are coalesced). */
  private async readStreams(keys: StreamReadKey[]): Promise<StoredEvent[][]> {
    const rows = await this.client.query<EventRow & { q: number }>(
      // LATERAL: one index scan per requested stream, whatever the planner guesses about unnest().
      `select r.q::integer as q, e.*
         from unnest($1::text[], $2::integer[], $3::bigint[]) with ordinality as r(stream_id, from_revision, to_position, q)
         cross join lateral (
           select ${COLUMNS} from events
            where stream_id = r.stream_id and revision >= r.from_revision
              and (r.to_position is null or position <= r.to_position)
            order by revision
         ) e
        order by r.q, e.revision`,
      [keys.map((k) => k.streamId), keys.map((k) => k.fromRevision), keys.map((k) => k.toPosition)],
      'bosun_es_read_streams',
    );
    const results: StoredEvent[][] = keys.map(() => []);
    for (const { q, ...row } of rows) results[q - 1]!.push(toStoredEvent(row));
    return results;
  }

  async readEvent(eventId: string): Promise<StoredEvent | null> {
    this.assertOpen();
    if (!isUuid(eventId)) return null;
    const rows = await this.client.query<EventRow>(`select ${COLUMNS} from events where id = $1`, [eventId.toLowerCase()], 'bosun_es_read_event');
    return rows[0] ? toStoredEvent(rows[0]) : null;
  }

  async streamRevision(streamId: string): Promise<number | null> {
    this.assertOpen();
    const rows = await this.client.query<{ revision: number | null }>('select max(revision) as revision from events where stream_id = $1', [
      streamId,
    ], 'bosun_es_stream_revision');
    return rows[0]?.revision ?? null;
  }

  readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    return this.track(this.readAllNow(options));
  }

  private async readAllNow(options: ReadAllOptions): Promise<StoredEvent[]> {
    const after = options.after ?? 0;
    const limit = options.limit ?? 1000;
    // Catch-up below a known horizon costs one statement; at the tail, take a fresh horizon.
    const known = this.knownHorizon;
    const page = after < known ? await this.readPage(after, limit, options.filter, known) : [];
    if (page.length === limit) return page;
    const head = await this.headPosition();
    if (head <= Math.max(after, known)) return page;
    const rest = await this.readPage(Math.max(after, known), limit - page.length, options.filter, head);
    return page.concat(rest);
  }

  /** Events with after < position <= upTo, matching the filter ([] or undefined lists mean "no filter"). */
  async readPage(after: number, limit: number, filter: EventFilter | undefined, upTo: number): Promise<StoredEvent[]> {
    if (upTo <= after) return [];
    this.assertOpen();
    const prefixes = filter?.streamPrefixes?.length ? filter.streamPrefixes.map(likePrefix) : null;
    const types = filter?.types?.length ? filter.types : null;
    // `position + 0 <= $2`: the upper bound as a filter, not an index condition. With both bounds
    // in the index condition and no statistics yet (a table just bulk-loaded, before autovacuum's
    // ANALYZE), the planner guesses a few rows and picks a bitmap scan plus a sort that spills to
    // disk, ~5x slower; with the lower bound alone, ORDER BY … LIMIT over the primary key is an
    // index scan whatever the statistics. The scan goes past $2 only over events above the horizon.
    const rows = await this.client.query<EventRow>(
      `select ${COLUMNS} from events
        where position > $1 and position + 0 <= $2
          and ($3::text[] is null or stream_id like any($3::text[]))
          and ($4::text[] is null or type = any($4::text[]))
        order by position limit $5`,
      [after, upTo, prefixes, types, limit],
      'bosun_es_read_page',
    );
    return rows.map(toStoredEvent);
  }

  subscribeAll(options: Omit<ReadAllOptions, 'limit'> = {}): Subscription {
    this.assertOpen();
    const subscription = new PollingSubscription(
      this,
      this.changes,
      { after: options.after ?? 0, filter: options.filter, pageSize: this.options.pageSize ?? 500, pollMs: this.options.pollMs ?? 1000 },
      (s) => this.subscriptions.delete(s),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** The safe horizon: every event at or below it is visible (see the migration). */
  headPosition(): Promise<number> {
    this.assertOpen();
    return this.track(this.horizon.load());
  }

  /** Stops new calls, ends subscriptions, lets calls in flight finish, then closes what it owns. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await Promise.allSettled([...this.inFlight]);
    await this.options.onClose?.();
  }

  private readonly inFlight = new Set<Promise<unknown>>();
  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    const done = () => this.inFlight.delete(promise);
    promise.then(done, done);
    return promise;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`${this.kind} event store is closed`);
  }
}

/** PostgreSQL's deadlock_detected and serialization_failure: the transaction was rolled back whole. */
function isTransientConflict(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === '40P01' || code === '40001';
}
