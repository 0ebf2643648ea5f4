/**
 * Mode A end to end against a real redis-server started here: whole servers in-process through
 * `startServer` (and, where a real `kill -9` matters, spawned `headcount serve` processes),
 * clients on real sockets. TTL 300 ms and heartbeat 100 ms keep each phase short; wall-clock
 * bounds are generous because the machine is shared.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '../../../../impl/adapters/logger.ts';
import { type RunningServer, startServer } from '../../../../impl/adapters/server.ts';
import { parseServeOptions } from '../../../../impl/config/serve-options.ts';
import { freePort, type RedisServer, startRedisServer } from '../../../../lab/redis/index.ts';

const logger = createLogger('silent');
let redis: RedisServer;
const running: RunningServer[] = [];
const sockets: net.Socket[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  for (const server of running) await server.crash();
  await redis.kill();
});

async function serve(flags: Record<string, unknown>): Promise<RunningServer> {
  const options = parseServeOptions({
    mode: 'a',
    port: 0,
    redis: redis.url,
    ttlMs: 300,
    heartbeatMs: 100,
    drainMs: 200,
    logLevel: 'silent',
    ...flags,
  });
  if (!options.ok) throw new Error(JSON.stringify(options.error));
  const started = await startServer(options.value, { logger });
  if (!started.ok) throw new Error(started.error.message);
  running.push(started.value);
  return started.value;
}

interface Client {
  ask(line: string): Promise<string>;
  close(): void;
}

async function client(port: number): Promise<Client> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: socket }).on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else lines.push(line);
  });
  socket.on('error', () => {});
  return {
    ask(line) {
      socket.write(`${line}\n`);
      const ready = lines.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      return new Promise((resolve) => waiting.push(resolve));
    },
    close: () => socket.destroy(),
  };
}

async function clients(port: number, count: number): Promise<Client[]> {
  return Promise.all(Array.from({ length: count }, () => client(port)));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls WHO until it equals `expected`; returns the ms it took, or throws after `withinMs`. */
async function whoBecomes(asker: Client, expected: number, withinMs: number): Promise<number> {
  const startedAtMs = performance.now();
  for (let attempt = 0; attempt < 1_000; attempt += 1) {
    if (Number(await asker.ask('WHO')) === expected) return performance.now() - startedAtMs;
    if (performance.now() - startedAtMs > withinMs) break;
    await sleep(10);
  }
  throw new Error(`WHO did not become ${expected} within ${withinMs} ms (last ${await asker.ask('WHO')})`);
}

async function readyz(server: RunningServer): Promise<{ ready: boolean; reasons: string[] }> {
  const response = await fetch(`http://127.0.0.1:${server.adminPort}/readyz`);
  return (await response.json()) as { ready: boolean; reasons: string[] };
}

