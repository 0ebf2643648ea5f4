/**
 * `headcount serve` as a real process: flags, exit codes, signals, id files, metrics.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { connectLine } from '../support/line-client.ts';
import { requireBinary } from '../support/require-binary.ts';
import { runHeadcount, spawnHeadcount } from '../support/spawn-headcount.ts';

describe('headcount serve: usage', () => {
  test('--help lists the commands and --version prints the package version', async () => {
    const help = await runHeadcount(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('serve');
    const version = await runHeadcount(['--version']);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  test.each([
    [['--port', '70000'], '--port'],
    [['--idle-timeout-ms', '-5'], '--idle-timeout-ms'],
    [['--mode', 'b'], '--mode'],
    [['--no-such-flag'], 'unknown option'],
    [['--mode', 'c'], '--discovery'],
  ])('serve %j prints what is wrong and exits 2', async (args, mentioned) => {
    const result = await runHeadcount(['serve', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(mentioned);
  });
});

describe('headcount serve: lifecycle', () => {
  test('SIGTERM drains: open clients get BYE shutting down, the process exits 0', async () => {
    const server = await spawnHeadcount(['serve', '--port', '0', '--drain-ms', '2000']);
    const client = await connectLine(server.port);
    expect(await client.ask('WHY')).toBe('42');
    server.kill('SIGTERM');
    expect(await client.lines(1)).toEqual(['BYE shutting down']);
    expect(await server.exited).toBe(0);
  });

  test('a stable id survives a restart with the same --id-file, and the file holds it', async () => {
    const idFile = join(mkdtempSync(join(tmpdir(), 'hc-id-')), 'server.id');
    const ids: string[] = [];
    for (let run = 0; run < 2; run += 1) {
      const server = await spawnHeadcount(['serve', '--port', '0', '--id', 'stable', '--id-file', idFile]);
      ids.push(String(server.listening.serverId));
      server.kill('SIGTERM');
      await server.exited;
    }
    expect(ids[0]).toBe(ids[1]);
    expect(readFileSync(idFile, 'utf8').trim()).toBe(ids[0]);
  });

  test('a uuid id changes across restarts', async () => {
    const ids: string[] = [];
    for (let run = 0; run < 2; run += 1) {
      const server = await spawnHeadcount(['serve', '--port', '0']);
      ids.push(String(server.listening.serverId));
      server.kill('SIGKILL');
      await server.exited;
    }
    expect(ids[0]).not.toBe(ids[1]);
  });

  test('a corrupt id file is a clear error, a non-zero exit, and is left untouched', async () => {
    const idFile = join(mkdtempSync(join(tmpdir(), 'hc-id-')), 'server.id');
    const garbage = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x0a]);
    writeFileSync(idFile, garbage);
    const result = await runHeadcount(['serve', '--port', '0', '--id', 'stable', '--id-file', idFile]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is corrupt');
    expect(readFileSync(idFile)).toEqual(garbage);
  });

  test('a snowflake id is a decimal 64-bit number carrying the worker id', async () => {
    const server = await spawnHeadcount(['serve', '--port', '0', '--id', 'snowflake', '--worker-id', '77']);
    const id = BigInt(String(server.listening.serverId));
    expect(Number((id >> 12n) & 1023n)).toBe(77);
    server.kill('SIGKILL');
    await server.exited;
  });
});

describe('headcount serve: admin HTTP', () => {
  test('/metrics is valid Prometheus text whose counters move with traffic, and /readyz is 200', async () => {
    const promtool = requireBinary('promtool', 'prometheus');
    const server = await spawnHeadcount(['serve', '--port', '0', '--admin-port', 'auto']);
    const admin = `http://127.0.0.1:${server.listening.adminPort}`;
    try {
      const ready = await fetch(`${admin}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ready: true, role: 'server', mode: 'local' });
      const client = await connectLine(server.port);
      for (let index = 0; index < 5; index += 1) await client.ask('WHY');
      await client.ask('BOGUS');
      const text = await (await fetch(`${admin}/metrics`)).text();
      // promtool parses and lints the exposition format. Its only complaints may be about
      // prom-client's own nodejs_* gauges named *_total; a parse error or a lint of ours fails.
      const check = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      const problems = `${check.stdout}${check.stderr}`
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith('nodejs_'));
      expect(problems).toEqual([]);
      expect(text).toMatch(/^headcount_commands_total\{command="WHY"\} 5$/m);
      expect(text).toMatch(/^headcount_protocol_errors_total\{kind="unknown-command"\} 1$/m);
      expect(text).toMatch(/^headcount_connections 1$/m);
      expect(text).toMatch(/^headcount_connections_accepted_total 1$/m);
      client.close();
    } finally {
      server.kill('SIGKILL');
      await server.exited;
    }
  });
});
