/**
 * `headcount scenario [FILES...]`: run scenario files (default: the whole catalogue in
 * scenarios/) on the simulator or the real lab, print a summary, write results and the report.
 * The implementation lives in scenarios/runner/; this file only parses and checks flags.
 */
import type { Command } from 'commander';
import { type FieldProblem, failUsage } from '../../impl/config/usage-error.ts';

interface ScenarioFlags {
  engine: string;
  seed?: string;
  quick?: boolean;
  out?: string;
  shard?: string;
  workers?: string;
  report: boolean;
  capacityProbe: boolean;
}

/** More workers than this only adds memory on the machines we run on. */
const workersMax = 64;

export function register(program: Command): void {
  program
    .command('scenario')
    .description('Run scenario files (default: every file in scenarios/) and report what they answer.')
    .argument('[files...]', 'scenario YAML files; default: the whole catalogue')
    .option('--engine <engine>', 'sim (deterministic simulator) or real (the lab, time-scaled)', 'sim')
    .option('--seed <n>', 'root seed (unsigned 32-bit); default: random, printed first as SEED=')
    .option('--quick', "small CI-sized runs (each file's quick: overrides, one seed)")
    .option('--out <dir>', 'results folder; default out/scenarios/<timestamp>')
    .option('--shard <i/n>', 'run the i-th of n deterministic slices of the runs (needs --seed)')
    .option('--workers <w>', 'worker threads for simulated runs (0 = in this thread)')
    .option('--no-report', 'skip the HTML report')
    .option(
      '--no-capacity-probe',
      'skip the short real-engine runs a whole-catalogue simulator run adds (a capacity probe, so the report can answer how many users one server holds, and the TTL cross-check of scenarios/cross-check/)',
    )
    .action(async (files: string[], flags: ScenarioFlags) => {
      const { parseShard } = await import('../../scenarios/runner/shard.ts');
      const { randomRootSeed } = await import('../../scenarios/runner/seed.ts');
      const problems: FieldProblem[] = [];
      if (flags.engine !== 'sim' && flags.engine !== 'real') {
        problems.push({
          flag: '--engine',
          message: `expected sim or real, got ${JSON.stringify(flags.engine)}`,
        });
      }
      const seed = flags.seed === undefined ? undefined : Number(flags.seed);
      if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= 0xffff_ffff)) {
        problems.push({
          flag: '--seed',
          message: `expected an integer from 0 to 4294967295, got ${flags.seed}`,
        });
      }
      const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
      if (flags.shard !== undefined && shard === undefined) {
        problems.push({ flag: '--shard', message: `expected I/N with 1 <= I <= N, got ${flags.shard}` });
      }
      if (flags.shard !== undefined && seed === undefined) {
        problems.push({ flag: '--shard', message: 'needs --seed, so every shard derives the same runs' });
      }
      const workers = flags.workers === undefined ? undefined : Number(flags.workers);
      if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0 && workers <= workersMax)) {
        problems.push({
          flag: '--workers',
          message: `expected an integer from 0 to ${workersMax}, got ${flags.workers}`,
        });
      }
      if (problems.length > 0) failUsage('scenario', problems);
      const { runScenarios } = await import('../../scenarios/runner/run-scenarios.ts');
      const { join } = await import('node:path');
      const rootSeed = seed ?? randomRootSeed();
      const outDir = flags.out ?? join('out', 'scenarios', new Date().toISOString().replace(/[:.]/g, '-'));
      const probe =
        files.length === 0 &&
        flags.quick !== true &&
        flags.engine === 'sim' &&
        shard === undefined &&
        flags.report &&
        flags.capacityProbe;
      // The simulator cannot say how many users one server holds (it models no CPU or memory),
      // and its headline stale windows need a check on real sockets: a whole-catalogue simulator
      // run adds both on the real engine (scenarios/runner/real-probes.ts), simulates the
      // catalogue plus the cross-check files, and the report merges everything.
      const extraResultDirs: string[] = [];
      let runFiles = files;
      if (probe) {
        const probes = await import('../../scenarios/runner/real-probes.ts');
        const { catalogueFiles } = await import('../../scenarios/runner/run-scenarios.ts');
        for (const which of [probes.capacityProbe(outDir), probes.crossCheckProbe(outDir)]) {
          const dir = await probes.runRealProbe(which, rootSeed);
          if (dir) extraResultDirs.push(dir);
        }
        runFiles = [...catalogueFiles(), ...probes.crossCheckFiles()];
      }
      const { writeReport } = await import('../../reports/write-report.ts');
      const outcome = await runScenarios({
        files: runFiles,
        engine: flags.engine as 'sim' | 'real',
        rootSeed,
        quick: flags.quick === true,
        outDir,
        ...(shard === undefined ? {} : { shard }),
        ...(workers === undefined ? {} : { workers }),
        report: flags.report ? writeReport : false,
        extraResultDirs,
      });
      process.exitCode = outcome.exitCode;
    });
}
