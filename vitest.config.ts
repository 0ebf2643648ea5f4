import { defineConfig } from 'vitest/config';

// Real sockets and spawned processes share two cores, so files run in a small fork pool and
// every test has a generous timeout; tests assert on behaviour, never on speed.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
