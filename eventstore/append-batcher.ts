/**
 * Coalesces the concurrent appends of one process: operations queued while `maxInFlight` batches
 * are running go out together in the next `event_store_append_batch` call (one statement, one
 * commit). Batches run concurrently (writers hold the horizon lock only in shared mode), and are
 * capped at `maxBatch` ops so their subtransactions stay within PostgreSQL's per-backend subxid cache.
 */
export class AppendBatcher<Op, Outcome> {
  private queue: { op: Op; resolve: (o: Outcome) => void; reject: (e: unknown) => void }[] = [];
  private inFlight = 0;

  constructor(
    private readonly runBatch: (ops: Op[]) => Promise<Outcome[]>,
    private readonly options: { maxBatch?: number; maxInFlight?: number } = {},
  ) {}

  submit(op: Op): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < (this.options.maxInFlight ?? 4)) {
      const batch = this.queue.splice(0, this.options.maxBatch ?? 32);
      this.inFlight++;
      this.runBatch(batch.map((b) => b.op))
        .then(
          (outcomes) =>
            batch.forEach((b, i) => (outcomes[i] === undefined ? b.reject(new Error('event store: no outcome for a batched append')) : b.resolve(outcomes[i]!))),
          // The call failed as a whole (e.g. connection lost): whether it committed is unknown;
          // retrying with the same event ids is safe (DuplicateEventIdError if it did).
          (err) => batch.forEach((b) => b.reject(err)),
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}
