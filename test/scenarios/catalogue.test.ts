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
import { catalogueFiles, runScenarios } from '../../scenarios/runner/run-scenarios.ts';

const expectedNames = [
  'baseline',
  'capacity',
  'connection-lifetime',
  'discovery-trouble',
  'lease-sweep',
  'redis-trouble',
  'restart-and-ids',
  'server-crash',
  'shared-id',
  'slo',
  'ttl-sweep',
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
