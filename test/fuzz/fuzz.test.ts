/**
 * The fuzz suite at CI size (issue 11): every target in targets.ts, a few seconds in all, with a
 * fresh seed each run, printed first (`FUZZ_SEED=<n>`) so a failure found in CI can be replayed:
 * `FUZZ_SEED=<n> npx vitest run test/fuzz`, or longer with `npm run fuzz -- --seed <n> --runs N`.
 */
import fc from 'fast-check';
import { describe, test } from 'vitest';
import { fuzzTargets } from './targets.ts';

const seed =
  process.env.FUZZ_SEED === undefined ? (Math.random() * 0x1_0000_0000) >>> 0 : Number(process.env.FUZZ_SEED);
console.log(`FUZZ_SEED=${seed}`);

describe('fuzz: hostile bytes never break the parsers, and the same bytes read the same however they are cut', () => {
  for (const target of fuzzTargets) {
    test(`${target.name}: ${target.runsCi} runs`, async () => {
      const opened = await target.open();
      try {
        await fc.assert(opened.property, { numRuns: target.runsCi, seed });
      } finally {
        await opened.close();
      }
    }, 60_000);
  }
});
