/**
 * Compliance-audit figures on PostgreSQL (a throwaway database, created and dropped):
 *
 * 1. 1,000,000 audit_records rows (one INSERT … SELECT over generate_series per 100k: 2,000 actors
 *    with a skewed share, 10 modules, 200 workspaces, 2,000 namespaces on 20 clusters, 5 % refused,
 *    spread over a year, ms timestamps), ANALYZE, then p50/p99 of ≥ 200 queries each through the
 *    API's own query function (listAuditRecords, first page of 50): (a) actor + 30-day range,
 *    (b) namespace target, (c) workspace + outcome. Also the X-Total-Count query of (c).
 * 2. 100,000 grant events (grants and revocations of users and groups at namespace, workspace and
 *    platform scope, plus the namespaces, custom roles and group syncs they refer to) through the
 *    access-history projection's batch apply, then p50/p99 of ≥ 200 whoHeldPermission queries.
 *
 * Run: `npx tsx bench/audit.ts` (BENCH_AUDIT_ROWS, BENCH_GRANT_EVENTS, BENCH_QUERIES shrink it).
 * Writes bench/audit-results.json.
 */
import { randomUUID } from 'node:crypto';
import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { sql, type Kysely } from 'kysely';
import { openDatabase } from '../db/connect';
import { migrateToLatest } from '../db/migrate';
import type { StoredEvent } from '../eventstore/types';
import type { Permission } from '../domain/permissions';
import { accessHistoryProjection, whoHeldPermission } from '../projections/access-history';
import { countAuditRecords, listAuditRecords, type AuditFilter } from '../projections/audit/queries';
import { createTestDatabase } from '../tests/support/postgres';

const ROWS = Number(process.env.BENCH_AUDIT_ROWS ?? 1_000_000);
const GRANT_EVENTS = Number(process.env.BENCH_GRANT_EVENTS ?? 100_000);
const QUERIES = Math.max(200, Number(process.env.BENCH_QUERIES ?? 300));
const ACTORS = 2000;
const WORKSPACES = 200;
const NAMESPACES = 2000;
const CLUSTERS = 20;
const YEAR_START = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
const log = (line: string) => console.log(line);

