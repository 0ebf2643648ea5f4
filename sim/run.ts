/**
 * `runSimulation(config)`: build the world, run it on virtual time, and turn its history into one
 * `RunResult` through the experiment's `finishRun` (the lab's engine does the same). A pure
 * function of the config: same seed and config, byte-identical JSON (no wall clock is read
 * anywhere in a run).
 */
import { resolveSimConfig, type SimConfig, type SimConfigInput } from '../experiment/config.ts';
import { finishRun } from '../experiment/finish-run.ts';
import type { RunResult } from '../experiment/result.ts';
import type { RunSpec } from '../experiment/run-spec.ts';
import { configOfSpec } from '../experiment/run-spec.ts';
import { World } from './world.ts';

/** Extra fields of a simulated run (compatible extension of RunResult). */
export interface SimRunResult extends RunResult {
  /** Events the scheduler processed (for events/s in benches). */
  steps: number;
}

export function runSimulation(input: SimConfig | SimConfigInput): SimRunResult {
  const config = resolveSimConfig(input as SimConfigInput);
  const world = new World(config);
  const history = world.run();
  return { ...finishRun({ engine: 'sim', config, history }), steps: world.scheduler.steps };
}

/** The simulator as the scenario runner's engine: one spec in, one result out. */
export async function runSimulationSpec(spec: RunSpec): Promise<RunResult> {
  return runSimulation(configOfSpec(spec));
}
