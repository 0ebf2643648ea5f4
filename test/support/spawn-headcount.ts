/**
 * Spawns `node bin/headcount.js <args>` as a real process and waits for its `listening` log line.
 * For tests where a real process matters: signals, exit codes, kill -9, restarts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const headcountBin = fileURLToPath(new URL('../../bin/headcount.js', import.meta.url));

export interface Spawned {
  process: ChildProcess;
  /** The `listening` line's fields (port, adminPort, serverId, ...). */
  listening: Record<string, unknown>;
  port: number;
  /** Everything printed so far on stdout and stderr. */
  output(): string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): void;
}

export async function spawnHeadcount(
  args: string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; launcher?: readonly string[] } = {},
): Promise<Spawned> {
  // `launcher` replaces `node bin/headcount.js`, e.g. with the container's entrypoint script.
  const [command, ...launcherArgs] = options.launcher ?? [process.execPath, headcountBin];
  const child = spawn(command!, [...launcherArgs, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let output = '';
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  const listening = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no listening line within ${options.timeoutMs ?? 10_000} ms:\n${output}`)),
      options.timeoutMs ?? 10_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      for (const line of output.split('\n')) {
        if (!line.includes('"listening"')) continue;
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (parsed.msg === 'listening') {
            clearTimeout(timer);
            resolve(parsed);
            return;
          }
        } catch {
          // a partial line; wait for the rest
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${output}`));
    });
  });
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
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

/** Runs `headcount <args>` to completion and returns its exit code and output. */
export async function runHeadcount(
  args: string[],
  options: { timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [headcountBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}
