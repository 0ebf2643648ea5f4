/**
 * `headcount ask` against a real `headcount serve` process: verbs on the command line, lines
 * through a pipe (the interactive mode without a terminal), and the exit code when the server
 * refuses or drops the connection.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { headcountBin, type Spawned, spawnHeadcount } from '../support/spawn-headcount.ts';

let server: Spawned;

beforeAll(async () => {
  server = await spawnHeadcount(['serve', '--port', '0'], { timeoutMs: 30_000 });
});

afterAll(async () => {
  server?.kill('SIGKILL');
  await server?.exited;
});

async function runAsk(
  args: string[],
  stdin?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [headcountBin, 'ask', ...args], { stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  if (stdin === undefined) child.stdin.end();
  else child.stdin.end(stdin);
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

describe('headcount ask', () => {
  test('verbs on the command line: one reply per line, in order, exit 0', async () => {
    const run = await runAsk(['--port', String(server.port), 'WHY', 'WHERE', 'who']);
    expect(run).toEqual({ code: 0, stdout: `42\n${server.listening.serverId}\n1\n`, stderr: '' });
  });

  test('no verbs, lines through a pipe: each reply printed, no prompt, exit 0 once every reply came', async () => {
    const run = await runAsk(['--port', String(server.port)], 'WHY\n\nHELP\nWHO\nNOPE\n');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toEqual([
      '42',
      'COMMANDS WHO WHERE WHY INFO HELP QUIT',
      '1',
      'ERR unknown command NOPE',
      '',
    ]);
    expect(run.stderr).toBe('');
  });

  test('QUIT through the pipe ends the conversation with BYE and exit 0', async () => {
    expect(await runAsk(['--port', String(server.port)], 'WHY\nQUIT\n')).toEqual({
      code: 0,
      stdout: '42\nBYE\n',
      stderr: '',
    });
  });

  test('a refused connection: one clear line on stderr, exit 1', async () => {
    const port = await closedPort();
    const run = await runAsk(['--port', String(port), 'WHO']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `headcount ask: cannot connect to 127.0.0.1:${port}: connection refused (is a server running there?)\n`,
    );
  });

  test('a connection the server drops before every reply came: exit 1, saying how many came', async () => {
    const run = await runAsk(['--port', String(server.port), 'QUIT', 'WHO']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('BYE\n');
    expect(run.stderr).toContain('closed the connection after 1 of 2 replies');
  });

  test('a port out of range is bad usage: exit 2', async () => {
    const run = await runAsk(['--port', '70000', 'WHO']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--port');
  });
});
