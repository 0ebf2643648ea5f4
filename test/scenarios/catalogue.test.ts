/**
 * The catalogue itself: every file in scenarios/ validates, opens with its question, and runs in
 * --quick mode on the simulator (over worker threads, as `npm run scenario` does). The verdicts of
 * the expectations are the product's findings, not this test's concern; that every run completes
 * and is judged is.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { loadScenarioFile } from '../../scenarios/runner/load.ts';
import { planScenario } from '../../scenarios/runner/plan.ts';
import { crossCheckFiles, stormProbe } from '../../scenarios/runner/real-probes.ts';
import { catalogueFiles, runScenarios } from '../../scenarios/runner/run-scenarios.ts';

const expectedNames = [
  'baseline',
  'capacity',
  'connection-lifetime',
  'discovery-topology',
  'discovery-trouble',
  'lease-sweep',
  'reconnect-storm',
  'redis-failover',
  'redis-trouble',
  'restart-and-ids',
  'server-crash',
  'shared-id',
  'slo',
  'ttl-sweep',
  'zone-outage',
];

describe('scenarios: the catalogue', () => {
  test('holds one file per product question', () => {
    const names = catalogueFiles().map((file) => file.split('/').pop()!.replace('.yaml', ''));
    expect(names).toEqual(expectedNames);
  });

  test.each(catalogueFiles())('%s validates and opens with its question as a comment', (file) => {
    const loaded = loadScenarioFile(file);
    expect(loaded.ok ? [] : loaded.error).toEqual([]);
    expect(readFileSync(file, 'utf8')).toMatch(/^# Question: /);
  });

  test('every file runs in --quick mode on the simulator; capacity is skipped with a note', async () => {
    const out = mkdtempSync(join(tmpdir(), 'hc-catalogue-'));
    let printed = '';
    const stdout = new PassThrough();
    stdout.on('data', (chunk) => {
      printed += String(chunk);
    });
    const outcome = await runScenarios({
      files: [],
      engine: 'sim',
      rootSeed: 1,
      quick: true,
      outDir: out,
      workers: 2,
      report: false,
      stdout,
      stderr: new PassThrough(),
    });
    expect(outcome.exitCode).not.toBe(2);
    const reports = outcome.reports!;
    for (const report of reports) {
      expect(report.failedRuns, report.planned.name).toEqual([]);
      if (report.planned.name === 'capacity') continue;
      expect(report.results.length, report.planned.name).toBeGreaterThan(0);
      expect(report.expectations.length, report.planned.name).toBeGreaterThan(0);
    }
    expect(printed).toContain('capacity: skipped on the sim engine: runs on engine real only');
  }, 120_000);
});

describe('scenarios: the engines’ TTL cross-check (scenarios/cross-check/)', () => {
  test('each file plans the same configuration on both engines, its TTL lasting 1 s of real time at 40 WHO per real second', () => {
    const files = crossCheckFiles();
    expect(files.map((f) => f.split('/').pop())).toEqual([
      'ttl-2s.yaml',
      'ttl-5s.yaml',
      'ttl-10s.yaml',
      'ttl-30s.yaml',
    ]);
    for (const file of files) {
      const loaded = loadScenarioFile(file);
      if (!loaded.ok) throw new Error(`${file}: ${JSON.stringify(loaded.error)}`);
      const sim = planScenario(loaded.value, { engine: 'sim', rootSeed: 1, quick: false });
      const real = planScenario(loaded.value, { engine: 'real', rootSeed: 1, quick: true });
      if (!sim.ok || !real.ok) throw new Error(`${file} does not plan`);
      expect(sim.value.runs.length, file).toBe(5);
      expect(real.value.runs.length, file).toBe(1);
      const [simRun, realRun] = [sim.value.runs[0]!, real.value.runs[0]!];
      expect(realRun.config, file).toEqual(simRun.config);
      const ttlMs = simRun.config.cluster?.ttlMs ?? 0;
      expect(ttlMs * realRun.timeScale, file).toBeCloseTo(1000, 0);
      const whoPerRealSecond = (simRun.config.workload?.whoRatePerSec ?? 0) / realRun.timeScale;
      expect(whoPerRealSecond, file).toBeCloseTo(40, 0);
    }
  });
});

describe('scenarios: the reconnect-storm check on the real engine (npm run scenario)', () => {
  test('plans at once against full jitter (the quick block), in mode A only', () => {
    const probe = stormProbe('out');
    const loaded = loadScenarioFile(probe.files[0]!);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
    const planned = planScenario(loaded.value, {
      engine: 'real',
      rootSeed: 1,
      quick: true,
      modes: probe.modes,
    });
    if (!planned.ok) throw new Error('reconnect-storm does not plan');
    const runs = planned.value.runs;
    expect(runs.map((run) => run.config.cluster?.mode)).toEqual(['a', 'a']);
    expect(runs.map((run) => run.config.workload?.reconnectPolicy?.kind)).toEqual([
      'immediate',
      'backoff-jitter',
    ]);
    // The mode C expectation would match no run: it is left out, not failed.
    expect(planned.value.expectations.some((e) => e.where?.['mode'] === 'c')).toBe(false);
    expect(planned.value.expectations.length).toBeGreaterThan(0);
  });
});
