/**
 * `headcount ask`: a small client in the spirit of `redis-cli`. With verbs it sends them all (the
 * protocol answers in request order, one line each), prints each reply on its own line and
 * exits; without verbs it reads lines from stdin, a prompt with history (node:readline) on a
 * terminal, plain lines through a pipe. A refused connection, a dropped one or a reply that does
 * not come within `timeoutMs` is one clear line on stderr and exit 1.
 *
 *   verbs ──► socket ──► reply lines ──► stdout     (one-shot: done after verbs.length replies)
 *   stdin ──► socket ──► reply lines ──► stdout     (interactive: done at EOF, once every reply came)
 */
import net from 'node:net';
import readline from 'node:readline';
import { z } from 'zod';
import { failUsage } from '../impl/config/usage-error.ts';

/** Lines kept for Up/Down recall in the interactive prompt (this session only). */
const historyLinesMax = 1_000;

/** A reply line longer than this is a broken peer, not a headcount server (replies are short). */
const replyBytesMax = 64 * 1024;

const askFlags = z.object({
  host: z.string().min(1),
  port: z.coerce.number().int().min(1).max(65_535),
  timeoutMs: z.coerce.number().int().min(0).max(3_600_000),
});

export interface AskOptions {
  host: string;
  port: number;
  /** Connect and each owed reply must come within this long; 0 waits forever. @default 5000 */
  timeoutMs: number;
  verbs: readonly string[];
}

export interface AskIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export async function runAskCommand(verbs: string[], flags: Record<string, unknown>): Promise<void> {
  const parsed = askFlags.safeParse(flags);
  if (!parsed.success)
    failUsage(
      'ask',
      parsed.error.issues.map((issue) => ({
        flag: `--${String(issue.path[0]).replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`,
        message: issue.message,
      })),
    );
  process.exitCode = await ask({ ...parsed.data, verbs }, process);
}

/** Runs one conversation; resolves with the exit code (0, or 1 with a line on stderr). */
export function ask(options: AskOptions, io: AskIo): Promise<number> {
  const address = `${options.host}:${options.port}`;
  return new Promise<number>((resolve) => {
    const socket = net.connect({ host: options.host, port: options.port });
    socket.setNoDelay(true);
    let connected = false;
    let owed = 0;
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    let input: readline.Interface | undefined;
    let inputEnded = false;
    let quitSent = false;
    let buffer = '';

    const finish = (code: number, message?: string) => {
      if (finished) return;
      finished = true;
      if (timer !== undefined) clearTimeout(timer);
      if (message !== undefined) io.stderr.write(`headcount ask: ${message}\n`);
      input?.close();
      socket.destroy();
      resolve(code);
    };
    const armTimer = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (options.timeoutMs === 0 || (connected && owed === 0)) return;
      const waitingFor = connected ? `a reply from ${address}` : `a connection to ${address}`;
      timer = setTimeout(
        () => finish(1, `no ${waitingFor} within ${options.timeoutMs} ms`),
        options.timeoutMs,
      );
    };
    const send = (line: string) => {
      owed += 1;
      if (/^quit$/i.test(line)) quitSent = true;
      socket.write(`${line}\n`);
      armTimer();
    };
    const prompt = () => {
      if (input !== undefined && io.stdin.isTTY === true && owed === 0 && !inputEnded) input.prompt();
    };

    socket.on('connect', () => {
      connected = true;
      if (options.verbs.length > 0) {
        for (const verb of options.verbs) send(verb);
        return;
      }
      input = readline.createInterface({
        input: io.stdin,
        output: io.stdout,
        terminal: io.stdin.isTTY === true,
        historySize: historyLinesMax,
        prompt: `${address}> `,
      });
      input.on('line', (line) => {
        const verb = line.trim();
        if (verb === '') return prompt();
        send(verb);
      });
      // Ctrl-C at the prompt ends the session like Ctrl-D (readline would only pause otherwise).
      input.on('SIGINT', () => input?.close());
      input.on('close', () => {
        inputEnded = true;
        if (owed === 0) finish(0);
      });
      prompt();
      armTimer();
    });

    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      if (buffer.length > replyBytesMax)
        return finish(1, `a reply from ${address} is over ${replyBytesMax} bytes`);
      for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n')) {
        const reply = buffer.slice(0, end).replace(/\r$/, '');
        buffer = buffer.slice(end + 1);
        io.stdout.write(`${reply}\n`);
        if (owed > 0) owed -= 1;
        armTimer();
        if (options.verbs.length > 0 && owed === 0) return finish(0);
        if (owed === 0 && inputEnded) return finish(0);
        prompt();
      }
    });

    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!connected) {
        const why =
          error.code === 'ECONNREFUSED' ? 'connection refused (is a server running there?)' : error.message;
        return finish(1, `cannot connect to ${address}: ${why}`);
      }
      finish(1, `connection to ${address} failed: ${error.message}`);
    });

    socket.on('close', () => {
      if (finished) return;
      if (owed === 0 && (quitSent || inputEnded)) return finish(0);
      if (options.verbs.length > 0) {
        const answered = options.verbs.length - owed;
        return finish(
          1,
          `${address} closed the connection after ${answered} of ${options.verbs.length} replies`,
        );
      }
      finish(1, `${address} closed the connection`);
    });

    armTimer();
  });
}
