/**
 * Given/when/then for deciders: given events per stream, when a command, then the events per
 * stream it appends, nothing, or a DomainError. Every event passes through the registry's schemas
 * both ways (history on the way in, decisions on the way out), so specs also prove that the
 * decider only writes valid events and that every stream it writes is one it declared.
 */
import { expect } from 'vitest';
import { type Command, decide, foldStream, streamsFor, type AggregateState } from '../../domain/commands';
import { DomainError, type DomainErrorCode } from '../../domain/errors';
import { type DomainEvent, parseEvent } from '../../domain/events';

export type History = Record<string, DomainEvent[]>;

function roundTrip(event: DomainEvent): DomainEvent {
  return parseEvent(event.type, JSON.parse(JSON.stringify(event.data)));
}

/** The folded state of one stream after the given events (validated through the registry). */
export function fold(streamId: string, events: DomainEvent[]): AggregateState {
  return foldStream(streamId, events.map(roundTrip));
}

function run(history: History, cmd: Command): Record<string, DomainEvent[]> {
  const ids = streamsFor(cmd);
  const states = Object.fromEntries(ids.map((id) => [id, fold(id, history[id] ?? [])]));
  const decision = decide(cmd, states);
  const written: Record<string, DomainEvent[]> = {};
  for (const [id, events] of Object.entries(decision)) {
    if (events.length === 0) continue;
    expect(ids, `decision writes to undeclared stream ${id}`).toContain(id);
    written[id] = events.map(roundTrip);
  }
  return written;
}

export interface WhenResult {
  /** The events appended per stream (streams given [] are left out). */
  then(expected: History): void;
  thenNothing(): void;
  thenError(code: DomainErrorCode, message?: string | RegExp): DomainError;
  /** The raw decision, for assertions of its own. */
  decision(): Record<string, DomainEvent[]>;
}

export function given(history: History = {}): { when(cmd: Command): WhenResult } {
  return {
    when(cmd) {
      return {
        then(expected) {
          expect(run(history, cmd)).toEqual(expected);
        },
        thenNothing() {
          expect(run(history, cmd)).toEqual({});
        },
        thenError(code, message) {
          let caught: unknown;
          try {
            run(history, cmd);
          } catch (error) {
            caught = error;
          }
          expect(caught, 'expected a DomainError').toBeInstanceOf(DomainError);
          const error = caught as DomainError;
          expect({ code: error.code, message: error.message }).toMatchObject({ code });
          if (typeof message === 'string') expect(error.message).toBe(message);
          else if (message instanceof RegExp) expect(error.message).toMatch(message);
          return error;
        },
        decision() {
          return run(history, cmd);
        },
      };
    },
  };
}

/** Merges histories: the events of each stream in order. */
export function histories(...parts: History[]): History {
  const merged: History = {};
  for (const part of parts) {
    for (const [id, events] of Object.entries(part)) merged[id] = [...(merged[id] ?? []), ...events];
  }
  return merged;
}

export const GiB = 2 ** 30;
export const MiB = 2 ** 20;
