/**
 * Events of a web terminal session's stream (`terminal-<sessionId>`): who opened a shell in which
 * container, and when and why it ended. What was typed and printed is never recorded.
 */
import { z } from 'zod';
import { dnsLabelSchema } from '../schemas';

/** Pod names are DNS subdomains (dots allowed), up to 253 characters. */
export const podNameSchema = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'must be an RFC 1123 subdomain');
export const sessionIdSchema = z.uuid();

export const TerminalOpenedData = z.object({
  sessionId: sessionIdSchema,
  clusterId: dnsLabelSchema,
  namespace: dnsLabelSchema,
  workspaceId: z.string().max(63),
  pod: podNameSchema,
  container: dnsLabelSchema,
  command: z.array(z.string().max(1000)).min(1).max(32),
  openedAt: z.iso.datetime(),
});
export const TerminalClosedData = z.object({
  sessionId: sessionIdSchema,
  durationMs: z.int().min(0),
  /** e.g. `exited 0`, `client closed`, `cluster closed`, `error: …` */
  reason: z.string().max(500),
  exitCode: z.int().nullable(),
});

export const terminalEventDataSchemas = {
  TerminalOpened: TerminalOpenedData,
  TerminalClosed: TerminalClosedData,
} as const;

type Of<T extends keyof typeof terminalEventDataSchemas> = { type: T; data: z.infer<(typeof terminalEventDataSchemas)[T]> };

export type TerminalEvent = Of<'TerminalOpened'> | Of<'TerminalClosed'>;