/** Deterministic pseudo-random numbers (mulberry32), so runs are comparable. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] };
}

export interface Percentiles {
  queries: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanRows: number;
}

async function measure(n: number, run: (i: number) => Promise<number>): Promise<Percentiles> {
  for (let i = 0; i < 10; i++) await run(-1 - i); // warm-up
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    rows += await run(i);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { queries: n, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: times[times.length - 1], meanRows: rows / n };
}

const fmt = (p: Percentiles) => `p50 ${p.p50Ms.toFixed(1)} ms, p99 ${p.p99Ms.toFixed(1)} ms, max ${p.maxMs.toFixed(1)} ms (${p.queries} queries, ${p.meanRows.toFixed(1)} rows each on average)`;

// ---------------------------------------------------------------- 1. audit records

export async function seedAuditRecords(db: Kysely<any>, rows: number): Promise<number> {
  const t0 = performance.now();
  const chunk = 100_000;
  await sql`SELECT setseed(0.42)`.execute(db);
  for (let first = 1; first <= rows; first += chunk) {
    const last = Math.min(rows, first + chunk - 1);
    // Times rise with i (positions and times agree), with jitter; actors skewed (a few very busy ones).
    await sql`
      INSERT INTO audit_records (command_id, occurred_at, actor_kind, actor_id, actor_name, client_ip, correlation_id, module, action,
        target_kind, target_id, cluster_id, workspace_id, namespace, outcome, code, field, message, details, position, command, event_ids)
      SELECT 'cmd-' || i, t, 'user', 'user-' || a, 'User ' || a, '10.0.' || (a % 250) || '.' || (a % 7), 'corr-' || i,
        m, (ARRAY['Create','Change','Delete','Deploy','Exec'])[1 + (i % 5)] || initcap(m),
        CASE WHEN m IN ('namespaces','apps','workloads','containers','kubernetes') THEN 'namespace' WHEN m = 'workspaces' THEN 'workspace' ELSE 'platform' END,
        CASE WHEN m IN ('namespaces','apps','workloads','containers','kubernetes') THEN 'c' || (n % ${CLUSTERS}) || '/ns-' || n WHEN m = 'workspaces' THEN 'ws-' || (n % ${WORKSPACES}) ELSE 'platform' END,
        CASE WHEN m IN ('namespaces','apps','workloads','containers','kubernetes','clusters') THEN 'c' || (n % ${CLUSTERS}) END,
        CASE WHEN m IN ('namespaces','apps','workloads','containers','kubernetes','workspaces') THEN 'ws-' || (n % ${WORKSPACES}) END,
        CASE WHEN m IN ('namespaces','apps','workloads','containers','kubernetes') THEN 'ns-' || n END,
        CASE WHEN r < 0.05 THEN 'rejected' ELSE 'accepted' END,
        CASE WHEN r < 0.05 THEN 'forbidden' END, NULL,
        CASE WHEN r < 0.05 THEN 'forbidden: you lack the permission' END, NULL,
        i, jsonb_build_object('type', 'Action', 'n', n), '[]'::jsonb
      FROM (
        SELECT i,
          date_trunc('milliseconds', ${new Date(YEAR_START).toISOString()}::timestamptz + (i::float8 / ${rows} * 365 + random() * 0.01) * interval '1 day') AS t,
          1 + floor(${ACTORS} * power(random(), 2))::int AS a,
          (ARRAY['namespaces','apps','workloads','containers','kubernetes','workspaces','clusters','users','roles','auth'])[1 + floor(power(random(), 1.5) * 10)::int] AS m,
          floor(random() * ${NAMESPACES})::int AS n,
          random() AS r
        FROM generate_series(${first}::int, ${last}::int) AS i
      ) s`.execute(db);
    process.stdout.write(`\r  inserted ${last.toLocaleString('en')} audit records`);
  }
  process.stdout.write('\n');
  await sql`ANALYZE audit_records`.execute(db);
  return (performance.now() - t0) / 1000;
}

export async function benchAuditQueries(db: Kysely<any>) {
  const r = rng(7);
  const span = 365 * DAY;
  const page = async (filter: AuditFilter) => (await listAuditRecords(db, filter, { limit: 50 })).items.length;
  const byActorAndTime = await measure(QUERIES, (i) => {
    const from = YEAR_START + r.int(span - 30 * DAY);
    // Half the queries ask about a busy actor, half about any actor.
    const actor = i % 2 === 0 ? 1 + r.int(20) : 1 + r.int(ACTORS);
    return page({ actorName: `User ${actor}`, from: new Date(from).toISOString(), to: new Date(from + 30 * DAY).toISOString() });
  });
  const byNamespace = await measure(QUERIES, () => {
    const n = r.int(NAMESPACES);
    return page({ clusterId: `c${n % CLUSTERS}`, namespace: `ns-${n}` });
  });
  const byWorkspaceOutcome = await measure(QUERIES, (i) => page({ workspaceId: `ws-${r.int(WORKSPACES)}`, outcome: i % 2 === 0 ? 'rejected' : 'accepted' }));
  const countWorkspaceOutcome = await measure(Math.min(QUERIES, 200), (i) => countAuditRecords(db, { workspaceId: `ws-${r.int(WORKSPACES)}`, outcome: i % 2 === 0 ? 'rejected' : 'accepted' }).then(() => 1));
  return { byActorAndTime, byNamespace, byWorkspaceOutcome, countWorkspaceOutcome };
}

// ---------------------------------------------------------------- 2. access history

const namespaceRoles = ['developer', 'tester', 'ops-engineer', 'viewer', 'developer', 'custom-0', 'custom-1', 'custom-2'];
const workspaceRoles = ['workspace-admin', 'viewer', 'custom-3', 'custom-4'];
const platformRoles = ['platform-auditor', 'viewer', 'platform-admin'];
const customPermissions: Permission[][] = [
  ['containers:exec', 'containers:logs'],
  ['containers:logs', 'workloads:read'],
  ['apps:deploy', 'pipelines:run'],
  ['namespaces:manage', 'members:manage'],
  ['metering:read', 'workloads:read'],
];

/** The events, in order, with positions and times rising over a year. */
export function accessEvents(grantEvents: number): StoredEvent[] {
  const r = rng(11);
  const events: StoredEvent[] = [];
  const total = grantEvents + NAMESPACES + 20 + 6000;
  const push = (streamId: string, type: string, data: Record<string, unknown>) => {
    const position = events.length + 1;
    const occurredAt = new Date(YEAR_START + Math.floor((position / total) * 365 * DAY)).toISOString();
    events.push({
      id: randomUUID(),
      type,
      data,
      streamId,
      revision: 0,
      position,
      recordedAt: occurredAt,
      metadata: { actor: { kind: 'user', id: 'admin', name: 'admin' }, commandId: randomUUID(), correlationId: randomUUID(), causationId: null, occurredAt, clientIp: null, schemaVersion: 1 },
    });
  };
  const nsOf = (n: number) => ({ kind: 'namespace', clusterId: `c${n % CLUSTERS}`, namespace: `ns-${n}`, workspaceId: `ws-${n % WORKSPACES}` });
  for (let n = 0; n < NAMESPACES; n++) {
    push(`namespace-c${n % CLUSTERS}.ns-${n}`, 'NamespaceCreated', { clusterId: `c${n % CLUSTERS}`, name: `ns-${n}`, workspaceId: `ws-${n % WORKSPACES}`, quotaCpuMillis: 1000, quotaMemoryBytes: 2 ** 30, defaults: {}, generation: 1 });
  }
  for (let c = 0; c < 5; c++) {
    push(`role-custom-${c}`, 'RoleDefined', { roleId: `custom-${c}`, displayName: `Custom ${c}`, description: '', permissions: customPermissions[c], grantableAt: ['workspace', 'namespace'] });
  }
  const held: { subject: { kind: string; id: string }; roleId: string; scope: Record<string, unknown> }[] = [];
  let grants = 0;
  let extra = 0;
  while (grants < grantEvents) {
    const roll = r.next();
    if (roll < 0.06 && extra < 6000) {
      // A user's groups as the identity provider reports them (40 groups).
      const user = `user-${1 + r.int(5000)}`;
      const groups = [...new Set(Array.from({ length: r.int(4) }, () => `group-${r.int(40)}`))];
      push(`user-${user}`, 'UserProfileSynced', { userId: user, displayName: user, email: null, groups });
      extra++;
      continue;
    }
    if (roll < 0.0605 && extra < 6000) {
      const c = r.int(5);
      push(`role-custom-${c}`, 'RoleUpdated', { roleId: `custom-${c}`, displayName: `Custom ${c}`, description: '', permissions: r.next() < 0.5 ? customPermissions[c] : customPermissions[(c + 1) % 5], grantableAt: ['workspace', 'namespace'] });
      extra++;
      continue;
    }
    if (held.length > 0 && r.next() < 0.3) {
      const [g] = held.splice(r.int(held.length), 1);
      push(`${g.subject.kind}-${g.subject.id}`, 'RoleRevoked', g);
    } else {
      const subject = r.next() < 0.9 ? { kind: 'user', id: `user-${1 + r.int(5000)}` } : { kind: 'group', id: `group-${r.int(40)}` };
      const s = r.next();
      const g =
        s < 0.002
          ? { subject, roleId: r.pick(platformRoles), scope: { kind: 'platform' } }
          : s < 0.15
            ? { subject, roleId: r.pick(workspaceRoles), scope: { kind: 'workspace', workspaceId: `ws-${r.int(WORKSPACES)}` } }
            : { subject, roleId: r.pick(namespaceRoles), scope: nsOf(r.int(NAMESPACES)) };
      held.push(g);
      push(`${subject.kind}-${subject.id}`, 'RoleGranted', g);
    }
    grants++;
  }
  return events;
}

