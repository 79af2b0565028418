import { isUuid, newEventId } from '../eventstore/event-id';
import type { EventMetadata, EventStore, NewEvent, StoredEvent, StreamWrite } from '../eventstore/types';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '../eventstore/types';
import type { CommandContext } from './context';
import { StateCache, foldEvents, type Folded } from './state-cache';
import { StreamLocks } from './stream-locks';
import { commandStreamId, type AuditModule, type AuditTarget, type CommandAudit, type CommandRejectedData } from './audit-events';

export interface DomainEventInput {
  type: string;
  data: Record<string, unknown>;
}

/** What a module declares per command: the streams it decides over, and the pure decision. */
export interface CommandDefinition<C> {
  type: string;
  module: AuditModule;
  target(command: C): AuditTarget;
  streams(command: C): string[];
  decide(command: C, states: Record<string, any>): Record<string, DomainEventInput[]>;
}

export interface StreamModel {
  initialStateFor(streamId: string): unknown;
  evolve(streamId: string, state: any, event: { type: string; data: any }): any;
  /** Evolve with an event this process just validated and wrote (no second validation). */
  evolveWritten?(streamId: string, state: any, event: { type: string; data: any }): any;
  /** Validates (and may normalise) event data before it is written; throws on a schema violation. */
  validateEvent(type: string, data: unknown): Record<string, unknown>;
}

export interface CommandResult {
  commandId: string;
  /** Global position of the command's last event; queries with minPosition >= this see its effects. */
  position: number;
  events: { streamId: string; type: string; data: Record<string, unknown> }[];
  /** True when the command had already been handled (same commandId); `events` is then empty. */
  replayed: boolean;
}

/** A refusal recorded earlier for the same commandId, raised again on a repeated submission. */
export class RecordedRejectionError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'RecordedRejectionError';
  }
}

export class TooMuchContentionError extends Error {
  readonly code = 'conflict';
  constructor(commandType: string, attempts: number) {
    super(`${commandType}: gave up after ${attempts} attempts because others kept changing the same objects; try again`);
    this.name = 'TooMuchContentionError';
  }
}

export interface CommandHandlerOptions {
  store: EventStore;
  model: StreamModel;
  isDomainError(error: unknown): error is Error & { code: string; field?: string; details?: Record<string, unknown> };
  /** Strips anything that must not be written into the audit copy of a command (secrets). */
  auditCopy?(command: Record<string, unknown>): Record<string, unknown>;
  maxAttempts?: number;
  cache?: StateCache;
}

export type CommandHandler = <C extends object>(
  definition: CommandDefinition<C>,
  command: C,
  context: CommandContext,
) => Promise<CommandResult>;

/**
 * The one command pipeline: load the streams → fold → decide → append every stream's events
 * atomically with each stream's expected revision → on a revision conflict reload and decide
 * again. The command's audit record rides on its first event (id = commandId, `metadata.audit`),
 * which also makes the command idempotent: a second submission finds that id taken. A refusal of
 * well-formed input (capacity, conflict, not found…) is recorded as CommandRejected and rethrown;
 * invalid input is rethrown and writes nothing. See audit-events.ts.
 */
