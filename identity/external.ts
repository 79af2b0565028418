/**
 * A person as an external identity provider (OIDC or LDAP) describes them. Bosun maps this onto
 * its own user: `subject` is the key that survives renames, `username` is what people type.
 */
export interface ExternalIdentity {
  source: 'oidc' | 'ldap';
  /** Stable id at the provider: the OIDC `sub`, or the LDAP entryUUID (the entry DN when the server has none). */
  subject: string;
  username: string;
  displayName: string;
  email: string | null;
  groups: string[];
}
