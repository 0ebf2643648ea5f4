/**
 * `runLoad` end to end: worker threads whose shards add up to the requested run, an abort that
 * stops early with what was measured, and the redis-inline protocol against a real redis-server
 * (the same one `bench/driver-vs-redis-benchmark.ts` compares against).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, test } from 'vitest';
import { type RedisServer, startRedisServer } from '../../../lab/redis/index.ts';
import { LoadOptionsError, runLoad } from '../../../lab/load/run-load.ts';
import { type LineServer, startLineServer } from './fixtures/line-server.ts';

let server: LineServer | undefined;
let redis: RedisServer | undefined;
let headcount: ChildProcess | undefined;
afterEach(async () => {
  if (headcount && headcount.exitCode === null) {
    const exited = once(headcount, 'exit');
    headcount.kill('SIGKILL');
    await exited;
  }
  headcount = undefined;
  await server?.close();
  await redis?.stop();
  server = undefined;
  redis = undefined;
});

describe('lab/load: runLoad', () => {
  test('two worker threads share the connections and their results add up exactly', async () => {
    server = await startLineServer();
    const result = await runLoad({
      targets: [{ host: '127.0.0.1', port: server.port }],
      connectionCount: 4,
      workerCount: 2,
      requestCountMax: 2001,
      durationMs: 20_000,
      mix: [
        { verb: 'WHO', weight: 1 },
        { verb: 'WHERE', weight: 1 },
        { verb: 'WHY', weight: 2 },
      ],
      check: true,
    });
    expect(result.partCount).toBe(2);
    expect(result.requests).toMatchObject({ sent: 2001, completed: 2001, ok: 2001 });
    expect(result.requests.latency.summary.count).toBe(2001);
    expect(result.connects.succeeded).toBe(4);
    expect(server.lines).toBe(2001);
  });

  test('an abort stops the run early and still returns what was measured', async () => {
    server = await startLineServer();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await runLoad(
      { targets: [{ host: '127.0.0.1', port: server.port }], connectionCount: 2, durationMs: 60_000 },
      { signal: controller.signal },
    );
    expect(result.stoppedBy).toBe('signal');
    expect(result.measuredMs).toBeLessThan(5_000);
    expect(result.requests.completed).toBeGreaterThan(0);
  });

  test('round robin spreads held connections over several targets', async () => {
    server = await startLineServer();
    const other = await startLineServer();
    try {
      const result = await runLoad({
        targets: [
          { host: '127.0.0.1', port: server.port },
          { host: '127.0.0.1', port: other.port },
        ],
        connectionCount: 4,
        requestCountMax: 400,
      });
      expect(server.accepted).toBe(2);
      expect(other.accepted).toBe(2);
      expect(Object.values(result.targets).reduce((total, one) => total + one.completed, 0)).toBe(400);
    } finally {
      await other.close();
    }
  });

  test('redis-inline sends PING and --check accepts +PONG from a real redis-server', async () => {
    redis = await startRedisServer();
    const result = await runLoad({
      targets: [{ host: '127.0.0.1', port: redis.port }],
      protocol: 'redis-inline',
      connectionCount: 4,
      pipelineDepth: 16,
      durationMs: 300,
      check: true,
    });
    expect(result.requests.completed).toBeGreaterThan(100);
    expect(result.requests.ok).toBe(result.requests.completed);
    expect(Object.values(result.errors).every((count) => count === 0)).toBe(true);
  });

  test('--check passes every reply of a real `headcount serve` to a WHO/WHERE/WHY mix', async () => {
    headcount = spawn(process.execPath, ['bin/headcount.js', 'serve', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await listeningPort(headcount);
    const result = await runLoad({
      targets: [{ host: '127.0.0.1', port }],
      connectionCount: 4,
      pipelineDepth: 4,
      requestCountMax: 2000,
      mix: [
        { verb: 'WHO', weight: 1 },
        { verb: 'WHERE', weight: 1 },
        { verb: 'WHY', weight: 8 },
      ],
      check: true,
    });
    expect(result.requests).toMatchObject({ completed: 2000, ok: 2000 });
  });

  test('invalid options are rejected with every problem named', async () => {
    await expect(
      runLoad({ targets: [], connectionCount: -1, pipelineDepth: 2, ratePerSec: 10 }),
    ).rejects.toThrow(LoadOptionsError);
  });
});

/** Reads the server's JSON log lines until `{"msg":"listening","port":N}`. */
async function listeningPort(child: ChildProcess): Promise<number> {
  let text = '';
  for await (const chunk of child.stdout!) {
    text += String(chunk);
    for (const line of text.split('\n')) {
      if (!line.includes('"listening"')) continue;
      const port = (JSON.parse(line) as { port?: number }).port;
      if (port) return port;
    }
  }
  throw new Error(`headcount serve exited before listening: ${text.slice(-500)}`);
}
