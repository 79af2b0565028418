/**
 * The one projection runner. It subscribes to $all once, cuts what arrived into batches, and
 * applies each batch per projection in ONE transaction that also locks and advances that
 * projection's checkpoint row. So a crash can neither lose nor double-apply an event, and two
 * writers of one projection (a second process, a rebuild's swap) serialize on the row.
 *
 * Every projection keeps its own position. A projection that falls behind the subscription's front
 * (it failed and waits for a retry, was paused, became leader later, or its row was moved by a
 * rebuild) catches up from the store in pages before it takes the next batch.
 *
 * Leader election: on PostgreSQL each projection is applied by the process holding its advisory
 * lock (one session held by the runner); others follow the checkpoint rows so their
 * `waitForPosition` still works. PGlite is in-process: always leader.
 */
import { sql, type Kysely } from 'kysely';
import { Subject, type Observable } from 'rxjs';
import type { EventStore, StoredEvent, Subscription } from '../eventstore/types';
import { ensureCheckpoints, lockCheckpoint, readCheckpoints, writeCheckpoint } from './checkpoints';
import { applyEvents, type Projection } from './types';
import { rebuildProjection, type RebuildProgress, type RebuildResult } from './rebuild';
import { LEADER_LOCK_CLASS, lockKey, sleep } from './locks';

export interface ProjectionRunnerOptions {
  store: EventStore;
  db: Kysely<any>;
  /** 'postgres' enables advisory-lock leader election; 'pglite' runs every projection here. */
  dbKind: 'postgres' | 'pglite';
  projections: readonly Projection[];
  /** Most events per batch transaction (default 500). */
  batchSize?: number;
  /** Most events held in memory ahead of the appliers (default 10 × batchSize). */
  bufferSize?: number;
  /** How often a follower tries to take a projection's lock (default 5000 ms). */
  leaderRetryMs?: number;
  /** How often a follower re-reads the checkpoints of projections led elsewhere (default 500 ms). */
  followerPollMs?: number;
  /** Backoff after a failed batch: base × 2^attempt, capped (defaults 200 ms, 30 s). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** A projection whose checkpoint carries another version is rebuilt by its leader (default true). */
  rebuildOnVersionChange?: boolean;
  /** Where failures go (default console.error). The runner itself never throws them. */
  onError?: (error: unknown, context: { projection?: string; phase: string }) => void;
}

/** One committed batch of one projection. */
export interface AppliedBatch {
  projection: string;
  /** The projection's checkpoint after the batch. */
  position: number;
  /** Events the projection handled in the batch. */
  handled: number;
  /** When the last event of the batch was recorded by the store (ISO-8601). */
  lastRecordedAt: string | null;
}

export interface ProjectionLag {
  position: number;
  /** head − position. */
  eventsBehind: number;
  /** Age of the oldest event not yet applied (0 when caught up). */
  msBehind: number;
  leader: boolean;
  paused: boolean;
  lastError: string | null;
}

export interface RunnerLag {
  head: number;
  /** Worst over all projections. */
  eventsBehind: number;
  msBehind: number;
  projections: Record<string, ProjectionLag>;
}

export class ProjectionTimeoutError extends Error {
  readonly code = 'PROJECTION_TIMEOUT';
  constructor(
    readonly minPosition: number,
    readonly timeoutMs: number,
    readonly positions: Record<string, number>,
  ) {
    super(`read models did not reach position ${minPosition} within ${timeoutMs} ms (at ${JSON.stringify(positions)})`);
    this.name = 'ProjectionTimeoutError';
  }
}

export class ProjectionRunnerStoppedError extends Error {
  readonly code = 'PROJECTION_RUNNER_STOPPED';
  constructor() {
    super('the projection runner stopped');
    this.name = 'ProjectionRunnerStoppedError';
  }
}

interface ProjectionState {
  projection: Projection;
  position: number;
  leader: boolean;
  paused: boolean;
  rebuilding: boolean;
  attempts: number;
  retryAt: number;
  lastError: string | null;
  lastRecordedAt: string | null;
}

