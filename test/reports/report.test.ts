/**
 * The report as a pure function of results: its summary states the numbers the results hold
 * (recomputed here straight from the fixture JSON, not through the report's helpers), missing
 * scenarios are named with the command that produces them, shards merge into the same report,
 * and the page is snapshot-tested with Chart.js's inlined source left out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { buildReport, renderReport } from '../../reports/build-report.ts';
import { formatCount, formatPercent, formatSeconds } from '../../reports/format.ts';
import { readResults, readResultsDir } from '../../reports/load-results.ts';
import { mergeSources } from '../../reports/report-data.ts';
import { faultTimelineScenarios } from '../../reports/charts/fault-timeline-chart.ts';
import { allCharts } from '../../reports/charts/index.ts';
import { isChart } from '../../reports/chart-spec.ts';
import { recommendedTtlPoint, staleWindowMsBound, ttlPoints } from '../../reports/ttl-sweep-points.ts';
import { agree } from '../../experiment/agreement.ts';
import type { RunResult } from '../../experiment/result.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const simDir = join(fixtures, 'results-sim');
const realDir = join(fixtures, 'results-real');
const chartJsStandIn = '/* Chart.js source, left out of the snapshot */';

function rawRuns(dir: string): RunResult[] {
  return readdirSync(join(dir, 'runs')).map(
    (f) => JSON.parse(readFileSync(join(dir, 'runs', f), 'utf8')) as RunResult,
  );
}

const runs = [...rawRuns(simDir), ...rawRuns(realDir)];
const report = buildReport([simDir, realDir], chartJsStandIn);
const data = readResults([simDir, realDir]);

/** The page's visible text, tags removed and entities decoded, spaces collapsed. */
function visibleText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ');
}

/** The visible text of a question's section (its answer, tables and captions). */
function summaryOf(html: string, question: string): string {
  const match = new RegExp(`<section id="q-${question}"[^>]*>([\\s\\S]*?)</section>`).exec(html);
  expect(match, `section for ${question}`).not.toBeNull();
  return visibleText(match![1]!);
}

function availabilityOf(selected: RunResult[]): number {
  return selected.reduce((n, r) => n + r.who.answered, 0) / selected.reduce((n, r) => n + r.who.asked, 0);
}

function correctOf(selected: RunResult[]): number {
  return (
    selected.reduce((n, r) => n + r.who.answered - r.who.wrong, 0) /
    selected.reduce((n, r) => n + r.who.asked, 0)
  );
}

