/** The apps row folds: given events, then the rows the list and the revision history show. No database. */
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../eventstore/types';
import { appUpdates } from '../../projections/apps/handlers';

const appId = 'c1.web.shop';
const amounts = { requests: { cpuMillis: 100, memoryBytes: 64 }, limits: { cpuMillis: 200, memoryBytes: 128 } };
const manifests = [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shop' } }];

/** Folds every row the events touch, by table and key (position-guarded, as the row engine does). */
function foldAll(events: StoredEvent[]): Record<string, any> {
  const rows: Record<string, any> = {};
  for (const e of events) {
    for (const update of appUpdates(e)) {
      if (update.kind !== 'fold') continue;
      const key = `${update.table.name}:${Object.values(update.key).join('/')}`;
      const current = rows[key] ?? undefined;
      if (current && current.position >= e.position) continue;
      const next = update.evolve(current);
      if (next === undefined || next === current) continue;
      rows[key] = next === null ? undefined : { ...next, position: e.position };
    }
  }
  return rows;
}

const generated = () =>
  event('AppGenerated', { appId, clusterId: 'c1', namespace: 'web', workspaceId: 'w1', name: 'shop', description: '', templateId: 't', revision: 1, templateVersion: 1, values: { a: 1 }, manifests, ...amounts });
const revised = (revision: number, reason: string, fromRevision?: number) =>
  event('AppRevised', { appId, revision, templateVersion: 2, values: { a: revision }, manifests, ...amounts, reason, ...(fromRevision ? { fromRevision } : {}) });

describe('apps rows', () => {
  it('follow the app from generate through deploy, revise, rollback, undeploy and delete', () => {
    const g = generated();
    expect(foldAll([g])['apps:c1.web.shop']).toMatchObject({ name: 'shop', status: 'draft', published: false, revision: 1, created_by: 'alice' });
    expect(foldAll([g])['app_revisions:c1.web.shop/1']).toMatchObject({ reason: 'generate', values: { a: 1 }, from_revision: null });
    const p = event('AppPublished', { appId, revision: 1 });
    const d1 = event('AppDeployed', { appId, revision: 1 });
    expect(foldAll([g, p, d1])['apps:c1.web.shop']).toMatchObject({ status: 'deployed', deployed_revision: 1, published: true });
    const r2 = revised(2, 'update');
    expect(foldAll([g, p, d1, r2])['apps:c1.web.shop']).toMatchObject({ status: 'deploying', revision: 2, template_version: 2, deployed_revision: 1 });
    // An outcome for the old revision changes nothing.
    expect(foldAll([g, p, r2, event('AppDeployFailed', { appId, revision: 1, reason: 'x' })])['apps:c1.web.shop']).toMatchObject({ status: 'deploying' });
    const f2 = event('AppDeployFailed', { appId, revision: 2, reason: 'quota exceeded' });
    expect(foldAll([g, p, d1, r2, f2])['apps:c1.web.shop']).toMatchObject({ status: 'failed', status_reason: 'quota exceeded' });
    const r3 = revised(3, 'rollback', 1);
    const rows = foldAll([g, p, d1, r2, f2, r3]);
    expect(rows['apps:c1.web.shop']).toMatchObject({ status: 'deploying', status_reason: null, revision: 3 });
    expect(rows['app_revisions:c1.web.shop/3']).toMatchObject({ reason: 'rollback', from_revision: 1 });
    const u = event('AppUnpublished', { appId, revision: 3 });
    const und = event('AppUndeployed', { appId });
    expect(foldAll([g, p, r3, u])['apps:c1.web.shop']).toMatchObject({ status: 'undeploying', published: false });
    expect(foldAll([g, p, r3, u, und])['apps:c1.web.shop']).toMatchObject({ status: 'undeployed', deployed_revision: null });
    expect(foldAll([g, p, u, und, event('AppDeleted', { appId })])['apps:c1.web.shop']).toMatchObject({ deleted: true });
  });

  it('every event applied twice changes nothing', () => {
    const events = [generated(), event('AppPublished', { appId, revision: 1 }), event('AppDeployed', { appId, revision: 1 }), revised(2, 'update'), event('AppUnpublished', { appId, revision: 2 }), event('AppUndeployed', { appId }), event('AppDeleted', { appId })];
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
    streamId: `app-${appId}`,
    revision: position,
    position,
    recordedAt: occurredAt,
    metadata: { actor: { kind: 'user', id: 'alice', name: 'alice' }, commandId: `c${position}`, correlationId: `c${position}`, causationId: null, occurredAt, clientIp: null, schemaVersion: 1 },
  } as StoredEvent;
}
