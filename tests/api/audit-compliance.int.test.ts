/**
 * Compliance questions through a running Bosun: audit filters and keyset pages, an aggregate's
 * state at a past moment, who held a permission, the CSV export (content, quoting, formula guard,
 * X-Total-Count, itself audited). A platform auditor may read all of it and change nothing; a
 * workspace admin gets 403.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { startKubeSim, type KubeSim } from '../kube-sim';
import { startBosun, type RunningBosun } from '../../app/bosun';
import { tenancyCommand } from '../../commands/tenancy';
import { systemActor } from '../../commands/context';
import { bosunClient, httpStatusOf } from '../support/bosun-client';
import { addNodes } from '../support/kube-nodes';
import { createTestDatabase } from '../support/postgres';
import { csvCell, csvLine } from '../../projections/audit/csv';

const backends = [
  { name: 'PGlite', database: async () => ({ url: null as string | null, drop: async () => {} }) },
  { name: 'PostgreSQL', database: async () => createTestDatabase('bosun_audit') },
];

const PASSWORD = 'correct-horse-battery-9';
const FORMULA_NAME = '=HYPERLINK("http://evil.example","click, me")';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of backends) {
  describe(`compliance audit through the API (${backend.name})`, () => {
    let sim: KubeSim;
    let bosun: RunningBosun;
    let dataDir: string;
    let dropDatabase: () => Promise<void>;
    let admin: ReturnType<typeof bosunClient>;
    let auditor: ReturnType<typeof bosunClient>;
    let wsAdmin: ReturnType<typeof bosunClient>;
    let last = 0;
    let start = '';
    let betweenCeilings = '';

    /** Runs a command as the system (users and grants have no API router yet). */
    async function system(command: { type: string } & Record<string, unknown>) {
      const result = await bosun.services.handle(tenancyCommand(command.type as any), command as any, {
        actor: systemActor,
        commandId: randomUUID(),
        correlationId: randomUUID(),
        causationId: null,
        clientIp: null,
        now: new Date(),
      });
      last = Math.max(last, result.position);
      return result;
    }

    async function user(userId: string, displayName: string, grants: { roleId: string; scope: Record<string, unknown> }[]) {
      await system({ type: 'CreateUser', userId, displayName, email: null, source: 'local', externalSubject: null });
      for (const g of grants) await system({ type: 'GrantRole', subject: { kind: 'user', id: userId }, by: 'system', ...g });
      await bosun.services.accounts.setPassword(userId, PASSWORD, new Date());
      await bosun.services.readModels.waitForPosition(last);
      const client = bosunClient(bosun.url);
      await client.client.auth.login.mutate({ username: userId, password: PASSWORD });
      return client;
    }

    const exportCsv = (client: ReturnType<typeof bosunClient> | null, query = '') =>
      fetch(`${bosun.url}/audit/export.csv${query}`, { headers: client ? { cookie: client.cookie() } : {} });

    beforeAll(async () => {
      sim = await startKubeSim({ nodes: 0 });
      await addNodes(sim.kubeconfig, 2, { cpu: '8', memory: '32Gi' });
      dataDir = mkdtempSync(join(tmpdir(), 'bosun-audit-'));
      const db = await backend.database();
      dropDatabase = db.drop;
      bosun = await startBosun({ config: { dataDir, port: 0, databaseUrl: db.url, adminPassword: PASSWORD, resyncSeconds: 1 } });
      start = new Date().toISOString();
      admin = bosunClient(bosun.url);
      await admin.client.auth.login.mutate({ username: 'admin', password: PASSWORD });
      const api = admin.client;

      const inspected = await api.clusters.inspectKubeconfig.mutate({ kubeconfig: sim.kubeconfig });
      await api.clusters.register.mutate({ commandId: randomUUID(), name: 'sim', kubeconfig: sim.kubeconfig, context: inspected.contexts[0].name });
      await api.workspaces.create.mutate({ commandId: randomUUID(), name: 'team-a', displayName: 'Team A', ceilingCpu: '10', ceilingMemory: '32Gi' });
      await sleep(20);
      betweenCeilings = new Date().toISOString();
      await sleep(20);
      await api.workspaces.changeCeiling.mutate({ commandId: randomUUID(), workspaceId: 'team-a', ceilingCpu: '12', ceilingMemory: '40Gi' });
      await api.workspaces.bind.mutate({ commandId: randomUUID(), workspaceId: 'team-a', clusterId: 'sim', cpu: '8', memory: '16Gi' });
      await api.workspaces.create.mutate({ commandId: randomUUID(), name: 'team-b', ceilingCpu: '4', ceilingMemory: '8Gi' });
      // Refused: more than the binding holds.
      await api.namespaces.create
        .mutate({ commandId: randomUUID(), clusterId: 'sim', workspaceId: 'team-a', name: 'team-a-big', quotaCpu: '9', quotaMemory: '1Gi', defaultRequestCpu: '100m', defaultRequestMemory: '128Mi', defaultLimitCpu: '500m', defaultLimitMemory: '512Mi' })
        .catch(() => null);
      last = (
        await api.namespaces.create.mutate({ commandId: randomUUID(), clusterId: 'sim', workspaceId: 'team-a', name: 'team-a-dev', quotaCpu: '2', quotaMemory: '4Gi', defaultRequestCpu: '100m', defaultRequestMemory: '128Mi', defaultLimitCpu: '500m', defaultLimitMemory: '512Mi' })
      ).position;

      auditor = await user('auditor', 'Audrey Auditor', [{ roleId: 'platform-auditor', scope: { kind: 'platform' } }]);
      wsAdmin = await user('wsadmin', 'Wanda Admin', [{ roleId: 'workspace-admin', scope: { kind: 'workspace', workspaceId: 'team-a' } }]);
      await user('dev1', 'Dev One', [{ roleId: 'developer', scope: { kind: 'namespace', clusterId: 'sim', namespace: 'team-a-dev', workspaceId: 'team-a' } }]);
      const mallory = await user('mallory', FORMULA_NAME, []);
      // A refused read by a user whose display name looks like a spreadsheet formula.
      await mallory.client.audit.list.query({}).catch(() => null);
      await bosun.services.readModels.waitForPosition(await bosun.services.store.headPosition());
    }, 120_000);

    afterAll(async () => {
      await bosun?.stop();
      await sim?.stop();
      await dropDatabase?.();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('filters by target, module, outcome, actor and time, newest first in keyset pages', async () => {
      const api = auditor.client;
      const byWorkspace = await api.audit.list.query({ workspaceId: 'team-a', limit: 500 });
      expect(byWorkspace.items.length).toBeGreaterThanOrEqual(5);
      expect(byWorkspace.items.every((r) => r.target.workspaceId === 'team-a')).toBe(true);
      expect(byWorkspace.items.map((r) => r.action)).toEqual(expect.arrayContaining(['CreateWorkspace', 'ChangeWorkspaceCeiling', 'BindClusterResources', 'CreateNamespace']));

      const byNamespace = await api.audit.list.query({ clusterId: 'sim', namespace: 'team-a-dev' });
      expect(byNamespace.items.map((r) => r.action)).toEqual(expect.arrayContaining(['CreateNamespace', 'GrantRole']));
      expect(byNamespace.items.every((r) => r.target.namespace === 'team-a-dev')).toBe(true);

      const refused = await api.audit.list.query({ module: 'namespaces', outcome: 'rejected' });
      expect(refused.items.map((r) => r.target.namespace)).toEqual(['team-a-big']);

      const byActor = await api.audit.list.query({ actorId: 'admin', workspaceId: 'team-b' });
      expect(byActor.items.map((r) => r.action)).toEqual(['CreateWorkspace']);
      expect((await api.audit.list.query({ user: 'admin', workspaceId: 'team-b' })).items).toHaveLength(1);

      const late = await api.audit.list.query({ workspaceId: 'team-a', from: betweenCeilings, limit: 500 });
      expect(late.items.map((r) => r.action)).not.toContain('CreateWorkspace');
      expect(late.items.map((r) => r.action)).toContain('ChangeWorkspaceCeiling');
      const early = await api.audit.list.query({ workspaceId: 'team-a', from: start, to: betweenCeilings });
      expect(early.items.map((r) => r.action)).toEqual(['CreateWorkspace']);

      // Keyset pages: two at a time equals all at once.
      const pages: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await api.audit.list.query({ workspaceId: 'team-a', limit: 2, cursor });
        pages.push(...page.items.map((r) => r.commandId));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(pages).toEqual(byWorkspace.items.map((r) => r.commandId));

      const bad = await api.audit.list.query({ from: betweenCeilings, to: start }).catch((e) => e);
      expect(httpStatusOf(bad)).toBe(400);
    });

    it('shows a workspace as it was between two changes, and now', async () => {
      const api = auditor.client;
      const before = await api.audit.stateAt.query({ kind: 'workspace', id: 'team-a', at: betweenCeilings });
      expect(before).toMatchObject({ streamId: 'workspace-team-a', eventsFolded: 1, lastEventType: 'WorkspaceCreated' });
      expect(before.state).toEqual({
        status: 'active',
        workspaceId: 'team-a',
        displayName: 'Team A',
        description: '',
        ceiling: { cpuMillis: 10_000, memoryBytes: 32 * 2 ** 30 },
        bindings: {},
      });
      expect(Date.parse(before.lastEventAt!)).toBeLessThanOrEqual(Date.parse(betweenCeilings));

      const now = await api.audit.stateAt.query({ kind: 'workspace', id: 'team-a', at: new Date().toISOString() });
      expect(now.eventsFolded).toBeGreaterThanOrEqual(3);
      expect(now.state).toMatchObject({ ceiling: { cpuMillis: 12_000 }, bindings: { sim: { cpuMillis: 8000, memoryBytes: 16 * 2 ** 30 } } });

      const never = await api.audit.stateAt.query({ kind: 'workspace', id: 'team-a', at: start.replace(/^\d{4}/, '2000') });
      expect(never).toMatchObject({ eventsFolded: 0, lastEventAt: null, state: { status: 'absent' } });

      const ns = await api.audit.stateAt.query({ kind: 'namespace', id: 'sim/team-a-dev', at: new Date().toISOString() });
      expect(ns.state).toMatchObject({ clusterId: 'sim', name: 'team-a-dev', workspaceId: 'team-a', quota: { cpuMillis: 2000 } });
      const dev = await api.audit.stateAt.query({ kind: 'user', id: 'dev1', at: new Date().toISOString() });
      expect(dev.state).toMatchObject({ status: 'active', displayName: 'Dev One', grants: [{ role: 'developer', scope: { kind: 'namespace', namespace: 'team-a-dev' } }] });

      const bad = await api.audit.stateAt.query({ kind: 'namespace', id: 'team-a-dev', at: new Date().toISOString() }).catch((e) => e);
      expect(httpStatusOf(bad)).toBe(400);
    });

    it('answers who held a permission on a namespace', async () => {
      const api = auditor.client;
      const window = { clusterId: 'sim', namespace: 'team-a-dev', from: start, to: new Date().toISOString() };
      const exec = await api.audit.whoHeld.query({ permission: 'containers:exec', ...window });
      expect(exec.map((h) => h.userId)).toEqual(['admin', 'dev1']);
      expect(exec.find((h) => h.userId === 'dev1')!.periods).toEqual([
        expect.objectContaining({ to: null, via: { kind: 'user' }, grant: expect.objectContaining({ roleId: 'developer', scope: expect.objectContaining({ kind: 'namespace' }) }) }),
      ]);
      expect(exec.find((h) => h.userId === 'dev1')!.displayName).toBe('Dev One');
      const manage = await api.audit.whoHeld.query({ permission: 'namespaces:manage', ...window });
      expect(manage.map((h) => h.userId)).toEqual(['admin', 'wsadmin']);
      expect(manage[1].periods[0].grant.scope).toMatchObject({ kind: 'workspace', workspaceId: 'team-a' });
      const audit = await api.audit.whoHeld.query({ permission: 'audit:read', ...window });
      expect(audit.map((h) => h.userId)).toEqual(['admin', 'auditor']);
    });

    it('exports the filtered records as CSV with a total count, quoting and a formula guard, and audits the export', async () => {
      const response = await exportCsv(auditor, '?workspaceId=team-a');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(response.headers.get('content-disposition')).toMatch(/attachment; filename="bosun-audit-.*\.csv"/);
      const bytes = new Uint8Array(await response.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM, for spreadsheet programs
      const text = new TextDecoder().decode(bytes); // drops the BOM
      const rows = parseCsv(text);
      const [header, ...data] = rows;
      expect(header.slice(0, 8)).toEqual(['occurred_at', 'command_id', 'actor_kind', 'actor_id', 'actor_name', 'client_ip', 'module', 'action']);
      expect(data).toHaveLength(Number(response.headers.get('x-total-count')));
      const listed = await auditor.client.audit.list.query({ workspaceId: 'team-a', limit: 500 });
      expect(data.map((r) => r[1])).toEqual(listed.items.map((r) => r.commandId));
      const col = (name: string) => header.indexOf(name);
      expect(data.every((r) => r[col('workspace_id')] === 'team-a')).toBe(true);
      // JSON cells are quoted and round-trip.
      const created = data.find((r) => r[col('action')] === 'CreateWorkspace')!;
      expect(JSON.parse(created[col('command')])).toMatchObject({ type: 'CreateWorkspace', workspaceId: 'team-a', displayName: 'Team A' });
      expect(text).toContain('""workspaceId"":""team-a""');
      expect(text.includes('\r\n')).toBe(true);

      // A display name that a spreadsheet would run: prefixed with a quote, and quoted for its comma and quotes.
      const all = await exportCsv(auditor, '?outcome=rejected&bom=0');
      const allText = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await all.arrayBuffer());
      expect(allText.startsWith('occurred_at,')).toBe(true);
      expect(allText).toContain(`"'=HYPERLINK(""http://evil.example"",""click, me"")"`);
      const refusedRows = parseCsv(allText).slice(1);
      expect(refusedRows).toHaveLength(Number(all.headers.get('x-total-count')));
      expect(refusedRows.find((r) => r[col('actor_id')] === 'mallory')![col('actor_name')]).toBe(`'${FORMULA_NAME}`);

      await bosun.services.readModels.waitForPosition(await bosun.services.store.headPosition());
      const exports = await auditor.client.audit.list.query({ action: 'ExportAudit', actorId: 'auditor' });
      expect(exports.items.length).toBe(2);
      expect(exports.items[1]).toMatchObject({ module: 'system', outcome: 'accepted', command: { type: 'ExportAudit', workspaceId: 'team-a' } });

      const bad = await exportCsv(auditor, '?outcome=maybe');
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ field: 'outcome' });
    });

    it('lets the auditor read and change nothing; refuses a workspace admin with 403, audited', async () => {
      const createAsAuditor = await auditor.client.workspaces.create.mutate({ commandId: randomUUID(), name: 'nope', ceilingCpu: '1', ceilingMemory: '1Gi' }).catch((e) => e);
      expect(httpStatusOf(createAsAuditor)).toBe(403);

      const now = new Date().toISOString();
      for (const call of [
        () => wsAdmin.client.audit.list.query({}),
        () => wsAdmin.client.audit.stateAt.query({ kind: 'workspace', id: 'team-a', at: now }),
        () => wsAdmin.client.audit.whoHeld.query({ permission: 'containers:exec', clusterId: 'sim', namespace: 'team-a-dev', from: start, to: now }),
      ]) {
        expect(httpStatusOf(await call().catch((e) => e))).toBe(403);
      }
      const denied = await exportCsv(wsAdmin, '?workspaceId=team-a');
      expect(denied.status).toBe(403);
      expect((await exportCsv(null)).status).toBe(401);

      await bosun.services.readModels.waitForPosition(await bosun.services.store.headPosition());
      const refusals = await auditor.client.audit.list.query({ actorId: 'wsadmin', outcome: 'rejected' });
      expect(refusals.items.map((r) => r.action)).toEqual(expect.arrayContaining(['ExportAudit', 'audit.list', 'audit.stateAt', 'audit.whoHeld']));
      expect(refusals.items.find((r) => r.action === 'ExportAudit')).toMatchObject({ module: 'system', code: 'forbidden', command: { workspaceId: 'team-a' } });
    });
  });
}

describe('CSV cells', () => {
  it('quotes what RFC 4180 requires and guards cells a spreadsheet would run as formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(42)).toBe('42');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
    for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(csvCell(`${start}1+1`).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell('=SUM(A1,A2)')).toBe(`"'=SUM(A1,A2)"`);
    expect(csvLine(['a', 'b,c', null])).toBe('a,"b,c",\r\n');
  });
});

/** RFC 4180 reader: quoted fields may hold commas, doubled quotes, CR and LF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    } else cell += c;
  }
  if (cell || row.length) row.push(cell), rows.push(row);
  return rows;
}
