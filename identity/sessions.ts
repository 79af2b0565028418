import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';

export interface SessionPolicy {
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
}

export const defaultSessionPolicy: SessionPolicy = { idleTimeoutMs: 30 * 60_000, absoluteTimeoutMs: 12 * 3_600_000 };

export interface Session {
  userId: string;
  createdAt: Date;
  lastSeenAt: Date;
}

/** Only the SHA-256 of a session token is stored, so a read of the table yields no usable session. */
const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export class SessionStore {
  constructor(
    private readonly db: Kysely<any>,
    private readonly policy: SessionPolicy = defaultSessionPolicy,
  ) {}

  async create(userId: string, now: Date): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.db
      .insertInto('sessions')
      .values({ token_hash: tokenHash(token), user_id: userId, created_at: now, last_seen_at: now })
      .execute();
    return token;
  }

  /** The live session for a token, touched; null when unknown, idle too long or too old. */
  async lookup(token: string, now: Date): Promise<Session | null> {
    const row = await this.db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash(token)).executeTakeFirst();
    if (!row) return null;
    const createdAt = new Date(row.created_at);
    const lastSeenAt = new Date(row.last_seen_at);
    const expired =
      now.getTime() - lastSeenAt.getTime() > this.policy.idleTimeoutMs ||
      now.getTime() - createdAt.getTime() > this.policy.absoluteTimeoutMs;
    if (expired) {
      await this.revoke(token);
      return null;
    }
    if (now.getTime() - lastSeenAt.getTime() > 60_000) {
      await this.db.updateTable('sessions').set({ last_seen_at: now }).where('token_hash', '=', tokenHash(token)).execute();
    }
    return { userId: row.user_id, createdAt, lastSeenAt: now };
  }

  async revoke(token: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('token_hash', '=', tokenHash(token)).execute();
  }

  async revokeAllFor(userId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  }
}
