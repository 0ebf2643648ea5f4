/**
 * Turns loaded scenario files into the list of runs to execute: for each file, the `quick`
 * override (when asked), then modes x sweep points x seeds, each with a run id, a derived seed
 * and the engine configuration. Pure: the same files, root seed and flags give the same plan.
 *
 *   file --quick--> effective raw --sweep point--> validated --mode--> RunSpec x seeds
 */
import { type RunSpec, timeScaleDefault } from '../../experiment/run-spec.ts';
import { toEngineConfig } from './engine-config.ts';
import { type LoadedScenario, type ScenarioProblem, zodProblems } from './load.ts';
import {
  type EngineName,
  type Expectation,
  type ModeName,
  type ScenarioFile,
  scenarioSchema,
} from './schema.ts';

export type { RunSpec };
import { deriveSeed } from './seed.ts';
import { deepMerge, expandGrid, type SweepPoint, valueAt, withValueAt } from './sweep.ts';

export interface PlannedScenario {
  name: string;
  question: string;
  file: string;
  engine: EngineName;
  runs: RunSpec[];
  expectations: Expectation[];
  /** Why the scenario does not run on this engine (it is listed, never silently dropped). */
  skipped?: string;
  /** The file with the quick override applied and without `quick:` (counterexamples start from it). */
  effectiveRaw: Record<string, unknown>;
}

export interface PlanOptions {
  engine: EngineName;
  rootSeed: number;
  quick: boolean;
  /** The real engine's time scale for files without `real.timeScale`. @default timeScaleDefault */
  timeScale?: number;
  /** Only these of each file's modes (a real probe that needs one mode's figures). @default every mode */
  modes?: readonly ModeName[];
}

export type PlanResult = { ok: true; value: PlannedScenario } | { ok: false; error: ScenarioProblem[] };

export function planScenario(loaded: LoadedScenario, options: PlanOptions): PlanResult {
  const effectiveRaw = effectiveFile(loaded, options.quick);
  const base = scenarioSchema.safeParse(effectiveRaw);
  if (!base.success) return { ok: false, error: zodProblems(base.error, loaded.file, loaded.locate) };
  const scenario = base.data;
  const planned: PlannedScenario = {
    name: loaded.name,
    question: scenario.question,
    file: loaded.file,
    engine: options.engine,
    runs: [],
    // An expectation about a mode the plan leaves out would match no run and fail: it is not asked.
    expectations: (scenario.expect ?? []).filter(
      (expectation) =>
        options.modes === undefined ||
        expectation.where?.['mode'] === undefined ||
        options.modes.includes(expectation.where['mode'] as ModeName),
    ),
    effectiveRaw,
  };
  const engines = scenario.engines ?? ['sim', 'real'];
  if (!engines.includes(options.engine)) {
    const only = engines.join(', ');
    return {
      ok: true,
      value: { ...planned, skipped: `runs on engine ${only} only (try --engine ${engines[0]})` },
    };
  }
  const points = expandGrid(scenario.sweep as Record<string, (number | string)[]> | undefined);
  for (const point of points) {
    const parsed = parsePoint(loaded, effectiveRaw, point);
    if (!parsed.ok) return parsed;
    planned.runs.push(...runsOf(loaded.name, loaded.file, parsed.value, point, options));
  }
  return { ok: true, value: planned };
}

function effectiveFile(loaded: LoadedScenario, quick: boolean): Record<string, unknown> {
  const { quick: override, ...rest } = loaded.raw;
  if (!quick) return rest;
  const merged = deepMerge(rest, override ?? {}) as Record<string, unknown>;
  const hasQuickSeeds = typeof override === 'object' && override !== null && 'seeds' in override;
  if (!hasQuickSeeds) merged['seeds'] = Array.isArray(rest['seeds']) ? [rest['seeds'][0]] : 1;
  return merged;
}

type PointResult = { ok: true; value: ScenarioFile } | { ok: false; error: ScenarioProblem[] };

function parsePoint(loaded: LoadedScenario, raw: Record<string, unknown>, point: SweepPoint): PointResult {
  let applied: Record<string, unknown> = raw;
  for (const { path, value } of point) applied = withValueAt(applied, path, value);
  const parsed = scenarioSchema.safeParse(applied);
  const blame = (path: string) => ['sweep', path];
  if (!parsed.success) {
    const issuePaths = parsed.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => [...issue.path, key].join('.'))
        : [issue.path.join('.')],
    );
    const swept = point.find(({ path }) => issuePaths.some((issuePath) => issuePath.startsWith(path)));
    return {
      ok: false,
      error: zodProblems(parsed.error, loaded.file, loaded.locate, swept && blame(swept.path)),
    };
  }
  for (const { path } of point) {
    const value = valueAt(parsed.data, path);
    if (typeof value !== 'number' && typeof value !== 'string') {
      const position = loaded.locate(blame(path));
      const message = `${path} is not a number or name field of the scenario (see scenarios/README.md for the fields)`;
      return {
        ok: false,
        error: [
          { code: 'HC_SCENARIO_INVALID', file: loaded.file, ...position, field: `sweep.${path}`, message },
        ],
      };
    }
  }
  return { ok: true, value: parsed.data };
}

function runsOf(
  name: string,
  file: string,
  scenario: ScenarioFile,
  point: SweepPoint,
  options: PlanOptions,
): RunSpec[] {
  const modes = (scenario.cluster.modes ?? [scenario.cluster.mode ?? 'a']).filter(
    (mode) => options.modes === undefined || options.modes.includes(mode),
  );
  const seeds = scenario.seeds;
  const seedCount = typeof seeds === 'number' ? seeds : seeds.length;
  const runs: RunSpec[] = [];
  for (const mode of modes) {
    const params: Record<string, number | string> = { mode };
    for (const { path } of point) params[path] = valueAt(scenario, path) as number | string;
    const pointKey = Object.entries(params)
      .map(([key, value]) => `${key}=${value}`)
      .join(',');
    const config = toEngineConfig(scenario, mode);
    for (let seedIndex = 0; seedIndex < seedCount; seedIndex++) {
      const runId = `${name}/${pointKey}/seed-${seedIndex}`;
      const seed = typeof seeds === 'number' ? deriveSeed(options.rootSeed, runId) : seeds[seedIndex]!;
      const timeScale = scenario.real?.timeScale ?? options.timeScale ?? timeScaleDefault;
      const processes = scenario.real?.processes;
      runs.push({
        engine: options.engine,
        scenario: name,
        file,
        runId,
        seed,
        params,
        timeScale,
        ...(processes === undefined ? {} : { processes }),
        config,
      });
    }
  }
  return runs;
}
