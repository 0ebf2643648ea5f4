/**
 * Mode A's two measured promises, against references from the same run:
 *
 * 1. Writes per second to Redis from one server under a connect storm (~5,000 connects/s, each
 *    client closing at once) with `--publish-delay-ms 20` and a 1 s heartbeat, divided by the
 *    bound 1/publishDelay + 1/heartbeat = 51/s. Writes are counted by Redis itself
 *    (`INFO commandstats`, the publish script's EVALSHA calls). Target: <= 1.
 * 2. The registry read behind WHO with 100 servers registered (one Lua script over the hash),
 *    p50 and p99, divided by a plain `GET`'s on the same Redis and connection, interleaved.
 *    Target: <= 1.5. End-to-end WHO over TCP is printed beside it, without a target: it adds the
 *    client-to-headcount hop that a GET does not have.
 */
import net from 'node:net';
import { Redis } from 'ioredis';
import { createLogger } from '../impl/adapters/logger.ts';
import { connectRedis } from '../impl/adapters/redis/connect.ts';
import { RedisRegistry } from '../impl/adapters/redis/registry-store.ts';
import { startServer } from '../impl/adapters/server.ts';
import { parseServeOptions } from '../impl/config/serve-options.ts';
import { startRedisServer } from '../lab/redis/index.ts';
import { spawnHeadcount } from '../test/support/spawn-headcount.ts';
import { type BenchRow, isMain, printRows, row, writeRows } from './report.ts';

const stormMs = Number(process.env.BENCH_DURATION_MS ?? 3_000);
const connectsPerSecond = 5_000;
const publishDelayMs = 20;
const heartbeatMs = 1_000;
const serverCount = 100;
const readSamples = 4_000;

export async function run(): Promise<BenchRow[]> {
  const redis = await startRedisServer();
  try {
    const storm = await connectStorm(redis.url);
    const reads = await readLatency(redis.url);
    const bound = 1_000 / publishDelayMs + 1_000 / heartbeatMs;
    process.stdout.write(
      `connect storm: ${storm.connectsPerSecond.toFixed(0)} connects/s achieved, ${storm.writesPerSecond.toFixed(1)} Redis writes/s\n`,
    );
    return [
      row(
        `Redis writes/s, storm, publish delay ${publishDelayMs} ms`,
        'writes/s',
        storm.writesPerSecond,
        bound,
        'bound',
        '<= 1',
      ),
      row(
        `registry read p50, ${serverCount} servers`,
        'us',
        reads.totalUs.p50,
        reads.getUs.p50,
        'GET',
        '<= 1.5',
      ),
      row(
        `registry read p99, ${serverCount} servers`,
        'us',
        reads.totalUs.p99,
        reads.getUs.p99,
        'GET',
        '<= 1.5',
      ),
      row(`WHO end to end p50, ${serverCount} servers`, 'us', reads.whoUs.p50, reads.getUs.p50, 'GET', ''),
      row(`WHO end to end p99, ${serverCount} servers`, 'us', reads.whoUs.p99, reads.getUs.p99, 'GET', ''),
    ];
  } finally {
    await redis.kill();
  }
}

async function serve(redisUrl: string, flags: Record<string, unknown>) {
  const options = parseServeOptions({
    mode: 'a',
    port: 0,
    redis: redisUrl,
    logLevel: 'silent',
    maxConnections: 100_000,
    ...flags,
  });
  if (!options.ok) throw new Error(JSON.stringify(options.error));
  const started = await startServer(options.value, { logger: createLogger('silent') });
  if (!started.ok) throw new Error(started.error.message);
  return started.value;
}

async function publishCalls(admin: Redis): Promise<number> {
  const stats = await admin.info('commandstats');
  const match = /cmdstat_evalsha:calls=(\d+)/.exec(stats);
  const evals = /cmdstat_eval:calls=(\d+)/.exec(stats);
  return Number(match?.[1] ?? 0) + Number(evals?.[1] ?? 0);
}

