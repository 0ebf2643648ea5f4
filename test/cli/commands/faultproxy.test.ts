/**
 * `headcount faultproxy` as a real process: it logs its seed and a `listening` line, a Toxiproxy
 * client can drive it, SIGTERM stops it with exit 0, and bad flags exit 2.
 */
import { describe, expect, test } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import { runHeadcount, spawnHeadcount } from '../../support/spawn-headcount.ts';

describe('headcount faultproxy', () => {
  test('logs the seed and listening, answers the Toxiproxy API, and exits 0 on SIGTERM', async () => {
    const proxy = await spawnHeadcount(['faultproxy', '--port', '0', '--seed', '42'], { timeoutMs: 20_000 });
    expect(proxy.output()).toContain('"seed":42');
    const version = await new Toxiproxy(`http://127.0.0.1:${proxy.port}`).getVersion();
    expect(JSON.parse(version)).toEqual({ version: '2.12.0' });
    proxy.kill('SIGTERM');
    expect(await proxy.exited).toBe(0);
  });

  test.each([
    [['--port', '70000'], '--port'],
    [['--seed', 'x'], '--seed'],
    [['--log-level', 'loud'], '--log-level'],
  ])('faultproxy %j names the bad flag and exits 2', async (args, flag) => {
    const result = await runHeadcount(['faultproxy', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(flag);
  });
});
