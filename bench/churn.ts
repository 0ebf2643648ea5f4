/**
 * Connection churn: how many "connect, ask once, close" cycles per second one server sustains.
 * Ours: `headcount load --churn-per-sec` (connect, WHY, close) against a spawned `headcount serve`.
 * References, same run: `redis-benchmark -k 0 -t ping_inline` (connect, PING, close) against a
 * redis-server (target: ours >= 0.8x), and the same driver as ours against the floor server
 * (`floor-server.ts`, a bare node:net line server; target: ours >= 0.9x).
 *
 * The driver is asked for more than any side can do, so what completes is the sustained rate.
 * Runs rotate and each ratio is the median of the rounds' ratios (the machine is shared).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { runLoad } from '../lab/load/run-load.ts';
import { assertRedisInstalled, startRedisServer } from '../lab/redis/index.ts';
import { spawnHeadcount } from '../test/support/spawn-headcount.ts';
import { startFloorServer } from './floor-server.ts';
import { type BenchRow, compare, isMain, medianRound, printRows, row, writeRows } from './report.ts';

const run = promisify(execFile);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
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
  const floor = await startFloorServer();
  const triples: { ours: number; redis: number; floor: number }[] = [];
  const sides = ['redis', 'ours', 'floor'] as const;
  try {
    for (let round = 0; round < rounds; round += 1) {
      const triple = { ours: 0, redis: 0, floor: 0 };
      for (let turn = 0; turn < sides.length; turn += 1) {
        const side = sides[(round + turn) % sides.length]!;
        if (side === 'ours') triple.ours = await ours(server.port);
        else if (side === 'floor') triple.floor = await ours(floor.port);
        else triple.redis = await reference(redis.port);
      }
      triples.push(triple);
    }
  } finally {
    server.kill('SIGKILL');
    await server.exited;
    await redis.stop();
    await floor.kill();
  }
  process.stdout.write(`rounds: ${JSON.stringify(triples)}\n`);
  const middle = (key: 'redis' | 'floor') =>
    medianRound(triples, (triple) => triple.ours, (triple) => triple[key]);
  const byRedis = middle('redis');
  const byFloor = middle('floor');
  const base = row('churn: connect, ask, close', 'per s', byRedis.ours, byRedis.redis, 'redis -k 0', '>= 0.8');
  return [compare(base, 'floor', byFloor.floor, '>= 0.9', byFloor.ours)];
}

if (isMain(import.meta.url)) {
  const rows = await measureChurn();
  printRows('churn', rows);
  writeRows('churn', rows);
}
