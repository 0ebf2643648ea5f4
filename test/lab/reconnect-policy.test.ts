/**
 * The lab's clients honour the workload's reconnect policy as the simulator's do: after a crash,
 * a spread policy brings the crashed server's clients back over its window on both engines, and
 * at once by default. Compared on the checker's absorb time (`storms`, the same definition on
 * both engines).
 */
import { describe, expect, test } from 'vitest';
import type { SimConfigInput } from '../../experiment/config.ts';
import type { ReconnectPolicy } from '../../experiment/reconnect-policy.ts';
import type { RunResult } from '../../experiment/result.ts';
import type { RunSpec } from '../../experiment/run-spec.ts';
import { runReal } from '../../lab/engine.ts';
import { runSimulation } from '../../sim/run.ts';

const crashAtMs = 4_000;
const durationMs = 14_000;

function specOf(policy: Partial<ReconnectPolicy>, mode: 'local' | 'a' = 'local'): RunSpec {
  const config: SimConfigInput = {
    durationMs,
    cluster: { mode, servers: 3 },
    workload: {
      initialClients: 90,
      arrivalRatePerSec: 0,
      sessionLength: { kind: 'exponential', meanMs: 3_600_000_000 },
      whoRatePerSec: 5,
      reconnectPolicy: policy,
    },
    faults: { schedule: [{ atMs: crashAtMs, kind: 'crash', target: 'server-1' }] },
    check: { seriesResolutionMs: 250 },
  };
  return {
    engine: 'real',
    scenario: 'reconnect-policy',
    file: 'reconnect-policy.yaml',
    runId: `reconnect-policy/${policy.kind}/${mode}`,
    seed: 5,
    params: { mode },
    timeScale: 0.25,
    config,
  };
}

/** The checker's absorb time of the run's one crash (experiment/checker.ts, the same on both engines). */
function absorbedMs(result: RunResult): number {
  return result.storms?.[0]?.absorbMs ?? Number.POSITIVE_INFINITY;
}

function simulate(spec: RunSpec): RunResult {
  return runSimulation({
    ...spec.config,
    scenario: spec.scenario,
    runId: spec.runId,
    params: spec.params,
    seed: spec.seed,
  });
}

describe('a reconnect policy on both engines', () => {
  test('spread over 4 s brings a crashed server’s clients back over about 4 s on both engines; at once within a sample', async () => {
    const spread = specOf({ kind: 'spread', spreadMs: 4_000 });
    const [sim, real] = [simulate(spread), await runReal(spread)];
    for (const result of [sim, real]) {
      expect(absorbedMs(result), result.engine).toBeGreaterThan(3_000);
      expect(absorbedMs(result), result.engine).toBeLessThanOrEqual(5_000);
    }
    const atOnce = specOf({ kind: 'immediate' });
    expect(absorbedMs(simulate(atOnce))).toBeLessThanOrEqual(500);
    expect(absorbedMs(await runReal(atOnce))).toBeLessThanOrEqual(1_000);
  }, 60_000);

  test('in mode A the lab reads Redis’s writes through the run, so a spread storm writes faster than the quiet before it', async () => {
    const result = await runReal(specOf({ kind: 'spread', spreadMs: 4_000 }, 'a'));
    const writes = result.storms?.[0]?.redisWritesPerSec;
    // One registry write per reconnect (publishDelayMs 0) on top of three servers' heartbeats.
    expect(writes?.quiet).toBeGreaterThan(0);
    expect(writes?.storm).toBeGreaterThan(writes?.quiet ?? Number.POSITIVE_INFINITY);
  }, 60_000);
});
