/**
 * The audit record of every command. Its event id is the commandId, so each commandId takes effect
 * at most once (the store rejects a second event with the same id):
 * - accepted with domain events: the record rides on the command's first domain event, as
 *   `metadata.audit` (CommandAudit), and that event's id is the commandId;
 * - accepted without events, refused, or an attempt that is not a command (a login, a denial, a
 *   proxied Kubernetes call): a CommandAccepted or CommandRejected event in `command-<commandId>`.
 * Earlier versions wrote a CommandAccepted event (with an id of its own) for every command. The
 * audit projection reads those, and a repeated submission that is refused finds them; an accepted
 * command is no longer checked against them (that would cost every command a lookup, for
 * submissions made before the upgrade and repeated after it).
 */

export type AuditModule = 'clusters' | 'workspaces' | 'namespaces' | 'users' | 'roles' | 'auth' | 'kubernetes' | 'apps' | 'workloads' | 'containers' | 'devenv' | 'config' | 'system';

export interface AuditTarget {
  kind: 'cluster' | 'workspace' | 'namespace' | 'binding' | 'user' | 'role' | 'platform';
  id: string;
  clusterId?: string;
  workspaceId?: string;
  namespace?: string;
}

interface CommandAuditBase {
  /** The domain command as decided, with `type`; never holds a secret (credentials are references). */
  command: Record<string, unknown> & { type: string };
  module: AuditModule;
  target: AuditTarget;
}

export interface CommandAcceptedData extends CommandAuditBase {
  eventIds: string[];
}

/** `metadata.audit` of a command's first domain event: the accepted record, with every event id the command wrote. */
export type CommandAudit = CommandAcceptedData;

export interface CommandRejectedData extends CommandAuditBase {
  code: string;
  field?: string;
  message: string;
  details?: Record<string, unknown>;
}

export const commandStreamId = (commandId: string) => `command-${commandId}`;
