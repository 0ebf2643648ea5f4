/**
 * The reconnect-storm answer (reports/reconnect-storm.ts) from the fixtures: four policies over
 * two seeds on the simulator, three on the real engine (its quick block). Goal: runs group by
 * the policy they ran (a grid point pairing `immediate` with a base it ignores pools with it), the
 * row recommends the policy absorbed soonest among those whose REAL established p99 stayed
 * within 2x the quiet, states each figure with its source, and says so when no REAL run judged
 * the latency.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { readResults } from '../../reports/load-results.ts';
import { isChart } from '../../reports/chart-spec.ts';
import { stormAbsorbChart, stormLoadChart } from '../../reports/charts/storm-chart.ts';
import { untag } from '../../reports/quantities.ts';
import {
  broadcastsPerWhoOf,
  stormAnswerOf,
  stormDecisionRow,
  stormPoints,
} from '../../reports/reconnect-storm.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const both = readResults([join(fixtures, 'results-sim'), join(fixtures, 'results-real')]);
const simOnly = readResults([join(fixtures, 'results-sim')]);

describe('reports: which reconnect policy clients should use', () => {
  test('runs group by policy and mode, each over its seeds', () => {
    const points = stormPoints(both, 'sim');
    expect(points.map((p) => `${p.mode} ${p.policy}`).sort()).toEqual([
      'a at once',
      'a full jitter, first ceiling 1 s',
      'a full jitter, first ceiling 4 s',
      'a spread over 2 s',
      'c at once',
      'c full jitter, first ceiling 1 s',
      'c full jitter, first ceiling 4 s',
      'c spread over 2 s',
    ]);
    expect(points.every((p) => p.absorbMs.seeds === 2)).toBe(true);
  });

  test('the row recommends the policy absorbed soonest whose REAL p99 stayed within 2x the quiet', () => {
    const row = stormDecisionRow(both);
    const text = untag(`${row.recommendation} ${row.figure} ${row.share}`);
    // At once (6x) and spread (2.4x) break the target; full jitter at 4 s (1.2x) keeps it.
    expect(text).toContain('Clients reconnect with full jitter, first ceiling 4 s');
    expect(text).toContain('stayed within 2× the quiet');
    expect(text).toContain('mode A Redis writes 252/s in the storm against 4/s quiet (63×)');
    expect(text).toContain('at once, the established p99 reached 6× the quiet (REAL)');
    expect(row.source).toMatch(/^SIM \(reconnect-storm, 16 runs[^;]*\); REAL \(load average 6.25/);
  });

  test('mode C broadcasts per WHO are the storm rate over the window divided by the WHOs asked in it', () => {
    const run = both.runs.find((r) => r.scenario === 'reconnect-storm' && r.config.mode === 'c')!;
    const storm = run.storms![0]!;
    const expected =
      (storm.broadcastsPerSec!.storm * (storm.windowEndMs - storm.atMs)) / 1000 / storm.whoAsked.storm;
    expect(broadcastsPerWhoOf(run)).toBeCloseTo(expected, 9);
    const modeA = both.runs.find((r) => r.scenario === 'reconnect-storm' && r.config.mode === 'a')!;
    expect(broadcastsPerWhoOf(modeA)).toBeUndefined();
  });

  test('the answer says why mode C broadcasts rise in the storm, with the figure per engine', () => {
    const text = untag(stormAnswerOf(both).text);
    expect(text).toContain(
      'while the crashed server’s discovery lease lives, every broadcast misses it and fails',
    );
    expect(text).toMatch(/SIM: [^;]* broadcasts per survivors’ WHO in the storm window/);
    expect(text).toMatch(/REAL [^;]*: [^;]* broadcasts per survivors’ WHO in the storm window/);
  });

  test('the absorb chart has a bar per policy for each engine and mode, its highest seed, and a gap where an engine did not run the policy', () => {
    const chart = stormAbsorbChart(both);
    expect(isChart(chart)).toBe(true);
    if (!isChart(chart)) return;
    const points = [...stormPoints(both, 'sim'), ...stormPoints(both, 'real')];
    const labels = chart.config.data.labels as string[];
    expect([...labels].sort()).toEqual([...new Set(points.map((p) => p.policy))].sort());
    expect(chart.config.data.datasets).toHaveLength(new Set(points.map((p) => `${p.engine}|${p.mode}`)).size);
    const chartLabels = chart.config.data.labels as string[];
    for (const dataset of chart.config.data.datasets) {
      const [engine, , mode] = dataset.label!.split(' ');
      chartLabels.forEach((policy, index) => {
        const point = points.find(
          (p) => p.engine === engine!.toLowerCase() && p.mode === mode!.toLowerCase() && p.policy === policy,
        );
        const value = dataset.data[index] as number;
        if (point === undefined) expect(value).toBeNaN();
        else expect(value).toBe(point.absorbMs.max / 1000);
      });
    }
    expect(chart.caption).toMatch(/Spread over seeds: SIM A/);
  });

  test('the load chart sets the storm against the quiet per mode, from the simulator when it ran', () => {
    const chart = stormLoadChart(both);
    expect(isChart(chart)).toBe(true);
    if (!isChart(chart)) return;
    const modes = new Set(stormPoints(both, 'sim').map((p) => p.mode));
    expect(chart.config.data.datasets.map((d) => d.label)).toHaveLength(2 * modes.size);
    expect(chart.config.data.datasets.every((d) => d.label!.startsWith('SIM '))).toBe(true);
  });

  test('without the scenario both storm charts say how to produce it', () => {
    const none = { ...simOnly, runs: simOnly.runs.filter((run) => run.scenario !== 'reconnect-storm') };
    for (const chart of [stormAbsorbChart(none), stormLoadChart(none)]) {
      expect(isChart(chart)).toBe(false);
      if (!isChart(chart)) expect(chart.note).toContain('scenarios/reconnect-storm.yaml');
    }
  });

  test('without a real run the latency is not judged, and the row says so', () => {
    const row = stormDecisionRow(simOnly);
    expect(untag(row.recommendation)).toContain('not judged: no real-engine run');
    expect(row.source).toContain('REAL: not run');
  });

  test('without the scenario the answer says how to produce it', () => {
    const none = { ...simOnly, runs: simOnly.runs.filter((run) => run.scenario !== 'reconnect-storm') };
    expect(stormAnswerOf(none).missing).toContain('scenarios/reconnect-storm.yaml');
  });

  test('when no policy keeps the REAL p99 within 2x, the row names the one that came closest', () => {
    const slowJitter = {
      ...both,
      runs: both.runs.map((run) =>
        run.engine === 'real' &&
        run.scenario === 'reconnect-storm' &&
        run.config['reconnectPolicy'] === 'backoff-jitter'
          ? {
              ...run,
              storms: run.storms!.map((storm) => ({
                ...storm,
                whoLatencyMsP99: { ...storm.whoLatencyMsP99, storm: storm.whoLatencyMsP99.quiet * 5 },
              })),
            }
          : run,
      ),
    };
    const text = untag(stormDecisionRow(slowJitter).recommendation);
    // Spread (2.4x) beats full jitter (5x) and at once (6x) on the real engine.
    expect(text).toContain('Clients reconnect with spread over 2 s;');
    expect(text).toContain(
      'no policy kept the established clients’ WHO p99 within 2× the quiet; this one came closest',
    );
  });
});
