/**
 * `RunSpec`: one run, engine-neutral. The scenario runner builds it from a file (one mode, one
 * sweep point, one seed); an engine (`sim/` or `lab/`) runs it and returns a `RunResult`. It is
 * the one thing that travels down from a scenario to an engine; `configOfSpec` resolves it into
 * the full config exactly once, for both engines.
 */
import { resolveSimConfig, type SimConfig, type SimConfigInput } from './config.ts';
import type { Engine } from './result.ts';

export interface RunSpec {
  engine: Engine;
  scenario: string;
  file: string;
  /** e.g. `ttl-sweep/mode=a,cluster.ttlMs=5000/seed-2`; unique within a plan. */
  runId: string;
  seed: number;
  params: Record<string, number | string>;
  /** Real engine: every duration is multiplied by this. */
  timeScale: number;
  /**
   * Real engine: servers (and discovery instances) as child processes, so that a server's memory
   * and CPU are its own (the capacity question). @default false: one process, lighter on 2 cores
   */
  processes?: boolean;
  config: SimConfigInput;
}

/** The real engine's default time scale: ten times faster than production. */
export const timeScaleDefault = 0.1;

/** The resolved config of a spec: the scenario's config plus the run's identity and seed. */
export function configOfSpec(spec: RunSpec): SimConfig {
  return resolveSimConfig({
    ...spec.config,
    scenario: spec.scenario,
    runId: spec.runId,
    params: spec.params,
    seed: spec.seed,
  });
}
