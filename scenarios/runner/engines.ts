/**
 * The scenario runner's two engines, each a literal lazy import so neither loads until a run
 * needs it (and both stay visible to the type checker and to readers):
 *
 *   sim   sim/run.ts    runSimulationSpec(spec): deterministic, fast
 *   real  lab/engine.ts runReal(spec): real processes, sockets and time, every duration
 *         multiplied by spec.timeScale
 *
 * Both take a `RunSpec` and return a `RunResult` (experiment/run-spec.ts, experiment/result.ts).
 */
import type { RunResult } from '../../experiment/result.ts';
import type { RunSpec } from '../../experiment/run-spec.ts';
import type { EngineName } from './schema.ts';

export type Engine = (spec: RunSpec) => Promise<RunResult>;

const engines: Readonly<Record<EngineName, () => Promise<Engine>>> = {
  sim: async () => (await import('../../sim/run.ts')).runSimulationSpec,
  real: async () => (await import('../../lab/engine.ts')).runReal,
};

export async function loadEngine(name: EngineName): Promise<Engine> {
  return engines[name]();
}
