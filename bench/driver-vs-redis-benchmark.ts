/**
 * Our load driver against `redis-benchmark`, the reference, in one process run: both send inline
 * PING to the same fresh redis-server over 50 connections at pipeline depth 1 and 16, and we print
 * ours ÷ theirs. HDR recording and reply checking stay on in ours, as in real use. The two
 * alternate (reference first in one round, ours first in the next) so machine noise from other
 * processes falls on both; the ratio is the median of the per-round ratios.
 *
 * Run: `npx tsx bench/driver-vs-redis-benchmark.ts [--rounds 3] [--duration-ms 2500] [--json FILE]`.
 * Goal: ratio >= 1.0 at both depths.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { runLoad } from '../lab/load/run-load.ts';
import { assertRedisInstalled, startRedisServer } from '../lab/redis/index.ts';
import { medianRound, printRows, row, writeRows } from './report.ts';

const run = promisify(execFile);

export interface DriverComparison {
  pipelineDepth: number;
  connectionCount: number;
  referenceRequestsPerSec: number;
  oursRequestsPerSec: number;
  /** ours ÷ reference; 1.0 means as fast as redis-benchmark. */
  ratio: number;
  oursLatencyUsP99: number;
  /** ours ÷ reference in each round; `ratio` is their median. */
  roundRatios: number[];
  /** Median CPU (user + system) per request, µs: steadier than throughput when cores are shared. */
  referenceCpuUsPerRequest: number;
  oursCpuUsPerRequest: number;
}

interface Pair {
  reference: number;
  ours: number;
  latencyUsP99: number;
  referenceCpuUs: number;
  oursCpuUs: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** redis-benchmark's `-n`: requests for about `durationMs` at the given rate guess. */
function requestCountFor(durationMs: number, guessPerSec: number): number {
  return Math.max(10_000, Math.round((guessPerSec * durationMs) / 1000));
}

async function referenceRun(port: number, depth: number, connectionCount: number, requestCount: number) {
  const args = [
    '-p',
    String(port),
    '-t',
    'ping_inline',
    '-c',
    String(connectionCount),
    '-P',
    String(depth),
    '-n',
    String(requestCount),
    '-q',
  ];
  const cpuUsBefore = childrenCpuUs();
  const { stdout } = await run('redis-benchmark', args, { maxBuffer: 16 * 1024 * 1024 });
  const cpuUs = childrenCpuUs() - cpuUsBefore;
  const matches = [...stdout.matchAll(/([\d.]+) requests per second/g)];
  const last = matches.at(-1);
  if (!last) throw new Error(`could not read redis-benchmark output: ${stdout.slice(-200)}`);
  return { requestsPerSec: Number(last[1]), cpuUsPerRequest: cpuUs / requestCount };
}

/**
 * CPU time (user + system) of reaped child processes, from /proc/self/stat (cutime, cstime), in µs.
 * On a shared machine CPU per request is steadier than throughput, so we report both.
 */
function childrenCpuUs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1e6) / clockTicksPerSec;
}

const clockTicksPerSec = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

async function oursRun(port: number, depth: number, connectionCount: number, durationMs: number) {
  const cpuBefore = process.cpuUsage();
  const result = await runLoad({
    targets: [{ host: '127.0.0.1', port }],
    protocol: 'redis-inline',
    connectionCount,
    pipelineDepth: depth,
    durationMs,
    check: true,
  });
  const cpu = process.cpuUsage(cpuBefore);
  return {
    requestsPerSec: result.requests.throughputPerSec,
    latencyUsP99: result.requests.latency.summary.latencyUsP99,
    cpuUsPerRequest: (cpu.user + cpu.system) / Math.max(1, result.requests.completed),
  };
}

