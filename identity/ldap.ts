import { Client, Filter, InvalidCredentialsError, ResultCodeError, type Entry } from 'ldapts';
import { DomainError } from '../domain/errors';
import type { ExternalIdentity } from './external';

export interface LdapConfig {
  /** ldap://host:port or ldaps://host:port */
  url: string;
  /** The service account that searches the directory. */
  bindDn: string;
  bindPassword: string;
  userBase: string;
  /** `{username}` is replaced by the RFC 4515-escaped username. */
  userFilter?: string;
  usernameAttribute?: string;
  displayNameAttribute?: string;
  emailAttribute?: string;
  groupBase: string;
  /** `{dn}` is replaced by the escaped user DN, `{username}` by the escaped username (for memberUid-style groups). */
  groupFilter?: string;
  groupNameAttribute?: string;
  timeoutMs?: number;
}

interface UserEntry {
  dn: string;
  username: string;
  entry: Entry;
}

/** Sign-in and group sync against an LDAP directory: search as the service account, bind as the user. */
export class LdapLogin {
  private readonly userFilter: string;
  private readonly attributes: { username: string; displayName: string; email: string; groupName: string };

  constructor(private readonly config: LdapConfig) {
    if (!/^ldaps?:\/\//i.test(config.url)) throw new DomainError('invalid', 'ldap.url: must start with ldap:// or ldaps://', { field: 'ldap.url' });
    if (config.bindDn && !config.bindPassword) {
      // An empty password would make the service bind an unauthenticated (anonymous) one that servers accept.
      throw new DomainError('invalid', 'ldap.bindPassword: must not be empty when ldap.bindDn is set', { field: 'ldap.bindPassword' });
    }
    this.userFilter = config.userFilter ?? '(uid={username})';
    this.attributes = {
      username: config.usernameAttribute ?? 'uid',
      displayName: config.displayNameAttribute ?? 'cn',
      email: config.emailAttribute ?? 'mail',
      groupName: config.groupNameAttribute ?? 'cn',
    };
  }

  /** The identity when the password is right; null for an unknown user, a wrong password or an empty one. */
  async authenticate(username: string, password: string): Promise<ExternalIdentity | null> {
    // RFC 4513 5.1.2: a simple bind with a DN and an empty password is an unauthenticated bind, which
    // many servers answer with success. It must never get that far.
    if (!username || !password) return null;
    return this.asServiceAccount(async (service) => {
      const user = await this.findUser(service, username);
      if (!user || !(await this.passwordMatches(user.dn, password))) return null;
      return this.identityOf(service, user);
    });
  }

  /** The identity of a user by name, without a password: for group sync. */
  async lookup(username: string): Promise<ExternalIdentity | null> {
    if (!username) return null;
    return this.asServiceAccount(async (service) => {
      const user = await this.findUser(service, username);
      return user && this.identityOf(service, user);
    });
  }

  /** Everyone the user filter admits, for group sync. */
  async listUsers(): Promise<ExternalIdentity[]> {
    return this.asServiceAccount(async (service) => {
      // `{username}` → `*` turns the equality into a presence filter: every entry that has the attribute.
      const entries = await this.searchUsers(service, this.userFilter.replaceAll('{username}', '*'));
      const identities: ExternalIdentity[] = [];
      for (const user of entries) identities.push(await this.identityOf(service, user));
      return identities;
    });
  }

  private async findUser(service: Client, username: string): Promise<UserEntry | null> {
    const users = await this.searchUsers(service, this.userFilter.replaceAll('{username}', Filter.escape(username)));
    // Zero is unknown; more than one means the filter is not unique, and guessing would sign in the wrong person.
    return users.length === 1 ? users[0] : null;
  }

  private async searchUsers(service: Client, filter: string): Promise<UserEntry[]> {
    const { username, displayName, email } = this.attributes;
    const { searchEntries } = await service.search(this.config.userBase, {
      scope: 'sub',
      filter,
      attributes: [username, displayName, email, 'entryUUID'],
      paged: true,
    });
    return searchEntries.flatMap((entry) => {
      const name = attribute(entry, username);
      return name ? [{ dn: entry.dn, username: name, entry }] : [];
    });
  }

  private async identityOf(service: Client, user: UserEntry): Promise<ExternalIdentity> {
    const filter = (this.config.groupFilter ?? '(member={dn})')
      .replaceAll('{dn}', Filter.escape(user.dn))
      .replaceAll('{username}', Filter.escape(user.username));
    const { searchEntries } = await service.search(this.config.groupBase, {
      scope: 'sub',
      filter,
      attributes: [this.attributes.groupName],
      paged: true,
    });
    const groups = searchEntries.map((g) => attribute(g, this.attributes.groupName)).filter((g): g is string => !!g);
    return {
      source: 'ldap',
      subject: attribute(user.entry, 'entryUUID') ?? user.dn,
      username: user.username,
      displayName: attribute(user.entry, this.attributes.displayName) ?? user.username,
      email: attribute(user.entry, this.attributes.email),
      groups: [...new Set(groups)].sort(),
    };
  }

  /** A bind of its own, so the service connection keeps its identity. */
  private async passwordMatches(dn: string, password: string): Promise<boolean> {
    const client = this.client();
    try {
      await client.bind(dn, password);
      return true;
    } catch (error) {
      if (error instanceof InvalidCredentialsError) return false;
      throw this.failure('user bind', error);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  private async asServiceAccount<T>(work: (service: Client) => Promise<T>): Promise<T> {
    const client = this.client();
    try {
      try {
        await client.bind(this.config.bindDn, this.config.bindPassword);
      } catch (error) {
        if (error instanceof InvalidCredentialsError) {
          throw new DomainError('precondition_failed', `LDAP server ${this.config.url} refused the service account ${this.config.bindDn}: invalid credentials`);
        }
        throw error;
      }
      return await work(client);
    } catch (error) {
      throw this.failure('search', error);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  private client(): Client {
    const timeout = this.config.timeoutMs ?? 5_000;
    return new Client({ url: this.config.url, timeout, connectTimeout: timeout });
  }

  private failure(operation: string, error: unknown): DomainError {
    if (error instanceof DomainError) return error;
    const message =
      error instanceof ResultCodeError
        ? `LDAP server ${this.config.url} refused the ${operation}: ${error.message}`
        : `LDAP server ${this.config.url} cannot be reached or dropped the connection: ${describeConnectionError(error)}`;
    // Belt and braces: whatever a library wrote, the service password never leaves in a message.
    return new DomainError('precondition_failed', this.config.bindPassword ? message.split(this.config.bindPassword).join('[redacted]') : message);
  }
}

/** The first value of an attribute as text, matching the name case-insensitively as LDAP does. */
function attribute(entry: Entry, name: string): string | null {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
  const value = key === undefined ? undefined : entry[key];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return null;
  const text = Buffer.isBuffer(first) ? first.toString('utf8') : first;
  return text.length > 0 ? text : null;
}

function describeConnectionError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `${code} (${error.message})` : error.message;
}