interface Waiter {
  minPosition: number;
  names: readonly string[];
  resolve: () => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class ProjectionRunner {
  private readonly store: EventStore;
  private readonly db: Kysely<any>;
  private readonly states = new Map<string, ProjectionState>();
  private readonly batchSize: number;
  private readonly bufferSize: number;
  private readonly options: ProjectionRunnerOptions;

  private readonly appliedSubject = new Subject<AppliedBatch>();
  private readonly positionSubject = new Subject<number>();
  /** Every committed batch of every projection (the API streams live updates from it). */
  readonly applied$: Observable<AppliedBatch> = this.appliedSubject.asObservable();
  /** The position every projection has reached, each time it grows. */
  readonly position$: Observable<number> = this.positionSubject.asObservable();

  private buffer: StoredEvent[] = [];
  /** Position of the last event handed to the appliers (all earlier ones are behind us). */
  private front = 0;
  /** Position of the last event taken from the subscription. */
  private queued = 0;
  private subscription: Subscription | undefined;
  private running = false;
  private stopping = false;
  private wakeApplier: (() => void) | undefined;
  private wakePump: (() => void) | undefined;
  private loops: Promise<void>[] = [];
  private waiters = new Set<Waiter>();
  private lastMin = -1;
  private releaseLocks: (() => void) | undefined;

  constructor(options: ProjectionRunnerOptions) {
    this.options = options;
    this.store = options.store;
    this.db = options.db;
    this.batchSize = options.batchSize ?? 500;
    this.bufferSize = options.bufferSize ?? this.batchSize * 10;
    const names = new Set<string>();
    for (const projection of options.projections) {
      if (names.has(projection.name)) throw new Error(`two projections named ${projection.name}`);
      names.add(projection.name);
      this.states.set(projection.name, {
        projection,
        position: 0,
        leader: false,
        paused: false,
        rebuilding: false,
        attempts: 0,
        retryAt: 0,
        lastError: null,
        lastRecordedAt: null,
      });
    }
  }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    const projections = [...this.states.values()].map((s) => s.projection);
    let checkpoints: Awaited<ReturnType<typeof readCheckpoints>>;
    try {
      await ensureCheckpoints(this.db, projections);
      checkpoints = await readCheckpoints(this.db);
    } catch (e) {
      this.running = false;
      throw e;
    }
    for (const s of this.states.values()) s.position = checkpoints.get(s.projection.name)?.position ?? 0;
    this.front = Math.min(...[...this.states.values()].map((s) => s.position), Number.MAX_SAFE_INTEGER);
    if (this.states.size === 0) this.front = 0;
    this.queued = this.front;

    if (this.options.dbKind === 'postgres') {
      this.loops.push(this.leadershipLoop());
      this.loops.push(this.followerLoop());
    } else {
      for (const s of this.states.values()) this.becomeLeader(s, checkpoints.get(s.projection.name)?.version);
    }
    this.loops.push(this.pumpLoop());
    this.loops.push(this.applyLoop());
    this.publishPositions();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    await this.subscription?.close();
    this.wakeApplier?.();
    this.wakePump?.();
    this.releaseLocks?.();
    await Promise.allSettled(this.loops);
    this.loops = [];
    this.running = false;
    this.buffer = [];
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new ProjectionRunnerStoppedError());
    }
    this.waiters.clear();
  }

  // ---------------------------------------------------------------- queries about the runner

  /** Checkpoint position of one projection as this process knows it. */
  position(name: string): number {
    const s = this.states.get(name);
    if (!s) throw new Error(`unknown projection ${name}`);
    return s.position;
  }

  /** The position every projection (or the named ones) has reached. */
  minPosition(names?: readonly string[]): number {
    const list = names?.length ? names.map((n) => this.states.get(n)).filter((s): s is ProjectionState => !!s) : [...this.states.values()];
    return list.length ? Math.min(...list.map((s) => s.position)) : Number.MAX_SAFE_INTEGER;
  }

  positions(): Record<string, number> {
    return Object.fromEntries([...this.states].map(([n, s]) => [n, s.position]));
  }

  /**
   * Resolves once every projection (or the named ones) has applied every event up to
   * `minPosition`; rejects with ProjectionTimeoutError after `timeoutMs`. For read-your-writes:
   * pass the position a command returned.
   */
  waitForPosition(minPosition: number, timeoutMs: number, projections?: readonly string[]): Promise<void> {
    const names = projections ?? [];
    for (const n of names) if (!this.states.has(n)) return Promise.reject(new Error(`unknown projection ${n}`));
    if (this.minPosition(names) >= minPosition) return Promise.resolve();
    if (!this.running || this.stopping) return Promise.reject(new ProjectionRunnerStoppedError());
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        minPosition,
        names,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          const positions = names.length ? Object.fromEntries(names.map((n) => [n, this.position(n)])) : this.positions();
          reject(new ProjectionTimeoutError(minPosition, timeoutMs, positions));
        }, Math.max(0, timeoutMs)),
      };
      this.waiters.add(waiter);
    });
  }

  /** Events behind the store's head and age of the oldest unapplied event, per projection and worst. */
  async lag(): Promise<RunnerLag> {
    const head = await this.store.headPosition();
    const now = Date.now();
    const projections: Record<string, ProjectionLag> = {};
    let eventsBehind = 0;
    let msBehind = 0;
    for (const [name, s] of this.states) {
      const behind = Math.max(0, head - s.position);
      let ms = 0;
      if (behind > 0) {
        const pending = this.buffer.find((e) => e.position > s.position);
        const since = pending?.recordedAt ?? s.lastRecordedAt;
        ms = since ? Math.max(0, now - Date.parse(since)) : 0;
      }
      projections[name] = { position: s.position, eventsBehind: behind, msBehind: ms, leader: s.leader, paused: s.paused || s.rebuilding, lastError: s.lastError };
      eventsBehind = Math.max(eventsBehind, behind);
      msBehind = Math.max(msBehind, ms);
    }
    return { head, eventsBehind, msBehind, projections };
  }

  // ---------------------------------------------------------------- control

  /** Stops applying one projection here; resolves after its batch in flight (if any) committed. */
  async pause(name: string): Promise<void> {
    const s = this.mustState(name);
    s.paused = true;
    await this.currentBatch;
  }

  resume(name: string): void {
    this.mustState(name).paused = false;
    this.wakeApplier?.();
  }

  /**
   * Rebuilds one projection into fresh tables while the old ones keep serving, then swaps them in.
   * The runner keeps applying to the old tables meanwhile; the swap serializes with it on the
   * checkpoint row.
   */
  async rebuild(name: string, onProgress?: (p: RebuildProgress) => void): Promise<RebuildResult> {
    const s = this.mustState(name);
    s.rebuilding = true;
    try {
      const result = await rebuildProjection({ store: this.store, db: this.db, dbKind: this.options.dbKind, projection: s.projection, onProgress });
      s.position = Math.max(s.position, result.position);
      this.publishPositions();
      return result;
    } finally {
      s.rebuilding = false;
      this.wakeApplier?.();
    }
  }

  // ---------------------------------------------------------------- internals

  private mustState(name: string): ProjectionState {
    const s = this.states.get(name);
    if (!s) throw new Error(`unknown projection ${name}`);
    return s;
  }

  private report(error: unknown, context: { projection?: string; phase: string }): void {
    if (this.options.onError) this.options.onError(error, context);
    else console.error(`[projections] ${context.phase}${context.projection ? ` ${context.projection}` : ''}:`, error);
  }

  private becomeLeader(s: ProjectionState, checkpointVersion: number | undefined): void {
    s.leader = true;
    if (checkpointVersion !== undefined && checkpointVersion !== s.projection.version && this.options.rebuildOnVersionChange !== false) {
      void this.rebuild(s.projection.name).catch((e) => {
        s.lastError = String(e);
        this.report(e, { projection: s.projection.name, phase: 'rebuild after version change' });
      });
    }
  }

  /** Holds one session for the advisory locks; takes the free ones now and retries the others. */
  private async leadershipLoop(): Promise<void> {
    const retryMs = this.options.leaderRetryMs ?? 5000;
    while (!this.stopping) {
      try {
        await this.db.connection().execute(async (conn) => {
          const released = new Promise<void>((r) => (this.releaseLocks = r));
          try {
            while (!this.stopping) {
              for (const s of this.states.values()) {
                if (s.leader) continue;
                const { rows } = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(${LEADER_LOCK_CLASS}::int, ${lockKey(s.projection.name)}::int) AS ok`.execute(conn);
                if (rows[0]?.ok) {
                  const cp = (await readCheckpoints(conn)).get(s.projection.name);
                  if (cp) s.position = Math.max(s.position, cp.position);
                  this.becomeLeader(s, cp?.version);
                  this.wakeApplier?.();
                }
              }
              // Keep the session alive and notice a lost connection.
              await sql`SELECT 1`.execute(conn);
              await Promise.race([released, sleep(retryMs)]);
            }
          } finally {
            for (const s of this.states.values()) s.leader = false;
            await sql`SELECT pg_advisory_unlock_all()`.execute(conn).catch(() => {});
          }
        });
      } catch (e) {
        for (const s of this.states.values()) s.leader = false;
        if (!this.stopping) this.report(e, { phase: 'leader election' });
      }
      if (!this.stopping) await sleep(retryMs);
    }
  }

  /** Keeps the positions of projections led by another process current. */
  private async followerLoop(): Promise<void> {
    const pollMs = this.options.followerPollMs ?? 500;
    while (!this.stopping) {
      await sleep(pollMs);
      if (this.stopping) break;
      const followed = [...this.states.values()].filter((s) => !s.leader);
      if (followed.length === 0) continue;
      try {
        const checkpoints = await readCheckpoints(this.db);
        for (const s of followed) {
          const cp = checkpoints.get(s.projection.name);
          if (cp && cp.position > s.position) s.position = cp.position;
        }
        this.publishPositions();
      } catch (e) {
        this.report(e, { phase: 'follow checkpoints' });
      }
    }
  }

  /** Moves events from the subscription into the buffer, with backpressure. */
  private async pumpLoop(): Promise<void> {
    while (!this.stopping) {
      try {
        this.subscription = this.store.subscribeAll({ after: this.queued });
        for await (const event of this.subscription) {
          if (this.stopping) break;
          if (event.position <= this.queued) continue;
          this.buffer.push(event);
          this.queued = event.position;
          this.wakeApplier?.();
          while (this.buffer.length >= this.bufferSize && !this.stopping) {
            await new Promise<void>((r) => (this.wakePump = r));
          }
        }
      } catch (e) {
        if (!this.stopping) this.report(e, { phase: 'subscription' });
      } finally {
        await this.subscription?.close().catch(() => {});
      }
      if (!this.stopping) await sleep(500);
    }
  }

  private currentBatch: Promise<unknown> = Promise.resolve();

  private async applyLoop(): Promise<void> {
    while (!this.stopping) {
      // Let the subscription hand over the rest of the page it holds before cutting a batch.
      await new Promise<void>((r) => setImmediate(r));
      const batch = this.buffer.splice(0, this.batchSize);
      if (this.buffer.length < this.bufferSize) this.wakePump?.();
      const due = [...this.states.values()].some((s) => this.eligible(s) && s.position < this.front);
      if (batch.length === 0 && !due) {
        const retryIn = this.nextRetryIn();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, retryIn);
          timer.unref();
          this.wakeApplier = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeApplier = undefined;
        continue;
      }
      const run = this.applyBatch(batch);
      this.currentBatch = run;
      await run;
    }
  }

  private eligible(s: ProjectionState): boolean {
    return s.leader && !s.paused && !s.rebuilding && Date.now() >= s.retryAt;
  }

  private nextRetryIn(): number {
    let next = 1000;
    for (const s of this.states.values()) {
      if (s.leader && !s.paused && !s.rebuilding && s.retryAt > 0) next = Math.min(next, Math.max(10, s.retryAt - Date.now()));
    }
    return next;
  }

  /** Applies one batch (possibly empty: a catch-up tick) to every eligible projection. */
  private async applyBatch(batch: StoredEvent[]): Promise<void> {
    const front = this.front;
    const end = batch.length ? batch[batch.length - 1].position : front;
    await Promise.all(
      [...this.states.values()]
        .filter((s) => this.eligible(s))
        .map(async (s) => {
          try {
            await this.applyToProjection(s, batch, front, end);
            s.attempts = 0;
            s.retryAt = 0;
            s.lastError = null;
          } catch (e) {
            if (this.stopping) return;
            s.attempts += 1;
            const base = this.options.retryBaseMs ?? 200;
            s.retryAt = Date.now() + Math.min(this.options.retryMaxMs ?? 30_000, base * 2 ** Math.min(s.attempts - 1, 20));
            s.lastError = e instanceof Error ? e.message : String(e);
            this.report(e, { projection: s.projection.name, phase: 'apply' });
          }
        }),
    );
    this.front = Math.max(front, end);
    this.publishPositions();
  }

  /**
   * Brings one projection from its position through `end`: pages from the store while it is
   * behind `front`, then the batch. Each step is one transaction with the checkpoint row locked.
   */
  private async applyToProjection(s: ProjectionState, batch: StoredEvent[], front: number, end: number): Promise<void> {
    const { projection } = s;
    while (!this.stopping && s.position < end) {
      let events: StoredEvent[];
      let coverEnd: number;
      const readAfter = s.position;
      if (s.position < front) {
        const page = await this.store.readAll({ after: s.position, limit: this.batchSize });
        events = page.filter((e) => e.position <= front);
        const last = page[page.length - 1];
        coverEnd = page.length < this.batchSize || !last || last.position >= front ? front : last.position;
      } else {
        events = batch.filter((e) => e.position > s.position);
        coverEnd = end;
      }
      const outcome = await this.db.transaction().execute(async (trx) => {
        const cp = await lockCheckpoint(trx, projection.name, projection.version);
        if (cp.version !== projection.version) return { kind: 'version' as const, cp };
        if (cp.position < readAfter) return { kind: 'behind' as const, cp };
        const todo = events.filter((e) => e.position > cp.position);
        const handled = await applyEvents(projection, todo, trx);
        const position = Math.max(cp.position, coverEnd);
        if (position !== cp.position) await writeCheckpoint(trx, projection.name, projection.version, position);
        return { kind: 'ok' as const, position, handled, last: todo[todo.length - 1] };
      });
      if (outcome.kind === 'version') {
        s.paused = true;
        throw new Error(`checkpoint of ${projection.name} has version ${outcome.cp.version}, this process runs ${projection.version}: paused until rebuilt`);
      }
      if (outcome.kind === 'behind') {
        // Someone moved the checkpoint back (a reset); re-read from there.
        s.position = outcome.cp.position;
        continue;
      }
      s.position = outcome.position;
      if (outcome.last) s.lastRecordedAt = outcome.last.recordedAt;
      this.appliedSubject.next({ projection: projection.name, position: s.position, handled: outcome.handled, lastRecordedAt: outcome.last?.recordedAt ?? null });
    }
  }

  private publishPositions(): void {
    const min = this.minPosition();
    if (min !== this.lastMin && min !== Number.MAX_SAFE_INTEGER) {
      this.lastMin = min;
      this.positionSubject.next(min);
    }
    for (const w of [...this.waiters]) {
      if (this.minPosition(w.names) >= w.minPosition) {
        clearTimeout(w.timer);
        this.waiters.delete(w);
        w.resolve();
      }
    }
  }
}

export function createProjectionRunner(options: ProjectionRunnerOptions): ProjectionRunner {
  return new ProjectionRunner(options);
}
