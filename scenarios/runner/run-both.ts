/**
 * `headcount scenario FILES --engine both`: the same plan on the simulator and then on the real
 * engine (same root seed, so the same run ids and run seeds), into `<out>/sim` and `<out>/real`
 * (each a complete results folder, runs tagged by `engine`), then the agreement table
 * (agreement.ts) printed and written to `<out>/agreement.json`. The report is built in
 * `<out>/real/report` from both folders. Exit code: the worse of the two runs'.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { agree } from '../../experiment/agreement.ts';
import { loadRuns, renderAgreement } from './agreement.ts';
import { type RunnerOptions, type RunnerOutcome, runScenarios } from './run-scenarios.ts';

export async function runBothEngines(
  options: Omit<RunnerOptions, 'engine' | 'outDir'> & { outDir: string },
): Promise<RunnerOutcome> {
  const stdout = options.stdout ?? process.stdout;
  const outDir = resolve(options.outDir);
  const simDir = join(outDir, 'sim');
  const realDir = join(outDir, 'real');
  mkdirSync(outDir, { recursive: true });
  stdout.write('== engine sim\n');
  const sim = await runScenarios({ ...options, engine: 'sim', outDir: simDir, report: false });
  if (sim.exitCode === 2) return sim;
  stdout.write('\n== engine real\n');
  const real = await runScenarios({
    ...options,
    engine: 'real',
    outDir: realDir,
    extraResultDirs: [...(options.extraResultDirs ?? []), simDir],
  });
  const agreement = agree(loadRuns(simDir), loadRuns(realDir));
  stdout.write(`\n${renderAgreement(agreement)}`);
  writeFileSync(join(outDir, 'agreement.json'), `${JSON.stringify(agreement, null, 2)}\n`);
  stdout.write(`agreement: ${join(outDir, 'agreement.json')}\n`);
  const exitCode = Math.max(sim.exitCode, real.exitCode) as RunnerOutcome['exitCode'];
  return { exitCode, outDir };
}
