import type { Kysely } from 'kysely';
import { hashPassword, verifyPassword } from './passwords';

/**
 * Local login accounts. Password hashes live here, outside the event log: an event is forever,
 * and even a hash must be destroyable. Who the user is and what they may do is event-sourced.
 */
export class LocalAccounts {
  constructor(private readonly db: Kysely<any>) {}

  async count(): Promise<number> {
    const row = await this.db.selectFrom('local_accounts').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The user id when the username and password match an enabled account, else null. */
  async authenticate(username: string, password: string): Promise<string | null> {
    const row = await this.db.selectFrom('local_accounts').selectAll().where('username', '=', username).executeTakeFirst();
    if (!row) {
      await hashPassword(password); // same work either way, so timing does not reveal which usernames exist
      return null;
    }
    // Whether the user may sign in (enabled, not removed) is the users read model's to say.
    if (!(await verifyPassword(row.password_hash, password))) return null;
    return row.user_id;
  }

  async exists(username: string): Promise<boolean> {
    const row = await this.db.selectFrom('local_accounts').select('user_id').where('username', '=', username).executeTakeFirst();
    return row !== undefined;
  }

  /** Sets (or first sets) the password of a local user. */
  async setPassword(userId: string, password: string, now: Date): Promise<void> {
    const password_hash = await hashPassword(password);
    await this.db
      .insertInto('local_accounts')
      .values({ user_id: userId, username: userId, password_hash, disabled: false, created_at: now })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ password_hash }))
      .execute();
  }

  async verify(userId: string, password: string): Promise<boolean> {
    const row = await this.db.selectFrom('local_accounts').select('password_hash').where('user_id', '=', userId).executeTakeFirst();
    return row ? verifyPassword(row.password_hash, password) : false;
  }
}
