/**
 * headcount's server against redis-server, same driver, same run: `WHY` to a spawned
 * `headcount serve` (mode local) versus inline `PING` to a redis-server on a free port, at 50
 * connections, pipeline depth 1 and 16. Target: our throughput >= 0.8x redis-server's.
 *
 * Both servers are separate processes; the driver runs here. On a 2-core machine the driver and
 * the server compete for CPU, equally for both sides of the ratio.
 */
import { startRedisServer } from '../lab/redis/index.ts';
import { runLoad } from '../lab/load/run-load.ts';
import { spawnHeadcount } from '../test/support/spawn-headcount.ts';
import { type BenchRow, isMain, printRows, row, writeRows } from './report.ts';

const connectionCount = 50;
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 3_000);
const warmupMs = 500;

export async function run(): Promise<BenchRow[]> {
  const server = await spawnHeadcount(['serve', '--port', '0', '--log-level', 'warn', '--max-pending-replies', '256']);
  const redis = await startRedisServer();
  const rows: BenchRow[] = [];
  try {
    for (const pipelineDepth of [1, 16]) {
      const common = { connectionCount, durationMs, warmupMs, pipelineDepth };
      const ours = await runLoad({ ...common, targets: [{ host: '127.0.0.1', port: server.port }], mix: [{ verb: 'WHY', weight: 1 }] });
      const theirs = await runLoad({ ...common, targets: [{ host: '127.0.0.1', port: redis.port }], protocol: 'redis-inline' });
      const label = `${connectionCount} conns, depth ${pipelineDepth}`;
      rows.push(row(`WHY vs PING throughput, ${label}`, 'req/s', ours.requests.throughputPerSec, theirs.requests.throughputPerSec, 'redis', '>= 0.8'));
      const ourLatency = ours.requests.latency.summary;
      const theirLatency = theirs.requests.latency.summary;
      rows.push(row(`p50 latency, ${label}`, 'us', ourLatency.latencyUsP50, theirLatency.latencyUsP50, 'redis', ''));
      rows.push(row(`p99 latency, ${label}`, 'us', ourLatency.latencyUsP99, theirLatency.latencyUsP99, 'redis', ''));
    }
  } finally {
    server.kill('SIGKILL');
    await server.exited;
    await redis.stop();
  }
  return rows;
}

if (isMain(import.meta.url)) {
  const rows = await run();
  printRows('server-vs-redis', rows);
  writeRows('server-vs-redis', rows);
}
