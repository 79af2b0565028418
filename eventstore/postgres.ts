import pg from 'pg';
import { openDatabase, type OpenedDatabase } from '../db/connect';
import { migrateToLatest } from '../db/migrate';
import { poolClient } from './sql-client';
import { SqlEventStore } from './sql-store';
import type { ChangeSource } from './subscription';

export const NOTIFY_CHANNEL = 'bosun_events';
const NOTIFY_EVERY_MS = 25;

export interface PostgresEventStoreOptions {
  /** Run migrateToLatest on open (default true). */
  migrate?: boolean;
  pollMs?: number;
  /** Append batches running at once (default 2; keep below the pool size). */
  maxAppendsInFlight?: number;
  /** Appends that must be waiting before a batch starts while another runs (default 2). */
  appendBatchFill?: number;
  /** Most appends in one batch statement (default 32). */
  appendBatchMax?: number;
}

/**
 * LISTEN on a dedicated connection (not a pool slot), opened on the first live wait. If it breaks,
 * subscriptions still poll; the next subscriber re-opens it.
 */
class NotifyListener {
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private listeners = new Set<() => void>();
  private closed = false;

  constructor(private readonly config: pg.ClientConfig) {}

  readonly source: ChangeSource = (listener) => {
    this.listeners.add(listener);
    void this.ensure();
    return () => this.listeners.delete(listener);
  };

  private ensure(): Promise<void> {
    if (this.closed || this.client) return Promise.resolve();
    this.connecting ??= (async () => {
      const client = new pg.Client(this.config);
      client.on('error', () => {
        if (this.client === client) this.client = undefined;
        void client.end().catch(() => {});
      });
      client.on('notification', () => {
        for (const l of [...this.listeners]) l();
      });
      try {
        await client.connect();
        await client.query(`listen ${NOTIFY_CHANNEL}`);
        if (this.closed) await client.end();
        else this.client = client;
      } catch {
        await client.end().catch(() => {});
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }
}

/**
 * PostgreSQL event store. `shared`: an opened database to reuse (its pool), left open by close().
 * Runs migrateToLatest (all of migrations/) unless `migrate: false`.
 */
export async function openPostgresEventStore(
  config: { url: string } | { shared: OpenedDatabase },
  options: PostgresEventStoreOptions = {},
): Promise<SqlEventStore> {
  const owned = 'url' in config ? await openDatabase({ kind: 'postgres', url: config.url }) : undefined;
  const database = owned ?? (config as { shared: OpenedDatabase }).shared;
  if (database.kind !== 'postgres' || !database.pg) throw new Error('openPostgresEventStore needs a PostgreSQL database');
  try {
    if (options.migrate !== false) await migrateToLatest(database.db);
  } catch (err) {
    await owned?.close();
    throw err;
  }
  const pool = database.pg;
  // NOTIFY is sent in its own statement after the append committed, at most one per NOTIFY_EVERY_MS
  // (inside the append's transaction it would take NOTIFY's global commit lock and end group commit;
  // one per append would double the statements). Other processes also poll every pollMs.
  let notifying = false;
  let notifyAgain = false;
  const notifyOthers = (): void => {
    if (notifying) {
      notifyAgain = true;
      return;
    }
    notifying = true;
    notifyAgain = false;
    pool
      .query(`select pg_notify('${NOTIFY_CHANNEL}', '')`)
      .catch(() => {})
      .finally(() =>
        setTimeout(() => {
          notifying = false;
          if (notifyAgain) notifyOthers();
        }, NOTIFY_EVERY_MS).unref(),
      );
  };
  const listener = new NotifyListener((pool as unknown as { options: pg.ClientConfig }).options);
  return new SqlEventStore({
    kind: 'postgres',
    client: poolClient(pool),
    externalChanges: listener.source,
    afterAppend: notifyOthers,
    maxAppendsInFlight: options.maxAppendsInFlight,
    appendBatchFill: options.appendBatchFill,
    appendBatchMax: options.appendBatchMax,
    pollMs: options.pollMs ?? 1000,
    onClose: async () => {
      await listener.close();
      await owned?.close();
    },
  });
}