export async function compareWithRedisBenchmark(
  rounds: number,
  durationMs: number,
): Promise<DriverComparison[]> {
  assertRedisInstalled('redis-benchmark');
  const redis = await startRedisServer();
  const connectionCount = 50;
  const comparisons: DriverComparison[] = [];
  try {
    for (const depth of [1, 16]) {
      const pairs: Pair[] = [];
      for (let round = 0; round < rounds; round++) {
        const guessPerSec = pairs.at(-1)?.reference ?? (depth === 1 ? 100_000 : 800_000);
        const requestCount = requestCountFor(durationMs, guessPerSec);
        const pair: Pair = { reference: 0, ours: 0, latencyUsP99: 0, referenceCpuUs: 0, oursCpuUs: 0 };
        // Alternate who goes first, so a burst of load from other processes falls on both sides.
        for (const who of round % 2 === 0 ? ['reference', 'ours'] : ['ours', 'reference']) {
          if (who === 'reference') {
            const one = await referenceRun(redis.port, depth, connectionCount, requestCount);
            pair.reference = one.requestsPerSec;
            pair.referenceCpuUs = one.cpuUsPerRequest;
          } else {
            const one = await oursRun(redis.port, depth, connectionCount, durationMs);
            pair.ours = one.requestsPerSec;
            pair.latencyUsP99 = one.latencyUsP99;
            pair.oursCpuUs = one.cpuUsPerRequest;
          }
        }
        pairs.push(pair);
      }
      // The median of per-round ratios: each ratio compares two runs made seconds apart.
      const middle = medianRound(pairs, (pair) => pair.ours, (pair) => pair.reference);
      comparisons.push({
        pipelineDepth: depth,
        connectionCount,
        referenceRequestsPerSec: Math.round(middle.reference),
        oursRequestsPerSec: Math.round(middle.ours),
        ratio: Number((middle.ours / middle.reference).toFixed(3)),
        oursLatencyUsP99: middle.latencyUsP99,
        roundRatios: pairs.map((pair) => Number((pair.ours / pair.reference).toFixed(3))),
        referenceCpuUsPerRequest: round2(median(pairs.map((pair) => pair.referenceCpuUs))),
        oursCpuUsPerRequest: round2(median(pairs.map((pair) => pair.oursCpuUs))),
      });
    }
  } finally {
    // lab/redis unrefs the child, so awaiting its exit alone would let the event loop end first
    // (exit code 13, no output); a timer keeps the process alive until the exit arrives.
    const keepAlive = setInterval(() => {}, 1000);
    await redis.kill();
    clearInterval(keepAlive);
  }
  return comparisons;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      'duration-ms': { type: 'string', default: '2500' },
      json: { type: 'string' },
    },
  });
  const comparisons = await compareWithRedisBenchmark(Number(values.rounds), Number(values['duration-ms']));
  for (const one of comparisons) {
    process.stdout.write(
      `ping_inline -c ${one.connectionCount} -P ${String(one.pipelineDepth).padEnd(2)}  redis-benchmark ${one.referenceRequestsPerSec} req/s  headcount load ${one.oursRequestsPerSec} req/s  ratio ${one.ratio}  (rounds ${one.roundRatios.join(' ')}; our p99 ${one.oursLatencyUsP99} µs)\n` +
        `            CPU per request: redis-benchmark ${one.referenceCpuUsPerRequest} µs, headcount load ${one.oursCpuUsPerRequest} µs\n`,
    );
  }
  const rows = comparisons.map((one) =>
    row(
      `driver throughput, ping_inline, 50 conns, depth ${one.pipelineDepth}`,
      'req/s',
      one.oursRequestsPerSec,
      one.referenceRequestsPerSec,
      'redis-benchmark',
      '>= 1',
    ),
  );
  printRows('driver-vs-redis-benchmark', rows);
  if (values.json === undefined) {
    writeRows('driver-vs-redis-benchmark', rows, { comparisons });
  } else {
    mkdirSync(path.dirname(values.json), { recursive: true });
    writeFileSync(
      values.json,
      `${JSON.stringify({ bench: 'driver-vs-redis-benchmark', rows, comparisons }, null, 2)}\n`,
    );
  }
}