describe('reports: the answers state the numbers in the results', () => {
  test('the TTL answer names the cheapest setting within the stated bounds and its longest stale window', () => {
    const best = recommendedTtlPoint(ttlPoints(data))!;
    expect(best.withinBound).toBe(true);
    expect(best.staleWindowMsMax).toBeLessThanOrEqual(staleWindowMsBound);
    const text = summaryOf(report.html, 'ttl');
    expect(text).toContain(`TTL ${formatSeconds(best.ttlMs)}, heartbeat ${formatSeconds(best.heartbeatMs)}`);
    expect(text).toContain(`counted for up to ${formatSeconds(best.staleWindowMsMax)}`);
    expect(text).toContain('Heartbeat = TTL is not safe');
    expect(text).toContain('headcount scenario scenarios/ttl-sweep.yaml --seed 42');
  });

  test('the consistency-or-availability answer gives each mode’s share answered and answered correctly after a crash', () => {
    const crash = runs.filter((r) => r.engine === 'sim' && r.scenario === 'server-crash');
    const a = crash.filter((r) => r.config.mode === 'a');
    const c = crash.filter((r) => r.config.mode === 'c');
    const text = summaryOf(report.html, 'cap');
    expect(text).toContain(`mode A answered ${formatPercent(availabilityOf(a), 2)} of WHO requests`);
    expect(text).toContain(`only ${formatPercent(correctOf(a), 2)} correctly`);
    expect(text).toContain(`Mode C answered ${formatPercent(correctOf(c), 2)} correctly`);
  });

  test('the SLO answer gives each mode’s correct answers over the simulated days and its budget used', () => {
    const text = summaryOf(report.html, 'slo');
    for (const mode of ['a', 'c']) {
      const slo = runs.filter((r) => r.engine === 'sim' && r.scenario === 'slo' && r.config.mode === mode);
      const correct = correctOf(slo);
      expect(text).toContain(
        `mode ${mode.toUpperCase()} answered ${formatPercent(correct, 3)} of WHO requests correctly`,
      );
      expect(text).toContain(`${formatPercent((1 - correct) / 0.0005, 0)} of budget`);
    }
  });

  test('the capacity answer gives a knee only when the objective broke for the last steps, else a floor', () => {
    const steps = runs.find((r) => r.scenario === 'capacity')!.capacity!;
    const broken = steps.map((s) => !(s.latencyMsP99 <= 50 && s.errors === 0));
    const trailing = broken.length - broken.lastIndexOf(false) - 1;
    const text = summaryOf(report.html, 'capacity');
    if (trailing >= 2) {
      expect(text).toContain(
        `knee is at ${formatCount(steps[broken.length - trailing]!.connections)} connections`,
      );
    } else {
      const held = steps.filter((_, i) => !broken[i]).at(-1)!;
      expect(text).toContain(`held at least ${formatCount(held.connections)} concurrent connections`);
    }
  });

  test('the id answer gives the largest double count after a restart under a new id', () => {
    const doubleMax = Math.max(...runs.filter((r) => r.ids).map((r) => r.ids!.doubleCountMax));
    const text = summaryOf(report.html, 'ids');
    expect(text).toContain(`by up to ${formatCount(doubleMax)} clients`);
    expect(text).toContain('Keep a stable id per server slot (stable)');
  });

  test('the connection-lifetime answer picks an age limit only when its rebalance is told apart from no limit', () => {
    const lifetime = runs.filter((r) => r.scenario === 'connection-lifetime' && r.loadBalancer);
    const rebalanceMs = (r: RunResult) => {
      const join = r.loadBalancer!.rebalances?.find((b) => b.event.startsWith('stop '));
      return join?.rebalanceMs ?? Number.POSITIVE_INFINITY;
    };
    const byAge = new Map<number, number[]>();
    for (const r of lifetime) {
      const age = r.loadBalancer!.connectionAgeMsMax;
      byAge.set(age, [...(byAge.get(age) ?? []), rebalanceMs(r)]);
    }
    const none = byAge.get(0)!;
    const picked = [...byAge.entries()]
      .filter(
        ([age, times]) => age > 0 && Math.max(...times) <= 300_000 && Math.max(...times) < Math.min(...none),
      )
      .sort((x, y) => y[0] - x[0])[0];
    const text = summaryOf(report.html, 'lifetime');
    if (picked) expect(text).toContain(`Close connections after at most ${picked[0] / 60_000} min`);
    else expect(text).toContain('Not answered');
  });

  test('the SLO table has one row per scenario, engine and mode with its correct answers and availability', () => {
    const slo = runs.filter((r) => r.scenario === 'slo' && r.config.mode === 'c');
    const row = /<tr data-slo-row="slo\|sim\|c">([\s\S]*?)<\/tr>/.exec(report.html);
    expect(visibleText(row![1]!)).toContain(formatPercent(availabilityOf(slo), 3));
    expect(visibleText(row![1]!)).toContain(formatPercent(correctOf(slo), 3));
  });
});

