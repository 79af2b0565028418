import { createHmac, hkdfSync, type KeyObject } from 'node:crypto';

/**
 * Fingerprints of secret values that may be recorded (a Secret's keys in events): HMAC-SHA256
 * under a key derived from the master key (HKDF, its own purpose label), so equal values give equal
 * fingerprints on this installation while nobody without the master key can test a guess against
 * one, as they could with a plain hash of a short password. 128 bits are kept.
 */
export const VALUE_FINGERPRINT_PREFIX = 'hmac-sha256:';
const PURPOSE = 'bosun/secret-value-fingerprint/v1';

export type ValueFingerprinter = (value: Uint8Array | string) => string;

export function valueFingerprinter(masterKey: KeyObject): ValueFingerprinter {
  const key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), PURPOSE, 32));
  return (value) => VALUE_FINGERPRINT_PREFIX + createHmac('sha256', key).update(value).digest('hex').slice(0, 32);
}
