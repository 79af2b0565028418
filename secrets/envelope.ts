import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';

/**
 * Envelope encryption with AES-256-GCM: a fresh data key per secret encrypts the secret, and the
 * master key encrypts ("wraps") the data key. Both layers authenticate the secret's id as AAD, so
 * a row copied under another id does not decrypt.
 */

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;
const WRAP_FORMAT_V1 = 1;
/** version (1) ‖ iv (12) ‖ tag (16) ‖ encrypted data key (32) */
const WRAPPED_KEY_BYTES = 1 + IV_BYTES + TAG_BYTES + DATA_KEY_BYTES;

export interface SealedSecret {
  wrappedKey: Buffer;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

export class SecretDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretDecryptionError';
  }
}

const dataAad = (id: string) => Buffer.from(`bosun.credential.v1\0${id}`, 'utf8');
const keyAad = (id: string) => Buffer.from(`bosun.credential-key.v1\0${id}`, 'utf8');

export function seal(masterKey: KeyObject, id: string, plaintext: Buffer): SealedSecret {
  const dataKey = randomBytes(DATA_KEY_BYTES);
  try {
    const { iv, tag, ciphertext } = encrypt(dataKey, plaintext, dataAad(id));
    const wrapped = encrypt(masterKey, dataKey, keyAad(id));
    const wrappedKey = Buffer.concat([Buffer.from([WRAP_FORMAT_V1]), wrapped.iv, wrapped.tag, wrapped.ciphertext]);
    return { wrappedKey, iv, tag, ciphertext };
  } finally {
    dataKey.fill(0);
  }
}

export function unseal(masterKey: KeyObject, id: string, sealed: SealedSecret): Buffer {
  const dataKey = unwrapDataKey(masterKey, id, sealed.wrappedKey);
  try {
    return decrypt(dataKey, sealed.iv, sealed.tag, sealed.ciphertext, dataAad(id));
  } catch {
    throw new SecretDecryptionError(`credential "${id}" failed authentication: its ciphertext was altered`);
  } finally {
    dataKey.fill(0);
  }
}

function unwrapDataKey(masterKey: KeyObject, id: string, wrappedKey: Buffer): Buffer {
  if (wrappedKey.length !== WRAPPED_KEY_BYTES || wrappedKey[0] !== WRAP_FORMAT_V1) {
    throw new SecretDecryptionError(`credential "${id}" has a wrapped key in an unknown format`);
  }
  const iv = wrappedKey.subarray(1, 1 + IV_BYTES);
  const tag = wrappedKey.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const encryptedKey = wrappedKey.subarray(1 + IV_BYTES + TAG_BYTES);
  try {
    return decrypt(masterKey, iv, tag, encryptedKey, keyAad(id));
  } catch {
    throw new SecretDecryptionError(
      `cannot unwrap the data key of credential "${id}": the master key differs from the one it was stored with (was BOSUN_SECRET_KEY or secret.key changed?), or the row was altered`,
    );
  }
}

function encrypt(key: KeyObject | Buffer, plaintext: Buffer, aad: Buffer): { iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

function decrypt(key: KeyObject | Buffer, iv: Buffer, tag: Buffer, ciphertext: Buffer, aad: Buffer): Buffer {
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new Error('bad iv or tag length');
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}
