/**
 * Connection churn: how many "connect, ask once, close" cycles per second one server sustains.
 * Ours: `headcount load --churn-per-sec` (connect, WHY, close) against a spawned `headcount serve`.
 * Reference, same run: `redis-benchmark -k 0 -t ping_inline` (connect, PING, close) against a
 * redis-server. Target: ours >= 0.8x the reference.
 *
 * The driver is asked for more than either side can do, so what completes is the sustained rate.
 * Runs alternate and the ratio is the median of the rounds (the machine is shared).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { runLoad } from '../lab/load/run-load.ts';
import { assertRedisInstalled, startRedisServer } from '../lab/redis/index.ts';
import { spawnHeadcount } from '../test/support/spawn-headcount.ts';
import { type BenchRow, isMain, printRows, row, writeRows } from './report.ts';

const run = promisify(execFile);
const rounds = 3;
const durationMs = 2_000;
const offeredPerSec = 40_000;

async function reference(port: number): Promise<number> {
  const requests = 25_000;
  const { stdout } = await run(
    'redis-benchmark',
    ['-p', String(port), '-t', 'ping_inline', '-c', '50', '-k', '0', '-n', String(requests), '-q'],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const last = [...stdout.matchAll(/([\d.]+) requests per second/g)].at(-1);
  if (last === undefined) throw new Error(`could not read redis-benchmark output: ${stdout.slice(-200)}`);
  return Number(last[1]);
}

async function ours(port: number): Promise<number> {
  const result = await runLoad({
    targets: [{ host: '127.0.0.1', port }],
    connectionCount: 0,
    churnPerSec: offeredPerSec,
    durationMs,
    mix: [{ verb: 'WHY', weight: 1 }],
    check: true,
  });
  return (result.churn.completed * 1000) / result.measuredMs;
}

export async function measureChurn(): Promise<BenchRow[]> {
  assertRedisInstalled('redis-benchmark');
  const server = await spawnHeadcount(['serve', '--port', '0', '--log-level', 'warn']);
  const redis = await startRedisServer();
  const ratios: { ours: number; theirs: number }[] = [];
  try {
    for (let round = 0; round < rounds; round += 1) {
      const pair = { ours: 0, theirs: 0 };
      for (const who of round % 2 === 0 ? ['theirs', 'ours'] : ['ours', 'theirs']) {
        if (who === 'ours') pair.ours = await ours(server.port);
        else pair.theirs = await reference(redis.port);
      }
      ratios.push(pair);
    }
  } finally {
    server.kill('SIGKILL');
    await server.exited;
    await redis.stop();
  }
  const middle = [...ratios].sort((a, b) => a.ours / a.theirs - b.ours / b.theirs)[
    Math.floor(ratios.length / 2)
  ]!;
  return [row('churn: connect, ask, close', 'per s', middle.ours, middle.theirs, 'redis -k 0', '>= 0.8')];
}

if (isMain(import.meta.url)) {
  const rows = await measureChurn();
  printRows('churn', rows);
  writeRows('churn', rows);
}
