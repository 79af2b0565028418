import type { Actor } from '../eventstore/types';

/** Who asks, from where, when: everything a command carries besides its own fields. */
export interface CommandContext {
  actor: Actor;
  commandId: string;
  correlationId: string;
  causationId: string | null;
  clientIp: string | null;
  /** The time the command is decided at; the domain never reads a clock. */
  now: Date;
}

export const systemActor: Actor = { kind: 'system', id: 'system', name: 'bosun' };
