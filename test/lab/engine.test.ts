/**
 * The real engine refuses what the lab cannot reproduce before starting anything, naming every
 * unsupported part, so a scenario author knows what to change (the full run is exercised by
 * test/scenarios/sim-vs-real.test.ts).
 */
import { describe, expect, test } from 'vitest';
import { LabUnsupportedError, runReal } from '../../lab/engine.ts';
import type { RunSpec } from '../../experiment/run-spec.ts';

const spec: RunSpec = {
  engine: 'real',
  scenario: 'adhoc',
  file: 'adhoc.yaml',
  runId: 'adhoc/mode=a/seed-0',
  seed: 1,
  params: { mode: 'a' },
  timeScale: 0.1,
  config: {
    cluster: { mode: 'a', clockOffsetMsMax: 50 },
    network: { redis: { lossProbability: { numerator: 1, denominator: 100 } } },
    faults: { schedule: [{ atMs: 1_000, kind: 'clock-jump', target: 'server-0', deltaMs: 500 }] },
  },
};

describe('lab engine: unsupported scenarios', () => {
  test('a clock jump, clock offsets and message loss are refused with HC_LAB_UNSUPPORTED naming each', async () => {
    const error = await runReal(spec).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LabUnsupportedError);
    expect((error as LabUnsupportedError).code).toBe('HC_LAB_UNSUPPORTED');
    const message = (error as Error).message;
    expect(message).toContain('fault clock-jump');
    expect(message).toContain('cluster.clockOffsetMsMax');
    expect(message).toContain('network.redis.lossProbability');
  });
});
