/**
 * The registry of every domain event: its data schema by type (validated on write and on read),
 * parsing into the typed union, and the single upcasting hook for old schema versions.
 */
import type { ZodType } from 'zod';
import { DomainError } from './errors';
import { type ClusterEvent, clusterEventDataSchemas } from './cluster/events';
import { type NamespaceEvent, namespaceEventDataSchemas } from './namespace/events';
import { type WorkspaceEvent, workspaceEventDataSchemas } from './workspace/events';
import { type UserEvent, userEventDataSchemas } from './user/events';
import { type RoleEvent, roleEventDataSchemas } from './role/events';
import { type TemplateEvent, templateEventDataSchemas } from './template/events';
import { type AppEvent, appEventDataSchemas } from './app/events';
import { type WorkloadEvent, workloadEventDataSchemas } from './workload/events';
import { type TerminalEvent, terminalEventDataSchemas } from './terminal/events';
import { type DevEnvEvent, devEnvEventDataSchemas } from './devenv/events';
import { type ConfigEvent, configEventDataSchemas } from './config/events';

export type DomainEvent = ConfigEvent | AppEvent | WorkloadEvent | ClusterEvent | WorkspaceEvent | NamespaceEvent | UserEvent | RoleEvent | TemplateEvent | TerminalEvent | DevEnvEvent;
export type DomainEventType = DomainEvent['type'];

/** The schema version written with new events (metadata.schemaVersion). */
export const CURRENT_SCHEMA_VERSION = 1;

const schemas = {
  ...clusterEventDataSchemas,
  ...workspaceEventDataSchemas,
  ...namespaceEventDataSchemas,
  ...userEventDataSchemas,
  ...roleEventDataSchemas,
  ...templateEventDataSchemas,
  ...appEventDataSchemas,
  ...workloadEventDataSchemas,
  ...terminalEventDataSchemas,
  ...devEnvEventDataSchemas,
  ...configEventDataSchemas,
} satisfies Record<DomainEventType, ZodType>;

/** Data schema of every event type. */
export const eventSchemas: Readonly<Record<string, ZodType>> = schemas;

export const eventTypes = Object.keys(schemas) as DomainEventType[];

export function isDomainEventType(type: string): type is DomainEventType {
  return Object.hasOwn(schemas, type);
}

/** Validates `data` against its type's schema; throws DomainError 'invalid' naming the problem. */
export function parseEvent(type: string, data: unknown): DomainEvent {
  if (!isDomainEventType(type)) {
    throw new DomainError('invalid', `type: unknown event type "${type}"`, { field: 'type', details: { type } });
  }
  const result = schemas[type].safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(data)';
      return `${path}: ${issue.message}`;
    });
    throw new DomainError('invalid', `${type}: invalid event data: ${problems.join('; ')}`, {
      field: 'data',
      details: { type, problems },
    });
  }
  return { type, data: result.data } as DomainEvent;
}

/**
 * Brings an event stored under an older schema version to the current shape. The one place where
 * old versions are translated; stored events are never rewritten. Identity for now (all v1).
 */
export function upcast(type: string, data: unknown, schemaVersion: number): { type: string; data: unknown } {
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1 || schemaVersion > CURRENT_SCHEMA_VERSION) {
    throw new DomainError('invalid', `schemaVersion: ${type} has unsupported schema version ${schemaVersion}`, {
      field: 'schemaVersion',
      details: { type, schemaVersion },
    });
  }
  return { type, data };
}

/** Read path: upcast, then validate. */
export function readEvent(type: string, data: unknown, schemaVersion: number): DomainEvent {
  const current = upcast(type, data, schemaVersion);
  return parseEvent(current.type, current.data);
}
