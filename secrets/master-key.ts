import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * The master key wraps every credential's data key. It comes from BOSUN_SECRET_KEY (base64 of 32
 * bytes) or, failing that, from `<dataDir>/secret.key`, generated on first start with mode 0600.
 * It is returned as a KeyObject so that logging it never prints the key bytes.
 */

export const MASTER_KEY_BYTES = 32;
export const SECRET_KEY_ENV = 'BOSUN_SECRET_KEY';
export const KEY_FILE_NAME = 'secret.key';

export class MasterKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MasterKeyError';
  }
}

export interface LoadedMasterKey {
  key: KeyObject;
  source: 'env' | 'file';
  /** The key file, when the key came from one. */
  path?: string;
  /** True when this call generated the key file. */
  created: boolean;
}

export interface LoadMasterKeyOptions {
  env?: Record<string, string | undefined>;
  dataDir?: string;
}

export function loadMasterKey({ env = process.env, dataDir }: LoadMasterKeyOptions): LoadedMasterKey {
  const fromEnv = env[SECRET_KEY_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    return { key: decodeKey(fromEnv, SECRET_KEY_ENV), source: 'env', created: false };
  }
  if (!dataDir) {
    throw new MasterKeyError(`no master key: set ${SECRET_KEY_ENV} (generate one with: openssl rand -base64 32) or give Bosun a data directory to keep ${KEY_FILE_NAME} in`);
  }
  const keyPath = path.join(dataDir, KEY_FILE_NAME);
  const created = createKeyFileIfMissing(dataDir, keyPath);
  return { key: readKeyFile(keyPath), source: 'file', path: keyPath, created };
}

export function generateMasterKey(): KeyObject {
  return createSecretKey(randomBytes(MASTER_KEY_BYTES));
}

/** `text` is base64 of exactly 32 bytes; the message never repeats the value. */
export function decodeKey(text: string, source: string): KeyObject {
  const compact = text.trim();
  const bytes = Buffer.from(compact, 'base64');
  const canonical = /^[A-Za-z0-9+/]+={0,2}$/.test(compact) && bytes.toString('base64').replace(/=+$/, '') === compact.replace(/=+$/, '');
  if (!canonical || bytes.length !== MASTER_KEY_BYTES) {
    const got = canonical ? `it decodes to ${bytes.length} bytes` : 'it is not valid base64';
    throw new MasterKeyError(`${source} must be the base64 encoding of exactly ${MASTER_KEY_BYTES} random bytes, but ${got}; generate one with: openssl rand -base64 32`);
  }
  return createSecretKey(bytes);
}

/** Returns true when it created the file. Safe against concurrent starts and crashes mid-write. */
function createKeyFileIfMissing(dataDir: string, keyPath: string): boolean {
  if (exists(keyPath)) return false;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Write a complete, synced temporary file, then hard-link it into place: link() fails if another
  // process got there first, and a crash never leaves a half-written key file behind.
  const tmpPath = `${keyPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmpPath, 'wx', 0o600);
  try {
    writeSync(fd, `${randomBytes(MASTER_KEY_BYTES).toString('base64')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmpPath, keyPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(tmpPath);
  }
}

function readKeyFile(keyPath: string): KeyObject {
  const stat = statSync(keyPath);
  if (!stat.isFile()) throw new MasterKeyError(`${keyPath} is not a regular file`);
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
    throw new MasterKeyError(`refusing to use ${keyPath}: it is accessible to group or others (mode ${mode}); restrict it with: chmod 600 ${keyPath}`);
  }
  try {
    return decodeKey(readFileSync(keyPath, 'utf8'), keyPath);
  } catch (error) {
    if (error instanceof MasterKeyError) {
      throw new MasterKeyError(`${error.message}. If the file was damaged, restore it from a backup: without it the stored credentials cannot be decrypted`);
    }
    throw error;
  }
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
