import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['node_modules/**', 'ui/dist/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    // CI machines are busy: a condition polled for (a page navigation, a status) gets 10 s, not 1.
    expect: { poll: { timeout: 10_000 } },
  },
});
