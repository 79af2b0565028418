/** Web terminal sessions: given events / when command / then events or a refusal naming the field. */
import { describe, expect, it } from 'vitest';
import { decide, foldStream, streamsFor } from '../../../domain/commands';
import { DomainError } from '../../../domain/errors';
import { parseEvent } from '../../../domain/events';
import type { DomainEvent } from '../../../domain/events';

const sessionId = '6f1c1a52-3f0e-4f57-9d7e-2b1f3c4d5e6f';
const stream = `terminal-${sessionId}`;
const T0 = Date.parse('2026-11-22T10:00:00Z');
const open = { type: 'OpenTerminal' as const, sessionId, clusterId: 'sim', namespace: 'a-dev', workspaceId: 'tenant-a', pod: 'web-7d9f.x', container: 'app', command: ['sh'], at: T0 };
const close = { type: 'CloseTerminal' as const, sessionId, clusterId: 'sim', namespace: 'a-dev', workspaceId: 'tenant-a', reason: 'exited 0', exitCode: 0, at: T0 + 4_250 };

const given = (...events: DomainEvent[]) => ({ [stream]: foldStream(stream, events) });
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a refusal');
};

describe('terminal sessions', () => {
  it('opens on the session stream, with the time from the command', () => {
    expect(streamsFor(open)).toEqual([stream]);
    const events = decide(open, {})[stream];
    expect(events).toEqual([
      { type: 'TerminalOpened', data: { sessionId, clusterId: 'sim', namespace: 'a-dev', workspaceId: 'tenant-a', pod: 'web-7d9f.x', container: 'app', command: ['sh'], openedAt: '2026-11-22T10:00:00.000Z' } },
    ]);
    expect(() => parseEvent(events[0].type, events[0].data)).not.toThrow();
  });

  it('closes with the duration; closing twice changes nothing', () => {
    const opened = decide(open, {})[stream] as DomainEvent[];
    const closed = decide(close, given(...opened))[stream] as DomainEvent[];
    expect(closed).toEqual([{ type: 'TerminalClosed', data: { sessionId, durationMs: 4_250, reason: 'exited 0', exitCode: 0 } }]);
    expect(decide(close, given(...opened, ...closed))[stream]).toEqual([]);
  });

  it('refuses a bad open naming the field, a second open, and closing a session never opened', () => {
    expect(refusal(() => decide({ ...open, pod: 'Bad_Pod' }, {})).field).toBe('pod');
    expect(refusal(() => decide({ ...open, container: '' }, {})).field).toBe('container');
    expect(refusal(() => decide({ ...open, command: [] }, {})).field).toBe('command');
    expect(refusal(() => decide({ ...open, sessionId: 'nope' }, {})).field).toBe('sessionId');
    const opened = decide(open, {})[stream] as DomainEvent[];
    expect(refusal(() => decide(open, given(...opened))).code).toBe('already_exists');
    expect(refusal(() => decide(close, {})).code).toBe('not_found');
    expect(refusal(() => decide({ ...close, reason: '' }, given(...opened))).field).toBe('reason');
  });
});
