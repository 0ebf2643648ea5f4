/**
 * What a report is built from: the scenario outcomes and run results of one or more results
 * folders (shards of one job, or a simulator job and a real-engine job), merged. Everything
 * downstream is a pure function of this value, so a report is rebuilt from results alone.
 * Merging is pure too: `load-results.ts` does the reading.
 */
import type {
  Aggregate,
  Engine,
  ModeName,
  RunEnvironment,
  RunResult,
  ScenarioOutcome,
} from '../experiment/result.ts';

export interface ResultsSource {
  /** A short label for the folder (its base name), shown in the page header. */
  label: string;
  aggregate: Aggregate;
  runs: RunResult[];
}

export interface ReportData {
  sources: {
    label: string;
    generatedAt: string;
    rootSeed: number;
    quick: boolean;
    shard?: string;
    environment?: RunEnvironment;
  }[];
  /** One outcome per (scenario, engine); shards of the same scenario are merged. */
  scenarios: ScenarioOutcome[];
  /** Every run once, keyed by engine and run id (a run present in two shards counts once). */
  runs: RunResult[];
  /** `engine:runId` -> the root seed and --quick flag of the job that ran it (what reproduces it). */
  origins: Record<string, RunOrigin>;
}

export interface RunOrigin {
  rootSeed: number;
  quick: boolean;
  /** The machine's 1-minute load average when the job started, when the job recorded it. */
  loadAverage1m?: number;
}

export function runKey(run: RunResult): string {
  return `${run.engine}:${run.runId}`;
}

function outcomeKey(outcome: { name: string; engine: Engine }): string {
  return `${outcome.engine}:${outcome.name}`;
}

function mergeOutcome(into: ScenarioOutcome, from: ScenarioOutcome): ScenarioOutcome {
  const runIds = [...new Set([...into.runIds, ...from.runIds])];
  const seen = new Set(into.expectations.map((e) => `${e.expression}|${e.ok}|${e.detail}`));
  const extra = from.expectations.filter((e) => !seen.has(`${e.expression}|${e.ok}|${e.detail}`));
  return { ...into, runIds, expectations: [...into.expectations, ...extra] };
}

/** Merges results folders; order of sources does not change the outcome beyond tie order. */
export function mergeSources(sources: readonly ResultsSource[]): ReportData {
  const outcomes = new Map<string, ScenarioOutcome>();
  const runs = new Map<string, RunResult>();
  const origins: Record<string, RunOrigin> = {};
  for (const source of sources) {
    for (const outcome of source.aggregate.scenarios) {
      const key = outcomeKey(outcome);
      const known = outcomes.get(key);
      outcomes.set(key, known ? mergeOutcome(known, outcome) : outcome);
    }
    for (const run of source.runs) {
      runs.set(runKey(run), run);
      const load = source.aggregate.environment?.loadAverage1m;
      origins[runKey(run)] = {
        rootSeed: source.aggregate.rootSeed,
        quick: source.aggregate.quick,
        ...(load === undefined ? {} : { loadAverage1m: load }),
      };
    }
  }
  return {
    sources: sources.map(({ label, aggregate }) => ({
      label,
      generatedAt: aggregate.generatedAt,
      rootSeed: aggregate.rootSeed,
      quick: aggregate.quick,
      ...(aggregate.shard === undefined ? {} : { shard: aggregate.shard }),
      ...(aggregate.environment === undefined ? {} : { environment: aggregate.environment }),
    })),
    scenarios: [...outcomes.values()],
    runs: [...runs.values()].sort((a, b) => compareText(runKey(a), runKey(b))),
    origins,
  };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface RunFilter {
  scenario: string;
  engine?: Engine;
  mode?: ModeName;
}

/** The runs of one scenario, by default on the simulator (the engine most charts are about). */
export function runsOf(data: ReportData, filter: RunFilter): RunResult[] {
  const engine = filter.engine ?? 'sim';
  return data.runs.filter(
    (run) =>
      run.scenario === filter.scenario &&
      run.engine === engine &&
      (filter.mode === undefined || run.config.mode === filter.mode),
  );
}

export function outcomeOf(
  data: ReportData,
  scenario: string,
  engine: Engine = 'sim',
): ScenarioOutcome | undefined {
  return data.scenarios.find((outcome) => outcome.name === scenario && outcome.engine === engine);
}

/** Groups items by a key, keeping first-seen order of keys. */
export function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** The run with the largest value of `score` (the worst seed, for "up to" figures). */
export function worstRun(
  runs: readonly RunResult[],
  score: (run: RunResult) => number,
): RunResult | undefined {
  let worst: RunResult | undefined;
  for (const run of runs) if (worst === undefined || score(run) > score(worst)) worst = run;
  return worst;
}

/**
 * `REAL` with the load its job started under, e.g. `REAL (load average 45 on 2 cores)`: a real
 * timing means little without it. `SIM` for simulated runs.
 */
export function sourceLabel(data: ReportData, run: RunResult): string {
  if (run.engine !== 'real') return 'SIM';
  const load = data.origins[runKey(run)]?.loadAverage1m;
  const cores = data.sources.find((s) => s.environment !== undefined)?.environment?.cpus.split(' x ')[0];
  return load === undefined ? 'REAL' : `REAL (load average ${load}${cores ? ` on ${cores} cores` : ''})`;
}

export const modeLabel: Record<ModeName, string> = { local: 'local', a: 'A (Redis TTL)', c: 'C (discovery)' };

/**
 * The scenario file a run came from, as the aggregate recorded it; an absolute path inside a
 * checkout is shortened to `scenarios/...` so the command reads the same on every machine.
 */
export function scenarioFileOf(data: ReportData, run: RunResult): string {
  const file = outcomeOf(data, run.scenario, run.engine)?.file ?? `scenarios/${run.scenario}.yaml`;
  const at = file.lastIndexOf('/scenarios/');
  return file.startsWith('/') && at >= 0 ? file.slice(at + 1) : file;
}
