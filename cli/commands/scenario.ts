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
  timeScale?: string;
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
    .option(
      '--engine <engine>',
      'sim (deterministic simulator), real (the lab, time-scaled) or both (the same seed on each, then their agreement)',
      'sim',
    )
    .option('--seed <n>', 'root seed (unsigned 32-bit); default: random, printed first as SEED=')
    .option('--quick', "small CI-sized runs (each file's quick: overrides, one seed)")
    .option('--out <dir>', 'results folder; default out/scenarios/<timestamp>')
    .option(
      '--shard <i/n>',
      'run the i-th of n deterministic slices of the runs (needs --seed); default: from $JOB_COMPLETION_INDEX (0-based, set by a Kubernetes Indexed Job) and $HEADCOUNT_SHARD_COUNT when set',
    )
    .option('--workers <w>', 'worker threads for simulated runs (0 = in this thread)')
    .option(
      '--time-scale <x>',
      'real engine: every duration multiplied by this, for files without real.timeScale (default 0.1; larger is slower but steadier on a busy machine)',
    )
    .option('--no-report', 'skip the HTML report')
    .option(
      '--no-capacity-probe',
      'skip the short real-engine runs a whole-catalogue simulator run adds (a capacity probe, so the report can answer how many users one server holds, the TTL cross-check of scenarios/cross-check/, and redis-failover on real Sentinels)',
    )
    .action(async (files: string[], flags: ScenarioFlags) => {
      const { parseShard, shardFromEnv } = await import('../../scenarios/runner/shard.ts');
      const { randomRootSeed } = await import('../../scenarios/runner/seed.ts');
      const problems: FieldProblem[] = [];
      if (flags.engine !== 'sim' && flags.engine !== 'real' && flags.engine !== 'both') {
        problems.push({
          flag: '--engine',
          message: `expected sim, real or both, got ${JSON.stringify(flags.engine)}`,
        });
      }
      const seed = flags.seed === undefined ? undefined : Number(flags.seed);
      if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= 0xffff_ffff)) {
        problems.push({
          flag: '--seed',
          message: `expected an integer from 0 to 4294967295, got ${flags.seed}`,
        });
      }
      const fromEnv = flags.shard === undefined ? shardFromEnv(process.env) : undefined;
      if (fromEnv?.ok === false) problems.push({ flag: '--shard', message: fromEnv.message });
      const envShard = fromEnv?.ok === true ? fromEnv.shard : undefined;
      const shard = flags.shard === undefined ? envShard : parseShard(flags.shard);
      if (flags.shard !== undefined && shard === undefined) {
        problems.push({ flag: '--shard', message: `expected I/N with 1 <= I <= N, got ${flags.shard}` });
      }
      if (shard !== undefined && seed === undefined) {
        problems.push({ flag: '--shard', message: 'needs --seed, so every shard derives the same runs' });
      }
      const workers = flags.workers === undefined ? undefined : Number(flags.workers);
      if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0 && workers <= workersMax)) {
        problems.push({
          flag: '--workers',
          message: `expected an integer from 0 to ${workersMax}, got ${flags.workers}`,
        });
      }
      const timeScale = flags.timeScale === undefined ? undefined : Number(flags.timeScale);
      if (timeScale !== undefined && !(timeScale >= 0.01 && timeScale <= 1)) {
        problems.push({
          flag: '--time-scale',
          message: `expected a number from 0.01 to 1, got ${flags.timeScale}`,
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
        for (const which of [
          probes.capacityProbe(outDir),
          probes.crossCheckProbe(outDir),
          probes.failoverProbe(outDir),
          probes.stormProbe(outDir),
        ]) {
          const dir = await probes.runRealProbe(which, rootSeed);
          if (dir) extraResultDirs.push(dir);
        }
        runFiles = [...catalogueFiles(), ...probes.crossCheckFiles()];
      }
      const { writeReport } = await import('../../reports/write-report.ts');
      const runOptions = {
        rootSeed,
        quick: flags.quick === true,
        outDir,
        ...(shard === undefined ? {} : { shard }),
        ...(workers === undefined ? {} : { workers }),
        ...(timeScale === undefined ? {} : { timeScale }),
        report: flags.report ? writeReport : (false as const),
      };
      if (flags.engine === 'both') {
        const { runBothEngines } = await import('../../scenarios/runner/run-both.ts');
        const both = await runBothEngines({ files, ...runOptions });
        process.exitCode = both.exitCode;
        return;
      }
      const outcome = await runScenarios({
        files: runFiles,
        engine: flags.engine as 'sim' | 'real',
        ...runOptions,
        extraResultDirs,
      });
      process.exitCode = outcome.exitCode;
    });
}
