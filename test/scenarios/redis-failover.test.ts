/**
 * `scenarios/redis-failover.yaml` against real Sentinels, as CI runs it: the file's quick block,
 * planned as the runner plans it (engine real), on a lab cluster whose Redis is a primary, a
 * replica and three Sentinels it starts itself, beside the simulator on the same spec. Goal: the
 * scenario runs end to end for real (the primary dies, the replica is promoted, every server writes
 * to it, the count converges) and its failover figures agree with the simulator's within the
 * `--engine both` rule (10% or 1 s for times, 1 entry for entries lost). The run goes at time
 * scale 1 (real time), not the file's 0.5: at 0.5 a half-second stall of a loaded machine is a
 * virtual second, the whole tolerance (real wrongSpanMs 6,430 against the simulator's 5,356, once,
 * with the suite's other worker busy). It takes about 75 real seconds.
 */
import { describe, expect, test } from 'vitest';
import type { RunSpec } from '../../experiment/run-spec.ts';
import { runReal } from '../../lab/engine.ts';
import { loadScenarioFile } from '../../scenarios/runner/load.ts';
import { planScenario } from '../../scenarios/runner/plan.ts';
import { runSimulation } from '../../sim/run.ts';

const toleranceOf = (simMs: number) => Math.max(0.1 * simMs, 1_000);

function failoverSpec(): RunSpec {
  const loaded = loadScenarioFile(new URL('../../scenarios/redis-failover.yaml', import.meta.url).pathname);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  const planned = planScenario(loaded.value, { engine: 'real', rootSeed: 7, quick: true });
  if (!planned.ok) throw new Error(JSON.stringify(planned.error));
  return { ...planned.value.runs[0]!, timeScale: 1 };
}

describe('scenarios: redis-failover against real Sentinels', () => {
  test('the quick run fails over for real and agrees with the simulator on the failover figures', async () => {
    const spec = failoverSpec();
    const sim = runSimulation({
      ...spec.config,
      scenario: spec.scenario,
      runId: spec.runId,
      params: spec.params,
      seed: spec.seed,
    });
    const real = await runReal(spec);
    const [simFailover] = sim.failovers ?? [];
    const [realFailover] = real.failovers ?? [];
    console.log(
      `redis-failover sim ${JSON.stringify(simFailover)}\nredis-failover real ${JSON.stringify(realFailover)}`,
    );
    expect(real.config.redisKind).toBe('sentinel');
    expect(realFailover?.serversWriting).toBe(realFailover?.serversLive);
    expect(real.checks.filter((check) => !check.ok)).toEqual([]);
    for (const name of ['promotionMs', 'allWritingMs', 'wrongSpanMs'] as const) {
      const simMs = simFailover![name]!;
      expect(Math.abs(realFailover![name]! - simMs), name).toBeLessThanOrEqual(toleranceOf(simMs));
    }
    expect(Math.abs(realFailover!.entriesLost - simFailover!.entriesLost)).toBeLessThanOrEqual(1);
  }, 180_000);
});
