/**
 * "What did workspace W look like at time T?": the aggregate folded from its stream over the
 * events whose occurredAt ≤ T (the stream's prefix up to the first later event), as plain JSON.
 */
import { DomainError } from '../../domain/errors';
import { aggregateForStream } from '../../domain/commands';
import { readEvent } from '../../domain/events';
import { streamIds } from '../../domain/streams';
import type { EventStore } from '../../eventstore/types';
import { dnsLabelSchema } from '../../domain/schemas';
import { userIdSchema } from '../../domain/grant/events';

export type StateAtKind = 'workspace' | 'namespace' | 'user';

export interface StateAtQuery {
  kind: StateAtKind;
  /** Workspace id, user id, or `clusterId/name` for a namespace. */
  id: string;
  /** ISO-8601. */
  at: string;
}

export interface StateAt {
  streamId: string;
  at: string;
  state: unknown;
  eventsFolded: number;
  /** occurredAt of the last event folded; null when none was. */
  lastEventAt: string | null;
  lastEventType: string | null;
  lastPosition: number | null;
}

const invalidId = (why: string) => new DomainError('invalid', `id: ${why}`, { field: 'id' });
const isLabel = (s: string) => dnsLabelSchema.safeParse(s).success;

export function streamIdOf(kind: StateAtKind, id: string): string {
  if (kind === 'workspace') {
    if (!isLabel(id)) throw invalidId('not a workspace name');
    return streamIds.workspace(id);
  }
  if (kind === 'user') {
    if (!userIdSchema.safeParse(id).success) throw invalidId('not a user id');
    return streamIds.user(id);
  }
  const [clusterId, name, ...rest] = id.split('/');
  if (rest.length || !name || !isLabel(clusterId) || !isLabel(name)) throw invalidId('a namespace is named clusterId/name');
  return streamIds.namespace(clusterId, name);
}

/** Maps (and map-like values) become objects, bigints strings, Dates ISO strings; everything else as JSON has it. */
export function toJsonSafe(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJsonSafe);
  if (typeof value !== 'object') return value;
  if (value instanceof Map || (typeof (value as any).entries === 'function' && typeof (value as any).get === 'function')) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of (value as ReadonlyMap<unknown, unknown>).entries()) out[String(k)] = toJsonSafe(v);
    return out;
  }
  if (value instanceof Set) return [...value].map(toJsonSafe);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSafe(v)]));
}

export async function stateAt(store: EventStore, query: StateAtQuery): Promise<StateAt> {
  const streamId = streamIdOf(query.kind, query.id);
  const until = Date.parse(query.at);
  if (Number.isNaN(until)) throw new DomainError('invalid', 'at: must be an ISO-8601 date-time', { field: 'at' });
  const { initialState, evolve } = aggregateForStream(streamId);
  let state = initialState;
  let folded = 0;
  let last: { occurredAt: string; type: string; position: number } | null = null;
  for (const event of await store.readStream(streamId)) {
    if (Date.parse(event.metadata.occurredAt) > until) break;
    state = evolve(state, readEvent(event.type, event.data, event.metadata.schemaVersion ?? 1));
    folded++;
    last = { occurredAt: event.metadata.occurredAt, type: event.type, position: event.position };
  }
  return {
    streamId,
    at: new Date(until).toISOString(),
    state: toJsonSafe(state),
    eventsFolded: folded,
    lastEventAt: last?.occurredAt ?? null,
    lastEventType: last?.type ?? null,
    lastPosition: last?.position ?? null,
  };
}
