import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { startKubeSim, type KubeSim } from '../kube-sim';
import { startBosun, type RunningBosun } from '../../app/bosun';
import { bosunClient } from '../support/bosun-client';
import { addNodes } from '../support/kube-nodes';
import { createTestDatabase } from '../support/postgres';

/** Known secret strings planted in kubeconfigs and passwords; none may surface anywhere readable. */
const TOKEN = `planted-token-${randomUUID()}`;
const WRONG_TOKEN = `planted-wrong-token-${randomUUID()}`;
const ADMIN_PASSWORD = `planted-Password-${randomUUID()}`;
const BASIC_PASSWORD = `planted-basic-${randomUUID()}`;
const planted = [TOKEN, WRONG_TOKEN, ADMIN_PASSWORD, BASIC_PASSWORD];

describe('secrets never reach events, read models or logs', () => {
  let sim: KubeSim;
  let bosun: RunningBosun;
  let dataDir: string;
  let drop: () => Promise<void>;
  const logs: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    sim = await startKubeSim({ nodes: 0, users: [{ name: 'admin', token: TOKEN, groups: ['system:masters'] }] });
    await addNodes(sim.kubeconfig, 1);
    dataDir = mkdtempSync(join(tmpdir(), 'bosun-secrets-'));
    const db = await createTestDatabase('bosun_secrets');
    drop = db.drop;
    const stream = new Writable({ write(chunk, _enc, done) { logs.push(String(chunk)); done(); } });
    bosun = await startBosun({
      config: { dataDir, port: 0, databaseUrl: db.url, adminPassword: ADMIN_PASSWORD, resyncSeconds: 1 },
      logger: { level: 'trace', stream },
    });
  });

  afterAll(async () => {
    await bosun?.stop();
    await sim?.stop();
    await drop?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the flows with planted secrets, then finds none of them', async () => {
    const { client: api } = bosunClient(bosun.url);
    await expect(api.auth.login.mutate({ username: 'admin', password: 'wrong-' + ADMIN_PASSWORD })).rejects.toBeTruthy();
    await api.auth.login.mutate({ username: 'admin', password: ADMIN_PASSWORD });

    const ok = await api.clusters.register.mutate({ commandId: randomUUID(), name: 'sim', kubeconfig: sim.kubeconfig });
    // A 401 from the API server, a kubeconfig with a basic-auth password and one with an exec
    // plugin: each refused, and none may echo the credential back.
    const wrong = sim.kubeconfig.replace(TOKEN, WRONG_TOKEN);
    const unauthorized = await api.clusters.register.mutate({ commandId: randomUUID(), name: 'bad', kubeconfig: wrong }).catch((e) => e);
    errors.push(unauthorized.message);
    const basic = sim.kubeconfig.replace(`token: ${TOKEN}`, `username: admin\n      password: ${BASIC_PASSWORD}`);
    const basicRefused = await api.clusters.register.mutate({ commandId: randomUUID(), name: 'basic', kubeconfig: basic }).catch((e) => e);
    expect(basicRefused.message).toMatch(/401|credentials|rejected/i);
    errors.push(basicRefused.message);
    const exec = sim.kubeconfig.replace(`token: ${TOKEN}`, `token: ${TOKEN}\n      exec:\n        command: /bin/sh\n        args: ["-c", "echo ${BASIC_PASSWORD}"]`);
    const execRefused = await api.clusters.register.mutate({ commandId: randomUUID(), name: 'exec', kubeconfig: exec }).catch((e) => e);
    expect(execRefused.message).toMatch(/exec/);
    errors.push(execRefused.message);

    await bosun.services.readModels.waitForPosition(ok.position);
    expect((await api.clusters.get.query({ clusterId: 'sim' })).nodeCount).toBe(1);

    // 1. The event store, every event.
    const events = JSON.stringify(await bosun.services.store.readAll({ limit: 100_000 }));
    // 2. Every table of the database, every row, as text (the credentials table holds only ciphertext).
    const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = 'public'`.execute(bosun.services.db);
    let dump = '';
    for (const { table_name } of tables.rows) {
      const rows = await sql`select * from ${sql.table(table_name)}`.execute(bosun.services.db);
      dump += JSON.stringify(rows.rows, (_k, v) => (v instanceof Uint8Array || Buffer.isBuffer(v) ? Buffer.from(v).toString('latin1') : v));
    }
    // 3. Everything the server logged at trace level, and the data directory's files.
    const logText = logs.join('');
    let files = '';
    for (const name of readdirSync(dataDir, { recursive: true }) as string[]) {
      const path = join(dataDir, name);
      if (statSync(path).isFile() && !path.includes('pglite')) files += readFileSync(path, 'latin1');
    }

    expect(tables.rows.length).toBeGreaterThan(5);
    expect(logText.length).toBeGreaterThan(100);
    expect(events).toContain('ClusterRegistered');
    for (const secret of planted) {
      expect(events, 'event store').not.toContain(secret);
      expect(dump, 'read models').not.toContain(secret);
      expect(logText, 'logs').not.toContain(secret);
      expect(files, 'data directory').not.toContain(secret);
      for (const message of errors) expect(message, 'error messages').not.toContain(secret);
    }
  });
});
