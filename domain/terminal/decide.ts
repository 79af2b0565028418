/**
 * Web terminal sessions (容器终端): opening one and closing it are commands, so both are audited
 * under the namespace the container runs in. The session itself (bytes both ways) is I/O of the
 * API; this aggregate only decides whether the open/close is well-formed and consistent.
 * Time arrives in the command (`at`, epoch ms), never from a clock here.
 */
import { DomainError, invalid } from '../errors';
import { streamIds } from '../streams';
import { stateOf, type CommandDecider } from '../decider';
import { validateDnsLabel } from '../names';
import type { TerminalEvent } from './events';
import { podNameSchema, sessionIdSchema } from './events';
import { initialState, type TerminalState } from './state';

export interface OpenTerminal {
  type: 'OpenTerminal';
  sessionId: string;
  clusterId: string;
  namespace: string;
  /** The namespace's workspace (for the audit target), resolved by the caller from the read model. */
  workspaceId: string;
  pod: string;
  container: string;
  command: string[];
  /** epoch ms */
  at: number;
}
export interface CloseTerminal {
  type: 'CloseTerminal';
  sessionId: string;
  clusterId: string;
  namespace: string;
  workspaceId: string;
  reason: string;
  exitCode: number | null;
  /** epoch ms */
  at: number;
}
export type TerminalCommand = OpenTerminal | CloseTerminal;

function checkSessionId(value: unknown): string {
  if (!sessionIdSchema.safeParse(value).success) throw invalid('sessionId', 'must be a UUID');
  return value as string;
}

function checkAt(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalid('at', 'must be a time in epoch milliseconds');
  return Math.floor(value);
}

function decideOpen(cmd: OpenTerminal, state: TerminalState): TerminalEvent[] {
  const sessionId = checkSessionId(cmd.sessionId);
  const clusterId = validateDnsLabel(cmd.clusterId, 'clusterId');
  const namespace = validateDnsLabel(cmd.namespace, 'namespace');
  if (!podNameSchema.safeParse(cmd.pod).success) throw invalid('pod', 'must be a pod name (an RFC 1123 subdomain)');
  const container = validateDnsLabel(cmd.container, 'container');
  if (!Array.isArray(cmd.command) || cmd.command.length === 0 || cmd.command.length > 32) throw invalid('command', 'must hold 1 to 32 words');
  cmd.command.forEach((word, i) => {
    if (typeof word !== 'string' || word.length > 1000) throw invalid(`command[${i}]`, 'must be a string of at most 1000 characters');
  });
  if (!cmd.command[0]) throw invalid('command[0]', 'is required');
  if (state.status !== 'absent') throw new DomainError('already_exists', `sessionId: terminal session ${sessionId} was already opened`, { field: 'sessionId' });
  return [
    {
      type: 'TerminalOpened',
      data: {
        sessionId,
        clusterId,
        namespace,
        workspaceId: typeof cmd.workspaceId === 'string' ? cmd.workspaceId : '',
        pod: cmd.pod,
        container,
        command: [...cmd.command],
        openedAt: new Date(checkAt(cmd.at)).toISOString(),
      },
    },
  ];
}

function decideClose(cmd: CloseTerminal, state: TerminalState): TerminalEvent[] {
  const sessionId = checkSessionId(cmd.sessionId);
  const at = checkAt(cmd.at);
  if (typeof cmd.reason !== 'string' || cmd.reason.length === 0) throw invalid('reason', 'is required');
  if (cmd.exitCode !== null && !Number.isInteger(cmd.exitCode)) throw invalid('exitCode', 'must be an integer or null');
  if (state.status === 'absent') throw new DomainError('not_found', `sessionId: terminal session ${sessionId} was never opened`, { field: 'sessionId' });
  // Closing twice (the socket and the cluster both report the end) changes nothing.
  if (state.status === 'closed') return [];
  return [{ type: 'TerminalClosed', data: { sessionId, durationMs: Math.max(0, at - state.openedAtMs), reason: cmd.reason.slice(0, 500), exitCode: cmd.exitCode } }];
}

export const terminalDecider: CommandDecider<TerminalCommand, TerminalEvent> = {
  streams: (cmd) => [streamIds.terminal(cmd.sessionId)],
  decide(cmd, states) {
    const streamId = streamIds.terminal(cmd.sessionId);
    const state = stateOf(states, streamId, initialState);
    switch (cmd.type) {
      case 'OpenTerminal':
        return { [streamId]: decideOpen(cmd, state) };
      case 'CloseTerminal':
        return { [streamId]: decideClose(cmd, state) };
    }
  },
};
