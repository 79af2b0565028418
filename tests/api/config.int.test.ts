/**
 * Config and storage over the API against kube-sim: every kind created from a form-shaped object
 * and from YAML, edited and deleted; a Secret's planted value reaches the cluster and nowhere else
 * (events, every table, the API's logs); reveal for who holds secrets:reveal, refused and audited
 * for the others; bad input refused naming the field with nothing written; a refusal by the API
 * server relayed with its message and recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { KubeConfig } from '@kubernetes/client-node';
import { sql } from 'kysely';
import { refusalOf } from '../support/bosun-client';
import { CLUSTER, NS_A, NS_A2, startTenants, type Tenants } from './support/tenants';
import { clusterClient, type ClusterClient } from '../../reconcilers/runtime/kube';
import { streamIds } from '../../domain/streams';

const id = () => randomUUID();
const PLANT = `planted-secret-${randomUUID()}`;
const PLANT_EDITED = `planted-edited-${randomUUID()}`;

const forms = {
  ConfigMap: (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { LOG_LEVEL: 'info', 'app.properties': 'a=1\nb=2\n' } }),
  Secret: (name: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'Opaque', stringData: { username: 'app', password: PLANT } }),
  Service: (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'ClusterIP', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] } }),
  Ingress: (name: string) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name },
    spec: { rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
  }),
  PersistentVolumeClaim: (name: string) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'standard' },
  }),
} as const;

const yamls = {
  ConfigMap: (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  MODE: yaml\n`,
  Secret: (name: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\ntype: Opaque\ndata:\n  token: ${Buffer.from(PLANT).toString('base64')}\n`,
  Service: (name: string) => `kind: Service\nmetadata:\n  name: ${name}\n  namespace: ${NS_A}\nspec:\n  selector:\n    app: api\n  ports:\n    - port: 8080\n`,
  Ingress: (name: string) =>
    `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: ${name}\nspec:\n  rules:\n    - host: api.example.com\n      http:\n        paths:\n          - path: /api\n            pathType: Prefix\n            backend:\n              service:\n                name: api\n                port:\n                  number: 8080\n`,
  PersistentVolumeClaim: (name: string) => `kind: PersistentVolumeClaim\nmetadata:\n  name: ${name}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 2Gi\n`,
} as const;

const kinds = Object.keys(forms) as (keyof typeof forms)[];
const apiVersionOf = (kind: string) => (kind === 'Ingress' ? 'networking.k8s.io/v1' : 'v1');

describe('config and storage API', () => {
  let t: Tenants;
  let dev: Tenants['admin']['client'];
  let kube: ClusterClient;
  const logs: string[] = [];

  const live = (kind: string, name: string, namespace = NS_A) => kube.get({ apiVersion: apiVersionOf(kind), kind, metadata: { name, namespace } }) as Promise<Record<string, any> | undefined>;
  const eventsOf = async (kind: string, name: string) => (await t.bosun.services.store.readStream(streamIds.config(CLUSTER, NS_A, kind, name))).map((e) => e.type);

  beforeAll(async () => {
    const stream = new Writable({
      write(chunk, _enc, done) {
        logs.push(String(chunk));
        done();
      },
    });
    t = await startTenants({ logger: { level: 'trace', stream } });
    dev = t.as.developer.client;
    const kc = new KubeConfig();
    kc.loadFromString(t.sim.kubeconfig);
    kube = clusterClient(kc, { fieldManager: 'test', timeoutMs: 10_000 });
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
  });

  it('creates every kind from a form and from YAML; lists show them, a Secret by keys and type only', async () => {
    for (const kind of kinds) {
      const fromForm = await dev.config.save.mutate({ commandId: id(), clusterId: CLUSTER, namespace: NS_A, mode: 'create', kind, manifest: forms[kind](`${kind.toLowerCase()}-form`) });
      expect(fromForm).toMatchObject({ kind, name: `${kind.toLowerCase()}-form`, created: true });
      const fromYaml = await dev.config.save.mutate({ commandId: id(), clusterId: CLUSTER, namespace: NS_A, mode: 'create', manifest: yamls[kind](`${kind.toLowerCase()}-yaml`) });
      expect(fromYaml).toMatchObject({ kind, name: `${kind.toLowerCase()}-yaml`, created: true });
      for (const name of [`${kind.toLowerCase()}-form`, `${kind.toLowerCase()}-yaml`]) {
        const object = await live(kind, name);
        expect(object, `${kind} ${name} on the cluster`).toBeDefined();
        expect(object!.metadata.labels['app.kubernetes.io/managed-by']).toBe('bosun');
        expect(object!.metadata.managedFields.map((f: { manager: string }) => f.manager)).toContain('bosun');
        expect(await eventsOf(kind, name)).toEqual(['ConfigObjectApplied']);
      }
      const rows = await dev.config.list.query({ clusterId: CLUSTER, namespace: NS_A, kind });
      expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining([`${kind.toLowerCase()}-form`, `${kind.toLowerCase()}-yaml`]));
    }
    const secret = await live('Secret', 'secret-form');
    expect(Buffer.from(secret!.data.password, 'base64').toString()).toBe(PLANT);
    const secrets = await dev.config.list.query({ clusterId: CLUSTER, namespace: NS_A, kind: 'Secret' });
    expect(secrets.find((r) => r.name === 'secret-form')).toMatchObject({ keys: ['password', 'username'], type: 'Opaque' });
    expect(JSON.stringify(secrets)).not.toContain(PLANT);
    const services = await dev.config.list.query({ clusterId: CLUSTER, namespace: NS_A, kind: 'Service' });
    expect(services.find((r) => r.name === 'service-form')!.ports).toEqual(['http 80→8080/TCP']);
    const pvcs = await dev.config.list.query({ clusterId: CLUSTER, namespace: NS_A, kind: 'PersistentVolumeClaim' });
    expect(pvcs.find((r) => r.name === 'persistentvolumeclaim-yaml')).toMatchObject({ storage: '2Gi', accessModes: ['ReadWriteOnce'] });
    const ingresses = await dev.config.list.query({ clusterId: CLUSTER, namespace: NS_A, kind: 'Ingress' });
    expect(ingresses.find((r) => r.name === 'ingress-form')!.rules).toEqual([{ host: 'web.example.com', path: '/', service: 'web', port: '80' }]);
    // The event of a Secret holds keys, fingerprints and type.
    const [event] = await t.bosun.services.store.readStream(streamIds.config(CLUSTER, NS_A, 'Secret', 'secret-form'));
    expect(event.data).toMatchObject({ kind: 'Secret', secret: { type: 'Opaque', keys: [{ key: 'password' }, { key: 'username' }] } });
    expect((event.data as any).secret.keys[0].fingerprint).toMatch(/^hmac-sha256:[0-9a-f]{32}$/);
    expect((event.data as any).manifest.data).toBeUndefined();
    // Creating what exists is refused.
    const again = await refusalOf(dev.config.save.mutate({ commandId: id(), clusterId: CLUSTER, namespace: NS_A, mode: 'create', manifest: forms.ConfigMap('configmap-form') }));
    expect(again).toMatchObject({ status: 409, field: 'manifest.metadata.name' });
  }, 60_000);

  it('edits a ConfigMap from YAML and a Secret with masked values kept', async () => {
    const got = await dev.config.get.query({ clusterId: CLUSTER, namespace: NS_A, kind: 'ConfigMap', name: 'configmap-yaml' });
    expect(got.yaml).toContain('MODE: yaml');
    expect(got.yaml).not.toContain('managedFields');
    await dev.config.save.mutate({ commandId: id(), clusterId: CLUSTER, namespace: NS_A, mode: 'update', kind: 'ConfigMap', name: 'configmap-yaml', manifest: got.yaml.replace('MODE: yaml', 'MODE: edited') });
    expect((await live('ConfigMap', 'configmap-yaml'))!.data).toEqual({ MODE: 'edited' });

    const secret = await dev.config.get.query({ clusterId: CLUSTER, namespace: NS_A, kind: 'Secret', name: 'secret-form' });
    expect(secret.object.stringData).toEqual({ password: '••••', username: '••••' });
    expect(JSON.stringify(secret)).not.toContain(PLANT);
    const edited = { ...secret.object, stringData: { ...secret.object.stringData, username: PLANT_EDITED } };
    await dev.config.save.mutate({ commandId: id(), clusterId: CLUSTER, namespace: NS_A, mode: 'update', kind: 'Secret', name: 'secret-form', manifest: edited });
    const after = await live('Secret', 'secret-form');
    expect(Buffer.from(after!.data.password, 'base64').toString()).toBe(PLANT);
    expect(Buffer.from(after!.data.username, 'base64').toString()).toBe(PLANT_EDITED);
    const [first, second] = await t.bosun.services.store.readStream(streamIds.config(CLUSTER, NS_A, 'Secret', 'secret-form'));
    const fp = (e: any, key: string) => e.data.secret.keys.find((k: any) => k.key === key).fingerprint;
    expect(fp(second, 'password')).toBe(fp(first, 'password')); // unchanged value, same fingerprint
    expect(fp(second, 'username')).not.toBe(fp(first, 'username'));

    // A mask for a key the Secret does not have cannot be kept.
    const unknown = await refusalOf(
      dev.config.save.mutate({ commandId: id(), clusterId: CLUSTER, namespace: NS_A, mode: 'update', kind: 'Secret', name: 'secret-form', manifest: { ...secret.object, stringData: { other: '••••' } } }),
    );
    expect(unknown).toMatchObject({ status: 400, field: 'manifest.stringData.other' });
  });

  it('deletes an object: event first, then gone from the cluster', async () => {
    await dev.config.delete.mutate({ commandId: id(), clusterId: CLUSTER, namespace: NS_A, kind: 'Service', name: 'service-yaml' });
    expect(await live('Service', 'service-yaml')).toBeUndefined();
    expect(await eventsOf('Service', 'service-yaml')).toEqual(['ConfigObjectApplied', 'ConfigObjectDeleted']);
    const missing = await refusalOf(dev.config.delete.mutate({ commandId: id(), clusterId: CLUSTER, namespace: NS_A, kind: 'Service', name: 'service-yaml' }));
    expect(missing).toMatchObject({ status: 404, field: 'name' });
  });

  it('reveals values to a developer and audits it; refuses a tester and a viewer, audited too', async () => {
    const revealed = await dev.config.reveal.mutate({ clusterId: CLUSTER, namespace: NS_A, name: 'secret-form', key: 'password' });
    expect(revealed.values).toEqual([{ key: 'password', value: PLANT, encoding: 'utf8' }]);
    const all = await dev.config.reveal.mutate({ clusterId: CLUSTER, namespace: NS_A, name: 'secret-yaml' });
    expect(all.values).toEqual([{ key: 'token', value: PLANT, encoding: 'utf8' }]);
    for (const role of ['tester', 'viewer']) {
      const refused = await refusalOf(t.as[role].client.config.reveal.mutate({ clusterId: CLUSTER, namespace: NS_A, name: 'secret-form', key: 'password' }));
      expect(refused.status, role).toBe(403);
      expect(refused.message).toContain('permission secrets:reveal');
    }
    // The tester still sees the Secret's keys (workloads:read) and deploys (apps:deploy).
    expect((await t.as.tester.client.config.list.query({ clusterId: CLUSTER, namespace: NS_A, kind: 'Secret' })).length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    const audit = await t.bosun.services.db.selectFrom('audit_records').selectAll().where('action', 'in', ['RevealSecret', 'config.reveal']).execute();
    const summary = audit.map((r: any) => `${r.actor_id} ${r.action} ${r.code ?? 'ok'}`);
    expect(summary).toEqual(expect.arrayContaining(['r-developer RevealSecret ok', 'r-tester config.reveal forbidden', 'r-viewer config.reveal forbidden']));
    expect(summary.filter((s) => s.startsWith('r-developer RevealSecret'))).toHaveLength(2);
    expect(JSON.stringify(audit)).not.toContain(PLANT);
  });

  it('refuses bad YAML, a wrong kind and another namespace naming the field, writing nothing', async () => {
    const cases = [
      { manifest: 'kind: ConfigMap\nmetadata:\n  name: bad\n    indent: wrong\n', field: 'manifest', message: /^manifest: line \d+, column \d+: YAML does not parse/ },
      { manifest: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bad\n', field: 'manifest.kind', message: /manifest\.kind: line 2: kind "Deployment" is not managed here/ },
      { manifest: `kind: ConfigMap\nmetadata:\n  name: bad\n  namespace: ${NS_A2}\n`, field: 'manifest.metadata.namespace', message: /manifest\.metadata\.namespace: line 4: must be "a-dev"/ },
      { manifest: { kind: 'Secret', metadata: { name: 'bad' }, data: { password: 'not base64 at all!' } }, field: 'manifest.data.password', message: /must be base64/ },
    ];
    for (const c of cases) {
      const commandId = id();
      const refused = await refusalOf(dev.config.save.mutate({ commandId, clusterId: CLUSTER, namespace: NS_A, mode: 'create', manifest: c.manifest as any }));
      expect(refused.status, c.field).toBe(400);
      expect(refused.field).toBe(c.field);
      expect(refused.message).toMatch(c.message);
      expect(refused.message).not.toContain('not base64 at all');
      expect(await t.bosun.services.store.readStream(`command-${commandId}`)).toEqual([]);
    }
    for (const kind of ['ConfigMap', 'Secret']) {
      expect(await eventsOf(kind, 'bad')).toEqual([]);
      expect(await live(kind, 'bad')).toBeUndefined();
    }
  });

  it('relays a refusal of the API server (an immutable ConfigMap) as a 4xx with its message, and records it', async () => {
    await dev.config.save.mutate({ commandId: id(), clusterId: CLUSTER, namespace: NS_A, mode: 'create', manifest: { kind: 'ConfigMap', metadata: { name: 'frozen' }, immutable: true, data: { A: '1' } } });
    const refused = await refusalOf(
      dev.config.save.mutate({ commandId: id(), clusterId: CLUSTER, namespace: NS_A, mode: 'update', kind: 'ConfigMap', name: 'frozen', manifest: { kind: 'ConfigMap', metadata: { name: 'frozen' }, immutable: true, data: { A: '2' } } }),
    );
    expect(refused.status).toBe(400);
    expect(refused.message).toContain('field is immutable');
    expect(refused.field).toBe('manifest.data');
    expect((await live('ConfigMap', 'frozen'))!.data).toEqual({ A: '1' });
    const events = await t.bosun.services.store.readStream(streamIds.config(CLUSTER, NS_A, 'ConfigMap', 'frozen'));
    expect(events.map((e) => e.type)).toEqual(['ConfigObjectApplied', 'ConfigObjectApplied', 'ConfigObjectApplyFailed']);
    expect((events[2].data as any).reason).toContain('field is immutable');
    expect((events[2].data as any).status).toBe(422);
  });

  it('keeps the planted Secret values out of the event store, every table and the logs', async () => {
    const encoded = [PLANT, PLANT_EDITED].flatMap((p) => [p, Buffer.from(p).toString('base64')]);
    const events = JSON.stringify(await t.bosun.services.store.readAll({ limit: 100_000 }));
    expect(events).toContain('ConfigObjectApplied');
    const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = 'public'`.execute(t.bosun.services.db);
    let dump = '';
    for (const { table_name } of tables.rows) {
      const rows = await sql`select * from ${sql.table(table_name)}`.execute(t.bosun.services.db);
      dump += JSON.stringify(rows.rows, (_k, v) => (v instanceof Uint8Array || Buffer.isBuffer(v) ? Buffer.from(v).toString('latin1') : v));
    }
    expect(tables.rows.length).toBeGreaterThan(5);
    const logText = logs.join('');
    expect(logText).toContain('config.save');
    for (const secret of encoded) {
      expect(events, 'event store').not.toContain(secret);
      expect(dump, 'read models').not.toContain(secret);
      expect(logText, 'logs').not.toContain(secret);
    }
    // ... while the cluster holds them.
    expect(Buffer.from((await live('Secret', 'secret-yaml'))!.data.token, 'base64').toString()).toBe(PLANT);
  });
});