describe('reports: the simulator against the real engine', () => {
  test('the sim-vs-real table judges the runs both engines made by the runner’s own agreement rule', () => {
    const paired = (r: RunResult) => !r.scenario.startsWith('ttl-cross-check-');
    const { rows } = agree(rawRuns(simDir).filter(paired), rawRuns(realDir).filter(paired));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const cell = new RegExp(
        `<tr data-sim-real="${row.scenario}\\|${row.mode}\\|${row.metric.replace('/', '\\/')}">[\\s\\S]*?(\\d+) of (\\d+) agree`,
      ).exec(report.html);
      expect(cell, `${row.scenario} ${row.mode} ${row.metric}`).not.toBeNull();
      const group = rows.filter(
        (r) => r.scenario === row.scenario && r.mode === row.mode && r.metric === row.metric,
      );
      expect(Number(cell![1])).toBe(group.filter((r) => r.agrees).length);
      expect(Number(cell![2])).toBe(group.length);
    }
  });
});

describe('reports: every chart says what it shows and how to reproduce it', () => {
  test('every listed chart and a fault timeline per scenario and mode with faults are drawn from the fixtures, each with axis titles, caption and seed', () => {
    const ids = report.charts.map((c) => c.id);
    // Every chart the list builds is on the page: none is missing from the fixtures.
    const outcomes = allCharts(data);
    expect(outcomes.filter((outcome) => !isChart(outcome)).map((outcome) => outcome.title)).toEqual([]);
    expect(ids).toEqual(outcomes.filter(isChart).map((chart) => chart.id));
    expect(ids).toContain('reconnect-storm-absorb');
    expect(ids).toContain('reconnect-storm-load');
    // Every simulated scenario with faults and no timeline of its own gets one per mode.
    const timelines = [...faultTimelineScenarios(data)].flatMap(([scenario, scenarioRuns]) =>
      [...new Set(scenarioRuns.map((r) => r.config.mode))].map(
        (mode) => `fault-timeline-${scenario}-${mode}`,
      ),
    );
    expect(timelines.length).toBeGreaterThan(0);
    expect(ids.filter((id) => id.startsWith('fault-timeline-')).sort()).toEqual(timelines.sort());
    for (const chart of report.charts) {
      const scales = (chart.config.options?.scales ?? {}) as Record<string, { title?: { text?: string } }>;
      expect(scales['x']?.title?.text, chart.id).toBeTruthy();
      expect(scales['y']?.title?.text, chart.id).toMatch(/\(/);
      expect(chart.caption.length, chart.id).toBeGreaterThan(40);
      expect(chart.reproduce.command, chart.id).toMatch(
        /^headcount scenario scenarios\/\S+\.yaml --seed \d+/,
      );
    }
  });
});

describe('reports: missing data is said plainly', () => {
  test('without a real-engine folder the capacity and sim-vs-real sections say which run to make', () => {
    const text = visibleText(buildReport(simDir, chartJsStandIn).html);
    expect(text).toContain(
      'no real-engine capacity run in these results: run headcount scenario scenarios/capacity.yaml --engine real',
    );
    expect(text).toContain(
      'no run is in both engines’ results: run headcount scenario scenarios/server-crash.yaml --engine both --quick',
    );
  });
});

describe('reports: result folders merge', () => {
  test('two shards of one job give the same charts and answers as the whole job', () => {
    const whole = readResultsDir(simDir);
    const half = Math.floor(whole.aggregate.scenarios.length / 2);
    const shard = (i: number, scenarios: typeof whole.aggregate.scenarios) => ({
      label: `shard-${i}`,
      aggregate: { ...whole.aggregate, shard: `${i}/2`, scenarios },
      runs: whole.runs.filter((r) => scenarios.some((s) => s.runIds.includes(r.runId))),
    });
    const merged = mergeSources([
      shard(1, whole.aggregate.scenarios.slice(0, half)),
      shard(2, whole.aggregate.scenarios.slice(half)),
    ]);
    const single = mergeSources([whole]);
    expect(renderReport(merged, chartJsStandIn).charts).toEqual(renderReport(single, chartJsStandIn).charts);
    expect(merged.runs).toEqual(single.runs);
  });
});

describe('reports: the page is a pure function of the results', () => {
  test('the HTML matches its snapshot (Chart.js source excluded)', async () => {
    expect(report.html).toContain(chartJsStandIn);
    await expect(report.html).toMatchFileSnapshot('__snapshots__/report.html');
  });
});