export function createCommandHandler(options: CommandHandlerOptions): CommandHandler {
  const { store, model } = options;
  const cache = options.cache ?? new StateCache();
  const maxAttempts = options.maxAttempts ?? 30;
  const auditCopy = options.auditCopy ?? ((c) => c);
  const locks = new StreamLocks();

  /**
   * The folded state of a stream without reading: a cached state is trusted, and a stream never
   * seen is taken to be absent (commands that create streams are the common case). Either guess is
   * checked by the append's expected revision ('no_stream' for the absent one); a wrong guess makes
   * the command be decided again on state read from the store (`load`).
   */
  function guess(streamId: string): Folded {
    return cache.get(streamId) ?? { state: model.initialStateFor(streamId), revision: null };
  }

  /** The folded state of a stream brought up to date from the store (only what follows the cached state is read). */
  async function load(streamId: string): Promise<Folded> {
    const start = guess(streamId);
    const fromRevision = start.revision === null ? 0 : start.revision + 1;
    const events = await store.readStream(streamId, { fromRevision });
    const folded = events.length === 0 ? start : foldEvents(start, events, (state, event) => model.evolve(streamId, state, event));
    cache.set(streamId, folded);
    return folded;
  }

  /** What was recorded for a commandId: its first event, or (written by earlier versions) its audit stream. */
  async function recordedEvent(commandId: string): Promise<StoredEvent | null> {
    return (await store.readEvent(commandId)) ?? (await store.readStream(commandStreamId(commandId)))[0] ?? null;
  }

  async function recordedOutcome(commandId: string): Promise<CommandResult | null> {
    const recorded = await recordedEvent(commandId);
    if (!recorded) return null;
    if (recorded.type === 'CommandRejected') {
      const data = recorded.data as unknown as CommandRejectedData;
      throw new RecordedRejectionError(data.code, data.message, data.field, data.details);
    }
    // The head covers every event the command wrote (its first event's position might not).
    return { commandId, position: await store.headPosition(), events: [], replayed: true };
  }

  return async function handle(definition, command, context) {
    if (!isUuid(context.commandId)) throw new TypeError(`commandId ${context.commandId} is not a UUID`);
    const commandId = context.commandId.toLowerCase();
    const streamIds = definition.streams(command);
    const metadata = {
      actor: context.actor,
      commandId,
      correlationId: context.correlationId,
      causationId: context.causationId,
      occurredAt: context.now.toISOString(),
      clientIp: context.clientIp,
      schemaVersion: 1,
    };
    const auditBase = {
      command: { type: definition.type, ...auditCopy(command as Record<string, unknown>) },
      module: definition.module,
      target: definition.target(command),
    };

    return locks.withLocks(streamIds, async () => {
      // No read for idempotency on the way in: the first event's id is the commandId, so a command
      // already handled under it surfaces as a DuplicateEventIdError.
      let fresh = false;
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const folded = fresh ? await Promise.all(streamIds.map(load)) : streamIds.map(guess);
        const states: Record<string, unknown> = {};
        streamIds.forEach((id, i) => (states[id] = folded[i].state));

        let decision: Record<string, DomainEventInput[]>;
        try {
          decision = definition.decide(command, states);
        } catch (error) {
          if (!options.isDomainError(error)) throw error;
          // A refusal must rest on current state, not on a cached one.
          if (!fresh) {
            fresh = true;
            continue;
          }
          // Bad input writes nothing; a refusal of well-formed input is audited as an attempt. Its
          // record takes the commandId, so it fails when the command already has an outcome.
          const recorded = error.code === 'invalid' || !(await recordRejection(error)) ? await recordedOutcome(commandId) : null;
          if (recorded) return recorded;
          throw error;
        }

        const writes: StreamWrite[] = [];
        const written: CommandResult['events'] = [];
        streamIds.forEach((streamId, i) => {
          const events = decision[streamId] ?? [];
          const revision = folded[i].revision;
          // A stream the decision read but does not write is still checked: the decision rested on it.
          writes.push({
            streamId,
            expectedRevision: revision === null ? 'no_stream' : revision,
            events: events.map((e): NewEvent => {
              const data = model.validateEvent(e.type, e.data);
              written.push({ streamId, type: e.type, data });
              return { id: written.length === 1 ? commandId : newEventId(), type: e.type, data, metadata };
            }),
          });
        });
        const eventIds = writes.flatMap((w) => w.events.map((e) => e.id));
        const audit: CommandAudit = { ...auditBase, eventIds };
        const first = writes.find((w) => w.events.length > 0)?.events[0];
        if (first) first.metadata = { ...metadata, audit } as EventMetadata;
        else
          writes.push({
            streamId: commandStreamId(commandId),
            expectedRevision: 'no_stream',
            events: [{ id: commandId, type: 'CommandAccepted', data: audit as unknown as Record<string, unknown>, metadata }],
          });

        try {
          const result = await store.appendMulti(writes);
          // What this process just wrote is the streams' new state: the next command starts from it.
          streamIds.forEach((streamId, i) => {
            const events = writes[i].events;
            if (events.length === 0) return;
            const start = folded[i].revision ?? -1;
            const revision = result.revisions[streamId] ?? start + events.length;
            const evolve = model.evolveWritten ?? model.evolve;
            const state = events.reduce((s, e) => evolve(streamId, s, e), folded[i].state);
            cache.set(streamId, { state, revision });
          });
          return { commandId, position: result.position, events: written, replayed: false };
        } catch (error) {
          const taken = error instanceof DuplicateEventIdError && error.eventId.toLowerCase() === commandId;
          if (taken || (error instanceof WrongExpectedRevisionError && error.streamId === commandStreamId(commandId))) {
            const outcome = await recordedOutcome(commandId);
            if (outcome) return outcome;
          }
          if (!(error instanceof WrongExpectedRevisionError)) throw error;
          fresh = true;
          await pause(attempt);
        }
      }
      throw new TooMuchContentionError(definition.type, maxAttempts);
    });

    async function recordRejection(error: Error & { code: string; field?: string; details?: Record<string, unknown> }): Promise<boolean> {
      const rejected: CommandRejectedData = {
        ...auditBase,
        code: error.code,
        field: error.field,
        message: error.message,
        details: error.details,
      };
      try {
        await store.append(
          commandStreamId(commandId),
          [{ id: commandId, type: 'CommandRejected', data: stripUndefined(rejected), metadata }],
          { expectedRevision: 'no_stream' },
        );
        return true;
      } catch (appendError) {
        if (!(appendError instanceof WrongExpectedRevisionError || appendError instanceof DuplicateEventIdError)) throw appendError;
        return false; // another submission of this command recorded its outcome first
      }
    }
  };
}

/** Jittered, growing pause between attempts, so contending callers spread out. */
function pause(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(50, 2 * attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function stripUndefined<T extends object>(value: T): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value));
}

