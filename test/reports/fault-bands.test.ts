/**
 * Every timeline shades the faults its runs recorded, whatever their kind: a crash until its
 * heal, a fault that never healed to the end of the span, and on the error-budget burn-down each
 * run's faults shifted by the runs laid before it.
 */
import { describe, expect, test } from 'vitest';
import type { RunResult } from '../../experiment/result.ts';
import { budgetFaultBands } from '../../reports/charts/budget-chart.ts';
import { faultIntervals } from '../../reports/fault-bands.ts';
import { fakeResult } from '../scenarios/runner/fixtures.ts';

const withEvents = (runId: string, events: RunResult['events'], durationMs = 60_000): RunResult => ({
  ...fakeResult({ runId }),
  durationMs,
  events,
});

describe('fault bands', () => {
  test('a fault lasts from its instant to the heal of the same target, of any kind', () => {
    const run = withEvents('r/seed-1', [
      { atMs: 1_000, kind: 'zone-outage', target: 'zone-1' },
      { atMs: 2_000, kind: 'latency-spike', target: 'server-2' },
      { atMs: 4_000, kind: 'heal', target: 'zone-1' },
    ]);
    expect(faultIntervals(run)).toEqual([
      { fromMs: 1_000, toMs: 4_000, label: 'zone-outage zone-1' },
      { fromMs: 2_000, toMs: 60_000, label: 'latency-spike server-2' },
    ]);
  });

  test('a fault is clipped to the span shown and one outside it is left out', () => {
    const run = withEvents('r/seed-1', [
      { atMs: 1_000, kind: 'crash', target: 'server-1' },
      { atMs: 50_000, kind: 'redis-outage', target: 'redis' },
    ]);
    expect(faultIntervals(run, 5_000, 20_000)).toEqual([
      { fromMs: 5_000, toMs: 20_000, label: 'crash server-1' },
    ]);
  });

  test('the burn-down shades each run’s faults after the runs laid before it, in hours, named by mode', () => {
    const hour = 3_600_000;
    const first = withEvents(
      'slo/mode-a/seed-1',
      [{ atMs: hour, kind: 'crash', target: 'server-1' }],
      24 * hour,
    );
    const second = withEvents(
      'slo/mode-a/seed-2',
      [
        { atMs: 2 * hour, kind: 'redis-outage', target: 'redis' },
        { atMs: 3 * hour, kind: 'heal', target: 'redis' },
      ],
      24 * hour,
    );
    const bands = budgetFaultBands([
      { mode: 'a', runs: [second, first] },
      { mode: 'c', runs: [] },
    ]);
    expect(bands).toEqual([
      { from: 1, to: 24, label: 'A: crash server-1' },
      { from: 26, to: 27, label: 'A: redis-outage redis' },
    ]);
  });
});
