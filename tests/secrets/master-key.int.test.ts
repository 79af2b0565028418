import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { randomBytes } from 'node:crypto';
import { MasterKeyError, loadMasterKey } from '../../secrets/master-key';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'bosun-key-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function keyError(fn: () => unknown): MasterKeyError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MasterKeyError);
    return e as MasterKeyError;
  }
  throw new Error('expected a MasterKeyError');
}

describe('loadMasterKey', () => {
  it('takes BOSUN_SECRET_KEY when it is base64 of 32 bytes', () => {
    const raw = randomBytes(32);
    const loaded = loadMasterKey({ env: { BOSUN_SECRET_KEY: raw.toString('base64') }, dataDir: dir });
    expect(loaded.source).toBe('env');
    expect(loaded.key.export().equals(raw)).toBe(true);
    expect(() => statSync(path.join(dir, 'secret.key'))).toThrow(); // no file written
  });

  it('refuses a BOSUN_SECRET_KEY of another size or not base64, without echoing it', () => {
    const short = randomBytes(16).toString('base64');
    const err = keyError(() => loadMasterKey({ env: { BOSUN_SECRET_KEY: short } }));
    expect(err.message).toMatch(/BOSUN_SECRET_KEY must be the base64 encoding of exactly 32 random bytes, but it decodes to 16 bytes/);
    expect(err.message).toContain('openssl rand -base64 32');
    expect(err.message).not.toContain(short);

    const garbage = 'not base64 at all!!';
    const err2 = keyError(() => loadMasterKey({ env: { BOSUN_SECRET_KEY: garbage } }));
    expect(err2.message).toMatch(/not valid base64/);
    expect(err2.message).not.toContain(garbage);
  });

  it('generates <dataDir>/secret.key with mode 0600 and reuses it', () => {
    const dataDir = path.join(dir, 'nested', 'data');
    const first = loadMasterKey({ env: {}, dataDir });
    const keyPath = path.join(dataDir, 'secret.key');
    expect(first).toMatchObject({ source: 'file', path: keyPath, created: true });
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(keyPath, 'utf8').trim(), 'base64')).toHaveLength(32);

    const second = loadMasterKey({ env: {}, dataDir });
    expect(second.created).toBe(false);
    expect(second.key.equals(first.key)).toBe(true);
  });

  it('refuses a key file readable by group or others, naming the chmod fix', () => {
    loadMasterKey({ env: {}, dataDir: dir });
    const keyPath = path.join(dir, 'secret.key');
    chmodSync(keyPath, 0o644);
    const err = keyError(() => loadMasterKey({ env: {}, dataDir: dir }));
    expect(err.message).toContain('mode 0644');
    expect(err.message).toContain(`chmod 600 ${keyPath}`);
  });

  it('refuses a damaged key file instead of replacing it', () => {
    const keyPath = path.join(dir, 'secret.key');
    writeFileSync(keyPath, 'abc\n', { mode: 0o600 });
    const err = keyError(() => loadMasterKey({ env: {}, dataDir: dir }));
    expect(err.message).toMatch(/restore it from a backup/);
    expect(readFileSync(keyPath, 'utf8')).toBe('abc\n');
  });

  it('needs either the variable or a data directory', () => {
    expect(keyError(() => loadMasterKey({ env: {} })).message).toMatch(/set BOSUN_SECRET_KEY/);
  });

  it('never prints the key when logged', () => {
    const raw = randomBytes(32);
    const { key } = loadMasterKey({ env: { BOSUN_SECRET_KEY: raw.toString('base64') } });
    const printed = inspect(key) + JSON.stringify({ key }) + String(key);
    expect(printed).not.toContain(raw.toString('base64'));
    expect(printed).not.toContain(raw.toString('hex'));
  });
});
