/**
 * The projection runner and rebuild on PostgreSQL and PGlite, through the real adapters:
 * checkpoints move atomically with the rows, waitForPosition, restart, rebuild equal to live with
 * queries answering during it, version change, and (PostgreSQL) leader election and the CLI.
 */
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../eventstore/types';
import { allProjections, auditProjection, clustersProjection, namespacesProjection } from '../../projections';
import { listAuditRecords } from '../../projections/audit/queries';
import { readCheckpoints } from '../../projections/checkpoints';
import { listClusters } from '../../projections/clusters/queries';
import { listNamespaces } from '../../projections/namespaces/queries';
import { rebuildProjections, type RebuildProgress } from '../../projections/rebuild';
import { ProjectionRunner, ProjectionRunnerStoppedError, ProjectionTimeoutError, type AppliedBatch } from '../../projections/runner';
import { runProjectionsCli } from '../../cli/projections';
import { createProbeTables, probeProjection } from './fixtures/probe';
import { appendTenancyLog } from './fixtures/tenancy-log';
import { dumpTables, openBackend, type Backend, type BackendKind } from './support';

const tables = allProjections.flatMap((p) => p.tables);

async function probeCounts(backend: Backend) {
  const { rows } = await sql<{ n: string; total: string | null }>`
    SELECT (SELECT count(*) FROM probe_log) AS n, (SELECT applied FROM probe_total WHERE id = 1) AS total`.execute(backend.db);
  return { rows: Number(rows[0].n), applied: Number(rows[0].total ?? 0) };
}

