/**
 * Half-open intervals of the event log, [from, to), ordered by global position (exact) and carrying
 * the occurredAt of each end (what an auditor asks about). `to` null: still open.
 */
export interface Bound {
  position: number;
  time: string;
}

export interface Interval {
  from: Bound;
  to: Bound | null;
}

export interface PeriodLike {
  from_position: number;
  from_time: string;
  to_position: number | null;
  to_time: string | null;
}

export function intervalOf(row: PeriodLike): Interval {
  return {
    from: { position: row.from_position, time: row.from_time },
    to: row.to_position === null ? null : { position: row.to_position, time: row.to_time! },
  };
}

/** The common part of two intervals, or null when they do not meet. */
export function intersect(a: Interval, b: Interval): Interval | null {
  const from = a.from.position >= b.from.position ? a.from : b.from;
  const to = a.to === null ? b.to : b.to === null ? a.to : a.to.position <= b.to.position ? a.to : b.to;
  if (to !== null && to.position <= from.position) return null;
  return { from, to };
}

/** Every non-empty intersection of one interval of `as` with one of `bs`. */
export function intersectAll(as: readonly Interval[], bs: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const a of as) for (const b of bs) {
    const c = intersect(a, b);
    if (c) out.push(c);
  }
  return out;
}

/** Does the interval hold at some moment of the closed time window [from, to]? */
export function overlapsWindow(interval: Interval, from: string, to: string): boolean {
  const start = Date.parse(interval.from.time);
  return start <= Date.parse(to) && (interval.to === null || Date.parse(interval.to.time) > Date.parse(from));
}
