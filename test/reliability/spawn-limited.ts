/**
 * Spawns `headcount <args>` under a lowered file-descriptor limit (`sh -c 'ulimit -n N; exec ...'`)
 * and waits for its `listening` line, like test/support/spawn-headcount.ts does for an unlimited
 * process. The limit must be set before node starts: the server reads it once, at start.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { headcountBin, type Spawned } from '../support/spawn-headcount.ts';

export async function spawnWithFdLimit(
  fdLimit: number,
  args: string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<Spawned> {
  const child = spawn(
    'sh',
    ['-c', `ulimit -n ${fdLimit} && exec "$0" "$@"`, process.execPath, headcountBin, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadlineMs = Date.now() + timeoutMs;
  let listening: Record<string, unknown> | undefined;
  while (listening === undefined) {
    listening = findListening(output);
    if (listening !== undefined) break;
    if (child.exitCode !== null)
      throw new Error(`exited with ${child.exitCode} before listening:\n${output}`);
    if (Date.now() > deadlineMs) throw new Error(`no listening line within ${timeoutMs} ms:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    process: child,
    listening,
    port: Number(listening.port),
    output: () => output,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

function findListening(output: string): Record<string, unknown> | undefined {
  for (const line of output.split('\n')) {
    if (!line.includes('"listening"')) continue;
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed.msg === 'listening') return parsed;
    } catch {
      // a partial line; wait for the rest
    }
  }
  return undefined;
}