async function eventCount(backend: Backend): Promise<number> {
  const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM events`.execute(backend.db);
  return Number(rows[0].n);
}

describe.each<BackendKind>(['postgres', 'pglite'])('projection runner on %s', (kind) => {
  let backend: Backend;
  const runners: ProjectionRunner[] = [];
  const runner = (options: Partial<ConstructorParameters<typeof ProjectionRunner>[0]> = {}) => {
    const r = new ProjectionRunner({
      store: backend.store,
      db: backend.db,
      dbKind: kind,
      projections: [...allProjections, probeProjection()],
      retryBaseMs: 20,
      leaderRetryMs: 100,
      followerPollMs: 50,
      onError: () => {},
      ...options,
    });
    runners.push(r);
    return r;
  };

  beforeAll(async () => {
    backend = await openBackend(kind, 'proj_runner');
    await createProbeTables(backend.db);
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
  });
  afterAll(async () => {
    await backend?.close();
  });

  it('catches up, resolves waitForPosition for later appends, streams applied batches, reports lag', async () => {
    const head = await appendTenancyLog(backend.store, 600, { seed: 1 });
    const r = runner({ batchSize: 100 });
    const applied: AppliedBatch[] = [];
    r.applied$.subscribe((b) => applied.push(b));
    const mins: number[] = [];
    r.position$.subscribe((p) => mins.push(p));
    await r.start();
    await r.waitForPosition(head, 30_000);
    expect(r.minPosition()).toBeGreaterThanOrEqual(head);
    for (const p of [...allProjections, { name: 'probe' }]) expect(r.position(p.name)).toBe(head);
    expect(applied.some((b) => b.projection === 'audit' && b.handled > 0)).toBe(true);
    expect(mins).toEqual([...mins].sort((a, b) => a - b));

    // Read-your-writes: a wait for a position not yet written resolves once it is applied.
    const later = appendTenancyLog(backend.store, 20, { seed: 2 });
    const position = await later;
    await r.waitForPosition(position, 10_000, ['clusters', 'audit']);
    await r.waitForPosition(position, 10_000);
    const lag = await r.lag();
    expect(lag.head).toBe(position);
    expect(lag.eventsBehind).toBe(0);
    expect(lag.msBehind).toBe(0);
    expect(lag.projections.audit).toMatchObject({ position, leader: true, paused: false, lastError: null });

    const events = await eventCount(backend);
    expect(await probeCounts(backend)).toEqual({ rows: events, applied: events });
  });

  it('rejects a wait past its timeout with a typed error, and pending waits when stopped', async () => {
    const r = runner();
    await r.start();
    const head = await backend.store.headPosition();
    await r.waitForPosition(head, 10_000);
    const err = await r.waitForPosition(head + 1000, 50).catch((e) => e);
    expect(err).toBeInstanceOf(ProjectionTimeoutError);
    expect(err).toMatchObject({ code: 'PROJECTION_TIMEOUT', minPosition: head + 1000, timeoutMs: 50 });
    const pending = r.waitForPosition(head + 1000, 60_000);
    await r.stop();
    await expect(pending).rejects.toBeInstanceOf(ProjectionRunnerStoppedError);
  });

  it('applies a batch and its checkpoint atomically: a failing batch leaves neither, the retry applies each event once', async () => {
    const start = await backend.store.headPosition();
    const before = await probeCounts(backend);
    const head = await appendTenancyLog(backend.store, 300, { seed: 3 });
    let failAt: number | null = start + 150;
    const failing = probeProjection({ failOn: (e: StoredEvent) => e.position === failAt });
    const r = runner({ projections: [failing, clustersProjection], batchSize: 100, retryBaseMs: 50 });
    await r.start();
    await r.waitForPosition(head, 10_000, ['clusters']);
    // The probe stopped before the batch holding the poisoned event: its rows and its checkpoint agree.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stuck = (await readCheckpoints(backend.db)).get('probe')!.position;
    expect(stuck).toBeLessThan(failAt!);
    const { rows } = await sql<{ max: string | null }>`SELECT max(position) AS max FROM probe_log`.execute(backend.db);
    expect(Number(rows[0].max ?? 0)).toBeLessThanOrEqual(stuck);
    expect((await r.lag()).projections.probe.lastError).toMatch(/injected failure/);
    const counts = await probeCounts(backend);
    expect(counts.rows).toBe(counts.applied);

    failAt = null; // fixed: the retry goes through
    await r.waitForPosition(head, 10_000);
    const events = await eventCount(backend);
    expect(await probeCounts(backend)).toEqual({ rows: events, applied: events });
    expect(events - before.rows).toBeGreaterThanOrEqual(300);
  });

  it('resumes from its checkpoints after a restart without applying anything twice', async () => {
    const first = runner();
    await first.start();
    await first.waitForPosition(await backend.store.headPosition(), 10_000);
    await first.stop();
    const head = await appendTenancyLog(backend.store, 200, { seed: 4 });
    const second = runner();
    await second.start();
    await second.waitForPosition(head, 10_000);
    const events = await eventCount(backend);
    expect(await probeCounts(backend)).toEqual({ rows: events, applied: events });
  });

  it('rebuild equals the live result, and queries answer from the old tables meanwhile', async () => {
    const r = runner();
    await r.start();
    await r.waitForPosition(await backend.store.headPosition(), 10_000);
    const live = await dumpTables(backend.db, tables);
    const clustersBefore = await listClusters(backend.db, { includeRemoved: true });
    const auditBefore = await listAuditRecords(backend.db, {}, { limit: 20 });
    const nsBefore = await listNamespaces(backend.db, { includeDeleted: true });

    const progress: RebuildProgress[] = [];
    const answered: Promise<void>[] = [];
    await rebuildProjections({
      store: backend.store,
      db: backend.db,
      dbKind: kind,
      projections: allProjections,
      batchSize: 200,
      progressIntervalMs: 0,
      onProgress: (p) => {
        progress.push(p);
        if (p.phase !== 'replay') return;
        answered.push(
          (async () => {
            expect(await listClusters(backend.db, { includeRemoved: true })).toEqual(clustersBefore);
            expect(await listAuditRecords(backend.db, {}, { limit: 20 })).toEqual(auditBefore);
            expect(await listNamespaces(backend.db, { includeDeleted: true })).toEqual(nsBefore);
          })(),
        );
      },
    });
    await Promise.all(answered);
    expect(answered.length).toBeGreaterThan(2);
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['prepare', 'replay', 'index', 'swap', 'done']));
    const lastProgress = progress[progress.length - 1];
    expect(lastProgress.done).toBeGreaterThan(0);
    expect(lastProgress.position).toBe(lastProgress.total);
    expect(await dumpTables(backend.db, tables)).toEqual(live);
    // The swapped-in tables carry the original constraint and index names.
    const { rows } = await sql<{ indexname: string }>`SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'audit_records' ORDER BY indexname`.execute(backend.db);
    expect(rows.map((x) => x.indexname)).toEqual(expect.arrayContaining(['audit_records_pkey', 'audit_records_time_idx', 'audit_records_actor_idx', 'audit_records_module_idx', 'audit_records_target_idx']));
    const { rows: schemas } = await sql<{ n: string }>`SELECT count(*) AS n FROM pg_namespace WHERE nspname LIKE 'rebuild_%'`.execute(backend.db);
    expect(Number(schemas[0].n)).toBe(0);
  });

  it('rebuild while events keep arriving: the runner continues, the swap loses nothing', async () => {
    const r = runner({ batchSize: 50 });
    await r.start();
    let appending = true;
    const appender = (async () => {
      let seed = 50;
      while (appending) await appendTenancyLog(backend.store, 30, { seed: seed++ });
    })();
    // As the CLI does it (another process): the runner keeps applying to the old tables and
    // serializes with the swap on the checkpoint row.
    await rebuildProjections({ store: backend.store, db: backend.db, dbKind: kind, projections: [auditProjection, clustersProjection], batchSize: 100 });
    // Through the runner, which holds the projection back meanwhile.
    await r.rebuild('namespaces');
    appending = false;
    await appender;
    const head = await backend.store.headPosition();
    await r.waitForPosition(head, 20_000);
    const live = await dumpTables(backend.db, tables);
    await r.stop();
    await rebuildProjections({ store: backend.store, db: backend.db, dbKind: kind, projections: allProjections });
    expect(await dumpTables(backend.db, tables)).toEqual(live);
    const events = await eventCount(backend);
    expect(await probeCounts(backend)).toEqual({ rows: events, applied: events });
  });

  it('rebuilds a projection whose checkpoint carries another version before applying to it', async () => {
    const head = await backend.store.headPosition();
    await sql`UPDATE projection_checkpoints SET version = 0, position = 5 WHERE name = 'namespaces'`.execute(backend.db);
    await sql`DELETE FROM namespaces`.execute(backend.db);
    const r = runner({ projections: [namespacesProjection] });
    await r.start();
    await r.waitForPosition(head, 20_000);
    const cp = (await readCheckpoints(backend.db)).get('namespaces')!;
    expect(cp.version).toBe(namespacesProjection.version);
    expect(cp.position).toBeGreaterThanOrEqual(head);
    expect((await listNamespaces(backend.db, { includeDeleted: true })).length).toBeGreaterThan(0);
  });

  it.runIf(kind === 'postgres')('PostgreSQL only (advisory-lock leader election; PGlite is one process): runs each projection once across processes: one leader, the follower still answers waits and takes over', async () => {
    const a = runner({ projections: [auditProjection] });
    const b = runner({ projections: [auditProjection] });
    await a.start();
    await new Promise((resolve) => setTimeout(resolve, 150));
    await b.start();
    const head = await appendTenancyLog(backend.store, 50, { seed: 9 });
    await Promise.all([a.waitForPosition(head, 10_000), b.waitForPosition(head, 10_000)]);
    const leaders = [(await a.lag()).projections.audit.leader, (await b.lag()).projections.audit.leader];
    expect(leaders.filter(Boolean)).toHaveLength(1);
    const [leader, follower] = leaders[0] ? [a, b] : [b, a];
    await leader.stop();
    const next = await appendTenancyLog(backend.store, 20, { seed: 10 });
    await follower.waitForPosition(next, 10_000);
    expect((await follower.lag()).projections.audit.leader).toBe(true);
  });

  it.runIf(kind === 'postgres')('PostgreSQL only (the CLI opens its own connection): CLI: status and rebuild print checkpoints, a progress line and the result', async () => {
    let out = '';
    let err = '';
    const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t), tty: false, env: { ...process.env, DATABASE_URL: backend.url!, EVENTSTORE_URL: '' } };
    expect(await runProjectionsCli(['status'], io)).toBe(0);
    expect(out).toMatch(/^clusters\s+position \d+\/\d+ behind \d+ v1$/m);
    out = '';
    expect(await runProjectionsCli(['rebuild', 'clusters'], io)).toBe(0);
    expect(out).toMatch(/clusters \[[█░]+\]\s+[\d.]+% \d+\/\d+ events \d+\/s/);
    expect(out).toMatch(/clusters: rebuilt \d+ events \(\d+ handled\) in [\d.]+s, \d+ events\/s, checkpoint \d+/);
    expect(await runProjectionsCli(['rebuild', 'nope'], io)).toBe(2);
    expect(err).toMatch(/unknown projection "nope"/);
  });
});
