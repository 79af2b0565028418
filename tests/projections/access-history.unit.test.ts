/** The pure parts of access history: which periods an event opens and closes, and interval arithmetic. */
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../eventstore/types';
import { accessHistoryChanges } from '../../projections/access-history/handlers';
import { intersect, overlapsWindow, type Interval } from '../../projections/access-history/intervals';
import { emptyFamily, evolveFamily, type FamilyState } from '../../projections/access-history/periods';

const T = (h: number) => new Date(Date.UTC(2026, 2, 1, h)).toISOString();
let position = 0;
function event(type: string, data: Record<string, unknown>, hour: number): StoredEvent {
  position++;
  return {
    id: `e${position}`,
    type,
    data,
    streamId: 'x',
    revision: 0,
    position,
    recordedAt: T(hour),
    metadata: { actor: { kind: 'user', id: 'admin', name: 'admin' }, commandId: 'c', correlationId: 'c', causationId: null, occurredAt: T(hour), clientIp: null, schemaVersion: 1 },
  };
}

function fold(events: StoredEvent[]): { state: FamilyState; rows: Record<string, unknown>[] } {
  let state = emptyFamily;
  const rows = new Map<string, Record<string, unknown>>();
  for (const e of events) {
    for (const change of accessHistoryChanges(e)) {
      const next = evolveFamily(state, change, e);
      state = next.state;
      for (const r of next.written) rows.set(`${JSON.stringify(r.group_name ?? r.role_id)}@${r.from_position}`, r);
    }
  }
  return { state, rows: [...rows.values()] };
}

describe('group membership periods', () => {
  it('a sync opens the groups that appeared and closes the ones that went', () => {
    const sync = (groups: string[], hour: number) => event('UserProfileSynced', { userId: 'u', displayName: 'U', email: null, groups }, hour);
    const { state, rows } = fold([sync(['a', 'b'], 1), sync(['b', 'c'], 2), sync(['c'], 3)]);
    expect(rows.map((r) => [r.group_name, r.from_time, r.to_time])).toEqual([
      ['a', T(1), T(2)],
      ['b', T(1), T(3)],
      ['c', T(2), null],
    ]);
    expect([...state.open.keys()]).toEqual(['["c"]']);
  });

  it('an event at or below the family position changes nothing', () => {
    const e = event('UserProfileSynced', { userId: 'u', displayName: 'U', email: null, groups: ['a'] }, 1);
    const [change] = accessHistoryChanges(e);
    const once = evolveFamily(emptyFamily, change, e);
    expect(once.written).toHaveLength(1);
    expect(evolveFamily(once.state, change, e)).toEqual({ state: once.state, written: [] });
  });
});

describe('grant periods', () => {
  it('a second grant of an open grant is no change; a revoke closes it; a revoke of nothing is no change', () => {
    const grant = (type: string, hour: number) => event(type, { subject: { kind: 'user', id: 'u' }, roleId: 'developer', scope: { kind: 'namespace', clusterId: 'c', namespace: 'n', workspaceId: 'w' } }, hour);
    const { rows } = fold([grant('RoleGranted', 1), grant('RoleGranted', 2), grant('RoleRevoked', 3), grant('RoleRevoked', 4)]);
    expect(rows).toEqual([
      expect.objectContaining({ role_id: 'developer', scope_key: 'c/n', scope_kind: 'namespace', workspace_id: 'w', cluster_id: 'c', namespace: 'n', from_time: T(1), to_time: T(3), from_actor: 'admin', to_actor: 'admin' }),
    ]);
  });
});

describe('intervals', () => {
  const iv = (from: number, to: number | null): Interval => ({ from: { position: from, time: T(from) }, to: to === null ? null : { position: to, time: T(to) } });
  it('intersects half-open intervals by position', () => {
    expect(intersect(iv(1, 5), iv(3, null))).toEqual(iv(3, 5));
    expect(intersect(iv(1, 3), iv(3, 5))).toBeNull();
    expect(intersect(iv(2, null), iv(1, null))).toEqual(iv(2, null));
  });
  it('meets a closed window when it starts by its end and ends after its start', () => {
    expect(overlapsWindow(iv(2, 5), T(5), T(6))).toBe(false);
    expect(overlapsWindow(iv(2, 5), T(0), T(2))).toBe(true);
    expect(overlapsWindow(iv(2, null), T(9), T(9))).toBe(true);
  });
});
