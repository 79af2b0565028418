/**
 * The audit record of every command, written to `command-<commandId>` atomically with the
 * command's domain events (CommandAccepted) or alone when it was refused (CommandRejected).
 * Being a `no_stream` write, it also makes each commandId take effect at most once.
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

export interface CommandRejectedData extends CommandAuditBase {
  code: string;
  field?: string;
  message: string;
  details?: Record<string, unknown>;
}

export const commandStreamId = (commandId: string) => `command-${commandId}`;
