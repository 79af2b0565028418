/**
 * Dev environments: start reserves the size on the namespace stream (refused with the numbers when
 * the quota has not enough left), only the owner or an operator stops/resumes/deletes, delete
 * releases, and reconciler outcomes are recorded once per generation.
 */
import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../domain/events';
import { streamIds } from '../../../domain/streams';
import { devEnvStreamId } from '../../../domain/devenv/decide';
import { evolve, initialState, type DevEnvState } from '../../../domain/devenv/state';
import { parseStreamId } from '../../../domain/streams';
import { fold, given, histories, GiB, MiB } from '../spec';

const C = 'sim';
const NS = 'a-dev';
const ENV = devEnvStreamId(C, NS, 'box');
const NSS = streamIds.namespace(C, NS);
const key = { clusterId: C, namespace: NS, name: 'box' };

describe('dev environment stream ids', () => {
  it('round-trip through parseStreamId', () => {
    expect(ENV).toBe('devenv-sim.a-dev.box');
    expect(parseStreamId(ENV)).toEqual({ category: 'devenv', ...key });
    expect(parseStreamId('devenv-sim.a-dev')).toBeNull();
  });
});

describe('StartDevEnv', () => {
  it('starts the environment and reserves its size (requests = limits) on the namespace', () => {
    given(namespace())
      .when(start())
      .then({
        [ENV]: [started()],
        [NSS]: [
          {
            type: 'NamespaceResourcesReserved',
            data: { clusterId: C, name: NS, holder: 'devenv:box', requests: { cpuMillis: 500, memoryBytes: 512 * MiB }, limits: { cpuMillis: 500, memoryBytes: 512 * MiB } },
          },
        ],
      });
  });

  it('is refused with the numbers when the namespace quota has not enough left, counting other reservations', () => {
    const history = histories(namespace(), { [NSS]: [reserved('app:web', 800, GiB)] });
    const error = given(history).when(start({ cpu: '500m' })).thenError('insufficient_capacity');
    expect(error.field).toBe('cpu');
    // Requests equal limits: each resource short is named once, with the numbers.
    expect(error.message).toBe('cpu: the dev environment needs 0.5 cores but namespace "a-dev" has 0.2 cores left in its quota');
    expect(error.details).toMatchObject({ resource: 'cpu', requested: 500, available: 200, namespace: 'a-dev' });
    const memory = given(history).when(start({ cpu: '100m', memory: '2Gi' })).thenError('insufficient_capacity');
    expect(memory.field).toBe('memory');
    expect(memory.message).toBe('memory: the dev environment needs 2Gi but namespace "a-dev" has 1Gi left in its quota');
  });

  it('fits exactly what is left', () => {
    const history = histories(namespace(), { [NSS]: [reserved('app:web', 500, GiB)] });
    expect(Object.keys(given(history).when(start({ cpu: '500m', memory: '1Gi' })).decision())).toEqual([ENV, NSS]);
  });

  it('refuses bad input naming the field', () => {
    const cases: Array<[Partial<Parameters<typeof start>[0]>, string, RegExp]> = [
      [{ image: '' }, 'image', /image: Required value/],
      [{ image: 'Ubuntu:24.04' }, 'image', /must be lower-case/],
      [{ image: 'ubuntu:bad tag' }, 'image', /whitespace/],
      [{ cpu: 'lots' }, 'cpu', /not a valid CPU quantity/],
      [{ cpu: '0' }, 'cpu', /greater than 0/],
      [{ memory: '-1Gi' }, 'memory', /negative/],
      [{ memory: '0' }, 'memory', /greater than 0/],
      [{ name: 'Box' }, 'name', /RFC 1123/],
      [{ name: 'x'.repeat(41) }, 'name', /no more than 40/],
      [{ namespace: 'No' }, 'namespace', /RFC 1123/],
    ];
    for (const [override, field, message] of cases) {
      const error = given(namespace()).when(start(override)).thenError('invalid', message);
      expect(error.field).toBe(field);
    }
  });

  it('needs a live namespace', () => {
    expect(given({}).when(start()).thenError('not_found').field).toBe('namespace');
  });

  it('refuses a second environment of the same name', () => {
    given(histories(namespace(), { [ENV]: [started()] }))
      .when(start())
      .thenError('already_exists', /already exists in namespace "a-dev" \(owner "dev1"\)/);
  });

  it('may start again under the same name after a delete, continuing the generation', () => {
    const history = histories(namespace(), { [ENV]: [started(), deleted()] });
    const decision = given(history).when(start()).decision();
    expect(decision[ENV]).toEqual([started({ generation: 2 })]);
  });
});

