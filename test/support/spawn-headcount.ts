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
  options: {
    timeoutMs?: number;
    env?: NodeJS.ProcessEnv;
    /** The log message to wait for instead of `listening` (a server that never gets ready). */
    waitFor?: string;
    /** Replaces `node bin/headcount.js`, e.g. with the container's entrypoint script. */
    launcher?: readonly string[];
  } = {},
): Promise<Spawned> {
  const waitFor = options.waitFor ?? 'listening';
  // Starting node + tsx takes well under a second on an idle machine, but over 10 s on two cores
  // shared with other suites; 20 s still fails well inside vitest's 30 s hook timeout.
  const timeoutMs = options.timeoutMs ?? 20_000;
  const [command, ...launcherArgs] = options.launcher ?? [process.execPath, headcountBin];
  const child = spawn(command!, [...launcherArgs, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let output = '';
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  const listening = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${waitFor} line within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      for (const line of output.split('\n')) {
        if (!line.includes(JSON.stringify(waitFor))) continue;
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (parsed.msg === waitFor) {
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
      reject(new Error(`exited with ${code} before ${waitFor}:\n${output}`));
    });
  });
  // `onData` keeps collecting stdout after the listening line; a second listener here doubled
  // every later line, which made log-line counts wrong.
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
