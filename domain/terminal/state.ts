import type { TerminalEvent } from './events';

export interface OpenTerminalState {
  status: 'open';
  sessionId: string;
  clusterId: string;
  namespace: string;
  workspaceId: string;
  pod: string;
  container: string;
  openedAtMs: number;
}

export type TerminalState = { status: 'absent' } | OpenTerminalState | { status: 'closed'; sessionId: string };

export const initialState: TerminalState = { status: 'absent' };

export function evolve(state: TerminalState, event: TerminalEvent): TerminalState {
  switch (event.type) {
    case 'TerminalOpened': {
      const { command: _command, openedAt, ...rest } = event.data;
      return { status: 'open', ...rest, openedAtMs: Date.parse(openedAt) };
    }
    case 'TerminalClosed':
      return { status: 'closed', sessionId: event.data.sessionId };
  }
}
