/**
 * `headcount scenario`: load the files, plan the runs, run them (worker threads for the
 * simulator), write one JSON per run and `results.json`, judge the expectations, write
 * counterexamples, build the report, print the summary. Exit code: 0 all expectations held,
 * 1 an expectation (severity fail) or a run failed, 2 a file or flag is invalid.
 *
 *   out/scenarios/<stamp>/
 *     runs/<runId with / as __>.json    one RunResult each
 *     results.json                      the Aggregate (experiment/result.ts)
 *     counterexamples/*.yaml            one replayable file per failed expectation
 *     report/index.html                 from the report builder the caller hands in (the CLI: reports/)
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Aggregate,
  aggregateSchema,
  type RunResult,
  type ScenarioOutcome,
} from '../../experiment/result.ts';
import { counterexampleFileName, renderCounterexample } from './counterexample.ts';
import { type Engine, loadEngine } from './engines.ts';
import { currentEnvironment } from './environment.ts';
import { evaluateExpectation } from './expect.ts';
import { formatProblem, loadScenarioFile, type ScenarioProblem } from './load.ts';
import { type PlannedScenario, planScenario } from './plan.ts';
import { runPool } from './pool.ts';
import { createProgress } from './progress.ts';
import type { EngineName, ModeName } from './schema.ts';
import { formatShard, inShard, type Shard } from './shard.ts';
import { renderSummary, type ScenarioReport } from './summary.ts';

export interface RunnerOptions {
  /** Scenario files; empty = the whole catalogue (scenarios/*.yaml). */
  files: string[];
  engine: EngineName;
  rootSeed: number;
  quick: boolean;
  /** Default out/scenarios/<timestamp>. */
  outDir?: string;
  shard?: Shard;
  /** Worker threads for simulated runs; 0 runs them in this thread. */
  workers?: number;
  /** Real engine: the time scale for files without `real.timeScale` (default 0.1). */
  timeScale?: number;
  /** Only these of each file's modes (`real-probes.ts`). @default every mode */
  modes?: readonly ModeName[];
  /**
   * Builds the HTML report at the end: results folders in, `report/` folder out. The CLI hands in
   * reports/'s `writeReport`; scenarios/ stands below reports/ and never imports it. @default false
   */
  report?: ReportBuilder | false;
  /** More results folders the report merges with this run's (e.g. a real-engine capacity probe). */
  extraResultDirs?: string[];
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Tests: run specs with this engine, in this thread, instead of loading `engine`. */
  engineOverride?: Engine;
}

export type ReportBuilder = (dirs: string[], outDir: string) => Promise<{ indexPath: string }>;

export interface RunnerOutcome {
  exitCode: 0 | 1 | 2;
  outDir?: string;
  aggregate?: Aggregate;
  reports?: ScenarioReport[];
  problems?: ScenarioProblem[];
}

export const catalogueDir = fileURLToPath(new URL('..', import.meta.url));

export function catalogueFiles(): string[] {
  return readdirSync(catalogueDir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => join(catalogueDir, name));
}

export function runFileName(runId: string): string {
  return `${runId.replaceAll('/', '__')}.json`;
}

