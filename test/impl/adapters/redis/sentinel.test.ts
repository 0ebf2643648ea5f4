/**
 * Mode A through Redis Sentinel: a real redis-server as the master and a real Sentinel
 * (`redis-server --sentinel`) monitoring it, both on free ports. Servers are given only the
 * Sentinel's address and the master's name, as in production; ioredis asks Sentinel where the
 * master is. Goal: the same totals as with a plain URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunningServer } from '../../../../impl/adapters/server.ts';
import { freePort, type RedisServer, startRedisServer } from '../../../../lab/redis/index.ts';
import { startTestServer } from '../../../support/in-process-server.ts';
import { connectLine, type LineClient } from '../../../support/line-client.ts';
import { requireBinary } from '../../../support/require-binary.ts';

let master: RedisServer;
let sentinel: ChildProcess;
let sentinelPort: number;
const servers: RunningServer[] = [];
const clients: LineClient[] = [];

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

beforeAll(async () => {
  requireBinary('redis-server', 'redis-server');
  master = await startRedisServer();
  sentinelPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hc-sentinel-'));
  const config = join(dir, 'sentinel.conf');
  writeFileSync(
    config,
    [
      `port ${sentinelPort}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor mymaster 127.0.0.1 ${master.port} 1`,
      'sentinel down-after-milliseconds mymaster 2000',
      '',
    ].join('\n'),
  );
  sentinel = spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!(await accepts(sentinelPort))) {
    if (Date.now() > deadline) throw new Error('redis sentinel did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});

afterAll(async () => {
  for (const client of clients) client.close();
  for (const server of servers) await server.crash();
  if (sentinel.exitCode === null) {
    const exited = once(sentinel, 'exit');
    sentinel.kill('SIGKILL');
    await exited;
  }
  await master.kill();
});

describe('mode A through Redis Sentinel', () => {
  test('two servers given only the Sentinel address count the same fleet total', async () => {
    const url = `redis-sentinel://127.0.0.1:${sentinelPort}/mymaster`;
    for (let index = 0; index < 2; index += 1) {
      servers.push(await startTestServer({ mode: 'a', redis: url, ttlMs: 1_000, heartbeatMs: 200 }));
    }
    for (const server of servers) {
      for (let index = 0; index < 3; index += 1) clients.push(await connectLine(server.port));
    }
    const deadline = Date.now() + 10_000;
    let answers: string[] = [];
    while (Date.now() < deadline) {
      answers = [await clients[0]!.ask('WHO'), await clients[3]!.ask('WHO')];
      if (answers.every((answer) => answer === '6')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(answers).toEqual(['6', '6']);
    expect(JSON.parse(await clients[0]!.ask('INFO'))).toMatchObject({ whoSource: 'redis' });
  });
});
