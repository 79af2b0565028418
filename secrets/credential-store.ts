import type { KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import { seal, unseal } from './envelope';
import { fingerprintOf } from './fingerprint';
import { valueFingerprinter, type ValueFingerprinter } from './value-fingerprint';

export { SecretDecryptionError } from './envelope';

/**
 * Credentials (kubeconfig secrets and the like) live here, never in events: events carry the `ref`
 * and the `fingerprint` that `put` returns. Table `credentials`, created by
 * migrations/2026_11_22_0100_credentials.ts.
 */

export interface StoredCredential {
  /** What events carry to point at the credential; pass it to get/destroy. */
  ref: string;
  /** `sha256:` + 16 hex digits of the canonical secret: shows whether two credentials are the same. */
  fingerprint: string;
}

export class CredentialNotFoundError extends Error {
  constructor(readonly ref: string) {
    super(`credential "${ref}" does not exist (it was never stored, or it was destroyed)`);
    this.name = 'CredentialNotFoundError';
  }
}

const TABLE = 'credentials';
const MAX_ID_LENGTH = 256;

export class CredentialStore {
  constructor(
    private readonly db: Kysely<any>,
    private readonly masterKey: KeyObject,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private fingerprinter: ValueFingerprinter | undefined;

  /** A keyed fingerprint (HMAC-SHA256 under a key derived from the master key) of a secret value: safe to record. */
  valueFingerprint(value: Uint8Array | string): string {
    this.fingerprinter ??= valueFingerprinter(this.masterKey);
    return this.fingerprinter(value);
  }

  /**
   * Encrypts `secret` under a fresh data key and stores it as `id`. Storing again under the same id
   * replaces the credential (and its data key): the way to rotate it.
   */
  async put(id: string, secret: object): Promise<StoredCredential> {
    checkId(id);
    if (secret === null || typeof secret !== 'object') throw new TypeError('a credential must be an object');
    const fingerprint = fingerprintOf(secret);
    const plaintext = Buffer.from(JSON.stringify(secret), 'utf8');
    const sealed = seal(this.masterKey, id, plaintext);
    plaintext.fill(0);
    const row = {
      wrapped_key: sealed.wrappedKey,
      iv: sealed.iv,
      tag: sealed.tag,
      ciphertext: sealed.ciphertext,
      fingerprint,
      created_at: this.now(),
    };
    await this.db
      .insertInto(TABLE)
      .values({ id, ...row })
      .onConflict((oc) => oc.column('id').doUpdateSet(row))
      .execute();
    return { ref: id, fingerprint };
  }

  async get<T = unknown>(ref: string): Promise<T> {
    checkId(ref);
    const row = await this.db
      .selectFrom(TABLE)
      .select(['wrapped_key', 'iv', 'tag', 'ciphertext'])
      .where('id', '=', ref)
      .executeTakeFirst();
    if (!row) throw new CredentialNotFoundError(ref);
    const plaintext = unseal(this.masterKey, ref, {
      wrappedKey: toBuffer(row.wrapped_key),
      iv: toBuffer(row.iv),
      tag: toBuffer(row.tag),
      ciphertext: toBuffer(row.ciphertext),
    });
    try {
      return JSON.parse(plaintext.toString('utf8')) as T;
    } finally {
      plaintext.fill(0);
    }
  }

  /** The fingerprint recorded with the credential, without decrypting it; undefined when absent. */
  async fingerprint(ref: string): Promise<string | undefined> {
    checkId(ref);
    const row = await this.db.selectFrom(TABLE).select('fingerprint').where('id', '=', ref).executeTakeFirst();
    return row?.fingerprint;
  }

  /**
   * Crypto-shredding: deleting the row deletes the only copy of the data key, so the secret can no
   * longer be recovered. Returns false when there was nothing to destroy.
   */
  async destroy(ref: string): Promise<boolean> {
    checkId(ref);
    const deleted = await this.db.deleteFrom(TABLE).where('id', '=', ref).returning('id').execute();
    return deleted.length > 0;
  }
}

function checkId(id: string): void {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) {
    throw new TypeError(`a credential id must be a non-empty string of at most ${MAX_ID_LENGTH} characters`);
  }
}

/** pg returns bytea as Buffer, PGlite as Uint8Array. */
function toBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError('expected a bytea column');
}
