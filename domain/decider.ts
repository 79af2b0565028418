/**
 * The shape every command module has. A decision may span several streams: the generic handler
 * loads each stream named by `streams(cmd)`, folds it with the evolve of its category, calls
 * `decide`, and appends each stream's events atomically with that stream's expected revision.
 */

/** Folded state per stream id, as the handler passes it to decide. A missing key means "no events". */
export type StreamStates = Readonly<Record<string, unknown>>;

/** Events to append, per stream id. A stream absent or with [] gets nothing. */
export type Decision<E> = Record<string, E[]>;

export interface CommandDecider<C, E> {
  streams(cmd: C): string[];
  decide(cmd: C, states: StreamStates): Decision<E>;
}

/**
 * The folded state of one stream. The handler folds each stream with the evolve chosen by its
 * prefix (see evolveForStream), so the state's type follows from the stream id by construction.
 */
export function stateOf<S>(states: StreamStates, streamId: string, initial: S): S {
  return (states[streamId] as S | undefined) ?? initial;
}

export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