describe('mode A: servers on a real Redis', () => {
  test('three servers with clients spread over them each answer the fleet total', async () => {
    const prefix = 'three';
    const servers = [
      await serve({ redisPrefix: prefix }),
      await serve({ redisPrefix: prefix }),
      await serve({ redisPrefix: prefix }),
    ];
    const held = [
      ...(await clients(servers[0]!.port, 2)),
      ...(await clients(servers[1]!.port, 3)),
      ...(await clients(servers[2]!.port, 1)),
    ];
    await whoBecomes(held[0]!, 6, 1_000);
    for (const asker of [held[0]!, held[2]!, held[5]!]) expect(await asker.ask('WHO')).toBe('6');
    const info = JSON.parse(await held[5]!.ask('INFO')) as Record<string, unknown>;
    expect(info).toMatchObject({ mode: 'a', whoSource: 'redis', knownServers: 3 });
  });

  test('a server that crashes is still counted until its ttl runs out, then not; a graceful stop is seen at once', async () => {
    const prefix = 'crash';
    const [a, b, c] = [
      await serve({ redisPrefix: prefix }),
      await serve({ redisPrefix: prefix }),
      await serve({ redisPrefix: prefix }),
    ];
    const onA = await clients(a.port, 2);
    await clients(b.port, 3);
    await clients(c.port, 1);
    await whoBecomes(onA[0]!, 6, 1_000);
    await b.crash();
    // Stale phase: the entry lives at least ttl - heartbeat (200 ms) after the crash.
    expect(await onA[0]!.ask('WHO')).toBe('6');
    const tookMs = await whoBecomes(onA[0]!, 3, 300 + 100 + 600);
    expect(tookMs).toBeGreaterThan(100);
    await c.stop();
    expect(await whoBecomes(onA[0]!, 2, 300)).toBeLessThan(300);
  });

  test('with Redis frozen or stopped WHO answers the last known total within the who timeout, and a Redis restarted empty is healed by the next heartbeat', async () => {
    const own = await startRedisServer();
    try {
      const server = await serve({ redis: own.url, redisPrefix: 'down', whoTimeoutMs: 150 });
      const held = await clients(server.port, 4);
      await whoBecomes(held[0]!, 4, 1_000);
      own.pause();
      let startedAtMs = performance.now();
      expect(await held[0]!.ask('WHO')).toBe('4');
      expect(performance.now() - startedAtMs).toBeLessThan(150 + 250);
      expect(JSON.parse(await held[0]!.ask('INFO'))).toMatchObject({ whoSource: 'last-known' });
      own.resume();
      await own.kill();
      startedAtMs = performance.now();
      expect(await held[1]!.ask('WHO')).toBe('4');
      expect(performance.now() - startedAtMs).toBeLessThan(150 + 250);
      await own.restart();
      // Reconnect (≤ 1 s apart) plus one heartbeat rewrites the entry in the empty Redis; WHO
      // then answers 4 from Redis itself, not from the last known total.
      startedAtMs = performance.now();
      let healed = false;
      while (!healed && performance.now() - startedAtMs < 1_000 + 100 + 900) {
        const total = await held[0]!.ask('WHO');
        const info = JSON.parse(await held[0]!.ask('INFO')) as { whoSource: string };
        healed = total === '4' && info.whoSource === 'redis';
        if (!healed) await sleep(20);
      }
      expect(healed).toBe(true);
    } finally {
      await own.kill();
    }
  });

  test('/readyz stays ready while Redis is unreachable, and says why', async () => {
    const own = await startRedisServer();
    await own.kill();
    const server = await serve({ redis: own.url, redisPrefix: 'ready', adminPort: await freePort() });
    const held = await clients(server.port, 2);
    // Never registered, Redis never answered: WHO is this server's own count.
    expect(await held[0]!.ask('WHO')).toBe('2');
    expect(JSON.parse(await held[0]!.ask('INFO'))).toMatchObject({ whoSource: 'local' });
    await sleep(100);
    const status = await readyz(server);
    expect(status.ready).toBe(true);
    expect(status.reasons.join(' ')).toMatch(/redis trouble|not yet registered/);
    const metrics = await (await fetch(`http://127.0.0.1:${server.adminPort}/metrics`)).text();
    expect(metrics).toMatch(/headcount_who_answers_total\{source="local"\} [1-9]/);
    expect(metrics).toMatch(/headcount_redis_failures_total\{op="publish",code="HC_KV_UNAVAILABLE"\} [1-9]/);
  });

  test('with --id snowflake two servers lease different worker ids from Redis', async () => {
    const [a, b] = await Promise.all([
      serve({ redisPrefix: 'snow', id: 'snowflake' }),
      serve({ redisPrefix: 'snow', id: 'snowflake' }),
    ]);
    const { parseSnowflake } = await import('../../../../impl/core/ids/snowflake.ts');
    expect(parseSnowflake(BigInt(a.serverId)).workerId).not.toBe(parseSnowflake(BigInt(b.serverId)).workerId);
  });

  test('--redis memory serves a single-process demo', async () => {
    const server = await serve({ redis: 'memory' });
    const held = await clients(server.port, 3);
    await whoBecomes(held[0]!, 3, 1_000);
  });
});

describe('mode A: spawned headcount serve processes', () => {
  test('after kill -9 of one server its clients are counted for about the ttl, then the total drops to the truth', async () => {
    const children: ChildProcess[] = [];
    try {
      // One server in-process, the victim a real process (one spawn keeps the file short).
      const survivor = await serve({ redisPrefix: 'spawned' });
      const victimPort = await spawnServe(children);
      const onFirst = await clients(survivor.port, 2);
      await clients(victimPort, 3);
      await whoBecomes(onFirst[0]!, 5, 2_000);
      children[0]!.kill('SIGKILL');
      expect(await onFirst[0]!.ask('WHO')).toBe('5');
      const tookMs = await whoBecomes(onFirst[0]!, 2, 300 + 100 + 1_000);
      expect(tookMs).toBeGreaterThan(100);
    } finally {
      for (const child of children) child.kill('SIGKILL');
    }
  }, 20_000);
});

async function spawnServe(children: ChildProcess[]): Promise<number> {
  const args = [
    'bin/headcount.js',
    'serve',
    '--mode',
    'a',
    '--redis',
    redis.url,
    '--redis-prefix',
    'spawned',
  ];
  args.push('--port', '0', '--ttl-ms', '300', '--heartbeat-ms', '100');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const entry = JSON.parse(line) as { msg?: string; port?: number };
    if (entry.msg === 'listening' && entry.port !== undefined) return entry.port;
  }
  throw new Error('headcount serve exited before listening');
}
