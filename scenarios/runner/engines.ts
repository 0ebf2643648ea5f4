/**
 * Engines run one `RunSpec` and return its `RunResult` (experiment/result.ts). They are pluggable:
 *
 *   sim   sim/run.ts exports runSimulation(config: SimConfig): RunResult (deterministic, fast)
 *   real  lab/engine.ts exports runReal(spec: RunSpec): Promise<RunResult> (real processes,
 *         sockets and time, every duration multiplied by spec.timeScale)
 *
 * Both are loaded on first use by path, so the runner works while either is still being built:
 * a missing engine is a clear `HC_SCENARIO_ENGINE_UNAVAILABLE` error naming the file to add.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolveSimConfig, type SimConfig } from '../../experiment/config.ts';
import type { RunResult } from '../../experiment/result.ts';
import type { EngineName } from './schema.ts';
import type { RunSpec } from './plan.ts';

export type Engine = (spec: RunSpec) => Promise<RunResult>;

export class EngineUnavailableError extends Error {
  readonly code = 'HC_SCENARIO_ENGINE_UNAVAILABLE';
}

const engineModules = {
  sim: { url: new URL('../../sim/run.ts', import.meta.url), exportName: 'runSimulation', issue: 5 },
  real: { url: new URL('../../lab/engine.ts', import.meta.url), exportName: 'runReal', issue: 7 },
} as const;

async function importEngine(name: EngineName): Promise<(input: never) => unknown> {
  const module = engineModules[name];
  const path = fileURLToPath(module.url);
  const wanted = `${path} exporting ${module.exportName} (issue ${module.issue})`;
  if (!existsSync(path)) {
    throw new EngineUnavailableError(`the ${name} engine is not available yet: it needs ${wanted}`);
  }
  const loaded = (await import(module.url.href)) as Record<string, unknown>;
  const run = loaded[module.exportName];
  if (typeof run !== 'function') {
    throw new EngineUnavailableError(
      `the ${name} engine is not available yet: ${path} does not export ${module.exportName}`,
    );
  }
  return run as (input: never) => unknown;
}

/** The simulator's input for a spec: the scenario's config plus the run's identity and seed. */
export function simConfigOf(spec: RunSpec): SimConfig {
  return resolveSimConfig({
    ...spec.config,
    scenario: spec.scenario,
    runId: spec.runId,
    params: spec.params,
    seed: spec.seed,
  });
}

export async function loadEngine(name: EngineName): Promise<Engine> {
  const run = await importEngine(name);
  if (name === 'sim') {
    const runSimulation = run as (config: SimConfig) => RunResult | Promise<RunResult>;
    return async (spec) => runSimulation(simConfigOf(spec));
  }
  return run as (spec: RunSpec) => Promise<RunResult>;
}
