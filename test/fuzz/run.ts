/**
 * `npm run fuzz -- [--runs N] [--seed S] [--target NAME] [--path P]`: the fuzz targets of
 * targets.ts for as long as you like. Prints `SEED=` first, then each target's runs and result;
 * a failure prints its seed, fast-check's counterexample path and the command that replays it.
 * Exit 1 when any target failed.
 */
import fc from 'fast-check';
import { fuzzTargets } from './targets.ts';

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

const runs = Number(flag('runs') ?? 10_000);
const seed = flag('seed') === undefined ? (Math.random() * 0x1_0000_0000) >>> 0 : Number(flag('seed'));
const only = flag('target');
const path = flag('path');
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs must be a positive integer, got ${flag('runs')}`);
if (only !== undefined && !fuzzTargets.some((target) => target.name === only))
  throw new Error(`--target must be one of ${fuzzTargets.map((target) => target.name).join(', ')}`);

console.log(`SEED=${seed}`);
console.log(`runs=${runs} targets=${only ?? fuzzTargets.map((target) => target.name).join(',')}`);
let failures = 0;
for (const target of fuzzTargets) {
  if (only !== undefined && target.name !== only) continue;
  const opened = await target.open();
  const startedAtMs = Date.now();
  const details = await fc.check(opened.property, {
    numRuns: runs,
    seed,
    ...(path === undefined ? {} : { path }),
  });
  await opened.close();
  const elapsedS = ((Date.now() - startedAtMs) / 1_000).toFixed(1);
  if (!details.failed) {
    console.log(`ok   ${target.name}: ${details.numRuns} runs in ${elapsedS} s`);
    continue;
  }
  failures += 1;
  console.log(
    `FAIL ${target.name} after ${details.numRuns} runs (${elapsedS} s): seed=${details.seed} path=${details.counterexamplePath}`,
  );
  console.log(`     counterexample: ${fc.stringify(details.counterexample)}`);
  console.log(`     error: ${String(details.errorInstance)}`);
  console.log(
    `     replay: npm run fuzz -- --target ${target.name} --seed ${details.seed} --path ${details.counterexamplePath} --runs 1`,
  );
}
process.exit(failures === 0 ? 0 : 1);
