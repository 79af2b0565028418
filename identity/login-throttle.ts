import type { Kysely } from 'kysely';

/**
 * Growing lockout after failed logins, counted per username and per client address: after
 * `freeFailures` (per address: `freeFailuresPerAddress`) failures each further one locks for twice as long as the last (from `baseLockMs`
 * up to `maxLockMs`). A success clears the username's count. Counts fade after `forgetAfterMs`
 * without failures. Rows live in PostgreSQL, so every API process sees the same counts.
 */
export interface ThrottlePolicy {
  freeFailures: number;
  /** An address is shared by everyone behind one NAT, so it gets more free failures than a username. */
  freeFailuresPerAddress: number;
  baseLockMs: number;
  maxLockMs: number;
  forgetAfterMs: number;
}

export const defaultThrottlePolicy: ThrottlePolicy = { freeFailures: 5, freeFailuresPerAddress: 20, baseLockMs: 30_000, maxLockMs: 3_600_000, forgetAfterMs: 24 * 3_600_000 };

export class LoginThrottle {
  constructor(
    private readonly db: Kysely<any>,
    private readonly policy: ThrottlePolicy = defaultThrottlePolicy,
  ) {}

  static keys(username: string, clientIp: string): string[] {
    return [`user:${username.toLowerCase()}`, `ip:${clientIp}`];
  }

  /** Milliseconds until the earliest allowed attempt, 0 when an attempt may be made now. */
  async waitMs(keys: readonly string[], now: Date): Promise<number> {
    const rows = await this.db.selectFrom('login_throttle').selectAll().where('key', 'in', keys).execute();
    let wait = 0;
    for (const row of rows) {
      if (!row.locked_until) continue;
      wait = Math.max(wait, new Date(row.locked_until).getTime() - now.getTime());
    }
    return Math.max(0, wait);
  }

  async recordFailure(keys: readonly string[], now: Date): Promise<void> {
    for (const key of keys) {
      const row = await this.db.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
      const fresh = !row || now.getTime() - new Date(row.last_failure_at).getTime() > this.policy.forgetAfterMs;
      const failures = fresh ? 1 : Number(row.failures) + 1;
      const over = failures - (key.startsWith('ip:') ? this.policy.freeFailuresPerAddress : this.policy.freeFailures);
      const lockedUntil = over > 0 ? new Date(now.getTime() + Math.min(this.policy.maxLockMs, this.policy.baseLockMs * 2 ** (over - 1))) : null;
      await this.db
        .insertInto('login_throttle')
        .values({ key, failures, locked_until: lockedUntil, last_failure_at: now })
        .onConflict((oc) => oc.column('key').doUpdateSet({ failures, locked_until: lockedUntil, last_failure_at: now }))
        .execute();
    }
  }

  async recordSuccess(username: string): Promise<void> {
    await this.db.deleteFrom('login_throttle').where('key', '=', `user:${username.toLowerCase()}`).execute();
  }
}
