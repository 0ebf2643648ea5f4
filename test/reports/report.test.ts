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
import { recommendedTtlPoint, staleWindowMsBound, ttlPoints } from '../../reports/ttl-sweep-points.ts';
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

function summaryOf(html: string, question: string): string {
  const match = new RegExp(`<li class="answer" data-question="${question}">([\\s\\S]*?)</li>`).exec(html);
  expect(match, `summary item for ${question}`).not.toBeNull();
  return visibleText(match![1]!);
}

function availabilityOf(selected: RunResult[]): number {
  return selected.reduce((n, r) => n + r.who.answered, 0) / selected.reduce((n, r) => n + r.who.asked, 0);
}

describe('reports: the summary states the numbers in the results', () => {
  test('the TTL answer names the cheapest setting within the stated bounds and its longest stale window', () => {
    const best = recommendedTtlPoint(ttlPoints(data))!;
    expect(best.withinBound).toBe(true);
    expect(best.staleWindowMsMax).toBeLessThanOrEqual(staleWindowMsBound);
    const text = summaryOf(report.html, 'ttl');
    expect(text).toContain(
      `TTL ${formatSeconds(best.ttlMs)} with heartbeat ${formatSeconds(best.heartbeatMs)}`,
    );
    expect(text).toContain(`counted for up to ${formatSeconds(best.staleWindowMsMax)}`);
    expect(text).toContain('Heartbeat = TTL is not safe');
    expect(text).toContain('headcount scenario scenarios/ttl-sweep.yaml --seed 42');
  });

  test('the consistency-or-availability answer gives each mode’s availability under faults', () => {
    const faulted = runs.filter(
      (r) =>
        r.engine === 'sim' &&
        ['baseline', 'server-crash', 'redis-trouble', 'discovery-trouble'].includes(r.scenario),
    );
    const text = summaryOf(report.html, 'cap');
    expect(text).toContain(
      `A ${formatPercent(availabilityOf(faulted.filter((r) => r.config.mode === 'a')), 2)}`,
    );
    expect(text).toContain(
      `C ${formatPercent(availabilityOf(faulted.filter((r) => r.config.mode === 'c')), 2)}`,
    );
  });

  test('the SLO answer gives the day-long availability of each mode and its budget used', () => {
    const text = summaryOf(report.html, 'slo');
    for (const run of runs.filter((r) => r.scenario === 'slo')) {
      expect(text).toContain(
        `mode ${run.config.mode.toUpperCase()} answered ${formatPercent(run.who.availability, 3)}`,
      );
      const budget = (1 - run.who.answered / run.who.asked) / 0.0005;
      expect(text).toContain(`${formatPercent(budget, 0)} of the 99.95% budget`);
    }
  });

  test('the capacity answer gives the most connections held within 50 ms p99 and no errors', () => {
    const steps = runs.find((r) => r.scenario === 'capacity')!.capacity!;
    const held = steps.filter((s) => s.latencyMsP99 <= 50 && s.errors === 0).at(-1)!;
    expect(summaryOf(report.html, 'capacity')).toContain(
      `held ${formatCount(held.connections)} concurrent connections`,
    );
  });

  test('the id answer gives the largest double count after a restart under a new id', () => {
    const doubleMax = Math.max(...runs.filter((r) => r.ids).map((r) => r.ids!.doubleCountMax));
    expect(summaryOf(report.html, 'ids')).toContain(`by up to ${formatCount(doubleMax)} clients for up to`);
    expect(summaryOf(report.html, 'ids')).toContain('With stable ids the server overwrites its own entry');
  });

  test('the connection-lifetime answer picks the longest age limit that rebalances a scale-out within 5 minutes', () => {
    const ok = runs.filter((r) => {
      const join = r.loadBalancer?.rebalances?.find((b) => b.event.startsWith('stop '));
      return (
        (r.loadBalancer?.connectionAgeMsMax ?? 0) > 0 &&
        join?.rebalanceMs != null &&
        join.rebalanceMs <= 300_000
      );
    });
    const longestMs = Math.max(...ok.map((r) => r.loadBalancer!.connectionAgeMsMax));
    expect(summaryOf(report.html, 'lifetime')).toContain(`at most ${longestMs / 60_000} min`);
  });

  test('the SLO table has one row per scenario, engine and mode with its measured availability', () => {
    const slo = runs.find((r) => r.scenario === 'slo' && r.config.mode === 'c')!;
    const row = /<tr data-slo-row="slo\|sim\|c">([\s\S]*?)<\/tr>/.exec(report.html);
    expect(visibleText(row![1]!)).toContain(formatPercent(slo.who.availability, 3));
  });
});

describe('reports: every chart says what it shows and how to reproduce it', () => {
  test('all eleven charts are drawn from the fixtures, each with axis titles, caption and seed', () => {
    expect(report.charts.map((c) => c.id)).toHaveLength(11);
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
    expect(text).toContain('no scenario ran on both engines in these results');
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
