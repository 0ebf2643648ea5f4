/**
 * What the core's tests use of `@fast-check/vitest` (`fc` and `test.prop([...])(name, body)`),
 * for mutation runs only; test/mutation/vitest.config.ts aliases the package to this file.
 *
 * Two reasons. The package names each property `<name> (with seed=<random>)`, so the names
 * Stryker records in its coverage run match no test in a mutant run and the properties silently
 * never run on mutants; here the name is the plain name and the seed is fixed. And importing the
 * package costs seconds per test file (it loads vitest a second time outside vite), which Stryker
 * pays again for every mutant. The properties themselves are unchanged: same arbitraries, same
 * fast-check, same number of runs.
 */
import fc from 'fast-check';
import { test as vitestTest } from 'vitest';

export { fc };

/** Any fixed value does: it only has to be the same in the coverage run and every mutant run. */
const mutationSeed = 20_211;

type Body = (...values: never[]) => unknown;

function prop(arbitraries: fc.Arbitrary<unknown>[], parameters: fc.Parameters<unknown[]> = {}) {
  return (name: string, body: Body, timeoutMs?: number): void => {
    const tuple = fc.tuple(...arbitraries);
    const property = fc.asyncProperty(tuple, async (values) => {
      await (body as (...values: unknown[]) => unknown)(...values);
    });
    vitestTest(name, () => fc.assert(property, { seed: mutationSeed, ...parameters }), timeoutMs);
  };
}

export const test = Object.assign((...args: Parameters<typeof vitestTest>) => vitestTest(...args), { prop });