export async function benchAccessHistory(db: Kysely<any>, grantEvents: number) {
  const events = accessEvents(grantEvents);
  const t0 = performance.now();
  const batch = 5000;
  for (let i = 0; i < events.length; i += batch) {
    await db.transaction().execute((trx) => accessHistoryProjection.applyBatch!(events.slice(i, i + batch), trx));
    process.stdout.write(`\r  applied ${Math.min(events.length, i + batch).toLocaleString('en')} of ${events.length.toLocaleString('en')} events`);
  }
  process.stdout.write('\n');
  const applySeconds = (performance.now() - t0) / 1000;
  for (const t of accessHistoryProjection.tables) await sql`ANALYZE ${sql.table(t)}`.execute(db);
  const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM grant_periods`.execute(db);

  const r = rng(13);
  const asked: Permission[] = ['containers:exec', 'namespaces:manage', 'apps:deploy', 'workloads:read', 'containers:logs'];
  const whoHeld = await measure(QUERIES, async () => {
    const n = r.int(NAMESPACES);
    const from = YEAR_START + r.int(300 * DAY);
    const holders = await whoHeldPermission(db, {
      permission: r.pick(asked),
      clusterId: `c${n % CLUSTERS}`,
      namespace: `ns-${n}`,
      from: new Date(from).toISOString(),
      to: new Date(from + (1 + r.int(60)) * DAY).toISOString(),
    });
    return holders.length;
  });
  return { events: events.length, grantEvents, grantPeriods: Number(rows[0].n), applySeconds, applyRate: events.length / applySeconds, whoHeld };
}

// ---------------------------------------------------------------- main

async function main() {
  const load = execSync('uptime').toString().trim();
  log(`compliance-audit bench — ${new Date().toISOString()} — ${load}`);
  const test = await createTestDatabase('bosun_bench_audit');
  const database = await openDatabase({ kind: 'postgres', url: test.url, poolSize: 4 });
  try {
    await migrateToLatest(database.db);
    log(`\n== ${ROWS.toLocaleString('en')} audit records ==`);
    const seedSeconds = await seedAuditRecords(database.db, ROWS);
    log(`  seeded and analyzed in ${seedSeconds.toFixed(1)} s`);
    const audit = await benchAuditQueries(database.db);
    log(`(a) actor + 30-day range:   ${fmt(audit.byActorAndTime)}`);
    log(`(b) namespace target:       ${fmt(audit.byNamespace)}`);
    log(`(c) workspace + outcome:    ${fmt(audit.byWorkspaceOutcome)}`);
    log(`    its X-Total-Count:      ${fmt(audit.countWorkspaceOutcome)}`);

    log(`\n== access history over ${GRANT_EVENTS.toLocaleString('en')} grant events ==`);
    const access = await benchAccessHistory(database.db, GRANT_EVENTS);
    log(`  ${access.events.toLocaleString('en')} events (${access.grantPeriods.toLocaleString('en')} grant periods) applied in ${access.applySeconds.toFixed(1)} s = ${access.applyRate.toFixed(0)} events/s`);
    log(`whoHeld:                    ${fmt(access.whoHeld)}`);

    const results = {
      date: new Date().toISOString(),
      node: process.version,
      uptime: load,
      postgres: (await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(database.db)).rows[0].v,
      auditRecords: ROWS,
      seedSeconds,
      audit,
      accessHistory: access,
      targets: { auditP99Ms: 100, whoHeldP99Ms: 200 },
      met: {
        audit: [audit.byActorAndTime, audit.byNamespace, audit.byWorkspaceOutcome].every((p) => p.p99Ms < 100),
        whoHeld: access.whoHeld.p99Ms < 200,
      },
    };
    writeFileSync(new URL('./audit-results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
    log(`\ntargets: audit queries p99 < 100 ms — ${results.met.audit ? 'met' : 'NOT met'}; whoHeld p99 < 200 ms — ${results.met.whoHeld ? 'met' : 'NOT met'}`);
  } finally {
    await database.close();
    await test.drop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
