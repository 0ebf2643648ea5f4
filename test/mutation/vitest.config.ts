import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The vitest configuration Stryker runs each mutant against (see stryker.config.json). It
// differs from the main one in two ways. It includes only the core's own tests: they are the ones
// that pin the core down and they run in milliseconds (the simulator and the lab drive the core
// too, but slowly, and a mutant only they catch is a behaviour the core's tests leave unpinned).
// And it swaps @fast-check/vitest for a small stand-in with a fixed seed; fast-check-vitest.ts
// says why.
export default defineConfig({
  resolve: {
    alias: { '@fast-check/vitest': fileURLToPath(new URL('./fast-check-vitest.ts', import.meta.url)) },
  },
  test: {
    include: ['test/impl/core/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
