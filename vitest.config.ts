import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/.cutover/**'],
    // Starts one "source" and one "destination" PostgreSQL server for the whole
    // run (or points at external ones); see test/support/global-setup.ts.
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // The machines have 2 cores, and two PostgreSQL servers share them.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Also bounds the global teardown (stopping both servers).
    teardownTimeout: 30_000,
  },
});