export async function runScenarios(options: RunnerOptions): Promise<RunnerOutcome> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const startedAtMs = Date.now();
  const environment = currentEnvironment(catalogueDir);
  stdout.write(`SEED=${options.rootSeed}\n`);
  const planned = planAll(options);
  if (!planned.ok) {
    for (const problem of planned.error) stderr.write(`${formatProblem(problem)}\n`);
    return { exitCode: 2, problems: planned.error };
  }
  const scenarios = planned.value;
  const specs = scenarios.flatMap((s) => s.runs).filter((_, index) => inShard(index, options.shard));
  const wanted = new Set(specs.map((spec) => spec.runId));
  const workers = options.workers ?? Math.min(availableParallelism(), 4);
  const outDir = resolve(
    options.outDir ?? join('out', 'scenarios', new Date(startedAtMs).toISOString().replace(/[:.]/g, '-')),
  );
  mkdirSync(join(outDir, 'runs'), { recursive: true });
  const shardText = options.shard ? ` shard=${formatShard(options.shard)}` : '';
  stdout.write(
    `engine=${options.engine} quick=${options.quick} scenarios=${scenarios.length} runs=${specs.length}${shardText} workers=${options.engine === 'sim' ? workers : 1} out=${outDir}\n`,
  );

  const results = new Map<string, RunResult>();
  const failures = new Map<string, string>();
  if (specs.length > 0) {
    let engine: Engine;
    try {
      engine = options.engineOverride ?? (await loadEngine(options.engine));
    } catch (error) {
      stderr.write(`headcount scenario: ${(error as Error).message}\n`);
      return { exitCode: 1, outDir };
    }
    const progress = createProgress(specs.length, stderr);
    await runPool(specs, {
      workers,
      engine,
      useThreads: options.engine === 'sim' && options.engineOverride === undefined,
      onDone(spec, outcome) {
        progress.done(spec.runId, outcome.ok);
        if (!outcome.ok) {
          failures.set(spec.runId, outcome.message);
          return;
        }
        results.set(spec.runId, outcome.result);
        writeFileSync(join(outDir, 'runs', runFileName(spec.runId)), `${JSON.stringify(outcome.result)}\n`);
      },
    });
    progress.finish();
  }

  const reports = scenarios.map((s) =>
    judge(s, wanted, results, failures, options.shard !== undefined, outDir),
  );
  const aggregate: Aggregate = {
    schema: aggregateSchema,
    generatedAt: new Date(startedAtMs).toISOString(),
    rootSeed: options.rootSeed,
    quick: options.quick,
    ...(options.shard ? { shard: formatShard(options.shard) } : {}),
    scenarios: reports.map(outcomeOf),
    wallMs: Date.now() - startedAtMs,
    environment,
  };
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(aggregate, null, 2)}\n`);
  stdout.write(`\n${renderSummary(reports)}`);
  const failed =
    failures.size > 0 ||
    reports.some((r) => r.expectations.some((e) => !e.outcome.ok && e.severity === 'fail'));
  stdout.write(
    `wall time ${(aggregate.wallMs / 1000).toFixed(1)} s; results ${join(outDir, 'results.json')}\n`,
  );
  stdout.write(
    `${await buildReport(outDir, options.report ?? false, stderr, options.extraResultDirs ?? [])}\n`,
  );
  return { exitCode: failed ? 1 : 0, outDir, aggregate, reports };
}

type PlanAll = { ok: true; value: PlannedScenario[] } | { ok: false; error: ScenarioProblem[] };

function planAll(options: RunnerOptions): PlanAll {
  const files = options.files.length > 0 ? options.files : catalogueFiles();
  const problems: ScenarioProblem[] = [];
  const scenarios: PlannedScenario[] = [];
  for (const file of files) {
    const loaded = loadScenarioFile(file);
    if (!loaded.ok) {
      problems.push(...loaded.error);
      continue;
    }
    try {
      const planned = planScenario(loaded.value, options);
      if (planned.ok) scenarios.push(planned.value);
      else problems.push(...planned.error);
    } catch (error) {
      problems.push({
        code: 'HC_SCENARIO_INVALID',
        file,
        line: 1,
        column: 1,
        field: 'sweep',
        message: (error as Error).message,
      });
    }
  }
  const names = new Set<string>();
  for (const scenario of scenarios) {
    if (names.has(scenario.name)) {
      problems.push({
        code: 'HC_SCENARIO_INVALID',
        file: scenario.file,
        line: 1,
        column: 1,
        field: 'name',
        message: `two files are named ${scenario.name}; give one a name:`,
      });
    }
    names.add(scenario.name);
  }
  return problems.length > 0 ? { ok: false, error: problems } : { ok: true, value: scenarios };
}

function judge(
  planned: PlannedScenario,
  wanted: Set<string>,
  results: Map<string, RunResult>,
  failures: Map<string, string>,
  sharded: boolean,
  outDir: string,
): ScenarioReport {
  const mine = planned.runs.filter((spec) => wanted.has(spec.runId));
  const runResults = mine.flatMap((spec) => results.get(spec.runId) ?? []);
  const failedRuns = mine.flatMap((spec) => {
    const message = failures.get(spec.runId);
    return message === undefined ? [] : [{ runId: spec.runId, message }];
  });
  const expectations = planned.skipped
    ? []
    : planned.expectations.map((expectation, index) => {
        const evaluated = evaluateExpectation(expectation, runResults, { sharded });
        const worst = evaluated.worstRunId === undefined ? undefined : results.get(evaluated.worstRunId);
        if (!evaluated.outcome.ok && worst) {
          const dir = join(outDir, 'counterexamples');
          mkdirSync(dir, { recursive: true });
          const path = join(dir, counterexampleFileName(worst.runId, index));
          writeFileSync(path, renderCounterexample(planned, expectation, evaluated, worst));
          evaluated.outcome.detail += `; replay: headcount scenario ${path}`;
        }
        return evaluated;
      });
  return { planned, results: runResults, failedRuns, expectations };
}

function outcomeOf(report: ScenarioReport): ScenarioOutcome {
  const { planned } = report;
  const skipped = planned.skipped
    ? [{ expression: `engine ${planned.engine}`, ok: true, detail: `skipped: ${planned.skipped}` }]
    : [];
  return {
    name: planned.name,
    question: planned.question,
    file: planned.file,
    engine: planned.engine,
    runIds: report.results.map((result) => result.runId),
    expectations: [...skipped, ...report.expectations.map((e) => e.outcome)],
  };
}

/** Builds the report with the caller's builder; returns the line that ends the output. */
async function buildReport(
  outDir: string,
  builder: ReportBuilder | false,
  stderr: NodeJS.WritableStream,
  extraDirs: readonly string[],
): Promise<string> {
  const results = `results: ${join(outDir, 'results.json')}`;
  if (builder === false) return results;
  try {
    const built = await builder([outDir, ...extraDirs], join(outDir, 'report'));
    return `report: ${resolve(built.indexPath)}`;
  } catch (error) {
    stderr.write(`headcount scenario: the report could not be built: ${(error as Error).message}\n`);
    return results;
  }
}
