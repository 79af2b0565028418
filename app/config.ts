import { resolve } from 'node:path';

export interface BosunConfig {
  dataDir: string;
  host: string;
  port: number;
  /** PostgreSQL for read models (and events unless eventStoreUrl is set); PGlite in dataDir when absent. */
  databaseUrl: string | null;
  /** EventStoreDB for events. */
  eventStoreUrl: string | null;
  adminPassword: string | null;
  resyncSeconds: number;
  logLevel: string;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): BosunConfig {
  return {
    dataDir: resolve(env.BOSUN_DATA_DIR ?? '.bosun'),
    host: env.BOSUN_HOST ?? '127.0.0.1',
    port: integer(env.PORT ?? env.BOSUN_PORT, 8080, 'PORT'),
    databaseUrl: env.DATABASE_URL || null,
    eventStoreUrl: env.EVENTSTORE_URL || null,
    adminPassword: env.BOSUN_ADMIN_PASSWORD || null,
    resyncSeconds: integer(env.BOSUN_RESYNC_SECONDS, 60, 'BOSUN_RESYNC_SECONDS'),
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}

function integer(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}
