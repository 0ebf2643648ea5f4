/**
 * The real engine runs every catalogue file: planning each one (full and --quick) for the real
 * engine finds no part it would refuse. What it cannot reproduce (per-message loss; a mode C zone
 * partition with discovery instances as child processes) it refuses before
 * starting anything, naming every unsupported part, so a scenario author knows what to change
 * (full runs are exercised by test/scenarios/sim-vs-real.test.ts and `--engine both`).
 */
import { describe, expect, test } from 'vitest';
import { faultTimeline } from '../../experiment/nemesis.ts';
import { RandomStreams } from '../../experiment/rng.ts';
import { configOfSpec, type RunSpec } from '../../experiment/run-spec.ts';
import { clusterOptionsOf, LabUnsupportedError, runReal } from '../../lab/engine.ts';
import { unsupportedParts } from '../../lab/fault-target.ts';
import { loadScenarioFile } from '../../scenarios/runner/load.ts';
import { planScenario } from '../../scenarios/runner/plan.ts';
import { catalogueFiles } from '../../scenarios/runner/run-scenarios.ts';

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

describe('lab engine: what it runs and what it refuses', () => {
  test('every catalogue file, full and quick, plans onto the real engine with nothing refused', () => {
    const refused: string[] = [];
    let runs = 0;
    for (const file of catalogueFiles()) {
      const loaded = loadScenarioFile(file);
      if (!loaded.ok) throw new Error(`${file}: ${JSON.stringify(loaded.error)}`);
      for (const quick of [false, true]) {
        const planned = planScenario(loaded.value, { engine: 'real', rootSeed: 7, quick });
        if (!planned.ok) throw new Error(`${file}: ${JSON.stringify(planned.error)}`);
        for (const run of planned.value.runs) {
          runs += 1;
          const config = configOfSpec(run);
          const faults = faultTimeline(config, new RandomStreams(config.seed).stream('nemesis'));
          for (const part of unsupportedParts(config, faults)) refused.push(`${run.runId}: ${part}`);
        }
      }
    }
    expect(runs).toBeGreaterThan(20);
    expect(refused).toEqual([]);
  });

  test('message loss is refused with HC_LAB_UNSUPPORTED naming it, before anything starts', async () => {
    const error = await runReal(spec).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LabUnsupportedError);
    expect((error as LabUnsupportedError).code).toBe('HC_LAB_UNSUPPORTED');
    const message = (error as Error).message;
    expect(message).toContain('network.redis.lossProbability');
    expect(message).not.toContain('clock');
  });

  test('connection loss is not refused: each class with it gets its share of connections stalled, clients through the proxy', () => {
    const config = configOfSpec({
      ...spec,
      config: {
        network: {
          clients: { lossProbability: { numerator: 1, denominator: 10 }, lossModel: 'connection' },
          redis: { lossProbability: { numerator: 1, denominator: 50 }, lossModel: 'connection' },
        },
      },
    });
    expect(unsupportedParts(config, [])).toEqual([]);
    const options = clusterOptionsOf(config, 0.1, []);
    expect(options.linkStall).toEqual({ clients: 0.1, redis: 0.02 });
    expect(options.proxy?.clients).toBe(true);
  });

  test('a mode C zone partition is refused only when the discovery instances are child processes (their calls to the servers cannot be cut per pair)', () => {
    const config = configOfSpec({
      ...spec,
      params: { mode: 'c' },
      config: {
        cluster: { mode: 'c', servers: 3, discoveryInstances: 3, zones: 3 },
        faults: {
          schedule: [{ atMs: 1_000, kind: 'zone-outage', target: 'zone-1', outage: 'partition' }],
        },
      },
    });
    const faults = faultTimeline(config, new RandomStreams(config.seed).stream('nemesis'));
    expect(unsupportedParts(config, faults)).toEqual([]);
    expect(unsupportedParts(config, faults, false, true)).toEqual([
      expect.stringContaining('zone-outage partition in mode c with discovery instances as child processes'),
    ]);
    const crash = faults.map((fault) => ({ ...fault, outage: 'crash' as const }));
    expect(unsupportedParts(config, crash, true)).toEqual([]);
  });

  test('clock offsets and jumps are refused only when the servers are child processes', async () => {
    const clockOnly: RunSpec = { ...spec, config: { ...spec.config, network: {} } };
    const error = await runReal(clockOnly, { processes: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LabUnsupportedError);
    expect((error as Error).message).toContain(
      'clock offsets and clock-jump with servers as child processes',
    );
  });
});
