import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseLoadFlags } from '../../../lab/load/cli.ts';
import { resolveLoadOptions } from '../../../lab/load/options.ts';
import { ShardStats } from '../../../lab/load/shard-stats.ts';

const flagsOf = (result: ReturnType<typeof parseLoadFlags>) =>
  result.ok ? [] : result.error.map((problem) => problem.flag);

describe('lab/load: flags', () => {
  test('good flags become options with targets, mix and numbers', () => {
    const parsed = parseLoadFlags({
      target: '127.0.0.1:7000,localhost:7001',
      connections: '50',
      durationMs: '2000',
      command: 'mix:WHO=1,WHY=9',
      rate: '1000',
      check: true,
    });
    expect(parsed.ok && parsed.value).toMatchObject({
      targets: [
        { host: '127.0.0.1', port: 7000 },
        { host: 'localhost', port: 7001 },
      ],
      connectionCount: 50,
      ratePerSec: 1000,
      check: true,
    });
  });

  test('every bad flag is reported by the flag the user typed', () => {
    expect(flagsOf(parseLoadFlags({}))).toEqual(['--target']);
    expect(flagsOf(parseLoadFlags({ target: 'nohost', command: 'FOO', connections: 'x' }))).toEqual([
      '--target',
      '--command',
      '--connections',
    ]);
    expect(flagsOf(parseLoadFlags({ target: 'h:1', rate: '100', pipeline: '4' }))).toEqual(['--pipeline']);
    expect(flagsOf(parseLoadFlags({ target: 'h:1', connections: '0' }))).toEqual(['--connections']);
    expect(flagsOf(parseLoadFlags({ target: 'h:1', protocol: 'redis-inline', command: 'WHY' }))).toEqual([
      '--command',
    ]);
    expect(flagsOf(parseLoadFlags({ target: 'h:1', timeoutMs: '999999999', workers: '0' }))).toEqual([
      '--workers',
      '--timeout-ms',
    ]);
  });
});

describe('lab/load: headcount load on the command line', () => {
  const cli = (args: string[]) =>
    spawnSync(process.execPath, ['bin/headcount.js', 'load', ...args], { encoding: 'utf8', timeout: 20_000 });

  test('bad flags exit 2 and name the flag', () => {
    const run = cli(['--target', '127.0.0.1:1', '--connections', '-3', '--duration-ms', 'soon']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--duration-ms');
  });

  test('load merge adds up result files and writes the merged JSON', () => {
    const resolved = resolveLoadOptions({ targets: [{ host: '127.0.0.1', port: 9 }] });
    if (!resolved.ok) throw new Error('options');
    const directory = mkdtempSync(path.join(tmpdir(), 'headcount-load-'));
    const files = [3, 4].map((count, index) => {
      const stats = new ShardStats(1);
      stats.completed = count;
      const file = path.join(directory, `part-${index}.json`);
      const result = stats.toResult({
        options: resolved.value,
        startedAtMs: 0,
        measuredMs: 1000,
        stoppedBy: 'duration',
        expectedIntervalUs: null,
      });
      writeFileSync(file, JSON.stringify(result));
      return file;
    });
    const run = cli(['merge', ...files, '--json', '-']);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      partCount: 2,
      requests: { completed: 7, throughputPerSec: 7 },
    });
  });
});
