import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { openDatabase, type OpenedDatabase } from '../../db/connect';
import { migrateToLatest } from '../../db/migrate';
import { CredentialNotFoundError, CredentialStore, SecretDecryptionError } from '../../secrets/credential-store';
import { generateMasterKey } from '../../secrets/master-key';
import { fingerprintOf } from '../../secrets/fingerprint';
import { createTestDatabase } from '../support/postgres';

const SECRET = {
  server: 'https://10.0.0.1:6443',
  credentials: { kind: 'token', token: 'eyJhbGciOiJSUzI1NiJ9.SUPERSECRET-TOKEN-VALUE.sig' },
};

const engines: [string, () => Promise<{ opened: OpenedDatabase; cleanup: () => Promise<void> }>][] = [
  ['PGlite', async () => {
    const opened = await openDatabase({ kind: 'pglite' });
    return { opened, cleanup: () => opened.close() };
  }],
  ['PostgreSQL', async () => {
    const database = await createTestDatabase('credentials');
    const opened = await openDatabase({ kind: 'postgres', url: database.url });
    return { opened, cleanup: async () => { await opened.close(); await database.drop(); } };
  }],
];

describe.each(engines)('CredentialStore on %s', (_engine, open) => {
  let db: Kysely<any>;
  let cleanup: () => Promise<void>;
  const masterKey = generateMasterKey();
  let store: CredentialStore;

  beforeAll(async () => {
    const opened = await open();
    db = opened.opened.db;
    cleanup = opened.cleanup;
    await migrateToLatest(db, { include: (name) => name === '2026_11_22_0100_credentials' });
    store = new CredentialStore(db, masterKey);
  });
  afterAll(() => cleanup());

  const rawRow = (id: string) => db.selectFrom('credentials').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('round-trips a secret and returns a ref and fingerprint', async () => {
    const stored = await store.put('cluster-1', SECRET);
    expect(stored).toEqual({ ref: 'cluster-1', fingerprint: fingerprintOf(SECRET) });
    expect(stored.fingerprint).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(await store.get(stored.ref)).toEqual(SECRET);
    expect(await store.fingerprint(stored.ref)).toBe(stored.fingerprint);
  });

  it('never stores the plaintext, in any column', async () => {
    await store.put('cluster-plain', SECRET);
    const row = await rawRow('cluster-plain');
    const bytes = Buffer.concat(Object.values(row).map((v) =>
      v instanceof Uint8Array ? Buffer.from(v) : Buffer.from(String(v instanceof Date ? v.toISOString() : v))));
    for (const needle of [SECRET.credentials.token, 'SUPERSECRET', JSON.stringify(SECRET), '10.0.0.1']) {
      expect(bytes.includes(Buffer.from(needle))).toBe(false);
      expect(bytes.includes(Buffer.from(Buffer.from(needle).toString('base64')))).toBe(false);
    }
  });

  it('uses a fresh data key and IV for every put', async () => {
    await store.put('a', SECRET);
    await store.put('b', SECRET);
    const [a, b] = [await rawRow('a'), await rawRow('b')];
    expect(Buffer.from(a.wrapped_key).equals(Buffer.from(b.wrapped_key))).toBe(false);
    expect(Buffer.from(a.ciphertext).equals(Buffer.from(b.ciphertext))).toBe(false);
    expect(Buffer.from(a.iv).equals(Buffer.from(b.iv))).toBe(false);
    expect(a.fingerprint).toBe(b.fingerprint);
  });

  it('replaces a credential stored again under the same id', async () => {
    await store.put('rotate', SECRET);
    const before = await rawRow('rotate');
    const rotated = { ...SECRET, credentials: { kind: 'token', token: 'new-token' } };
    const stored = await store.put('rotate', rotated);
    expect(await store.get('rotate')).toEqual(rotated);
    expect(stored.fingerprint).not.toBe(fingerprintOf(SECRET));
    expect(Buffer.from((await rawRow('rotate')).wrapped_key).equals(Buffer.from(before.wrapped_key))).toBe(false);
  });

  it('fails with another master key', async () => {
    await store.put('wrong-key', SECRET);
    const other = new CredentialStore(db, generateMasterKey());
    await expect(other.get('wrong-key')).rejects.toThrow(SecretDecryptionError);
    await expect(other.get('wrong-key')).rejects.toThrow(/master key differs/);
  });

  it.each([
    ['ciphertext', 'ciphertext'],
    ['tag', 'tag'],
    ['iv', 'iv'],
    ['wrapped_key', 'wrapped_key'],
  ])('detects tampering with %s', async (_name, column) => {
    const id = `tamper-${column}`;
    await store.put(id, SECRET);
    const row = await rawRow(id);
    const altered = Buffer.from(row[column]);
    altered[altered.length - 1] ^= 0x01;
    await db.updateTable('credentials').set({ [column]: altered }).where('id', '=', id).execute();
    await expect(store.get(id)).rejects.toThrow(SecretDecryptionError);
  });

  it('binds the ciphertext to its id (a row copied under another id does not decrypt)', async () => {
    await store.put('original', SECRET);
    await sql`INSERT INTO credentials (id, wrapped_key, iv, tag, ciphertext, fingerprint, created_at)
              SELECT 'copy', wrapped_key, iv, tag, ciphertext, fingerprint, created_at FROM credentials WHERE id = 'original'`.execute(db);
    await expect(store.get('copy')).rejects.toThrow(SecretDecryptionError);
    expect(await store.get('original')).toEqual(SECRET);
  });

  it('destroy deletes the key material; get then fails', async () => {
    const { ref } = await store.put('doomed', SECRET);
    expect(await store.destroy(ref)).toBe(true);
    await expect(store.get(ref)).rejects.toThrow(CredentialNotFoundError);
    const rows = await db.selectFrom('credentials').select('id').where('id', '=', ref).execute();
    expect(rows).toHaveLength(0);
    expect(await store.destroy(ref)).toBe(false);
    expect(await store.fingerprint(ref)).toBeUndefined();
  });

  it('get of an unknown ref fails clearly', async () => {
    await expect(store.get('never-stored')).rejects.toThrow(/credential "never-stored" does not exist/);
  });
});
