/** Per submit: how fast the peak of concurrent appenders forgets a burst. */
const PEAK_DECAY = 0.995;

/**
 * Coalesces the concurrent appends of one process: operations queued while batches are running go
 * out together in the next batch statement (one statement, one commit). Every statement costs a
 * socket write and a parse here, a round trip, an execution and a commit there, and those, not the
 * rows, are most of an append's cost; so under load each statement should carry several appends:
 * - a batch is cut after the current turn of the event loop (setImmediate), not at the first
 *   submit: the callers a finished batch resumes submit their next appends in the same turn, and
 *   those go out together;
 * - a batch starts when none is running; while one runs, another starts only once `fillTo`
 *   operations are waiting (up to `maxInFlight` at once);
 * - a batch takes an equal share of the concurrent appenders (their recent peak / maxInFlight),
 *   so that they settle into groups that take turns (see `pump`);
 * - when a batch returns, the next one goes out before its callers resume.
 * Batches run concurrently (writers hold the horizon lock only in shared mode) and carry at most
 * `maxBatch` operations.
 */
export class AppendBatcher<Op, Outcome> {
  private queue: { op: Op; resolve: (o: Outcome) => void; reject: (e: unknown) => void }[] = [];
  private inFlight = 0;
  /** Operations in the batches running. */
  private inFlightOps = 0;
  /** Recent peak of operations waiting or running: about the number of concurrent appenders. */
  private peak = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly fillTo: number;

  constructor(
    private readonly runBatch: (ops: Op[]) => Promise<Outcome[]>,
    options: { maxBatch?: number; maxInFlight?: number; fillTo?: number } = {},
  ) {
    this.maxBatch = options.maxBatch ?? 32;
    this.maxInFlight = options.maxInFlight ?? 2;
    this.fillTo = Math.max(1, Math.min(options.fillTo ?? 2, this.maxBatch));
  }

  submit(op: Op): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      this.peak = Math.max(this.queue.length + this.inFlightOps, this.peak * PEAK_DECAY);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || !this.ready()) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private ready(): boolean {
    return this.queue.length > 0 && this.inFlight < this.maxInFlight && (this.inFlight === 0 || this.queue.length >= this.fillTo);
  }

  private pump(): void {
    while (this.ready()) {
      // An equal share of the concurrent appenders per batch slot: with fewer of them than
      // maxInFlight × maxBatch, one batch carrying them all would make them move in lockstep (this
      // process idle while the database works, and the other way round); split, one group's
      // commands are decided here while the other group's batch runs there.
      const share = Math.ceil(this.peak / this.maxInFlight);
      const batch = this.queue.splice(0, Math.max(1, Math.min(this.maxBatch, share)));
      this.inFlight++;
      this.inFlightOps += batch.length;
      const settle = (): void => {
        // The next batch (ops that waited while this one ran) goes out before this one's callers
        // resume, so their work here overlaps its execution there.
        this.inFlight--;
        this.inFlightOps -= batch.length;
        this.pump();
      };
      this.runBatch(batch.map((b) => b.op)).then(
        (outcomes) => {
          settle();
          batch.forEach((b, i) => (outcomes[i] === undefined ? b.reject(new Error('event store: no outcome for a batched append')) : b.resolve(outcomes[i]!)));
        },
        // The call failed as a whole (e.g. connection lost): whether it committed is unknown;
        // retrying with the same event ids is safe (DuplicateEventIdError if it did).
        (err) => {
          settle();
          batch.forEach((b) => b.reject(err));
        },
      );
    }
  }
}
