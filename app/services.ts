import type { Kysely } from 'kysely';
import type { Observable } from 'rxjs';
import type { EventStore } from '../eventstore/types';
import type { CommandHandler } from '../commands/handler';
import type { LocalAccounts } from '../identity/accounts';
import type { SessionStore } from '../identity/sessions';
import type { SignIn } from '../identity/sign-in';
import type { OidcLogin } from '../identity/oidc';
import type { ClusterAccess } from '../commands/cluster-access';

/** Everything the API needs, assembled once by app/bosun.ts; tests assemble their own. */
export interface Services {
  db: Kysely<any>;
  store: EventStore;
  handle: CommandHandler;
  readModels: {
    /** Resolves once every projection has applied `position` (read-your-writes); throws after the timeout. */
    waitForPosition(position: number, timeoutMs?: number): Promise<void>;
    /** Emits the position each time read models advance. */
    changes: Observable<number>;
    lag(): Promise<{ events: number; ms: number }>;
  };
  clusterAccess: ClusterAccess;
  accounts: LocalAccounts;
  sessions: SessionStore;
  signIn: SignIn;
  /** Present when OpenID Connect sign-in is configured. */
  oidc: OidcLogin | null;
  clock: () => Date;
  /** Nudges reconcilers after a command (they also resync periodically). */
  nudge(event: { type: string; data: Record<string, unknown> }, position: number): void;
}
