import { describe, expect, it } from 'vitest';
import { clusterEventSchema } from '../../domain/cluster/events';
import { DomainError } from '../../domain/errors';
import { CURRENT_SCHEMA_VERSION, eventSchemas, eventTypes, parseEvent, readEvent, upcast } from '../../domain/events';
import { namespaceEventSchema } from '../../domain/namespace/events';
import { workspaceEventSchema } from '../../domain/workspace/events';
import { userEventDataSchemas } from '../../domain/user/events';
import { roleEventDataSchemas } from '../../domain/role/events';
import { templateEventDataSchemas } from '../../domain/template/events';
import { appEventDataSchemas } from '../../domain/app/events';
import { configEventDataSchemas } from '../../domain/config/events';
import { devEnvEventDataSchemas } from '../../domain/devenv/events';
import { workloadEventDataSchemas } from '../../domain/workload/events';
import { terminalEventDataSchemas } from '../../domain/terminal/events';

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a DomainError');
}

const unionTypes = [clusterEventSchema, workspaceEventSchema, namespaceEventSchema].flatMap((union) =>
  union.options.map((option) => option.shape.type.value as string),
).concat(
  Object.keys(userEventDataSchemas),
  Object.keys(roleEventDataSchemas),
  Object.keys(templateEventDataSchemas),
  Object.keys(appEventDataSchemas),
  Object.keys(configEventDataSchemas),
  Object.keys(devEnvEventDataSchemas),
  Object.keys(workloadEventDataSchemas),
  Object.keys(terminalEventDataSchemas),
);

describe('event registry', () => {
  it('holds a data schema for every event type of every aggregate union, and nothing else', () => {
    expect([...eventTypes].sort()).toEqual([...unionTypes].sort());
    expect(Object.keys(eventSchemas).sort()).toEqual([...unionTypes].sort());
  });

  it('names events in PascalCase past tense, prefixed by their aggregate', () => {
    for (const type of eventTypes) expect(type).toMatch(/^(Workload|ConfigObject|Cluster|Workspace|Namespace|User|ApiKey|Role|Template|App|DevEnv|Terminal)[A-Za-z]*(ed|Set|Bound|Reset|RolledBack)$/);
  });

  it('parses valid data into the typed event', () => {
    const event = parseEvent('ClusterOvercommitSet', { clusterId: 'prod', cpuRatio: 1.5, memoryRatio: 1 });
    expect(event).toEqual({ type: 'ClusterOvercommitSet', data: { clusterId: 'prod', cpuRatio: 1.5, memoryRatio: 1 } });
  });

  it('refuses an unknown type', () => {
    const error = refusal(() => parseEvent('ClusterExploded', {}));
    expect(error.code).toBe('invalid');
    expect(error.message).toBe('type: unknown event type "ClusterExploded"');
    expect(refusal(() => parseEvent('toString', {})).message).toBe('type: unknown event type "toString"');
  });

  it('refuses invalid data, naming each problem by its path', () => {
    const error = refusal(() =>
      parseEvent('ClusterResourcesBound', { clusterId: 'Prod', workspaceId: 'team-a', cpuMillis: 1.5, memoryBytes: -1 }),
    );
    expect(error.code).toBe('invalid');
    expect(error.message).toMatch(/^ClusterResourcesBound: invalid event data: /);
    expect(error.message).toMatch(/clusterId: must be an RFC 1123 label/);
    expect(error.message).toMatch(/cpuMillis: /);
    expect(error.message).toMatch(/memoryBytes: /);
    expect(refusal(() => parseEvent('ClusterOvercommitSet', { clusterId: 'prod', cpuRatio: 1.234, memoryRatio: 1 })).message).toMatch(
      /cpuRatio: must have at most 2 decimals/,
    );
    expect(refusal(() => parseEvent('WorkspaceDeleted', null)).message).toMatch(/^WorkspaceDeleted: invalid event data: \(data\)/);
  });

  it('upcasts in one place: identity for the current version, refusing unknown versions', () => {
    const data = { workspaceId: 'team-a' };
    expect(upcast('WorkspaceDeleted', data, CURRENT_SCHEMA_VERSION)).toEqual({ type: 'WorkspaceDeleted', data });
    expect(refusal(() => upcast('WorkspaceDeleted', data, 99)).message).toBe(
      'schemaVersion: WorkspaceDeleted has unsupported schema version 99',
    );
    expect(readEvent('WorkspaceDeleted', data, 1)).toEqual({ type: 'WorkspaceDeleted', data });
  });
});