describe('StopDevEnv / ResumeDevEnv / DeleteDevEnv', () => {
  const running = histories(namespace(), { [ENV]: [started(), ready(1)] });

  it('the owner stops (generation 2), stopping again changes nothing, and resumes (generation 3)', () => {
    given(running).when({ type: 'StopDevEnv', ...key, by: 'dev1', operator: false }).then({ [ENV]: [{ type: 'DevEnvStopped', data: { ...key, generation: 2 } }] });
    const stopped = histories(running, { [ENV]: [{ type: 'DevEnvStopped', data: { ...key, generation: 2 } }] });
    given(stopped).when({ type: 'StopDevEnv', ...key, by: 'dev1', operator: false }).thenNothing();
    given(stopped).when({ type: 'ResumeDevEnv', ...key, by: 'dev1', operator: false }).then({ [ENV]: [{ type: 'DevEnvResumed', data: { ...key, generation: 3 } }] });
    given(running).when({ type: 'ResumeDevEnv', ...key, by: 'dev1', operator: false }).thenNothing();
  });

  it('refuses someone else, unless they operate the namespace', () => {
    for (const type of ['StopDevEnv', 'ResumeDevEnv', 'DeleteDevEnv'] as const) {
      const error = given(running).when({ type, ...key, by: 'dev2', operator: false }).thenError('forbidden', /belongs to "dev1"/);
      expect(error.field).toBe('name');
    }
    expect(given(running).when({ type: 'StopDevEnv', ...key, by: 'ops', operator: true }).decision()[ENV]).toHaveLength(1);
  });

  it('delete releases the reservation', () => {
    given(running)
      .when({ type: 'DeleteDevEnv', ...key, by: 'dev1', operator: false })
      .then({
        [ENV]: [deleted()],
        [NSS]: [{ type: 'NamespaceResourcesReleased', data: { clusterId: C, name: NS, holder: 'devenv:box' } }],
      });
  });

  it('refuses to act on an environment that does not exist', () => {
    given(namespace()).when({ type: 'DeleteDevEnv', ...key, by: 'dev1', operator: false }).thenError('not_found', /dev environment "box" does not exist/);
  });
});

describe('reconciler outcomes', () => {
  const history = histories(namespace(), { [ENV]: [started()] });

  it('records Ready once per generation, and ignores a stale generation', () => {
    given(history).when({ type: 'RecordDevEnvReady', ...key, generation: 1 }).then({ [ENV]: [ready(1)] });
    given(histories(history, { [ENV]: [ready(1)] })).when({ type: 'RecordDevEnvReady', ...key, generation: 1 }).thenNothing();
    given(history).when({ type: 'RecordDevEnvReady', ...key, generation: 7 }).thenNothing();
  });

  it('records Failed with its reason, only when the reason changes', () => {
    const failed = { type: 'DevEnvFailed' as const, data: { ...key, generation: 1, reason: 'ImagePullBackOff: Back-off pulling image' } };
    given(history).when({ type: 'RecordDevEnvFailed', ...key, generation: 1, reason: failed.data.reason }).then({ [ENV]: [failed] });
    given(histories(history, { [ENV]: [failed] })).when({ type: 'RecordDevEnvFailed', ...key, generation: 1, reason: failed.data.reason }).thenNothing();
    given(history).when({ type: 'RecordDevEnvFailed', ...key, generation: 1, reason: ' ' }).thenError('invalid', /reason/);
  });

  it('folds to the status the list shows', () => {
    const states = (events: DomainEvent[]) => fold(ENV, events) as DevEnvState;
    expect(states([started()]).status).toBe('starting');
    expect(states([started(), ready(1)]).status).toBe('running');
    expect(states([started(), ready(1), { type: 'DevEnvStopped', data: { ...key, generation: 2 } }]).status).toBe('stopped');
    // An outcome of the running generation arriving after the stop does not bring it back.
    expect(states([started(), { type: 'DevEnvStopped', data: { ...key, generation: 2 } }, ready(1)]).status).toBe('stopped');
    expect(states([started(), ready(1), deleted()])).toEqual({ status: 'deleted', generation: 1 });
    expect(evolve(initialState, { type: 'DevEnvReconciled', data: { ...key, generation: 1 } })).toEqual(initialState);
  });
});

// ---- event factories ---------------------------------------------------------------------------

function namespace(): Record<string, DomainEvent[]> {
  return {
    [NSS]: [
      {
        type: 'NamespaceCreated',
        data: {
          clusterId: C,
          name: NS,
          workspaceId: 'tenant-a',
          quotaCpuMillis: 1000,
          quotaMemoryBytes: 2 * GiB,
          defaults: { requestCpuMillis: 100, requestMemoryBytes: 128 * MiB, limitCpuMillis: 500, limitMemoryBytes: 512 * MiB },
          generation: 1,
        },
      },
    ],
  };
}

function reserved(holder: string, cpuMillis: number, memoryBytes: number): DomainEvent {
  const amounts = { cpuMillis, memoryBytes };
  return { type: 'NamespaceResourcesReserved', data: { clusterId: C, name: NS, holder, requests: amounts, limits: amounts } };
}

function start(override: Partial<{ name: string; namespace: string; image: string; cpu: string; memory: string }> = {}) {
  return { type: 'StartDevEnv' as const, ...key, image: 'ubuntu:24.04', cpu: '500m', memory: '512Mi', owner: 'dev1', ...override };
}

function started(override: Partial<{ generation: number }> = {}): DomainEvent {
  return {
    type: 'DevEnvStarted',
    data: { ...key, workspaceId: 'tenant-a', image: 'ubuntu:24.04', cpuMillis: 500, memoryBytes: 512 * MiB, owner: 'dev1', generation: 1, ...override },
  };
}

function ready(generation: number): DomainEvent {
  return { type: 'DevEnvReconciled', data: { ...key, generation } };
}

function deleted(): DomainEvent {
  return { type: 'DevEnvDeleted', data: { ...key, workspaceId: 'tenant-a', owner: 'dev1' } };
}
