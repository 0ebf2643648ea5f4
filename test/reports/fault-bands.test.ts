/**
 * Fault intervals are shaded on every timeline, read from each run's own timeline events: the
 * band runs from the fault to the first heal of its target (or of `all`), to the end of the run
 * when nothing heals it, and a kind the report has never heard of (one added to the fault table
 * later) is shaded the same way. Checked on hand-made runs, as a property, and on the fixtures'
 * report: every chart with a time axis carries the faultBands plugin with at least one band.
 */

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import type { RunResult, TimelineEvent } from '../../experiment/result.ts';
import { buildReport } from '../../reports/build-report.ts';
import { faultBands, faultIntervals, mergeBands } from '../../reports/fault-bands.ts';
import { budgetFaultBands } from '../../reports/charts/budget-chart.ts';
import { fakeResult } from '../scenarios/runner/fixtures.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const report = buildReport([join(fixtures, 'results-sim'), join(fixtures, 'results-real')], '/* chart.js */');

function runWith(events: TimelineEvent[], durationMs = 600_000): RunResult {
  return { events, durationMs } as unknown as RunResult;
}

describe('reports: fault intervals on timelines', () => {
  test('a fault runs from its instant to the first heal of its target or of all', () => {
    const run = runWith([
      { atMs: 10_000, kind: 'partition', target: 'server-1' },
      { atMs: 20_000, kind: 'heal', target: 'server-2' },
      { atMs: 30_000, kind: 'heal', target: 'server-1' },
      { atMs: 40_000, kind: 'redis-outage', target: 'redis' },
      { atMs: 50_000, kind: 'heal', target: 'all' },
    ]);
    expect(faultIntervals(run)).toEqual([
      { fromMs: 10_000, toMs: 30_000, label: 'partition server-1' },
      { fromMs: 40_000, toMs: 50_000, label: 'redis-outage redis' },
    ]);
  });

  test('a kind the report does not know (a zone outage) is shaded, to the end of the run when it never heals', () => {
    const run = runWith([{ atMs: 120_000, kind: 'zone-outage', target: 'zone-b' }]);
    expect(faultBands(run, 0, 0, run.durationMs)).toEqual([
      { from: 120, to: 600, label: 'zone-outage zone-b' },
    ]);
  });

  test('an instantaneous fault (a clock jump healed at once) still gets a visible sliver', () => {
    const run = runWith([
      { atMs: 60_000, kind: 'clock-jump', target: 'server-1' },
      { atMs: 60_000, kind: 'heal', target: 'server-1' },
    ]);
    const [band] = faultBands(run, 0, 0, run.durationMs);
    expect(band!.to).toBeGreaterThan(band!.from);
  });

  test('identical intervals of several runs merge into one band naming each fault', () => {
    const bands = mergeBands([
      { from: 60, to: 120, label: 'redis-outage redis' },
      { from: 60, to: 120, label: 'redis-restart redis' },
      { from: 60, to: 120, label: 'redis-outage redis' },
    ]);
    expect(bands).toEqual([{ from: 60, to: 120, label: 'redis-outage redis / redis-restart redis' }]);
  });

  fcTest.prop([
    fc.array(
      fc.record({
        atMs: fc.integer({ min: 0, max: 600_000 }),
        kind: fc.constantFrom('crash', 'heal', 'partition', 'latency-spike', 'redis-failover'),
        target: fc.constantFrom('server-1', 'server-2', 'redis', 'all'),
      }),
      { maxLength: 12 },
    ),
    fc.integer({ min: 0, max: 300_000 }),
    fc.integer({ min: 1, max: 300_000 }),
  ])('every band lies inside the window drawn and has a positive width', (events, fromMs, spanMs) => {
    const sorted = [...events].sort((a, b) => a.atMs - b.atMs);
    const toMs = fromMs + spanMs;
    for (const band of faultBands(runWith(sorted), fromMs, fromMs, toMs)) {
      expect(band.from).toBeGreaterThanOrEqual(0);
      expect(band.to).toBeLessThanOrEqual(spanMs / 1000 + 1e-9);
      expect(band.to).toBeGreaterThan(band.from);
    }
  });

  test('every timeline of the report shades its faults', () => {
    const xTitle = (c: (typeof report.charts)[number]) =>
      String((c.config.options!.scales as Record<string, { title?: { text?: string } }>)['x']?.title?.text);
    const timelines = report.charts.filter((c) => /^(time since|simulated time)/.test(xTitle(c)));
    expect(timelines.map((c) => c.id)).toEqual(
      expect.arrayContaining([
        'crash-timeline-a',
        'crash-timeline-c',
        'imbalance-vs-connection-age',
        'fault-timeline-redis-trouble-a',
        'fault-timeline-discovery-trouble-c',
        'error-budget-burn-down',
      ]),
    );
    for (const chart of timelines) {
      expect(chart.plugins, chart.id).toContain('faultBands');
      const bands = (chart.config.options!.plugins as Record<string, { bands?: unknown[] }>)['faultBands']
        ?.bands;
      expect(bands?.length, chart.id).toBeGreaterThan(0);
    }
  });
});

const withEvents = (runId: string, events: RunResult['events'], durationMs = 60_000): RunResult => ({
  ...fakeResult({ runId }),
  durationMs,
  events,
});

describe('the error-budget burn-down', () => {
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
