import { startBosun } from '../app/bosun';
import { configFromEnv } from '../app/config';

const config = configFromEnv();
const bosun = await startBosun({ config, logger: { level: config.logLevel } });

console.log(`Bosun is running at ${bosun.url}`);
console.log(`Event store: ${bosun.services.store.kind}; data directory: ${config.databaseUrl ? 'PostgreSQL' : config.dataDir}`);
if (bosun.adminPassword && !config.adminPassword) {
  // Printed once, at the start that created the admin; it is stored only as an argon2id hash.
  console.log(`Bootstrap admin: user "admin", one-time password: ${bosun.adminPassword}`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void bosun.stop().then(() => process.exit(0));
  });
}