async function connectStorm(
  redisUrl: string,
): Promise<{ writesPerSecond: number; connectsPerSecond: number }> {
  // The server is its own process, so the storm's driver does not steal its event loop.
  const server = await spawnHeadcount([
    'serve',
    '--mode',
    'a',
    '--redis',
    redisUrl,
    '--redis-prefix',
    'storm',
    '--port',
    '0',
    '--log-level',
    'warn',
    '--publish-delay-ms',
    String(publishDelayMs),
    '--heartbeat-ms',
    String(heartbeatMs),
    '--max-connections',
    '100000',
  ]);
  const admin = new Redis(redisUrl);
  try {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = await publishCalls(admin);
    const startedAtMs = performance.now();
    let connects = 0;
    const tickMs = 10;
    const perTick = (connectsPerSecond * tickMs) / 1_000;
    let open = 0;
    // Bounded by the storm's length; at most `perTick * 20` sockets open at once.
    while (performance.now() - startedAtMs < stormMs) {
      const tickStartMs = performance.now();
      for (let i = 0; i < perTick && open < perTick * 20; i += 1) {
        open += 1;
        const socket = net.connect({ port: server.port, host: '127.0.0.1' });
        socket.once('connect', () => {
          connects += 1;
          socket.end();
        });
        socket.once('close', () => {
          open -= 1;
        });
        socket.on('error', () => {});
      }
      const spentMs = performance.now() - tickStartMs;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, tickMs - spentMs)));
    }
    const elapsedS = (performance.now() - startedAtMs) / 1_000;
    const writes = (await publishCalls(admin)) - before;
    return { writesPerSecond: writes / elapsedS, connectsPerSecond: connects / elapsedS };
  } finally {
    admin.disconnect();
    server.kill('SIGKILL');
    await server.exited;
  }
}

interface Quantiles {
  p50: number;
  p99: number;
}

function quantiles(samplesUs: number[]): Quantiles {
  const sorted = [...samplesUs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

async function readLatency(
  redisUrl: string,
): Promise<{ totalUs: Quantiles; getUs: Quantiles; whoUs: Quantiles }> {
  const connection = connectRedis(redisUrl);
  await connection.waitReady(2_000);
  const store = new RedisRegistry(connection.client, 'read', () => performance.now());
  const client = connection.client as Redis;
  let opId = 0;
  for (let i = 0; i < serverCount; i += 1) {
    await store.execute({
      opId: ++opId,
      kind: 'kv.publish',
      serverId: `server-${i}`,
      count: i,
      ttlMs: 600_000,
      timeoutMs: 1_000,
    });
  }
  await client.set('{read}:plain', '42');
  const server = await serve(redisUrl, { redisPrefix: 'read', ttlMs: 600_000, heartbeatMs: 60_000 });
  const who = await lineClient(server.port);
  const totalUs: number[] = [];
  const getUs: number[] = [];
  const whoUs: number[] = [];
  try {
    for (let i = 0; i < 500; i += 1) {
      await client.get('{read}:plain');
      await store.execute({ opId: ++opId, kind: 'kv.total', timeoutMs: 1_000 });
    }
    for (let i = 0; i < readSamples; i += 1) {
      let t = performance.now();
      await client.get('{read}:plain');
      getUs.push((performance.now() - t) * 1_000);
      t = performance.now();
      const result = await store.execute({ opId: ++opId, kind: 'kv.total', timeoutMs: 1_000 });
      totalUs.push((performance.now() - t) * 1_000);
      if (!result.ok || (result.value as { servers: number }).servers < serverCount)
        throw new Error('registry read failed');
      if (i % 4 === 0) {
        t = performance.now();
        await who('WHO');
        whoUs.push((performance.now() - t) * 1_000);
      }
    }
  } finally {
    await server.crash();
    await connection.close();
  }
  return { totalUs: quantiles(totalUs), getUs: quantiles(getUs), whoUs: quantiles(whoUs) };
}

async function lineClient(port: number): Promise<(line: string) => Promise<string>> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  await new Promise((resolve) => socket.once('connect', resolve));
  let buffered = '';
  let waiting: ((line: string) => void) | undefined;
  socket.on('data', (chunk) => {
    buffered += chunk.toString();
    const newline = buffered.indexOf('\n');
    if (newline >= 0 && waiting) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      const resolve = waiting;
      waiting = undefined;
      resolve(line);
    }
  });
  return (line) =>
    new Promise((resolve) => {
      waiting = resolve;
      socket.write(`${line}\n`);
    });
}

if (isMain(import.meta.url)) {
  const rows = await run();
  printRows('mode-a', rows);
  writeRows('mode-a', rows);
  process.exit(0);
}
