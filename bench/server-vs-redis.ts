/**
 * headcount's server against redis-server and against the platform's floor, same driver, same
 * run: `WHY` to a spawned `headcount serve` (mode local), inline `PING` to a redis-server on a
 * free port, and a line to the floor server (`floor-server.ts`: a bare node:net server, one
 * write per chunk), at 50 connections, pipeline depth 1 and 16. Targets: throughput >= 0.8x
 * redis-server's and >= 0.9x the floor's.
 *
 * All three servers are separate processes; the driver runs here. On a 2-core machine the driver
 * and the server compete for CPU, equally for every side of a ratio. Each measurement is taken
 * `rounds` times, the three servers back to back (rotating who goes first). Each ratio is the
 * median round's: per round, ours over the reference measured seconds apart; the row prints the
 * pair of figures from the round whose ratio is the median. The machine's speed drifts by 20% or
 * more between rounds (shared cores), and the median of each side taken apart mixed rounds of
 * different speeds into one ratio.
 */
import { runLoad } from '../lab/load/run-load.ts';
import type { LoadOptionsInput } from '../lab/load/options.ts';
import { startRedisServer } from '../lab/redis/index.ts';
import { spawnHeadcount } from '../test/support/spawn-headcount.ts';
import { startFloorServer } from './floor-server.ts';
import { type BenchRow, compare, isMain, medianRound, printRows, row, writeRows } from './report.ts';

const connectionCount = 50;
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 3_000);
const warmupMs = 500;
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

interface Figures {
  throughputPerSec: number;
  latencyUsP50: number;
  latencyUsP99: number;
}

export async function run(): Promise<BenchRow[]> {
  const server = await spawnHeadcount([
    'serve',
    '--port',
    '0',
    '--log-level',
    'warn',
    '--max-pending-replies',
    '256',
  ]);
  const redis = await startRedisServer();
  const floor = await startFloorServer();
  const rows: BenchRow[] = [];
  try {
    for (const pipelineDepth of [1, 16]) {
      const common = { connectionCount, durationMs, warmupMs, pipelineDepth };
      const sides: Record<string, LoadOptionsInput> = {
        ours: { targets: [{ host: '127.0.0.1', port: server.port }], mix: [{ verb: 'WHY', weight: 1 }] },
        redis: { targets: [{ host: '127.0.0.1', port: redis.port }], protocol: 'redis-inline' },
        floor: { targets: [{ host: '127.0.0.1', port: floor.port }], mix: [{ verb: 'WHY', weight: 1 }] },
      };
      const runs: Record<string, Figures[]> = { ours: [], redis: [], floor: [] };
      const names = Object.keys(sides);
      for (let round = 0; round < rounds; round += 1) {
        for (let turn = 0; turn < names.length; turn += 1) {
          const name = names[(round + turn) % names.length]!;
          const result = await runLoad({ ...common, ...sides[name]! });
          const summary = result.requests.latency.summary;
          runs[name]!.push({
            throughputPerSec: result.requests.throughputPerSec,
            latencyUsP50: summary.latencyUsP50,
            latencyUsP99: summary.latencyUsP99,
          });
        }
      }
      const label = `${connectionCount} conns, depth ${pipelineDepth}`;
      const metrics = [
        ['throughputPerSec', `WHY vs PING throughput, ${label}`, 'req/s', '>= 0.8', '>= 0.9'],
        ['latencyUsP50', `p50 latency, ${label}`, 'us', '', ''],
        ['latencyUsP99', `p99 latency, ${label}`, 'us', '', ''],
      ] as const;
      for (const [key, metric, unit, redisTarget, floorTarget] of metrics) {
        const paired = (name: string) =>
          runs.ours!.map((entry, round) => ({ ours: entry[key], reference: runs[name]![round]![key] }));
        const vsRedis = medianRound(paired('redis'), (pair) => pair.ours, (pair) => pair.reference);
        const vsFloor = medianRound(paired('floor'), (pair) => pair.ours, (pair) => pair.reference);
        const base = row(metric, unit, vsRedis.ours, vsRedis.reference, 'redis', redisTarget);
        rows.push(compare(base, 'floor', vsFloor.reference, floorTarget, vsFloor.ours));
      }
      process.stdout.write(`${label}: ${JSON.stringify(runs)}\n`);
    }
  } finally {
    server.kill('SIGKILL');
    await server.exited;
    await redis.stop();
    await floor.kill();
  }
  return rows;
}

if (isMain(import.meta.url)) {
  const rows = await run();
  printRows('server-vs-redis', rows);
  writeRows('server-vs-redis', rows);
}
