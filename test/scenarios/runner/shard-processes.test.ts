/**
 * What the Kubernetes Indexed Job in ops/k8s/jobs/sweep does, run on this machine: N processes of
 * `headcount scenario FILES --seed S` that take their shard from JOB_COMPLETION_INDEX and
 * HEADCOUNT_SHARD_COUNT (no --shard flag), then `headcount report` over their folders. Goal: the
 * per-run result files of the shards, together, are byte for byte those of the unsharded run, and
 * the merged report data holds the same runs. Quick simulator runs keep it to a few seconds.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { readResults } from '../../../reports/load-results.ts';
import { headcountBin } from '../../support/spawn-headcount.ts';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'headcount-shards-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const files = ['scenarios/baseline.yaml', 'scenarios/ttl-sweep.yaml'];
const shardCount = 2;
const scenarioArgs = (outDir: string) => [
  headcountBin,
  'scenario',
  ...files,
  '--quick',
  '--seed',
  '7',
  '--no-report',
  '--workers',
  '0',
  '--out',
  outDir,
];

function runFiles(dir: string): Map<string, string> {
  const runsDir = join(dir, 'runs');
  return new Map(readdirSync(runsDir).map((name) => [name, readFileSync(join(runsDir, name), 'utf8')]));
}

describe('scenarios: shards as separate processes, as an Indexed Job runs them', () => {
  test('N shard processes taking their index from JOB_COMPLETION_INDEX reproduce the unsharded run byte for byte, and report merges them', async () => {
    const wholeDir = join(work, 'whole');
    const shardDirs = Array.from({ length: shardCount }, (_, index) => join(work, `shard-${index}`));
    const env = (index: number) => ({
      ...process.env,
      JOB_COMPLETION_INDEX: String(index),
      HEADCOUNT_SHARD_COUNT: String(shardCount),
    });
    await Promise.all([
      run(process.execPath, scenarioArgs(wholeDir)),
      ...shardDirs.map((dir, index) => run(process.execPath, scenarioArgs(dir), { env: env(index) })),
    ]);

    const whole = runFiles(wholeDir);
    const shards = shardDirs.map(runFiles);
    expect(whole.size).toBeGreaterThanOrEqual(shardCount);
    for (const shard of shards) expect(shard.size).toBeGreaterThan(0);
    const union = new Map(shards.flatMap((shard) => [...shard]));
    expect(shards.reduce((sum, shard) => sum + shard.size, 0)).toBe(whole.size);
    expect([...union.keys()].sort()).toEqual([...whole.keys()].sort());
    for (const [name, bytes] of whole) expect(union.get(name), name).toBe(bytes);

    const merged = readResults(shardDirs);
    const single = readResults([wholeDir]);
    const byId = (runs: typeof merged.runs) =>
      runs.map((result) => JSON.stringify(result)).sort((left, right) => left.localeCompare(right));
    expect(byId(merged.runs)).toEqual(byId(single.runs));
    expect(merged.sources.map((source) => source.shard)).toEqual(['1/2', '2/2']);

    const reportDir = join(work, 'report');
    const { stdout } = await run(process.execPath, [
      headcountBin,
      'report',
      ...shardDirs,
      '--out',
      reportDir,
    ]);
    expect(stdout.trim()).toBe(join(reportDir, 'index.html'));
    expect(existsSync(join(reportDir, 'index.html'))).toBe(true);
  }, 120_000);

  test('JOB_COMPLETION_INDEX without HEADCOUNT_SHARD_COUNT is a usage error, not the whole sweep in every pod', async () => {
    const failure = await run(process.execPath, scenarioArgs(join(work, 'lonely')), {
      env: { ...process.env, JOB_COMPLETION_INDEX: '0' },
    }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain('HEADCOUNT_SHARD_COUNT is not set');
  }, 60_000);
});
