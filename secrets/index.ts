export { CredentialStore, CredentialNotFoundError, SecretDecryptionError, type StoredCredential } from './credential-store';
export { loadMasterKey, generateMasterKey, decodeKey, MasterKeyError, SECRET_KEY_ENV, KEY_FILE_NAME, type LoadedMasterKey, type LoadMasterKeyOptions } from './master-key';
export { fingerprintOf, canonicalJson } from './fingerprint';
export { valueFingerprinter, VALUE_FINGERPRINT_PREFIX, type ValueFingerprinter } from './value-fingerprint';
