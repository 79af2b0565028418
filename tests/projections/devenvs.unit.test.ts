/** The dev environments row fold: given events, then the row the list shows. No database. */
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../eventstore/types';
import { devEnvUpdates } from '../../projections/devenvs/handlers';
import type { DevEnvRow } from '../../projections/devenvs/tables';

const box = { clusterId: 'c1', namespace: 'web', name: 'box' };

function foldAll(events: StoredEvent[]): DevEnvRow | null | undefined {
  let row: DevEnvRow | null | undefined;
  for (const e of events) {
    for (const update of devEnvUpdates(e)) {
      if (update.kind !== 'fold') continue;
      const next = update.evolve(row ?? undefined);
      row = next === undefined ? row : next;
    }
  }
  return row;
}

describe('devenvs rows', () => {
  it('follow the environment from start to delete', () => {
    const started = event('DevEnvStarted', { ...box, workspaceId: 'w1', image: 'ubuntu:24.04', cpuMillis: 500, memoryBytes: 2 ** 30, owner: 'alice', generation: 1 });
    expect(foldAll([started])).toMatchObject({ id: 'c1.web.box', owner_id: 'alice', status: 'starting', desired: 'running', generation: 1, cpu_millis: 500 });
    const ready = event('DevEnvReconciled', { ...box, generation: 1 });
    expect(foldAll([started, ready])).toMatchObject({ status: 'running', status_reason: null });
    const stopped = event('DevEnvStopped', { ...box, generation: 2 });
    expect(foldAll([started, ready, stopped])).toMatchObject({ status: 'stopped', desired: 'stopped', generation: 2 });
    // An outcome of an older generation changes nothing.
    expect(foldAll([started, stopped, ready])).toMatchObject({ status: 'stopped' });
    const resumed = event('DevEnvResumed', { ...box, generation: 3 });
    const failed = event('DevEnvFailed', { ...box, generation: 3, reason: 'ImagePullBackOff: Back-off pulling image' });
    expect(foldAll([started, stopped, resumed, failed])).toMatchObject({ status: 'failed', status_reason: 'ImagePullBackOff: Back-off pulling image', desired: 'running' });
    expect(foldAll([started, stopped, resumed, failed, event('DevEnvReconciled', { ...box, generation: 3 })])).toMatchObject({ status: 'running', status_reason: null });
    expect(foldAll([started, event('DevEnvDeleted', { ...box, workspaceId: 'w1', owner: 'alice' })])).toMatchObject({ status: 'deleted' });
  });

  it('an event for an environment never started changes nothing', () => {
    expect(foldAll([event('DevEnvStopped', { ...box, generation: 2 })])).toBeUndefined();
  });

  it('every event applied twice changes nothing', () => {
    const events = [
      event('DevEnvStarted', { ...box, workspaceId: 'w1', image: 'ubuntu:24.04', cpuMillis: 500, memoryBytes: 2 ** 30, owner: 'alice', generation: 1 }),
      event('DevEnvReconciled', { ...box, generation: 1 }),
      event('DevEnvStopped', { ...box, generation: 2 }),
      event('DevEnvResumed', { ...box, generation: 3 }),
      event('DevEnvFailed', { ...box, generation: 3, reason: 'x' }),
      event('DevEnvDeleted', { ...box, workspaceId: 'w1', owner: 'alice' }),
    ];
    for (let i = 1; i <= events.length; i++) {
      const once = foldAll(events.slice(0, i));
      expect(foldAll([...events.slice(0, i), events[i - 1]])).toEqual(once);
    }
  });
});

let position = 0;
function event(type: string, data: Record<string, unknown>): StoredEvent {
  position++;
  const occurredAt = new Date(Date.UTC(2026, 2, 1, 8, position)).toISOString();
  return {
    id: `e${position}`,
    type,
    data,
    streamId: `devenv-${data.clusterId}.${data.namespace}.${data.name}`,
    revision: position,
    position,
    recordedAt: occurredAt,
    metadata: { actor: { kind: 'user', id: 'alice', name: 'alice' }, commandId: `c${position}`, correlationId: `c${position}`, causationId: null, occurredAt, clientIp: null, schemaVersion: 1 },
  } as StoredEvent;
}
