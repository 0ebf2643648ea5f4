import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { parseScenarioText } from '../../../scenarios/runner/load.ts';
import { planScenario } from '../../../scenarios/runner/plan.ts';
import { deepMerge, expandGrid, withValueAt } from '../../../scenarios/runner/sweep.ts';

describe('scenarios: sweeps', () => {
  test('two sweeps combine as a grid, the first key varying slowest', () => {
    const points = expandGrid({ a: [1, 2], b: ['x', 'y', 'z'] });
    expect(points.map((point) => point.map(({ value }) => value).join(''))).toEqual([
      '1x',
      '1y',
      '1z',
      '2x',
      '2y',
      '2z',
    ]);
  });

  test('no sweep is one point with no parameters', () => {
    expect(expandGrid(undefined)).toEqual([[]]);
  });

  propertyTest.prop([fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 4 })])(
    'the grid has the product of the list lengths as points, each combination once',
    (lengths) => {
      const sweep = Object.fromEntries(
        lengths.map((length, i) => [`k${i}`, Array.from({ length }, (_, v) => v)]),
      );
      const points = expandGrid(sweep);
      expect(points.length).toBe(lengths.reduce((a, b) => a * b, 1));
      expect(new Set(points.map((point) => JSON.stringify(point))).size).toBe(points.length);
    },
  );

  test('a grid beyond sweepPointsMax is refused before any run', () => {
    const long = Array.from({ length: 100 }, (_, i) => i);
    expect(() => expandGrid({ a: long, b: long, c: long })).toThrowError(/sweepPointsMax/);
  });

  test('withValueAt sets a dotted path in a copy, creating objects on the way', () => {
    const raw = { cluster: { servers: 3 } };
    expect(withValueAt(raw, 'network.redis.jitterMs', 5)).toEqual({
      cluster: { servers: 3 },
      network: { redis: { jitterMs: 5 } },
    });
    expect(raw).toEqual({ cluster: { servers: 3 } });
  });

  test('deepMerge merges objects and replaces lists', () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] } }, { a: { c: [3] } })).toEqual({ a: { b: 1, c: [3] } });
  });

  test('a planned sweep gives modes x points x seeds runs with the swept values in params and run ids', () => {
    const text = `question: How do sweeps expand into runs?
durationMs: 1m
seeds: 2
cluster: { modes: [a, c], ttlMs: 5s }
sweep:
  cluster.ttlMs: [2s, 10s]
  cluster.heartbeatPerTtl: [1, 1/5]
`;
    const loaded = parseScenarioText(text, 'grid.yaml');
    if (!loaded.ok) throw new Error('fixture must load');
    const planned = planScenario(loaded.value, { engine: 'sim', rootSeed: 9, quick: false });
    if (!planned.ok) throw new Error('fixture must plan');
    const runs = planned.value.runs;
    expect(runs.length).toBe(2 * 2 * 2 * 2);
    expect(new Set(runs.map((run) => run.runId)).size).toBe(runs.length);
    expect(runs[0]!.runId).toBe('grid/mode=a,cluster.ttlMs=2000,cluster.heartbeatPerTtl=1/seed-0');
    const fifth = runs.find(
      (run) => run.params['cluster.heartbeatPerTtl'] === 0.2 && run.params['cluster.ttlMs'] === 10_000,
    );
    expect(fifth?.config.cluster?.heartbeatMs).toBe(2_000);
  });
});
