/**
 * Signing in, wherever the password or identity comes from: local accounts first, then LDAP when
 * configured; OIDC identities arrive already verified. External users are created on first sign-in
 * and their profile and groups are synced on every sign-in. Every attempt, good or bad, is audited.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { EventStore } from '../eventstore/types';
import type { CommandHandler } from '../commands/handler';
import type { CommandContext } from '../commands/context';
import { systemActor } from '../commands/context';
import { tenancyCommand } from '../commands/tenancy';
import { recordAttempt } from '../commands/audit-attempt';
import { DomainError } from '../domain/errors';
import { getUser } from '../projections/identity/queries';
import type { LocalAccounts } from './accounts';
import type { ExternalIdentity } from './external';
import type { LdapLogin } from './ldap';
import { LoginThrottle } from './login-throttle';
import { groupNameSchema } from '../domain/grant/events';

export interface SignInDeps {
  db: Kysely<any>;
  store: EventStore;
  handle: CommandHandler;
  accounts: LocalAccounts;
  throttle: LoginThrottle;
  ldap: LdapLogin | null;
  clock(): Date;
  waitForPosition(position: number): Promise<void>;
}

export type SignInResult = { ok: true; userId: string; name: string } | { ok: false; code: 'unauthorized' | 'too_many_requests'; message: string };

const WRONG = 'wrong username or password';

/** A user id from a provider's username: lower-case, with anything outside [a-z0-9._-] replaced. */
export function userIdFromUsername(username: string): string {
  const id = username
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
    .slice(0, 64);
  if (!id) throw new DomainError('invalid', `username: "${username}" has no letters or digits to make a user id from`, { field: 'username' });
  return id;
}

export class SignIn {
  constructor(private readonly deps: SignInDeps) {}

  private context(clientIp: string | null, actor = systemActor): CommandContext {
    return { actor, commandId: randomUUID(), correlationId: randomUUID(), causationId: null, clientIp, now: this.deps.clock() };
  }

  private async audit(username: string, clientIp: string, method: string, refusal?: { code: string; message: string }, userId?: string) {
    await recordAttempt(
      this.deps.store,
      { module: 'auth', action: 'Login', target: { kind: 'user', id: userId ?? username }, details: { username, method }, refusal },
      this.context(clientIp, userId ? { kind: 'user', id: userId, name: username } : { kind: 'user', id: username, name: username }),
    );
  }

  /** Username and password: a local account, else the LDAP directory. Throttled per username and per address. */
  async withPassword(username: string, password: string, clientIp: string): Promise<SignInResult> {
    const keys = LoginThrottle.keys(username, clientIp);
    const now = this.deps.clock();
    const wait = await this.deps.throttle.waitMs(keys, now);
    if (wait > 0) {
      const message = `too many failed logins; try again in ${Math.ceil(wait / 1000)} s`;
      await this.audit(username, clientIp, 'password', { code: 'too_many_requests', message });
      return { ok: false, code: 'too_many_requests', message };
    }
    let userId = await this.deps.accounts.authenticate(username, password);
    let method = 'local';
    if (!userId && this.deps.ldap && !(await this.deps.accounts.exists(username))) {
      const identity = await this.deps.ldap.authenticate(username, password);
      if (identity) {
        method = 'ldap';
        userId = await this.provision(identity, clientIp);
      }
    }
    const user = userId ? await getUser(this.deps.db, userId) : undefined;
    if (!userId || !user || user.status !== 'active') {
      await this.deps.throttle.recordFailure(keys, now);
      await this.audit(username, clientIp, method, { code: 'unauthorized', message: user?.status === 'disabled' ? 'account disabled' : WRONG });
      return { ok: false, code: 'unauthorized', message: WRONG };
    }
    await this.deps.throttle.recordSuccess(username);
    await this.audit(username, clientIp, method, undefined, userId);
    return { ok: true, userId, name: user.display_name };
  }

  /** An identity a provider has verified (OIDC): provisioned and synced, then allowed if active. */
  async withExternalIdentity(identity: ExternalIdentity, clientIp: string): Promise<SignInResult> {
    const userId = await this.provision(identity, clientIp);
    const user = await getUser(this.deps.db, userId);
    if (!user || user.status !== 'active') {
      await this.audit(identity.username, clientIp, identity.source, { code: 'unauthorized', message: 'account disabled' });
      return { ok: false, code: 'unauthorized', message: 'your Bosun account is disabled' };
    }
    await this.audit(identity.username, clientIp, identity.source, undefined, userId);
    return { ok: true, userId, name: user.display_name };
  }

  /** Creates the user on first sign-in and syncs name, email and groups; returns the user id. */
  async provision(identity: ExternalIdentity, clientIp: string | null): Promise<string> {
    const userId = userIdFromUsername(identity.username);
    const existing = await getUser(this.deps.db, userId);
    if (existing && (existing.source !== identity.source || existing.external_subject !== identity.subject)) {
      throw new DomainError('conflict', `username: "${userId}" already belongs to another ${existing.source} user in Bosun; ask an admin`, { field: 'username' });
    }
    const handle = this.deps.handle;
    let position = 0;
    if (!existing) {
      try {
        const created = await handle(
          tenancyCommand('CreateUser'),
          { type: 'CreateUser', userId, displayName: identity.displayName || identity.username, email: identity.email, source: identity.source, externalSubject: identity.subject },
          this.context(clientIp),
        );
        position = created.position;
      } catch (error) {
        if ((error as DomainError).code !== 'already_exists') throw error;
      }
    }
    const synced = await handle(
      tenancyCommand('SyncUserProfile'),
      // Group names Bosun cannot hold (odd characters) are left out rather than refusing the sign-in.
      { type: 'SyncUserProfile', userId, displayName: identity.displayName || identity.username, email: identity.email, groups: identity.groups.filter((g) => groupNameSchema.safeParse(g).success) },
      this.context(clientIp),
    );
    await this.deps.waitForPosition(Math.max(position, synced.position));
    return userId;
  }
}
